"""Which facts a unit need not give: those that only criteria not applicable to it would read.

A commune with no public investment has nothing to write for the funds
disbursed; when a criterion's `na when` holds, the facts that only that
criterion (or criteria below it) reads are excused rather than reported
missing. `facts.validate` calls `not_needed` through the callback that
`RuleSet` hands it, so the facts stage does not import the evaluator.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from cchc_rules import ast
from cchc_rules.checked import CheckedRules
from cchc_rules.checks import walk
from cchc_rules.errors import CchcError
from cchc_rules.evaluator import Evaluator, ZeroDenominatorSignal
from cchc_rules.facts import Facts, Value, usage
from cchc_rules.trace import NullTracer


def not_needed(rules: CheckedRules, values: Mapping[str, Value], missing: Sequence[str]) -> frozenset[str]:
    """The `missing` facts this unit need not give: every criterion that reads one is not applicable.

    A fact stays needed when a `na when` condition reads it (it decides what is applicable), when it
    bounds a fact the unit gives (`max tong`), when no criterion reads it, or when a criterion reading
    it is applicable, or cannot be known to be from the facts given.
    """
    if not any(crit.not_applicable for crit in rules.nodes.values()):  # no `na when`: nothing is excused
        return frozenset()
    guards = _guard_facts(rules)
    bounds = {
        bound.name
        for name, decl in rules.facts.items()
        if name in values
        for bound in (decl.min, decl.max)
        if isinstance(bound, ast.NameRef)
    }
    used = usage(rules)
    out = set()
    for name in missing:
        if name in guards or name in bounds or not used[name]:
            continue
        if all(_not_applicable(rules, values, node_id) for node_id in used[name]):
            out.add(name)
    return frozenset(out)


def _not_applicable(rules: CheckedRules, values: Mapping[str, Value], node_id: str) -> bool:
    """Whether a `na when` of the node, or of a node above it, holds on the values given.

    Each condition is tried alone: one that needs a fact that is missing (which is then reported)
    does not stop another from deciding. Evaluation itself only runs once every condition's facts
    are given, and then finds the same.
    """
    for crit in _up(rules, node_id):
        if not crit.not_applicable:
            continue
        # A fresh evaluator for each condition: one that met a missing fact is left half-way.
        evaluator = Evaluator(rules, Facts.model_construct(values=dict(values)), NullTracer())
        try:
            if evaluator.own_na(crit) is not None:
                return True
        except (CchcError, KeyError, ArithmeticError, ZeroDenominatorSignal):
            pass  # it needs what is missing, or cannot be worked out: it does not excuse
    return False


def _up(rules: CheckedRules, node_id: str) -> Iterator[ast.Criterion]:
    """The node, then each node above it up to its area."""
    crit = rules.nodes[node_id]
    yield crit
    while crit.kind == "criterion" and crit.parent_id is not None:
        crit = rules.nodes[crit.parent_id]
        yield crit


def blank_when(rules: CheckedRules) -> dict[str, tuple[str, ...]]:
    """The facts a unit may leave out, each with the criteria that must all not apply for it to be left out:
    those that read it, when each of them, or a criterion above it, has a `na when` (for the template's
    and the rulebook's "để trống khi ... không áp dụng"). A fact a `na when` reads is never among them."""
    guards = _guard_facts(rules)
    out = {}
    for name, users in usage(rules).items():
        may_not_apply = all(any(c.not_applicable for c in _up(rules, node_id)) for node_id in users)
        if users and name not in guards and may_not_apply:
            out[name] = tuple(users)
    return out


def blank_words(users: Sequence[str]) -> str:
    """ "để trống khi 1.1 không áp dụng", "để trống khi 1.1, 1.3 đều không áp dụng"."""
    return f"để trống khi {', '.join(users)} {'đều ' if len(users) > 1 else ''}không áp dụng"


def _guard_facts(rules: CheckedRules) -> set[str]:
    """Every fact a `na when` condition reads."""
    return {
        e.name
        for crit in rules.nodes.values()
        for clause in crit.not_applicable
        for e in walk(clause.condition)
        if isinstance(e, ast.NameRef)
    }
