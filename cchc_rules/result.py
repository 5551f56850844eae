"""The result of evaluating one unit: scores per node, the total, and the audit trail.

`Result` is what the Python API returns and what every renderer reads;
`Result.to_dict()` is the JSON contract (decimals as strings).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, PrivateAttr
from pydantic_core import CoreSchema, core_schema

from cchc_rules import ast
from cchc_rules.checked import CheckedRules
from cchc_rules.checks import walk
from cchc_rules.compiler import Scores, reasons_text, score_places
from cchc_rules.errors import CchcError, did_you_mean
from cchc_rules.evaluator import Evaluator, Outcome, ancestors, rounding_words
from cchc_rules.facts import Facts, Value
from cchc_rules.numbers import decimal_text, plain, round_scaled, scaled_decimal, scaled_plain, show, to_fraction
from cchc_rules.source import Span
from cchc_rules.trace import (
    FactUse,
    LazyStep,
    NodeRecord,
    NodeTrace,
    NullTracer,
    Step,
    Tracer,
    built,
    built_from,
    with_branches,
)


class Layout:
    """What every result of one rule set shares: node ids in tree order, their declarations and maxima.

    Built once per rule set (`Layout.of`); node values are whole numbers of
    1/10**places (see `compiler.Scores`).
    """

    def __init__(self, rules: CheckedRules):
        self.rules = rules
        self.ids: tuple[str, ...] = (*rules.order, *rules.adjustments)
        self.places = score_places(rules)
        self.unit = 10**self.places
        self.crits = tuple(rules.nodes[i] for i in self.ids)
        self.declared = tuple(int(to_fraction(c.max) * self.unit) if c.max is not None else 0 for c in self.crits)
        self.children = tuple(rules.children.get(i, ()) for i in self.ids)
        self.index = {node_id: i for i, node_id in enumerate(self.ids)}
        # A penalty's score is taken off the total: what a unit loses there is its score, not max - score.
        self.penalty = tuple(crit.kind == "penalty" for crit in self.crits)
        # Nodes whose own loss counts in `Result.losses()`: criteria with a formula, under no formula parent.
        self.loss_candidates = tuple(
            i
            for i, crit in enumerate(self.crits)
            if crit.kind == "criterion"
            and crit.formula is not None
            and not any(rules.nodes[a].formula is not None for a in ancestors(crit.id))
        )
        policy = rules.header.percent_rounding
        assert policy is not None  # the checker sets the default
        self.percent_places = policy.places
        self.percent_mode = policy.mode
        self.percent_scale = 100 * 10**policy.places
        # Which way each `if` went, by node and the values of the facts its formula reads (see `branch_steps`).
        self.branch_plans: dict[int, tuple[tuple[str, ...], bool] | None] = {}
        self.branch_cache: dict[tuple[Any, ...], tuple[Step, ...]] = {}
        header = rules.header
        # Every field of a Result in its order, those all results of the rule set share filled in: made
        # once, as a batch makes a Result a unit.
        self.result_fields: dict[str, Any] = dict.fromkeys(Result.model_fields)
        self.result_fields.update(
            ruleset=header.name,
            level=header.level,
            province=header.province,
            year=header.year,
            basis=header.basis,
            inferred=header.inferred,
            areas=rules.areas,
            adjustments=rules.adjustments,
        )
        self.result_field_names = set(self.result_fields)  # every Result's, all its fields being set
        self._percents: dict[tuple[int, int], Decimal] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Pickled with its results: its caches stay behind (they may hold a hundred thousand entries).
        return {**self.__dict__, "branch_cache": {}, "_percents": {}}

    def lost(self, score: Sequence[int], effective: Sequence[int], i: int) -> int:
        """Node `i`'s points lost, scaled: its effective maximum - its score, or a penalty's own score."""
        return score[i] if self.penalty[i] else effective[i] - score[i]

    def percent(self, score: int, maximum: int) -> Decimal | None:
        """score/maximum as a percentage rounded by the header's `percent rounding`; None when maximum is 0."""
        if maximum == 0:
            return None
        key = (score, maximum)
        found = self._percents.get(key)
        if found is not None:  # units of a batch keep hitting the same few totals
            return found
        scaled = round_scaled(score * self.percent_scale, maximum, self.percent_mode)
        value = scaled_decimal(scaled, self.percent_places)
        if len(self._percents) > 100_000:  # the totals units keep hitting, not every one ever seen
            self._percents.clear()
        self._percents[key] = value
        return value


