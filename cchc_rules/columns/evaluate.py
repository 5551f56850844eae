"""Each node of a rule set evaluated once for a whole batch of units, over columns (`expressions`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import partial
from itertools import compress, repeat
from operator import add, floordiv, gt, le, mod, mul
from typing import Any

from cchc_rules.columns import arithmetic as ar
from cchc_rules.columns.arithmetic import Num
from cchc_rules.columns.batch import FACT, STEP, Batch, Vals, step_args
from cchc_rules.columns.expressions import Col, Expressions, Unsupported
from cchc_rules.columns.reading import read_facts
from cchc_rules.columns.results import ColumnBatch
from cchc_rules.compiler import (
    _NA_EXCLUDED,
    _NA_FULL,
    CompiledRules,
    _Plan,
    _rounding_text,
    _sum_text,
    _zero_text,
)
from cchc_rules.facts import Facts
from cchc_rules.numbers import round_scaled
from cchc_rules.result import Layout

__all__ = ["ColumnRules", "Unsupported"]


class ColumnRules:
    """A compiled rule set evaluated column by column; `run` scores a batch of plain fact mappings."""

    def __init__(self, compiled: CompiledRules, layout: Layout):
        self.compiled = compiled
        self.layout = layout
        self.rules = rules = compiled.rules
        self.kinds = {name: decl.type.name for name, decl in rules.facts.items()}
        self.plans = compiled.plans
        self._chosen_parts: dict[tuple[int, tuple[int, ...]], tuple[Any, ...]] = {}
        size = len(compiled.ids)
        expressions = Expressions(compiled, self.kinds, self._node)
        self.formulas: list[Col | None] = [None] * size
        self.na: list[tuple[tuple[Col, str], ...]] = [()] * size
        self.reasons: list[tuple[Col | None, ...]] = [()] * size
        for i, node_id in enumerate(compiled.ids):
            crit = rules.nodes[node_id]
            own_max = Fraction(self.plans[i].declared, compiled.unit)
            if crit.formula is not None:
                self.formulas[i] = expressions.column(crit.formula.expr, "num", own_max)
            self.na[i] = tuple(
                (expressions.column(c.condition, "bool", own_max), c.policy) for c in crit.not_applicable
            )
            self.reasons[i] = tuple(
                expressions.column(r.condition, "bool", own_max) if r.condition is not None else None
                for r in crit.reasons
            )

    def run(self, units: Sequence[Mapping[str, Any]], names: Sequence[str], trace: bool = False) -> ColumnBatch:
        """Score a batch of units given as plain mappings of fact names to values (as JSON lines hold them).

        With `trace`, what each node reads and does is recorded for the units concerned, as data; a unit's
        derivation is written from it when read (`ColumnBatch.result(r, trace=True)`).
        """
        batch, parsed = self.read(units, names, trace)
        if units:
            self.score(batch)
        return ColumnBatch(self, batch, units, names, parsed)

    def read(
        self, units: Sequence[Mapping[str, Any]], names: Sequence[str], trace: bool = False
    ) -> tuple[Batch, dict[int, Facts]]:
        """`run`'s first half: a batch holding the units' fact columns, and the units validated alone."""
        size = len(self.compiled.ids)
        batch = Batch(len(units), size)
        if not units:
            return batch, {}
        if trace:
            batch.events = [[] for _ in range(size)]
        return batch, read_facts(self.compiled, self.kinds, batch, units, names)

    def score(self, batch: Batch) -> None:
        """`run`'s second half: every node of a batch `read` made, then the units' totals (once a batch)."""
        for i in range(len(self.compiled.ids)):
            self._node(batch, i)
        batch.totals = self._totals(batch)

    def _totals(self, b: Batch) -> tuple[list[int], ...]:
        """Columns of each unit's base score, base maximum, bonus, penalty and total (clamped to [0, base max])."""
        compiled = self.compiled
        size = len(b.all)
        base, base_max = ar.summed(b.score, compiled.areas, size), b.summed_maxima(compiled.areas)
        bonus, penalty = ar.summed(b.score, compiled.bonuses, size), ar.summed(b.score, compiled.penalties, size)
        net = base
        if compiled.bonuses or compiled.penalties:
            net = [s + plus - minus for s, plus, minus in zip(base, bonus, penalty, strict=True)]
        # Clamped to [0, base max] only where some unit needs it: min and max are cheap C-level passes, and
        # a shared maximum column (no unit with an n/a node) is one number.
        top = base_max[0] if base_max else 0
        within = not net or (
            min(net) >= 0 and (max(net) <= top if b.shared.get(top) is base_max else all(map(le, net, base_max)))
        )
        total = net if within else list(map(min, map(max, net, repeat(0)), base_max))
        return base, base_max, bonus, penalty, total

    def _node(self, b: Batch, i: int) -> None:
        if b.done[i]:
            return
        b.done[i] = True
        b.stack.append(i)  # what is read now is read by node i (a node it refers to is evaluated inside)
        # A node evaluated inside another's formula has its own zero denominators: the outer ones wait.
        outer, b.signal = b.signal, None
        try:
            self._evaluate(b, i)
        finally:
            b.stack.pop()
            b.signal = outer

    def _evaluate(self, b: Batch, i: int) -> None:
        plan = self.plans[i]
        rows = b.all
        policy = self._na_policy(b, i)
        for k in plan.kids:
            self._node(b, k)
        # A formula node's maximum is the same for every unit until one is n/a: one list shared until then.
        b.score[i], b.effective[i] = b.zeros, b.maxima(plan.declared)
        todo = rows
        if policy is not None:
            todo = []
            for r, p in enumerate(policy):
                if p is None:
                    todo.append(r)
                else:
                    self._not_applicable(b, i, r, p)
        formula = self.formulas[i]
        if formula is None:
            if not plan.kids:
                return
            if todo is rows:
                b.score[i] = ar.summed(b.score, plan.kids, len(rows))
                b.effective[i] = b.summed_maxima(plan.kids)
            else:
                score, effective = b.own(i)
                for r in todo:
                    score[r] = sum(b.score[k][r] for k in plan.kids)
                    effective[r] = sum(b.effective[k][r] for k in plan.kids)
            if b.events is not None and todo:
                kids, compiled = plan.kids, self.compiled
                b.note(STEP, todo, ("sum", None, _sum_text), lambda k, t: (compiled, kids, t.score, t.score[i]))
            return
        if not todo:
            return
        b.signal = {}
        try:
            value = formula(b, todo)
            signals = b.signal
        finally:
            b.signal = None
        self._scored(b, i, todo, value, signals)

    def _na_policy(self, b: Batch, i: int) -> list[str | None] | None:
        """Node `i`'s n/a policy unit by unit, its ancestors' first (None: no `na when` above or on it).

        Worked out when first needed, as `CompiledRules._inherited_na` does: a node may be evaluated
        before its parent, through a reference.
        """
        plan = self.plans[i]
        if plan.na_free:
            return None
        found = b.na[i]
        if found is not None:
            return found
        rows = b.all
        if i in b.na_busy:  # a `na when` that needs a score of its own subtree: the per-unit path decides
            b.slow.update(rows)
            return [None] * len(rows)
        b.na_busy.add(i)
        try:
            inherited = self._na_policy(b, plan.parent) if plan.parent is not None else None
            policy: list[str | None] = list(inherited) if inherited is not None else [None] * len(rows)
            left = [r for r in rows if policy[r] is None]
            for cond, value in self.na[i]:
                if not left:
                    break
                met = _outside_formula(b, cond, left)
                for r, m in zip(left, met, strict=True):
                    if m:
                        policy[r] = value
                left = [r for r, m in zip(left, met, strict=True) if not m]
        finally:
            b.na_busy.discard(i)
        b.na[i] = policy
        return policy

    def _parts(self, i: int, chosen: tuple[int, ...]) -> tuple[Any, ...]:
        """The sentences (as parts) of node `i`'s reasons `chosen`, made once for all units."""
        key = (i, chosen)
        found = self._chosen_parts.get(key)
        if found is None:
            parts = self.plans[i].reasons
            found = self._chosen_parts[key] = tuple(parts[k][1] for k in chosen)
        return found

    def _not_applicable(self, b: Batch, i: int, r: int, policy: str) -> None:
        plan = self.plans[i]
        b.nodes_na.setdefault(r, []).append((i, policy))
        score, effective = b.own(i)
        score[r] = effective[r] = plan.declared if policy == "full" else 0

    def _scored(self, b: Batch, i: int, rows: list[int], value: Num, signals: dict[int, Any]) -> None:
        """Node `i`'s formula values, or for a unit whose ratio met a zero denominator its policy's score."""
        if signals:  # the ratio's policy decides the criterion (Evaluator.node): full marks, 0, or n/a
            plan = self.plans[i]
            if b.events is not None:
                self._note_zeros(b, i, rows, signals)
            n, unit = list(value[0]), self.compiled.unit
            shared = type(value[1]) is int and plan.declared * value[1] % unit == 0  # full marks over it too
            d: Any = value[1] if shared else list(ar.denominators(value[1], len(rows)))
            full = (plan.declared * value[1] // unit, value[1]) if shared else (plan.declared, unit)
            at = ((r, r) for r in signals) if rows is b.all else ((r, k) for k, r in enumerate(rows) if r in signals)
            aside: list[int] = []  # units the formula does not score: n/a, or left to the per-unit path
            for r, k in at:
                policy = signals[r][0]
                if policy == "na":
                    aside.append(r)  # 0 as a stand-in, rounded with the rest and then overwritten
                n[k], dk = full if policy == "full" else (0, 1)
                if not shared:
                    d[k] = dk
            if aside:
                self._rounded(b, i, rows, (n, d), set(aside))
                for r in aside:
                    if plan.zero_na is None:
                        b.slow.add(r)
                    else:
                        self._not_applicable(b, i, r, plan.zero_na)
                return
            value = (n, d)
        self._rounded(b, i, rows, value)

    def _note_zeros(self, b: Batch, i: int, rows: list[int], signals: dict[int, Any]) -> None:
        """The trace steps of units whose ratio met a zero denominator, and of those it made n/a."""
        plan = self.plans[i]
        by_signal: dict[Any, list[int]] = {}
        for r in sorted(signals):  # every one among `rows`: the formula ran on them alone
            by_signal.setdefault(signals[r], []).append(r)
        made_na: list[int] = []
        for (policy, span, text), at in by_signal.items():
            b.note(STEP, at, ("zero_denominator", span, _zero_text), lambda k, t, c=(text, policy): c)
            if policy == "na" and plan.zero_na is not None:
                made_na += at
        if made_na:
            words = (_NA_FULL,) if plan.zero_na == "full" else (_NA_EXCLUDED,)
            b.note(STEP, sorted(made_na), ("not_applicable", None, str), lambda k, t: words)

    def _rounded(self, b: Batch, i: int, rows: list[int], value: Num, aside: set[int] | None = None) -> None:
        """Node `i`'s formula values rounded as declared, checked within [0, max]; `aside`: units not scored."""
        plan = self.plans[i]
        n, d = value
        declared, pow10, factor, mode = plan.declared, plan.pow10, plan.factor, plan.rounding
        dens = ar.denominators(d, len(rows))
        exact = type(d) is int and pow10 % d == 0  # exact at the declared decimals (`if ... then max else 0`)
        if exact:
            rounded = list(n) if d == pow10 else list(map(mul, n, repeat(pow10 // d)))
        elif mode == "half_up" and (not n or min(n) >= 0):  # the usual case, at its simplest
            twice = 2 * pow10
            if type(d) is int:
                # (2x*10**k + d) // 2d in three C-level passes: no Python frame per unit
                rounded = list(map(floordiv, map(add, map(mul, n, repeat(twice)), repeat(d)), repeat(2 * d)))
            else:
                rounded = [(x * twice + y) // (y + y) for x, y in zip(n, d, strict=True)]
        elif mode == "half_up":  # (2s + d) // 2d is s/d rounded half up, for s >= 0
            rounded = [
                (2 * x * pow10 + y) // (2 * y) if x >= 0 else round_scaled(x * pow10, y, mode)
                for x, y in zip(n, dens, strict=False)
            ]
        else:
            rounded = [round_scaled(x * pow10, y, mode) for x, y in zip(n, dens, strict=False)]
        scores = rounded if factor == 1 else [q * factor for q in rounded]
        if b.events is not None:
            # The units whose value was not already exact at the declared decimals (x*10**k not a multiple of d).
            if exact:
                inexact: list[int] = []
            else:
                dens_again = repeat(d) if type(d) is int else d
                inexact = list(compress(range(len(n)), map(mod, map(mul, n, repeat(pow10)), dens_again)))
            if inexact:
                b.note(
                    STEP,
                    ar.take(rows, inexact),
                    ("rounding", plan.rounding_span, _rounding_text),
                    step_args(value, Vals(rounded), plan.places, plan.rounding_words, at=inexact),
                )
        if scores and (min(scores) < 0 or max(scores) > declared):
            b.slow.update(r for r, s in zip(rows, scores, strict=True) if s < 0 or s > declared)
        if rows is b.all:
            b.score[i] = scores
            b.raw[i] = value
        else:
            # Scattered back to the units' places by `map` of the lists' own `__setitem__`: no Python loop.
            score = b.own(i)[0]
            raw_n = [0] * len(b.all)
            raw_d: Any = d if type(d) is int else [1] * len(b.all)
            deque(map(score.__setitem__, rows, scores), maxlen=0)
            deque(map(raw_n.__setitem__, rows, n), maxlen=0)
            if type(raw_d) is not int:
                deque(map(raw_d.__setitem__, rows, d), maxlen=0)
            b.raw[i] = (raw_n, raw_d)
        if b.events is None and all(cond is None for cond in self.reasons[i]):
            # Every reason applies to every unit that lost points: which units, worked out when first read
            # (a ranking written to CSV never reads them).
            b.pending[i] = partial(self._all_reasons, i, rows, scores, aside)
            return
        self._reasons(b, i, _lost(rows, scores, self.plans[i], aside))

    def _all_reasons(self, i: int, rows: list[int], scores: list[int], aside: set[int] | None) -> dict[int, Any]:
        """The units among `rows` that lost points at node `i`, each with every reason the node has."""
        lost = _lost(rows, scores, self.plans[i], aside)
        return dict.fromkeys(lost, self._parts(i, tuple(range(len(self.reasons[i])))))

    def _reasons(self, b: Batch, i: int, lost: list[int]) -> None:
        """Which reasons apply to each unit that lost points at node `i` (their conditions, in columns).

        Traced, also the facts each reason's condition and sentence read (`CompiledRules._reasons`).
        """
        if not lost:
            return
        reasons = self.reasons[i]
        if not reasons:
            b.chosen[i] = dict.fromkeys(lost, ())
            return
        parts = self.plans[i].reasons
        traced = b.events is not None
        if all(cond is None for cond in reasons):  # every reason applies to every unit that lost
            if traced:
                for _, template in parts:
                    for kind, name, _ in template:
                        if kind == 2:
                            b.note(FACT, lost, name)
            b.chosen[i] = dict.fromkeys(lost, self._parts(i, tuple(range(len(reasons)))))
            return
        chosen: dict[int, list[int]] = {r: [] for r in lost}
        for k, cond in enumerate(reasons):
            met = lost if cond is None else [r for r, m in zip(lost, _outside_formula(b, cond, lost), strict=True) if m]
            for r in met:
                chosen[r].append(k)
            if traced and met:
                for kind, name, _ in parts[k][1]:
                    if kind == 2:
                        b.note(FACT, met, name)
        b.chosen[i] = {r: self._parts(i, tuple(ks)) for r, ks in chosen.items()}


def _lost(rows: list[int], scores: list[int], plan: _Plan, aside: set[int] | None) -> list[int]:
    """The units that lost points at the plan's node, scored below its maximum or, a penalty, above 0
    (those set aside excluded)."""
    if plan.kind == "penalty":
        lost = list(compress(rows, map(gt, scores, repeat(0))))
    else:
        lost = list(compress(rows, map(gt, repeat(plan.declared), scores)))
    return [r for r in lost if r not in aside] if aside else lost


def _outside_formula(b: Batch, cond: Col, rows: list[int]) -> list[bool]:
    """A `na when` or reason condition's values at `rows`; traced, its steps are not recorded as the
    current node's (`Tracer.hush`), while a node it refers to records its own."""
    if b.events is None:
        met: list[bool] = cond(b, rows)
        return met
    b.quiet.append(len(b.stack))
    try:
        met = cond(b, rows)
    finally:
        b.quiet.pop()
    return met
