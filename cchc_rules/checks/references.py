"""Criterion references: no cycles, so evaluation always terminates."""

from __future__ import annotations

from cchc_rules import ast
from cchc_rules.checks import Merged, expressions, walk
from cchc_rules.errors import Diagnostic


def dependencies(rules: Merged) -> dict[str, list[tuple[str, ast.Node]]]:
    """For each criterion, the criteria its score needs: its children and its [id] references."""
    deps: dict[str, list[tuple[str, ast.Node]]] = {c.id: [] for c in rules.criteria}
    for crit in rules.criteria:
        if crit.kind == "criterion" and crit.parent_id in deps:
            deps[crit.parent_id].append((crit.id, crit))
        for expr in expressions(crit):
            for node in walk(expr):
                if isinstance(node, ast.CritRef) and node.id in deps:
                    deps[crit.id].append((node.id, node))
    return deps


def check_cycles(rules: Merged) -> list[Diagnostic]:
    """A criterion may not depend on itself through references or children."""
    deps = dependencies(rules)
    out: list[Diagnostic] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node_id: str, path: list[tuple[str, ast.Node | None]]) -> None:
        state[node_id] = 1
        for dep, at in deps.get(node_id, []):
            if state.get(dep) == 1:
                ids = [p[0] for p in path] + [node_id]
                cycle = [*ids[ids.index(dep) :], dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    out.append(
                        rules.diag(
                            "E130",
                            "error",
                            at.span,
                            "vòng tham chiếu giữa các tiêu chí: " + " → ".join(cycle),
                            "một tiêu chí không thể phụ thuộc vào chính nó",
                        )
                    )
            elif dep not in state:
                visit(dep, [*path, (node_id, at)])
        state[node_id] = 2

    for crit in rules.criteria:
        if crit.id not in state:
            visit(crit.id, [])
    return out