class _Data:
    """One unit's scores and what its results read lazily: facts, decimals, percentages, traces."""

    __slots__ = ("_facts", "layout", "scores", "tracer", "traces")

    def __init__(self, layout: Layout, scores: Scores, facts: Facts | Callable[[], Facts], tracer: Tracer | None):
        self.layout = layout
        self.scores = scores
        self._facts = facts
        self.tracer = tracer
        self.traces: dict[int, NodeTrace] = {}

    @property
    def facts(self) -> Facts:
        """The unit's validated facts (a batch makes them only when a trace or `Result.facts` reads them)."""
        facts = self._facts
        if not isinstance(facts, Facts):
            facts = self._facts = facts()
        return facts

    def __getstate__(self) -> dict[str, Any]:
        # Pickled (multiprocessing, a cache): what a batch left to be made when read is made now, since the
        # batch it would be read from does not travel.
        given = self.scores  # a batch's own kind of Scores, whose lists read the batch: a plain one travels
        fields = {f.name: getattr(given, f.name) for f in dataclasses.fields(Scores)}
        fields.update(reasons=[reasons_text(r) for r in given.reasons], unrounded=list(given.unrounded))
        scores = Scores(**fields)
        tracer = None if self.tracer is None else _portable(self.tracer, self.layout.ids)
        return {"layout": self.layout, "scores": scores, "_facts": self.facts, "tracer": tracer, "traces": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)


def _portable(tracer: Tracer, ids: Sequence[str]) -> Tracer:
    """The same trace as plain records, their sentences written: what pickles, whatever made it.

    A batch's tracer reads its batch, and a recorded step keeps the function that writes its sentence.
    """
    out = Tracer()
    for node_id in ids:
        record = tracer.record(node_id)
        if record is not None:
            out.records[node_id] = record.written()
    return out


class _Nodes(Mapping[str, "NodeResult"]):
    """Every node's result by id, in tree order; each `NodeResult` is made when first looked up."""

    __slots__ = ("_data", "_made")

    def __init__(self, data: _Data):
        self._data = data
        self._made: dict[int, NodeResult] = {}  # by position; most results of a batch never read a node

    def _at(self, i: int) -> NodeResult:
        made = self._made.get(i)
        if made is None:
            made = self._made[i] = NodeResult(self._data, i)
        return made

    def __getitem__(self, node_id: str) -> NodeResult:
        return self._at(self._data.layout.index[node_id])

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._data.layout.index

    def __iter__(self) -> Iterator[str]:
        return iter(self._data.layout.ids)

    def __len__(self) -> int:
        return len(self._data.layout.ids)

    def values(self) -> Any:  # a list: callers iterate it, sometimes twice
        return [self._at(i) for i in range(len(self._data.layout.ids))]

    def items(self) -> Any:
        return list(zip(self._data.layout.ids, self.values(), strict=True))

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k!r}: {v!r}' for k, v in self.items())}}}"


