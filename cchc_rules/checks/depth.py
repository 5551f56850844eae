"""How deep a score's computation goes: nested expressions, [id] references and children, together.

The evaluator, the proofs and the explanations follow references and children
recursively. Each statement's nesting is already bounded (E003); this pass
bounds the chains: a criterion that refers to one that refers to another...
"""

from __future__ import annotations

from cchc_rules import ast
from cchc_rules.checks import Merged, expressions
from cchc_rules.checks.references import dependencies
from cchc_rules.errors import Diagnostic
from cchc_rules.limits import MAX_DEPENDENCY_DEPTH

# A reference costs the evaluator about twice the stack of an expression level.
_REF_WEIGHT = 2
_MAX_REPORTED = 20


def _own(crit: ast.Criterion) -> tuple[int, list[tuple[int, str]]]:
    """A criterion's deepest expression level, and the level of each [id] reference in it."""
    deepest = 0
    refs: list[tuple[int, str]] = []
    stack: list[tuple[ast.Node, int]] = [(expr, 1) for expr in expressions(crit)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, ast.CritRef):
            refs.append((level, node.id))
        for name in type(node).model_fields:
            value = getattr(node, name)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, ast.Node) and not isinstance(item, ast.Option):
                    stack.append((item, level + 1))
    return deepest, refs


def depths(rules: Merged) -> dict[str, int]:
    """For each criterion, the steps from its score down to a fact (a reference counts double)."""
    crits: dict[str, ast.Criterion] = {}
    for crit in rules.criteria:
        crits.setdefault(crit.id, crit)
    own = {node_id: _own(crit) for node_id, crit in crits.items()}
    children: dict[str, list[str]] = {}
    for node_id, crit in crits.items():
        if crit.kind == "criterion" and crit.parent_id in crits:
            children.setdefault(crit.parent_id, []).append(node_id)
    needs = dependencies(rules)
    depth: dict[str, int] = {}
    for start in crits:
        if start in depth:
            continue
        stack = [start]
        entered: set[str] = set()
        while stack:  # post-order without recursion; a cycle (E130) simply counts as 0
            node_id = stack[-1]
            if node_id in depth:
                stack.pop()
                continue
            if node_id not in entered:
                entered.add(node_id)
                stack.extend(dep for dep, _ in needs.get(node_id, []) if dep not in depth and dep not in entered)
                continue
            stack.pop()
            deepest, refs = own[node_id]
            value = max(
                [deepest]
                + [level + _REF_WEIGHT + depth.get(ref, 0) for level, ref in refs if ref in crits]
                + [1 + depth.get(child, 0) for child in children.get(node_id, [])]
            )
            depth[node_id] = value
    return depth


def check_depth(rules: Merged) -> list[Diagnostic]:
    """No score may go more than MAX_DEPENDENCY_DEPTH steps deep; names where a chain crosses the limit."""
    depth = depths(rules)
    needs = dependencies(rules)
    out: list[Diagnostic] = []
    for crit in rules.criteria:
        value = depth.get(crit.id, 0)
        if value <= MAX_DEPENDENCY_DEPTH:
            continue
        if any(depth.get(dep, 0) > MAX_DEPENDENCY_DEPTH for dep, _ in needs.get(crit.id, [])):
            continue  # reported where the chain crosses the limit
        out.append(
            rules.diag(
                "E131",
                "error",
                crit.head,
                f"điểm của tiêu chí {crit.id} được tính qua {value} tầng (biểu thức lồng nhau, tham chiếu [mã], "
                f"tiêu chí con); tối đa {MAX_DEPENDENCY_DEPTH}",
                "rút ngắn chuỗi tham chiếu: tham chiếu thẳng đến tiêu chí hoặc dữ kiện cần dùng",
            )
        )
        if len(out) >= _MAX_REPORTED:
            break
    return out
