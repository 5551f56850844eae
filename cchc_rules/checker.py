"""The checker: runs every pass over a parsed rule set, then indexes what passed.

Passes are small pure functions (`cchc_rules.checks`), listed in `PASSES` and
run in that order; every diagnostic is collected before anything is raised.
"""

from __future__ import annotations

from collections.abc import Callable

from cchc_rules import ast
from cchc_rules.checked import DEFAULT_PERCENT_ROUNDING, CheckedRules
from cchc_rules.checks import Merged
from cchc_rules.checks.deductions import check_deductions
from cchc_rules.checks.depth import check_depth
from cchc_rules.checks.facts import check_bound_cycles, check_fact_bounds, check_fact_types
from cchc_rules.checks.groups import check_groups
from cchc_rules.checks.header import check_header
from cchc_rules.checks.names import check_duplicates, check_references, check_templates, check_unused_facts
from cchc_rules.checks.policies import (
    check_bonus_na_full,
    check_parent_zero_na,
    check_penalty_na,
    check_zero_na_policy,
)
from cchc_rules.checks.reasons import check_missing_reasons
from cchc_rules.checks.references import check_cycles
from cchc_rules.checks.tiers import check_tiers
from cchc_rules.checks.tree import check_sums, check_tree
from cchc_rules.checks.types import check_types
from cchc_rules.errors import CheckError, Diagnostic
from cchc_rules.loader import RuleSource

Pass = Callable[[Merged], list[Diagnostic]]

PASSES: tuple[Pass, ...] = (
    check_header,
    check_duplicates,
    check_references,
    check_templates,
    check_unused_facts,
    check_fact_types,
    check_fact_bounds,
    check_bound_cycles,
    check_types,
    check_tree,
    check_sums,
    check_cycles,
    check_depth,
    check_zero_na_policy,
    check_penalty_na,
    check_bonus_na_full,
    check_parent_zero_na,
    check_deductions,
    check_tiers,
    check_groups,
    check_missing_reasons,
)


def merge(source: RuleSource) -> Merged:
    """Put every module's header, facts and criteria side by side."""
    return Merged.model_construct(
        headers=tuple(m.header for m in source.modules if m.header is not None),
        facts=tuple(f for m in source.modules for f in m.facts),
        criteria=tuple(c for m in source.modules for c in m.criteria),
        sources=source.sources,
        inherited_files=source.inherited_files,
        retired_facts=source.retired_facts,
    )


def diagnose(source: RuleSource) -> list[Diagnostic]:
    """Every diagnostic of every pass, errors and warnings, in pass order."""
    merged = merge(source)
    found: list[Diagnostic] = list(source.warnings)
    for check in PASSES:
        found.extend(check(merged))
    return found


def check(source: RuleSource) -> CheckedRules:
    """Check a parsed rule set; raise `CheckError` with every error, or return it indexed."""
    found = diagnose(source)
    errors = [d for d in found if d.severity == "error"]
    if errors:
        raise CheckError(errors)
    return index(merge(source), tuple(d for d in found if d.severity == "warning"), source.retired_facts)


def index(merged: Merged, warnings: tuple[Diagnostic, ...], retired: frozenset[str] = frozenset()) -> CheckedRules:
    """Order the tree, link children, and settle each node's rounding policy."""
    header = merged.headers[0]
    base_rounding = header.rounding
    assert base_rounding is not None  # check_header guarantees it
    if header.percent_rounding is None:
        places, mode = DEFAULT_PERCENT_ROUNDING
        header = header.model_copy(
            update={"percent_rounding": ast.Rounding.model_construct(span=header.span, places=places, mode=mode)}
        )
    tree = [c for c in merged.criteria if c.kind == "criterion"]
    tree.sort(key=lambda c: c.path)
    nodes = {c.id: c for c in tree}
    children: dict[str, list[str]] = {c.id: [] for c in tree}
    for crit in tree:
        if crit.parent_id is not None:
            children[crit.parent_id].append(crit.id)
    rounding: dict[str, ast.Rounding] = {}
    for crit in tree:  # parents come before children in this order
        inherited = rounding[crit.parent_id] if crit.parent_id else base_rounding
        rounding[crit.id] = crit.rounding or inherited
    adjustments = [c for c in merged.criteria if c.kind != "criterion"]
    for adj in adjustments:
        nodes[adj.id] = adj
        children[adj.id] = []
        rounding[adj.id] = adj.rounding or base_rounding
    return CheckedRules.model_construct(
        header=header,
        facts={f.name: f for f in merged.facts},
        nodes=nodes,
        order=tuple(c.id for c in tree),
        children={k: tuple(v) for k, v in children.items()},
        areas=tuple(c.id for c in tree if c.parent_id is None),
        adjustments=tuple(a.id for a in adjustments),
        rounding=rounding,
        sources=merged.sources,
        warnings=warnings,
        retired_facts=retired - {f.name for f in merged.facts},
    )