class NodeResult:
    """One node's score: an area, criterion, sub-criterion, or a bonus/penalty item.

    Read-only; decimals, percentages and the trace are worked out when first read.
    """

    __slots__ = ("_data", "_i", "id")

    def __init__(self, data: _Data, index: int):
        self._data = data
        self._i = index
        self.id: str = data.layout.ids[index]

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # Lets pydantic models hold results (e.g. a round and its result) without copying them.
        return core_schema.is_instance_schema(cls)

    def __repr__(self) -> str:
        return f"NodeResult(id={self.id!r}, score={self.score}, max={self.max}, status={self.status!r})"

    @property
    def title(self) -> str:
        """The criterion's title."""
        return self._data.layout.crits[self._i].title

    @property
    def kind(self) -> str:
        """`criterion`, `bonus` or `penalty`."""
        return self._data.layout.crits[self._i].kind

    @property
    def status(self) -> str:
        """`scored` or `n_a`."""
        return self._data.scores.status[self._i]

    @property
    def max(self) -> Decimal:
        """The declared maximum."""
        layout = self._data.layout
        return scaled_decimal(layout.declared[self._i], layout.places)

    @property
    def effective_max(self) -> Decimal:
        """The maximum after n/a exclusion (0 when excluded)."""
        return scaled_decimal(self._data.scores.effective[self._i], self._data.layout.places)

    @property
    def score(self) -> Decimal:
        """The score, rounded as the rules declare."""
        return scaled_decimal(self._data.scores.score[self._i], self._data.layout.places)

    @property
    def lost(self) -> Decimal:
        """Points lost here: effective_max - score; for a penalty, its score (taken off the total)."""
        scores, layout = self._data.scores, self._data.layout
        return scaled_decimal(layout.lost(scores.score, scores.effective, self._i), layout.places)

    @property
    def percent(self) -> Decimal | None:
        """score / effective_max as a percentage (None when effective_max is 0)."""
        scores = self._data.scores
        return self._data.layout.percent(scores.score[self._i], scores.effective[self._i])

    @property
    def reasons(self) -> tuple[str, ...]:
        """The filled-in reason sentences (only when points were lost)."""
        reasons = self._data.scores.reasons
        found = reasons[self._i]
        if isinstance(found, tuple):
            return found
        text = reasons[self._i] = found.text()
        return text

    @property
    def basis(self) -> tuple[str, ...]:
        """The criterion's legal basis."""
        return self._data.layout.crits[self._i].basis

    @property
    def inferred(self) -> tuple[str, ...]:
        """Notes saying what of this criterion is reconstructed."""
        return self._data.layout.crits[self._i].inferred

    @property
    def children(self) -> tuple[str, ...]:
        """Ids of the direct children."""
        return self._data.layout.children[self._i]

    @property
    def has_formula(self) -> bool:
        """True when the criterion has its own `score =`."""
        return self._data.layout.crits[self._i].formula is not None

    @property
    def trace(self) -> NodeTrace | None:
        """The derivation (None when evaluated with trace=False)."""
        data = self._data
        if data.tracer is None:
            return None
        found = data.traces.get(self._i)
        if found is None:
            found = data.traces[self._i] = _trace(data, self._i)
        return found

    def derivation(self) -> tuple[dict[str, Any], tuple[str, ...]] | None:
        """The facts this node read (JSON-ready values) and its steps in words; None when untraced.

        The cheap part of `trace`, for batch output: nothing else is written out.
        """
        data = self._data
        if data.tracer is None:
            return None
        record, branches = data.tracer.record(self.id), _branch_steps(data, self._i)
        return derivation_of(record, data.facts.values, branches, formula_span(data.layout, self._i))

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
            "score": decimal_text(self.score),
            "max": decimal_text(self.max),
            "effective_max": decimal_text(self.effective_max),
            "lost": decimal_text(self.lost),
            "percent": None if self.percent is None else decimal_text(self.percent),
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
    # The rule set's own notes on what it reconstructed or inferred: whoever reads a score should see them.
    inferred: tuple[str, ...] = ()
    score: Decimal
    max: Decimal
    percent: Decimal | None
    base_score: Decimal
    bonus: Decimal
    penalty: Decimal
    nodes: Mapping[str, NodeResult]
    areas: tuple[str, ...]
    adjustments: tuple[str, ...]
    # The unit's data (its validated facts among them); `facts` writes them JSON-ready when first read.
    _source: _Data | None = PrivateAttr(default=None)
    _facts: dict[str, Any] | None = PrivateAttr(default=None)

    @property
    def facts(self) -> dict[str, Any]:
        """Every fact's value as evaluated, JSON-ready (numbers as decimal strings, dates as ISO text)."""
        if self._facts is None:
            source = self._source
            self._facts = {} if source is None else {name: fact_json(v) for name, v in source.facts.values.items()}
        return self._facts

    def __getitem__(self, node_id: str) -> NodeResult:
        try:
            return self.nodes[node_id]
        except KeyError:
            hint = did_you_mean(str(node_id), list(self.nodes), "các lĩnh vực: " + ", ".join(self.areas))
            raise KeyError(f"kết quả không có mục `{node_id}`; {hint}") from None

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def losses(self) -> list[NodeResult]:
        """Nodes that lost points and carry their own formula, in tree order.

        Their losses add up exactly to `max - base_score`.
        """
        nodes = self.nodes
        assert isinstance(nodes, _Nodes)
        data = nodes._data
        scores = data.scores
        return [nodes._at(i) for i in data.layout.loss_candidates if scores.effective[i] != scores.score[i]]

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
            "inferred": list(self.inferred),
            "score": decimal_text(self.score),
            "max": decimal_text(self.max),
            "percent": None if self.percent is None else decimal_text(self.percent),
            "base_score": decimal_text(self.base_score),
            "bonus": decimal_text(self.bonus),
            "penalty": decimal_text(self.penalty),
            "facts": self.facts,
            "nodes": nodes,
        }

    def to_json(self, trace: bool = False) -> str:
        """The JSON contract as text (UTF-8, stable order, 2-space indent)."""
        return json.dumps(self.to_dict(trace=trace), ensure_ascii=False, indent=2) + "\n"


