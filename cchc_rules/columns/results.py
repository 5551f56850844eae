"""A scored batch read out unit by unit: its `Result`, its rank row (`BatchRow`) and its trace."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from cchc_rules.columns.arithmetic import Num
from cchc_rules.columns.batch import FACT, REF, STEP, Batch, Event
from cchc_rules.compiler import CompiledRules, Reasons, Scores, _Run
from cchc_rules.evaluator import Evaluator
from cchc_rules.facts import Facts, Value
from cchc_rules.numbers import scaled_decimal
from cchc_rules.result import Result, branch_steps, derivation_of, fact_json, formula_span, result_from_scores
from cchc_rules.source import Span
from cchc_rules.trace import LazyStep, NodeRecord, Step, Tracer, built, with_branches

if TYPE_CHECKING:
    from cchc_rules.columns.evaluate import ColumnRules


class _Unrounded(Sequence["Fraction | None"]):
    """One unit's unrounded formula values, made into fractions when read."""

    __slots__ = ("_na", "_raw", "_row")

    def __init__(self, raw: list[Num | None], row: int, na: set[int]):
        self._raw = raw
        self._row = row
        self._na = na

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        raw = self._raw[i]
        if raw is None or i in self._na:
            return None
        n, d = raw
        return Fraction(n[self._row], d if type(d) is int else d[self._row])


class _RowReasons(list[Any]):
    """One unit's reasons by node: `()` where it lost nothing, a node's `Reasons` made when first read."""

    __slots__ = ("unit",)

    unit: tuple[Batch, int, Mapping[str, Value], list[int], CompiledRules]

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(len(self))[i]]
        found = super().__getitem__(i)
        if found is None:  # a node where the unit lost points
            b, r, values, score, compiled = self.unit
            plan = compiled.plans[i]
            penalty = plan.kind == "penalty"
            found = Reasons(b.chosen_of(i)[r], values, score[i], plan.declared, compiled.places, penalty)
            self[i] = found
        return found

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __contains__(self, item: object) -> bool:
        return any(entry == item for entry in self)


class _BatchScores(Scores):
    """A unit's `Scores` read out of its batch: totals at once, node lists when first read.

    Most results of a batch are only ranked (their totals read); making each unit's
    lists of node scores, statuses and reasons would cost more than scoring it.
    """

    __slots__ = ("_unit",)

    def __init__(self, b: Batch, r: int, values: Mapping[str, Value], compiled: CompiledRules):
        # Not the dataclass's __init__: the node lists are left unset, so that reading one calls __getattr__.
        self.places = compiled.places
        self.base, self.base_max, self.bonus, self.penalty, self.total = b.totals_of(r)
        self._unit = (b, r, values, compiled)

    def __getattr__(self, name: str) -> Any:
        if name not in _NODE_LISTS:
            raise AttributeError(name)
        self._made()
        return object.__getattribute__(self, name)

    def _made(self) -> None:
        b, r, values, compiled = self._unit
        size = len(compiled.ids)
        score = [column[r] for column in b.score]
        status = ["scored"] * size
        na_policy: list[str | None] = [None] * size
        na: set[int] = set()
        for i, policy in b.nodes_na.get(r, ()):
            status[i] = "n_a"
            na_policy[i] = policy
            na.add(i)
        reasons = _RowReasons([()] * size)
        if b.lost_at is None:  # by unit, the nodes where it lost points: made once, for the first unit read
            b.lost_at = {}
            for i in range(size):
                for row in b.chosen_of(i):
                    b.lost_at.setdefault(row, []).append(i)
        for i in b.lost_at.get(r, ()):
            reasons[i] = None
        reasons.unit = (b, r, values, score, compiled)
        self.status = status
        self.score = score
        self.effective = [column[r] for column in b.effective]
        self.unrounded = _Unrounded(b.raw, r, na)  # type: ignore[assignment]
        self.reasons = reasons
        self.na_policy = na_policy


_NONE: frozenset[str] = frozenset()
_NODE_LISTS = frozenset(("status", "score", "effective", "unrounded", "reasons", "na_policy"))


