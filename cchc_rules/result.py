"""The result of evaluating one unit: scores per node, the total, and the audit trail.

`Result` is what the Python API returns and what every renderer reads;
`Result.to_dict()` is the JSON contract (decimals as strings).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from cchc_rules.checked import CheckedRules
from cchc_rules.evaluator import NodeOutcome, Outcome, ancestors, rounding_words, show
from cchc_rules.facts import Facts, Value
from cchc_rules.numbers import plain, round_fraction, to_decimal, trimmed
from cchc_rules.trace import FactUse, NodeTrace, Tracer


def _dec(value: Fraction) -> Decimal:
    """An exact Decimal without trailing zeros (12.75, not 12.750)."""
    return trimmed(to_decimal(value))


class NodeResult(BaseModel):
    """One node's score: an area, criterion, sub-criterion, or a bonus/penalty item."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    kind: str
    status: str
    max: Decimal
    effective_max: Decimal
    score: Decimal
    lost: Decimal
    percent: Decimal | None
    reasons: tuple[str, ...]
    basis: tuple[str, ...] = ()
    inferred: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    has_formula: bool = False
    trace: NodeTrace | None = None

    @property
    def depth(self) -> int:
        """1 for an area, 2 for a criterion, 3 for a sub-criterion."""
        return self.id.count(".") + 1

    def explain(self) -> str:
        """The derivation of this node, in Vietnamese, as `cchc explain` prints it."""
        from cchc_rules.render.explain import explain_node  # renderers depend on results, not the reverse

        return explain_node(self)

    def to_dict(self) -> dict[str, Any]:
        """This node as in the JSON contract."""
        out: dict[str, Any] = {
            "title": self.title,
            "kind": self.kind,
            "score": str(self.score),
            "max": str(self.max),
            "effective_max": str(self.effective_max),
            "lost": str(self.lost),
            "percent": None if self.percent is None else str(self.percent),
            "status": self.status,
            "reasons": list(self.reasons),
        }
        if self.basis:
            out["basis"] = list(self.basis)
        return out


class Result(BaseModel):
    """A unit's evaluation: total, maximum, percentage, and every node by id."""

    model_config = ConfigDict(frozen=True)

    ruleset: str
    level: str
    province: str
    year: int | None
    unit: str
    basis: tuple[str, ...] = ()
    score: Decimal
    max: Decimal
    percent: Decimal | None
    base_score: Decimal
    bonus: Decimal
    penalty: Decimal
    facts: dict[str, Any]
    nodes: dict[str, NodeResult]
    areas: tuple[str, ...]
    adjustments: tuple[str, ...]

    def __getitem__(self, node_id: str) -> NodeResult:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise KeyError(f"no criterion {node_id!r} in this result") from None

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def losses(self) -> list[NodeResult]:
        """Nodes that lost points and carry their own formula, in tree order.

        Their losses add up exactly to `max - base_score`.
        """
        out = []
        for node in self.nodes.values():
            if node.kind != "criterion" or not node.has_formula or node.lost == 0:
                continue
            if any(self.nodes[a].has_formula for a in ancestors(node.id)):
                continue  # a formula parent's own loss stands for its subtree
            out.append(node)
        return out

    def to_dict(self, trace: bool = False) -> dict[str, Any]:
        """The JSON contract: decimals as strings, nodes keyed by id in tree order."""
        nodes = {}
        for node_id, node in self.nodes.items():
            entry = node.to_dict()
            if trace and node.trace is not None:
                entry["trace"] = node.trace.model_dump(mode="json")
            nodes[node_id] = entry
        return {
            "ruleset": self.ruleset,
            "level": self.level,
            "province": self.province,
            "year": self.year,
            "unit": self.unit,
            "score": str(self.score),
            "max": str(self.max),
            "percent": None if self.percent is None else str(self.percent),
            "base_score": str(self.base_score),
            "bonus": str(self.bonus),
            "penalty": str(self.penalty),
            "facts": self.facts,
            "nodes": nodes,
        }

    def to_json(self, trace: bool = False) -> str:
        """The JSON contract as text (UTF-8, stable order, 2-space indent)."""
        return json.dumps(self.to_dict(trace=trace), ensure_ascii=False, indent=2) + "\n"