def derivation_of(
    record: NodeRecord | None,
    values: Mapping[str, Value],
    branches: Sequence[Step] = (),
    formula: Span | None = None,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The facts a node's record read (JSON-ready values) and its steps in words, with `branches` (which
    way each `if` of the formula at `formula` went) where the evaluation decided them (`with_branches`)."""
    if record is None:
        return {}, ()
    facts = {name: fact_json(values[name]) for name in record.facts}
    steps = _ordered(record, branches, formula)
    return facts, tuple(s.text if isinstance(s, Step) else s.render(*s.args) for s in steps)


def _ordered(record: NodeRecord, branches: Sequence[Step], formula: Span | None) -> Sequence[Step | LazyStep]:
    """A node's recorded steps with `branches` put among them (`with_branches`)."""
    if not branches:
        return record.steps
    return with_branches(branches, record.steps, [s.span for s in record.steps], formula)


def formula_span(layout: Layout, i: int) -> Span | None:
    """Where node `i`'s formula is written (None for a node without one)."""
    formula = layout.crits[i].formula
    return formula.span if formula is not None else None


_BRANCH_CACHE_SIZE = 50_000


def branch_steps(layout: Layout, i: int, values: Mapping[str, Value], status: str) -> tuple[Step, ...]:
    """Which way each `if` of node `i`'s formula went, as trace steps; worked out when the trace is read
    (from the same facts, so every engine says it alike); none for a node that was not scored.

    A formula that reads only facts gives the same steps for the same values of them: many units share
    them (a count of dialogues, a yes/no), so the steps are kept per node and values, and a traced
    ranking of the country's communes words each branch once per distinct value, not once per unit.
    """
    if status != "scored":
        return ()
    if i not in layout.branch_plans:
        layout.branch_plans[i] = _branch_plan(layout.crits[i])
    plan = layout.branch_plans[i]
    if plan is None:
        return ()
    names, cacheable = plan
    key = (i, *(values[name] for name in names)) if cacheable else None
    if key is not None:
        found = layout.branch_cache.get(key)
        if found is not None:
            return found
    crit = layout.crits[i]
    assert crit.formula is not None
    read = {name: values[name] for name in names} if cacheable else {name: values[name] for name in values}
    try:
        made = Evaluator(layout.rules, Facts.model_construct(values=read), NullTracer()).branches(crit)
        found = tuple(built(Step, kind="condition", text=text, span=span) for text, span in made)
    except (CchcError, ArithmeticError):  # a formula that failed was reported when it was scored
        found = ()
    if key is not None:
        if len(layout.branch_cache) >= _BRANCH_CACHE_SIZE:
            layout.branch_cache.clear()
        layout.branch_cache[key] = found
    return found


def _branch_plan(crit: ast.Criterion) -> tuple[tuple[str, ...], bool] | None:
    """The facts a formula with `if` reads, and whether they alone decide it (no `[id]` in it); None
    for a node without a formula or without `if`."""
    if crit.formula is None or not has_if(crit.formula.expr):
        return None
    names: dict[str, None] = {}
    cacheable = True
    for node in walk(crit.formula.expr):
        if isinstance(node, ast.NameRef):
            names[node.name] = None
        elif isinstance(node, ast.CritRef):  # another node's score decides too: worked out each time
            cacheable = False
    return tuple(names), cacheable


def has_if(e: ast.Node) -> bool:
    """Whether an expression holds an `if` anywhere."""
    return any(isinstance(node, ast.If) for node in walk(e))


def _branch_steps(data: _Data, i: int) -> tuple[Step, ...]:
    return branch_steps(data.layout, i, data.facts.values, data.scores.status[i])


def _steps(data: _Data, i: int, record: NodeRecord) -> tuple[Step, ...]:
    """Node `i`'s steps with their sentences, which way each `if` went among them."""
    ordered = _ordered(record, _branch_steps(data, i), formula_span(data.layout, i))
    return tuple(s.step() if isinstance(s, LazyStep) else s for s in ordered)