class ColumnBatch:
    """A scored batch: each unit's `Result`, or None for a unit left to the per-unit path."""

    def __init__(
        self,
        rules: ColumnRules,
        batch: Batch,
        units: Sequence[Mapping[str, Any]],
        names: Sequence[str],
        parsed: dict[int, Facts],
    ):
        self._rules = rules
        self._b = batch
        self._units = units
        self._names = names
        self._parsed = parsed
        self._fractions: dict[str, dict[int, Fraction]] = {name: {} for name in batch.num}

    def __len__(self) -> int:
        return len(self._units)

    def scored(self, r: int) -> bool:
        """Whether unit `r` was scored here (else the per-unit path must score it, and say what is wrong)."""
        return r not in self._b.slow

    def total(self, r: int) -> Decimal:
        """Unit `r`'s total score (only for a unit scored here)."""
        return scaled_decimal(self._b.totals[4][r], self._rules.compiled.places)

    def facts(self, r: int, defaulted: frozenset[str] | None = None) -> Facts:
        """Unit `r`'s validated facts (`defaulted`: the facts it did not give, when already worked out)."""
        found = self._parsed.get(r)
        if found is not None:
            return found
        values = {name: self.value(r, name) for name in self._rules.kinds}
        if defaulted is None:
            defaulted = self.defaulted(r)
        return built(Facts, unit=self._names[r], values=values, evidence={}, defaulted=defaulted, excused=frozenset())

    def defaulted(self, r: int) -> frozenset[str]:
        """The facts unit `r` did not give, which took their defaults (read from the caller's mapping)."""
        if self._b.every_given:
            return _NONE
        given = self._units[r]
        return frozenset(name for name in self._rules.kinds if name not in given)

    def scores(self, r: int, values: Mapping[str, Value]) -> Scores:
        """Unit `r`'s scores in the per-unit form (its node lists made when first read)."""
        return _BatchScores(self._b, r, values, self._rules.compiled)

    def result(self, r: int, trace: bool = False) -> Result | None:
        """Unit `r`'s result (its trace made when read), or None when the per-unit path must score it."""
        if r in self._b.slow:
            return None
        values = _RowValues(self, r)
        scores = self.scores(r, values)
        facts: list[Facts] = []  # made once, when the result or its trace first reads them
        # which facts took their defaults is read now: the caller may change its mappings afterwards
        defaulted = self.defaulted(r) if r not in self._parsed else None

        def made() -> Facts:
            if not facts:
                facts.append(self.facts(r, defaulted))
            return facts[0]

        tracer = self._tracer(r, lambda: (made(), scores), trace)
        return result_from_scores(self._rules.layout, made, scores, tracer, unit=self._names[r])

    def _tracer(self, r: int, unit: Callable[[], tuple[Facts, Scores]], trace: bool) -> ReplayTracer | None:
        if not trace:
            return None
        b, compiled = self._b, self._rules.compiled
        return ColumnTracer(b, r, compiled, unit) if b.events is not None else ReplayTracer(compiled, unit)

    def row(self, r: int, trace: bool = False) -> BatchRow | None:
        """Unit `r` as `ranking.summary` reads it, without making its `Result` (None: the per-unit path)."""
        if r in self._b.slow:
            return None
        values = _RowValues(self, r)
        unit: Callable[[], tuple[Facts, Scores]] = lambda: (f := self.facts(r), self.scores(r, f.values))  # noqa: E731
        return BatchRow(self, r, values, self._tracer(r, unit, trace))

    def value(self, r: int, name: str) -> Value:
        """Unit `r`'s value of one fact."""
        parsed = self._parsed.get(r)
        if parsed is not None:
            return parsed.values[name]
        column = self._b.num.get(name)
        if column is None:
            found: Value = self._b.other[name][r]
            return found
        n, d = column
        x = n[r]
        cache = self._fractions[name]
        value = cache.get(x)
        if value is None:
            value = cache[x] = Fraction(x, d)
        return value