def _fact_json(value: Value) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, Fraction):
        return plain(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _percent(score: Fraction, maximum: Fraction, rules: CheckedRules) -> Decimal | None:
    if maximum == 0:
        return None
    policy = rules.header.percent_rounding
    assert policy is not None
    return _dec(round_fraction(score / maximum * 100, policy.places, policy.mode))


def build_result(rules: CheckedRules, facts: Facts, outcome: Outcome, tracer: Tracer) -> Result:
    """Assemble the Result (and, when traced, each node's NodeTrace)."""
    nodes: dict[str, NodeResult] = {}
    for node_id in (*rules.order, *rules.adjustments):
        crit = rules.nodes[node_id]
        done = outcome.nodes[node_id]
        trace = _trace(rules, facts, outcome, done, tracer) if tracer.enabled else None
        nodes[node_id] = NodeResult(
            id=node_id,
            title=crit.title,
            kind=crit.kind,
            status=done.status,
            max=_dec(done.max),
            effective_max=_dec(done.effective_max),
            score=_dec(done.score),
            lost=_dec(done.effective_max - done.score),
            percent=_percent(done.score, done.effective_max, rules),
            reasons=done.reasons,
            basis=crit.basis,
            inferred=crit.inferred,
            children=rules.children.get(node_id, ()),
            has_formula=crit.formula is not None,
            trace=trace,
        )
    header = rules.header
    return Result(
        ruleset=header.name,
        level=header.level,
        province=header.province,
        year=header.year,
        unit=facts.unit,
        basis=header.basis,
        score=_dec(outcome.score),
        max=_dec(outcome.base_max),
        percent=_percent(outcome.score, outcome.base_max, rules),
        base_score=_dec(outcome.base_score),
        bonus=_dec(outcome.bonus),
        penalty=_dec(outcome.penalty),
        facts={name: _fact_json(value) for name, value in facts.values.items()},
        nodes=nodes,
        areas=rules.areas,
        adjustments=rules.adjustments,
    )


def _trace(rules: CheckedRules, facts: Facts, outcome: Outcome, done: NodeOutcome, tracer: Tracer) -> NodeTrace:
    crit = rules.nodes[done.id]
    record = tracer.records.get(done.id)
    uses = []
    for name in record.facts if record else ():
        decl = rules.facts[name]
        value = facts.values[name]
        evidence = facts.evidence.get(name)
        uses.append(
            FactUse(
                name=name,
                value=str(_fact_json(value)),
                shown=show(value, decl.type.name),
                type=decl.type.name,
                unit=decl.unit,
                description=decl.description,
                evidence=evidence.summary() if evidence else "",
                defaulted=name in facts.defaulted,
            )
        )
    refs = tuple((ref, plain(outcome.nodes[ref].score)) for ref in (record.refs if record else ()))
    rounding = rules.rounding[done.id]
    return NodeTrace(
        id=done.id,
        title=crit.title,
        kind=crit.kind,
        status=done.status,
        max=plain(done.max),
        effective_max=plain(done.effective_max),
        score=plain(done.score),
        lost=plain(done.effective_max - done.score),
        source=crit.span,
        formula=crit.formula.text if crit.formula else None,
        formula_span=crit.formula.span if crit.formula else None,
        facts=tuple(uses),
        refs=refs,
        steps=tuple(record.steps) if record else (),
        unrounded=plain(done.unrounded) if done.unrounded is not None else None,
        rounding=rounding_words(rounding) if crit.formula else None,
        reasons=done.reasons,
        basis=crit.basis,
        inferred=crit.inferred,
        children=rules.children.get(done.id, ()),
    )