def fact_json(value: Value) -> Any:
    """A fact's value as the JSON contract writes it."""
    if type(value) is Fraction:
        return str(value.numerator) if value.denominator == 1 else plain(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def result_from_scores(
    layout: Layout, facts: Facts | Callable[[], Facts], scores: Scores, tracer: Tracer | None = None, unit: str = ""
) -> Result:
    """Assemble the Result of one unit from its scores; node decimals and traces are worked out when read.

    `facts` may be a function that makes them (a batch's unit, then `unit` is its name): a result made
    in a batch builds its facts only when they are read, as most results in a batch never are.
    """
    data = _Data(layout, scores, facts, tracer)
    k = layout.places
    total, base_max = scores.total, scores.base_max
    values = layout.result_fields.copy()  # set item by item, in place: the fields keep their order
    values["unit"] = facts.unit if isinstance(facts, Facts) else unit
    values["score"] = scaled_decimal(total, k)
    values["max"] = scaled_decimal(base_max, k)
    values["percent"] = layout.percent(total, base_max)
    values["base_score"] = scaled_decimal(scores.base, k)
    values["bonus"] = scaled_decimal(scores.bonus, k)
    values["penalty"] = scaled_decimal(scores.penalty, k)
    values["nodes"] = _Nodes(data)
    return built_from(Result, values, layout.result_field_names, {"_source": data, "_facts": None})


def build_result(rules: CheckedRules, facts: Facts, outcome: Outcome, tracer: Tracer) -> Result:
    """Assemble the Result of the interpreter's outcome (and, when traced, each node's NodeTrace)."""
    layout = Layout(rules)
    unit = layout.unit

    def scaled(value: Fraction) -> int:
        n = value * unit
        assert n.denominator == 1, "every node value is a multiple of 1/10**places"
        return int(n.numerator)

    nodes = [outcome.nodes[i] for i in layout.ids]
    scores = Scores(
        places=layout.places,
        status=[n.status for n in nodes],
        score=[scaled(n.score) for n in nodes],
        effective=[scaled(n.effective_max) for n in nodes],
        unrounded=[n.unrounded for n in nodes],
        reasons=[n.reasons for n in nodes],
        na_policy=[n.na_policy for n in nodes],
        base=scaled(outcome.base_score),
        base_max=scaled(outcome.base_max),
        bonus=scaled(outcome.bonus),
        penalty=scaled(outcome.penalty),
        total=scaled(outcome.score),
    )
    return result_from_scores(layout, facts, scores, tracer if tracer.enabled else None)


def _trace(data: _Data, i: int) -> NodeTrace:
    layout, scores, facts = data.layout, data.scores, data.facts
    rules = layout.rules
    node_id = layout.ids[i]
    crit = layout.crits[i]
    k = layout.places
    assert data.tracer is not None
    record = data.tracer.record(node_id)
    uses = []
    for name in record.facts if record else ():
        decl = rules.facts[name]
        value = facts.values[name]
        evidence = facts.evidence.get(name)
        uses.append(
            built(  # our own values: no validation needed
                FactUse,
                name=name,
                value=str(fact_json(value)),
                shown=show(value, decl.type.name),
                type=decl.type.name,
                unit=decl.unit,
                description=decl.description,
                evidence=evidence.summary() if evidence else "",
                documented=evidence.documented() if evidence else False,
                defaulted=name in facts.defaulted,
            )
        )
    index = layout.index
    refs = tuple((ref, scaled_plain(scores.score[index[ref]], k)) for ref in (record.refs if record else ()))
    rounding = rules.rounding[node_id]
    unrounded = scores.unrounded[i]
    score, effective = scores.score[i], scores.effective[i]
    return built(
        NodeTrace,
        id=node_id,
        title=crit.title,
        kind=crit.kind,
        status=scores.status[i],
        max=scaled_plain(layout.declared[i], k),
        effective_max=scaled_plain(effective, k),
        score=scaled_plain(score, k),
        lost=scaled_plain(layout.lost(scores.score, scores.effective, i), k),
        source=crit.span,
        formula=crit.formula.text if crit.formula else None,
        formula_span=crit.formula.span if crit.formula else None,
        facts=tuple(uses),
        refs=refs,
        steps=_steps(data, i, record) if record else (),
        unrounded=plain(unrounded) if unrounded is not None else None,
        rounding=rounding_words(rounding) if crit.formula else None,
        reasons=reasons_text(scores.reasons[i]),
        basis=crit.basis,
        inferred=crit.inferred,
        children=layout.children[i],
    )
