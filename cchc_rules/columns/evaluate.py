"""The rule set compiled once into closures over columns, and each node evaluated once for a batch."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import partial
from itertools import repeat
from math import lcm
from typing import Any

from cchc_rules import ast
from cchc_rules.columns import arithmetic as ar
from cchc_rules.columns.arithmetic import Num
from cchc_rules.columns.batch import FACT, REF, STEP, Batch, Vals, gather, step_args, value_column
from cchc_rules.columns.reading import NUMERIC, read_facts
from cchc_rules.columns.results import ColumnBatch
from cchc_rules.compiler import (
    _NA_EXCLUDED,
    _NA_FULL,
    CompiledRules,
    Fallback,
    _clamp_text,
    _cmp,
    _deduction_text,
    _floor_text,
    _otherwise_text,
    _ratio_text,
    _rounding_text,
    _sum_text,
    _tier_text,
    _zero_text,
)
from cchc_rules.evaluator import show
from cchc_rules.facts import literal_value
from cchc_rules.numbers import round_scaled
from cchc_rules.result import Layout

# An expression over the units at `rows` (indices into the batch): one value per row, in that order.
Col = Callable[[Batch, list[int]], Any]


class Unsupported(Exception):
    """The rule set has an expression the columns do not model; score it unit by unit."""


class ColumnRules:
    """A compiled rule set evaluated column by column; `run` scores a batch of plain fact mappings."""

    def __init__(self, compiled: CompiledRules, layout: Layout):
        self.compiled = compiled
        self.layout = layout
        self.rules = rules = compiled.rules
        self.kinds = {name: decl.type.name for name, decl in rules.facts.items()}
        self.plans = compiled.plans
        # Closures of literals and their values: comparisons and choices between them need no column.
        self.constants: dict[Col, Any] = {}
        self._chosen_parts: dict[tuple[int, tuple[int, ...]], tuple[Any, ...]] = {}
        size = len(compiled.ids)
        self.formulas: list[Col | None] = [None] * size
        self.na: list[tuple[tuple[Col, str], ...]] = [()] * size
        self.reasons: list[tuple[Col | None, ...]] = [()] * size
        for i, node_id in enumerate(compiled.ids):
            crit = rules.nodes[node_id]
            own_max = Fraction(self.plans[i].declared, compiled.unit)
            if crit.formula is not None:
                self.formulas[i] = self._typed(crit.formula.expr, "num", own_max)
            self.na[i] = tuple((self._typed(c.condition, "bool", own_max), c.policy) for c in crit.not_applicable)
            self.reasons[i] = tuple(
                self._typed(r.condition, "bool", own_max) if r.condition is not None else None for r in crit.reasons
            )

    # -- kinds: what an expression gives, worked out before anything runs

    def _kind(self, e: ast.Node) -> str:
        if isinstance(e, (ast.Number, ast.Percent, ast.OwnMax, ast.CritRef, ast.Neg, ast.BinOp, ast.Call, ast.Deduct)):
            return "num"
        if isinstance(e, (ast.Bool, ast.Compare, ast.And, ast.Or, ast.Not)):
            return "bool"
        if isinstance(e, (ast.String, ast.DateLit)):
            return "other"
        if isinstance(e, ast.NameRef):
            kind = self.kinds[e.name]
            return "num" if kind in NUMERIC else "bool" if kind == "boolean" else "other"
        if isinstance(e, ast.If):
            return self._kind(e.then)
        if isinstance(e, ast.Tier):
            return self._kind(e.rows[0].value) if e.rows else self._kind(e.otherwise)  # type: ignore[arg-type]
        raise Unsupported(type(e).__name__)

    def _typed(self, e: ast.Node, kind: str, own_max: Fraction) -> Col:
        if self._kind(e) != kind:
            raise Unsupported(f"{type(e).__name__} is not {kind}")
        return self._expr(e, own_max)

    def _expr(self, e: ast.Node, own_max: Fraction) -> Col:  # one branch per kind of node
        def sub(x: ast.Node, kind: str) -> Col:
            return self._typed(x, kind, own_max)

        if isinstance(e, (ast.Number, ast.Percent, ast.OwnMax)):
            value = own_max if isinstance(e, ast.OwnMax) else literal_value(e)
            assert isinstance(value, Fraction)
            n, d = value.numerator, value.denominator
            literal: Col = lambda b, rows: ([n] * len(rows), d)  # noqa: E731 - registered below
            self.constants[literal] = (n, d)
            return literal
        if isinstance(e, (ast.Bool, ast.String, ast.DateLit)):
            constant = literal_value(e)
            other: Col = lambda b, rows: [constant] * len(rows)  # noqa: E731 - registered below
            self.constants[other] = constant
            return other
        if isinstance(e, ast.NameRef):
            name = e.name
            if self._kind(e) == "num":

                def number(b: Batch, rows: list[int]) -> Num:
                    if b.events is not None:
                        b.note(FACT, rows, name)
                    n, d = b.num[name]
                    return gather(n, rows, b), d

                return number

            def fact_value(b: Batch, rows: list[int]) -> Any:
                if b.events is not None:
                    b.note(FACT, rows, name)
                return gather(b.other[name], rows, b)

            return fact_value
        if isinstance(e, ast.CritRef):
            target = self.compiled.index[e.id]
            unit = self.compiled.unit

            ref_id = e.id

            def ref(b: Batch, rows: list[int]) -> Num:
                if b.events is not None:
                    b.note(REF, rows, ref_id)
                self._node(b, target)
                return gather(b.score[target], rows, b), unit

            return ref
        if isinstance(e, ast.Neg):
            operand = sub(e.operand, "num")

            def neg(b: Batch, rows: list[int]) -> Num:
                n, d = operand(b, rows)
                return [-x for x in n], d

            return neg
        if isinstance(e, ast.BinOp):
            return self._binop(e.op, sub(e.left, "num"), sub(e.right, "num"))
        if isinstance(e, ast.Compare):
            kind = self._kind(e.left)
            if self._kind(e.right) != kind:
                raise Unsupported("comparison of unlike kinds")
            left, right = self._expr(e.left, own_max), self._expr(e.right, own_max)
            if kind == "num" and right in self.constants:
                return _against(e.op, left, self.constants[right])
            return _comparison(e.op, left, right, kind)
        if isinstance(e, (ast.And, ast.Or)):
            return _logic(isinstance(e, ast.And), sub(e.left, "bool"), sub(e.right, "bool"))
        if isinstance(e, ast.Not):
            operand = sub(e.operand, "bool")
            return lambda b, rows: [not v for v in operand(b, rows)]
        if isinstance(e, ast.If):
            kind = self._kind(e.then)
            then, otherwise = sub(e.then, kind), sub(e.otherwise, kind)
            if kind == "num" and then in self.constants and otherwise in self.constants:
                return _between(sub(e.condition, "bool"), self.constants[then], self.constants[otherwise])
            return _choose(sub(e.condition, "bool"), then, otherwise, kind)
        if isinstance(e, ast.Call):
            return self._call(e, [sub(a, "num") for a in e.args])
        if isinstance(e, ast.Tier):
            return self._tier(e, own_max)
        if isinstance(e, ast.Deduct):
            return self._deduct(e, own_max)
        raise Unsupported(type(e).__name__)

    def _binop(self, op: str, left: Col, right: Col) -> Col:
        constants = self.constants
        if left in constants and right in constants and (op != "/" or constants[right][0] != 0):
            return self._folded(op, constants[left], constants[right])  # `max * 0.5`: a literal too
        if op in ("+", "-"):
            sign = 1 if op == "+" else -1
            if left in constants:  # `1 - ratio(...)`: no column of ones
                c = constants[left]
                return lambda b, rows: ar.plus_constant(right(b, rows), sign, c, 1)
            if right in constants:
                c = constants[right]
                return lambda b, rows: ar.plus_constant(left(b, rows), 1, c, sign)
            return lambda b, rows: ar.add(left(b, rows), right(b, rows), sign)
        if op == "*":
            if left in constants or right in constants:  # `max * ...`: a scalar times a column
                c, column = (constants[left], right) if left in constants else (constants[right], left)
                return lambda b, rows: ar.times_constant(column(b, rows), c)
            return lambda b, rows: ar.mul(left(b, rows), right(b, rows))

        def divide(b: Batch, rows: list[int]) -> Num:
            return ar.quotients(left(b, rows), right(b, rows), b.fail, rows)

        return divide

    def _folded(self, op: str, left: tuple[int, int], right: tuple[int, int]) -> Col:
        """The value of an operation on two literals, worked out once, as a literal (division by zero excluded)."""
        x, y = Fraction(*left), Fraction(*right)
        value = x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x / y
        n, d = value.numerator, value.denominator
        literal: Col = lambda b, rows: ([n] * len(rows), d)  # noqa: E731 - registered below
        self.constants[literal] = (n, d)
        return literal

    def _call(self, e: ast.Call, args: list[Col]) -> Col:
        if e.func == "ratio":
            num, den = args
            text = self.compiled._text(e.span)
            signal = (e.options[0].value, e.span, text)
            span = e.span

            def ratio(b: Batch, rows: list[int]) -> Num:
                def zero(row: int) -> None:
                    if b.signal is None:  # a ratio outside a formula: the per-unit code refuses it
                        b.slow.add(row)
                    elif row not in b.signal and row not in b.slow:
                        b.signal[row] = signal

                a, c = num(b, rows), den(b, rows)
                result = ar.quotients(a, c, zero, rows)
                if b.events is not None:
                    b.note(STEP, rows, ("ratio", span, _ratio_text), step_args(text, a, c, result))
                return result

            return ratio
        if e.func in ("min", "max"):
            smaller = e.func == "min"

            def extreme(b: Batch, rows: list[int]) -> Num:
                values: list[Num] = [a(b, rows) for a in args]
                out = values[0]
                for v in values[1:]:
                    out = ar.pick(out, v, smaller)
                return out

            return extreme
        value_, low_, high_ = args
        span = e.span

        def clamp(b: Batch, rows: list[int]) -> Num:
            value, low, high = value_(b, rows), low_(b, rows), high_(b, rows)
            for r, ok in zip(rows, ar.compare("<=", low, high), strict=True):
                if not ok:
                    b.fail(r)
            result = ar.pick(ar.pick(value, low, False), high, True)
            if b.events is not None:
                changed = [k for k, same in enumerate(ar.compare("=", result, value)) if not same]
                if changed:
                    b.note(
                        STEP,
                        ar.take(rows, changed),
                        ("clamp", span, _clamp_text),
                        step_args(value, low, high, result, at=changed),
                    )
            return result

        return clamp

    def _tier(self, e: ast.Tier, own_max: Fraction) -> Col:
        subject_ = self._expr(e.subject, own_max)
        kind = self._kind(e.subject)
        value_kind = self._kind(e)
        rows_: list[tuple[str, Col, Col | None, bool, Col]] = []
        for row in e.rows:
            test = row.test
            value = self._typed(row.value, value_kind, own_max)
            if isinstance(test, ast.TierCmp):
                rows_.append((test.op, self._typed(test.bound, kind, own_max), None, False, value))
            else:
                low, high = self._typed(test.low, kind, own_max), self._typed(test.high, kind, own_max)
                rows_.append(("range", low, high, test.high_open, value))
        otherwise_ = self._typed(e.otherwise, value_kind, own_max) if e.otherwise is not None else None
        check = _comparer(kind)
        select = _selector(kind)
        compiled = self.compiled
        subject_text = compiled._text(e.subject.span)
        fact_kind = self.kinds[e.subject.name] if isinstance(e.subject, ast.NameRef) else ""
        ratio_subject = isinstance(e.subject, ast.Call) and e.subject.func == "ratio"
        texts = [(compiled._text(row.test.span), row.span) for row in e.rows]
        otherwise_span = e.otherwise.span if e.otherwise is not None else None

        def shown(value: Any) -> str:
            return show(value, "percent" if ratio_subject and isinstance(value, Fraction) else fact_kind)

        constants = self.constants
        every = [r[1] for r in rows_] + [r[2] for r in rows_ if r[2] is not None] + [r[4] for r in rows_]
        quick = None
        if kind == "num" and value_kind == "num" and otherwise_ in constants and all(c in constants for c in every):
            quick = self._literal_tier(subject_, rows_, otherwise_)

        def bounded(b: Batch, op: str, part: Any, bound_: Col, here: list[int]) -> list[bool]:
            if kind == "num" and bound_ in constants:  # a literal bound, the usual case: no column of it
                return ar.with_constant(op, part, constants[bound_])
            return check(b, op, part, bound_(b, here), here)

        def tier(b: Batch, rows: list[int]) -> Any:
            if quick is not None and b.events is None:
                return quick(b, rows)
            subject = subject_(b, rows)
            left = list(range(len(rows)))  # positions not matched yet
            pieces: list[tuple[list[int], Any]] = []
            for (op, bound_, high_, high_open, value_), (test_text, row_span) in zip(rows_, texts, strict=True):
                if not left:
                    break
                here = rows if len(left) == len(rows) else ar.take(rows, left)
                part = select(subject, left, len(rows))
                if op == "range":
                    assert high_ is not None
                    above = bounded(b, ">=", part, bound_, here)
                    below = bounded(b, "<" if high_open else "<=", part, high_, here)
                    matched = [x and y for x, y in zip(above, below, strict=True)]
                else:
                    matched = bounded(b, op, part, bound_, here)
                yes, no = ar.positions(matched)
                if yes:
                    where = [left[i] for i in yes]
                    if b.events is not None:
                        b.note(
                            STEP,
                            ar.take(rows, where),
                            ("tier", row_span, _tier_text),
                            step_args(test_text, subject_text, shown, value_column(subject, kind), at=where),
                        )
                    pieces.append((where, value_(b, ar.take(rows, where))))
                left = [left[i] for i in no]
            if left:
                if otherwise_ is None:
                    for i in left:
                        b.fail(rows[i])
                    pieces.append((left, _dummy(value_kind, len(left))))
                else:
                    if b.events is not None:
                        b.note(
                            STEP,
                            ar.take(rows, left),
                            ("tier", otherwise_span, _otherwise_text),
                            step_args(subject_text, shown, value_column(subject, kind), at=left),
                        )
                    pieces.append((left, otherwise_(b, ar.take(rows, left))))
            return ar.merge(len(rows), pieces, value_kind)

        return tier

    def _literal_tier(self, subject_: Col, rows_: list[tuple[str, Col, Col | None, bool, Col]], otherwise_: Col) -> Col:
        """An untraced tier of a number whose bounds and values are all literals (the usual tier).

        Every test runs on every unit, last row first, each earlier row overriding: the first row
        that matches wins, as in `tier`, with two passes a row and no merging of parts.
        """
        constants = self.constants
        values = [constants[row[4]] for row in rows_] + [constants[otherwise_]]
        common = lcm(*(d for _, d in values))
        scaled = [n * (common // d) for n, d in values]
        tests: list[tuple[Callable[[Num], list[bool]], int]] = []
        for (op, bound_, high_, high_open, _), value in zip(rows_, scaled, strict=False):
            low = constants[bound_]
            if op == "range":
                assert high_ is not None
                tests.append((partial(_in_range, low, constants[high_], high_open), value))
            else:
                tests.append((partial(_with_constant, op, low), value))
        tests.reverse()
        otherwise = scaled[-1]

        def literal_tier(b: Batch, rows: list[int]) -> Num:
            subject = subject_(b, rows)
            out = [otherwise] * len(rows)
            for test, value in tests:
                out = [value if m else o for m, o in zip(test(subject), out, strict=True)]
            return out, common

        return literal_tier

    def _deduct(self, e: ast.Deduct, own_max: Fraction) -> Col:
        start_ = self._typed(e.start, "num", own_max) if e.start is not None else None
        items = [(self._typed(d.amount, "num", own_max), self._typed(d.count, "num", own_max)) for d in e.deductions]
        start_n, start_d = own_max.numerator, own_max.denominator
        texts = [(self.compiled._text(d.count.span), d.span) for d in e.deductions]
        span = e.span

        def deduct(b: Batch, rows: list[int]) -> Num:
            start = start_(b, rows) if start_ is not None else ([start_n] * len(rows), start_d)
            total: Num = ([0] * len(rows), 1)
            for (amount_, count_), (count_text, d_span) in zip(items, texts, strict=True):
                amount, count = amount_(b, rows), count_(b, rows)
                for r, x, y in zip(rows, amount[0], count[0], strict=True):
                    if x < 0 or y < 0:
                        b.fail(r)
                total = ar.add(total, ar.mul(amount, count), 1)
                if b.events is not None:
                    b.note(STEP, rows, ("deduction", d_span, _deduction_text), step_args(amount, count, count_text))
            result = ar.add(start, total, -1)
            floor = ar.compare(">=", result, ([0] * len(rows), 1))
            if all(floor):
                return result
            if b.events is not None:
                below = [k for k, ok in enumerate(floor) if not ok]
                b.note(STEP, ar.take(rows, below), ("floor", span, _floor_text), step_args(start, total, at=below))
            return ar.pick(result, ([0] * len(rows), 1), False)

        return deduct

    # ---- run time ------------------------------------------------------------------------

    def run(self, units: Sequence[Mapping[str, Any]], names: Sequence[str], trace: bool = False) -> ColumnBatch:
        """Score a batch of units given as plain mappings of fact names to values (as JSON lines hold them).

        With `trace`, what each node reads and does is recorded for the units concerned, as data; a unit's
        derivation is written from it when read (`ColumnBatch.result(r, trace=True)`).
        """
        compiled = self.compiled
        size = len(compiled.ids)
        batch = Batch(len(units), size)
        if not units:
            return ColumnBatch(self, batch, units, names, {})
        if trace:
            batch.events = [[] for _ in range(size)]
        parsed = read_facts(compiled, self.kinds, batch, units, names)
        for i in range(size):
            self._node(batch, i)
        batch.totals = self._totals(batch)
        return ColumnBatch(self, batch, units, names, parsed)

    def _totals(self, b: Batch) -> tuple[list[int], ...]:
        """Columns of each unit's base score, base maximum, bonus, penalty and total (clamped to [0, base max])."""
        compiled = self.compiled
        size = len(b.all)
        base, base_max = ar.summed(b.score, compiled.areas, size), ar.summed(b.effective, compiled.areas, size)
        bonus, penalty = ar.summed(b.score, compiled.bonuses, size), ar.summed(b.score, compiled.penalties, size)
        net = base
        if compiled.bonuses or compiled.penalties:
            net = [s + plus - minus for s, plus, minus in zip(base, bonus, penalty, strict=True)]
        total = list(map(min, map(max, net, repeat(0)), base_max))  # C-level passes
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
                b.effective[i] = ar.summed(b.effective, plan.kids, len(rows))
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
                met = cond(b, left)
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
        if type(d) is int and pow10 % d == 0:  # exact at the declared decimals (`if ... then max else 0`)
            rounded = list(n) if d == pow10 else [x * (pow10 // d) for x in n]
        elif mode == "half_up" and (not n or min(n) >= 0):  # the usual case, at its simplest
            twice = 2 * pow10
            if type(d) is int:
                twice_d = 2 * d
                rounded = [(x * twice + d) // twice_d for x in n]
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
            inexact = [
                k for k, (x, y) in enumerate(zip(n, ar.denominators(d, len(rows)), strict=False)) if (x * pow10) % y
            ]
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
        self._reasons(b, i, _lost(rows, scores, declared, aside))

    def _all_reasons(self, i: int, rows: list[int], scores: list[int], aside: set[int] | None) -> dict[int, Any]:
        """The units among `rows` that lost points at node `i`, each with every reason the node has."""
        lost = _lost(rows, scores, self.plans[i].declared, aside)
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
            met = lost if cond is None else [r for r, m in zip(lost, cond(b, lost), strict=True) if m]
            for r in met:
                chosen[r].append(k)
            if traced and met:
                for kind, name, _ in parts[k][1]:
                    if kind == 2:
                        b.note(FACT, met, name)
        b.chosen[i] = {r: self._parts(i, tuple(ks)) for r, ks in chosen.items()}


def _lost(rows: list[int], scores: list[int], declared: int, aside: set[int] | None) -> list[int]:
    """The units scored below `declared` (those set aside excluded)."""
    lost = [r for r, s in zip(rows, scores, strict=True) if s < declared]
    return [r for r in lost if r not in aside] if aside else lost


def _in_range(low: tuple[int, int], high: tuple[int, int], high_open: bool, value: Num) -> list[bool]:
    return ar.in_range(value, low, high, high_open)


def _with_constant(op: str, constant: tuple[int, int], value: Num) -> list[bool]:
    return ar.with_constant(op, value, constant)


def _comparer(kind: str) -> Callable[[Batch, str, Any, Any, list[int]], list[bool]]:
    """Row-by-row comparison of two columns of `kind` (the per-unit `_cmp` for what is not a number)."""
    if kind == "num":
        return lambda b, op, left, right, rows: ar.compare(op, left, right)

    def compare(b: Batch, op: str, left: Any, right: Any, rows: list[int]) -> list[bool]:
        out = []
        for r, x, y in zip(rows, left, right, strict=True):
            try:
                out.append(_cmp(op, x, y))
            except Fallback:
                b.fail(r)
                out.append(False)
        return out

    return compare


def _against(op: str, left: Col, constant: tuple[int, int]) -> Col:
    """A column of numbers compared with a literal: on numerators, once the denominators agree."""

    def against(b: Batch, rows: list[int]) -> list[bool]:
        return ar.with_constant(op, left(b, rows), constant)

    return against


def _between(cond: Col, then: tuple[int, int], otherwise: tuple[int, int]) -> Col:
    """`if c then a else b` where a and b are literals: one pass over the condition."""
    common = lcm(then[1], otherwise[1])
    yes, no = then[0] * (common // then[1]), otherwise[0] * (common // otherwise[1])
    return lambda b, rows: ([yes if c else no for c in cond(b, rows)], common)


def _comparison(op: str, left: Col, right: Col, kind: str) -> Col:
    test = _comparer(kind)
    return lambda b, rows: test(b, op, left(b, rows), right(b, rows), rows)


def _selector(kind: str) -> Callable[[Any, list[int], int], Any]:
    """The values of a column at some of its positions."""
    if kind == "num":

        def numbers(column: Num, where: list[int], size: int) -> Num:
            if len(where) == size:
                return column
            n, d = column
            return [n[i] for i in where], d if type(d) is int else [d[i] for i in where]

        return numbers
    return lambda column, where, size: column if len(where) == size else [column[i] for i in where]


def _dummy(kind: str, size: int) -> Any:
    """Values for rows the per-unit code refuses (they are scored unit by unit, so never read)."""
    if kind == "num":
        return [0] * size, 1
    return [False] * size if kind == "bool" else [None] * size


def _logic(is_and: bool, left: Col, right: Col) -> Col:
    def logic(b: Batch, rows: list[int]) -> list[bool]:
        first: list[bool] = left(b, rows)
        need = [i for i, v in enumerate(first) if v is is_and]  # the right side decides only there
        if not need:
            return first
        second = right(b, rows if len(need) == len(rows) else ar.take(rows, need))
        out = list(first)
        for i, v in zip(need, second, strict=True):
            out[i] = v
        return out

    return logic


def _choose(cond: Col, then: Col, otherwise: Col, kind: str) -> Col:
    def choose(b: Batch, rows: list[int]) -> Any:
        yes, no = ar.positions(cond(b, rows))
        if not no:
            return then(b, rows)
        if not yes:
            return otherwise(b, rows)
        return ar.merge(len(rows), [(yes, then(b, ar.take(rows, yes))), (no, otherwise(b, ar.take(rows, no)))], kind)

    return choose