class ReplayTracer(Tracer):
    """The trace of a unit scored in columns: each node's record made when first read.

    A node is evaluated again alone, on the unit's values and with every other
    node's score already known, by the per-unit code, which records what it
    reads and does just as it does in a whole run. A node under a `na when`
    condition is the exception: which node records the facts of an ancestor's
    condition depends on the order of the whole run, so the whole unit is run
    once, traced.
    """

    def __init__(self, compiled: CompiledRules, unit: Callable[[], tuple[Facts, Scores]]):
        super().__init__()
        self._compiled = compiled
        self._unit = unit  # the unit's facts and scores, made when a replay first needs them
        self._whole = False
        self._run: _Run | None = None

    def record(self, node_id: str) -> NodeRecord | None:
        """What was recorded for one node."""
        found = self.records.get(node_id)
        if found is not None or self._whole:
            return found
        i = self._compiled.index.get(node_id)
        if i is None:
            return None
        if not self._compiled.plans[i].na_free:  # what an ancestor's `na when` read depends on the whole run
            self._run_whole()
            return self.records.get(node_id)
        return self._made(i, node_id)

    def _made(self, i: int, node_id: str) -> NodeRecord | None:
        """Node `i`'s record, made by evaluating it again alone."""
        compiled = self._compiled
        run = self._run
        if run is None:  # one run for every node replayed: each node's own score is already known
            facts, scores = self._unit()
            run = self._run = _Run(facts.values, self, len(compiled.ids))
            run.done = [True] * len(run.done)
            run.score = list(scores.score)
            run.effective = list(scores.effective)
            run.status = list(scores.status)
            run.zero_na = list(scores.na_policy)
        run.done[i] = False
        try:
            compiled.node(run, i)
        except Exception:  # never expected: the whole unit, by the interpreter, decides
            self._stack.clear()
            self._run_whole()
        return self.records.get(node_id)

    def derivation(
        self, node_id: str, values: Mapping[str, Value], branches: Sequence[Step] = (), formula: Span | None = None
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The facts one node read (JSON-ready) and its steps in words, as `NodeResult.derivation` gives them."""
        return derivation_of(self.record(node_id), values, branches, formula)

    def _run_whole(self) -> None:
        self.records.clear()
        self._whole = True
        facts = self._unit()[0]
        try:
            self._compiled.run(facts.values, self)
        except Exception:  # the interpreter records the same, and is the reference
            self.records.clear()
            self._stack.clear()
            Evaluator(self._compiled.rules, facts, self).run()


class ColumnTracer(ReplayTracer):
    """The trace of a unit scored in a traced batch: its records picked out of the batch's, when read."""

    def __init__(self, batch: Batch, row: int, compiled: CompiledRules, unit: Callable[[], tuple[Facts, Scores]]):
        # `ReplayTracer.__init__` written out: one of these is made for every unit of a traced batch.
        self.records = {}
        self._stack = []
        self._compiled = compiled
        self._unit = unit
        self._whole = False
        self._run = None
        self._batch = batch
        self._row = row
        self._score: list[int] | None = None

    @property
    def score(self) -> list[int]:
        """The unit's node scores (what a `sum` step shows)."""
        if self._score is None:
            self._score = [column[self._row] for column in self._batch.score]
        return self._score

    def derivation(
        self, node_id: str, values: Mapping[str, Value], branches: Sequence[Step] = (), formula: Span | None = None
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """`ReplayTracer.derivation` written straight from the batch's events (no record made on the way)."""
        compiled = self._compiled
        i = compiled.index.get(node_id)
        if node_id in self.records or self._whole or i is None or not compiled.plans[i].na_free:
            return super().derivation(node_id, values, branches, formula)
        facts: dict[str, Any] = {}
        steps: list[str] = []
        spans: list[Span | None] = []
        for event, k in self._mine(i):
            if event.what == FACT:
                for name in event.item:
                    if name not in facts:
                        facts[name] = fact_json(values[name])
            elif event.what == STEP:
                steps.append(event.item[2](*event.args(k, self)))
                spans.append(event.item[1])
        if not branches:
            return facts, tuple(steps)
        ordered = with_branches(branches, steps, spans, formula)
        return facts, tuple(s.text if isinstance(s, Step) else s for s in ordered)

    def _mine(self, i: int) -> Iterator[tuple[Event, int]]:
        """Node `i`'s events that concern this unit, with the unit's place among each one's units."""
        b, r = self._batch, self._row
        for event in b.events[i]:  # type: ignore[index]
            k = event.at(r, b.all)
            if k is not None:
                yield event, k

    def _made(self, i: int, node_id: str) -> NodeRecord | None:
        """Node `i`'s record for this unit, picked out of what the batch recorded."""
        record = NodeRecord()
        for event, k in self._mine(i):
            if event.what == FACT:
                for name in event.item:
                    record.facts[name] = None
            elif event.what == REF:
                record.refs[event.item] = None
            else:
                kind, span, render = event.item
                record.steps.append(LazyStep(kind, span, render, event.args(k, self)))
        self.records[node_id] = record
        return record


class _RowValues(Mapping[str, Value]):
    """One unit's fact values, each made when first read."""

    __slots__ = ("_batch", "_made", "_row")

    def __init__(self, batch: ColumnBatch, row: int):
        self._batch = batch
        self._row = row
        self._made: dict[str, Value] = {}

    def __getitem__(self, name: str) -> Value:
        found = self._made.get(name)
        if found is None:
            found = self._made[name] = self._batch.value(self._row, name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._batch._rules.kinds)

    def __len__(self) -> int:
        return len(self._batch._rules.kinds)


class _RowNode:
    """One node of a `BatchRow`: what `ranking.summary` reads of a `NodeResult`."""

    __slots__ = ("_i", "_row", "id")

    def __init__(self, row: BatchRow, i: int):
        self._row = row
        self._i = i
        self.id = row._layout.ids[i]

    @property
    def score(self) -> Decimal:
        """The score."""
        return scaled_decimal(self._row._b.score[self._i][self._row._r], self._row._layout.places)

    @property
    def effective_max(self) -> Decimal:
        """The maximum after n/a exclusion."""
        return scaled_decimal(self._row._b.effective[self._i][self._row._r], self._row._layout.places)

    @property
    def lost(self) -> Decimal:
        """As `NodeResult.lost`."""
        b, r, i = self._row._b, self._row._r, self._i
        layout = self._row._layout
        lost = b.score[i][r] if layout.penalty[i] else b.effective[i][r] - b.score[i][r]
        return scaled_decimal(lost, layout.places)

    @property
    def percent(self) -> Decimal | None:
        """score / effective_max as a percentage."""
        b, r, i = self._row._b, self._row._r, self._i
        return self._row._layout.percent(b.score[i][r], b.effective[i][r])

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reason sentences that apply."""
        row = self._row
        b, r, i = row._b, row._r, self._i
        parts = b.chosen_of(i).get(r)
        if parts is None:
            return ()
        compiled = row._batch._rules.compiled
        plan = compiled.plans[i]
        return Reasons(parts, row._values, b.score[i][r], plan.declared, compiled.places, plan.kind == "penalty").text()

    def derivation(self) -> tuple[dict[str, Any], tuple[str, ...]] | None:
        """The facts this node read and its steps in words (None when untraced), as `NodeResult.derivation`."""
        row = self._row
        tracer = row._tracer
        if tracer is None:
            return None
        na = any(i == self._i for i, _ in row._b.nodes_na.get(row._r, ()))
        branches = branch_steps(row._layout, self._i, row._values, "n_a" if na else "scored")
        return tracer.derivation(self.id, row._values, branches, formula_span(row._layout, self._i))


class BatchRow:
    """One unit of a batch, read the way `ranking.summary` reads a `Result`, from the batch's columns.

    Ranking needs a unit's totals, its areas and its losses with their reasons and derivations, and
    nothing else; reading them here spares making the unit's `Result`, its facts and its scores.
    """

    def __init__(self, batch: ColumnBatch, r: int, values: _RowValues, tracer: ReplayTracer | None):
        self._batch = batch
        self._b = batch._b
        self._r = r
        self._values = values
        self._tracer = tracer
        self._layout = batch._rules.layout
        self.unit = batch._names[r]
        self.areas = self._layout.rules.areas
        base, base_max, bonus, penalty, total = self._b.totals_of(r)
        k = self._layout.places
        self.score = scaled_decimal(total, k)
        self.max = scaled_decimal(base_max, k)
        self.percent = self._layout.percent(total, base_max)
        self.base_score = scaled_decimal(base, k)
        self.bonus = scaled_decimal(bonus, k)
        self.penalty = scaled_decimal(penalty, k)

    def __getitem__(self, node_id: str) -> _RowNode:
        return _RowNode(self, self._layout.index[node_id])

    def losses(self) -> list[_RowNode]:
        """As `Result.losses`: the nodes with their own formula that lost points, in tree order."""
        b, r = self._b, self._r
        score, effective = b.score, b.effective
        return [_RowNode(self, i) for i in self._layout.loss_candidates if effective[i][r] != score[i][r]]
