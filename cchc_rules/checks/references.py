"""Criterion references: no cycles, so evaluation always terminates."""

from __future__ import annotations

from cchc_rules import ast
from cchc_rules.checks import Merged, expressions, walk
from cchc_rules.errors import Diagnostic


def dependencies(rules: Merged, inherited_na: bool = False) -> dict[str, list[tuple[str, ast.Node]]]:
    """For each criterion, the criteria its score needs: its children and its [id] references.

    With `inherited_na`, also the references in its ancestors' `na when` conditions: a criterion is
    n/a when an ancestor is, so evaluating it evaluates them.
    """
    deps: dict[str, list[tuple[str, ast.Node]]] = {c.id: [] for c in rules.criteria}
    by_id = {c.id: c for c in rules.criteria}
    na_refs: dict[str, list[tuple[str, ast.Node]]] = {}
    for crit in rules.criteria:
        if crit.kind == "criterion" and crit.parent_id in deps:
            deps[crit.parent_id].append((crit.id, crit))
        for expr in expressions(crit):
            for node in walk(expr):
                if isinstance(node, ast.CritRef) and node.id in deps:
                    deps[crit.id].append((node.id, node))
        na_refs[crit.id] = [
            (node.id, node)
            for clause in crit.not_applicable
            for node in walk(clause.condition)
            if isinstance(node, ast.CritRef) and node.id in deps
        ]
    for crit in rules.criteria if inherited_na else ():
        parent = crit.parent_id if crit.kind == "criterion" else None
        while parent is not None and parent in by_id:
            deps[crit.id].extend(na_refs[parent])
            above = by_id[parent]
            parent = above.parent_id if above.kind == "criterion" else None
    return deps


_NA_WHEN_HINT = "; điều kiện `na when` của một mục áp dụng cho mọi mục con, nên không được đọc điểm của chúng"


def check_cycles(rules: Merged) -> list[Diagnostic]:
    """A criterion may not depend on itself through references or children.

    A depth-first search with its own stack: a chain of references as long as a
    rule set allows must not exhaust Python's.
    """
    deps = dependencies(rules, inherited_na=True)
    na_owner = {  # each reference inside a `na when`, by identity: whose condition it is in
        id(node): crit.id
        for crit in rules.criteria
        for clause in crit.not_applicable
        for node in walk(clause.condition)
        if isinstance(node, ast.CritRef)
    }
    out: list[Diagnostic] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()
    for crit in rules.criteria:
        if crit.id in state:
            continue
        state[crit.id] = 1
        stack = [(crit.id, iter(deps.get(crit.id, [])))]
        path: list[tuple[str, ast.Node]] = []  # the nodes above the top of the stack, and what led on from each
        while stack:
            node_id, todo = stack[-1]
            step = next(todo, None)
            if step is None:
                state[node_id] = 2
                stack.pop()
                if path:
                    path.pop()
                continue
            dep, at = step
            if state.get(dep) == 1:
                ids = [p[0] for p in path] + [node_id]
                start = ids.index(dep)
                cycle = [*ids[start:], dep]
                hops = [p[1] for p in path[start:]] + [at]  # hop k leads from cycle[k] to cycle[k + 1]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    owners = [na_owner.get(id(hop)) for hop in hops]
                    text = cycle[0] + "".join(
                        f" → {cycle[k + 1]}" + (f" (qua điều kiện `na when` của {owner})" if owner else "")
                        for k, owner in enumerate(owners)
                    )
                    hint = "một tiêu chí không thể phụ thuộc vào chính nó"
                    if any(owner not in (None, cycle[k]) for k, owner in enumerate(owners)):
                        hint += _NA_WHEN_HINT  # through an ancestor's condition: it holds for each criterion under it
                    out.append(rules.diag("E130", "error", at.span, "vòng tham chiếu giữa các tiêu chí: " + text, hint))
            elif dep not in state:
                state[dep] = 1
                path.append((node_id, at))
                stack.append((dep, iter(deps.get(dep, []))))
    return out
