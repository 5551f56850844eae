"""Imports flow one way: each module imports only from its own stage or earlier ones.

The stages are those of docs/architecture.md, in order. A new module must be
placed here, so that where it sits in the pipeline is a decision, not an
accident; an import from a later stage fails with the line that makes it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cchc_rules"

STAGES: tuple[tuple[str, ...], ...] = (
    ("source", "errors", "paths", "limits", "numbers", "vocabulary", "ooxml"),  # shared by every stage
    ("parser", "syntax_errors"),
    ("ast", "build"),
    ("printer",),  # the AST back to text: the checker's messages quote rules with it
    ("loader",),
    ("inherit",),
    ("checker", "checks", "checked"),
    ("facts",),
    ("trace", "evaluator", "compiler"),
    ("analysis", "applicable"),
    ("result",),
    ("columns",),
    ("ruleset",),
    ("rounds", "audit", "whatif", "diff", "cases", "testing", "pytest_plugin", "units", "ranking", "template"),
    ("__init__",),  # the package's names, imported when first used: `load` and `RuleSet`, and `rank`
    ("formatter",),  # `cchc fmt`: parses rule files (the tree too, for where comments go), prints them
    ("render",),
    ("output", "commands"),
    ("cli", "__main__"),
)
LEVEL = {name: level for level, names in enumerate(STAGES) for name in names}

# The one import against the flow, taken on purpose: `NodeResult.explain()` hands the node to the
# renderer `cchc explain` uses, imported when called, so that the API's one-liner prints the same text.
ALLOWED = {("result", "cchc_rules.render.explain")}


def stage_of(module: str) -> str | None:
    """The stage name of a dotted cchc_rules module (its first component under the package)."""
    parts = module.split(".")
    if parts[0] != "cchc_rules":
        return None
    return "__init__" if len(parts) == 1 else parts[1]


def modules() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out.append((path, stage_of(".".join(parts)) or ""))
    return out


def imported(tree: ast.Module) -> list[tuple[int, str]]:
    """Every cchc_rules module a file imports, at any depth (lazy imports in functions too)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cchc_rules":  # `from cchc_rules import ast, printer`: the names are modules
                out += [(node.lineno, f"cchc_rules.{alias.name}") for alias in node.names]
            else:
                out.append((node.lineno, node.module))
    return [(line, name) for line, name in out if name.startswith("cchc_rules")]


def test_every_module_has_a_stage() -> None:
    unplaced = sorted({stage for _, stage in modules()} - set(LEVEL))
    assert unplaced == [], f"place these in STAGES (and in docs/architecture.md): {unplaced}"


def test_imports_never_reach_a_later_stage() -> None:
    wrong = []
    for path, stage in modules():
        for line, name in imported(ast.parse(path.read_text(encoding="utf-8"))):
            target = stage_of(name)
            if target in LEVEL and LEVEL[target] > LEVEL[stage] and (stage, name) not in ALLOWED:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {stage} imports {name}")
    assert wrong == []


def test_the_check_sees_lazy_and_package_imports() -> None:
    """The walker finds imports inside functions and `from cchc_rules import x` forms (or it proves nothing)."""
    tree = ast.parse("def f():\n    from cchc_rules.render import text\nfrom cchc_rules import ast, printer\n")
    assert sorted(imported(tree)) == [(2, "cchc_rules.render"), (3, "cchc_rules.ast"), (3, "cchc_rules.printer")]
