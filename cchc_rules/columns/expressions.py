"""A rule set's expressions compiled once into closures over columns: each takes a batch and its units."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import partial
from itertools import compress, repeat
from math import lcm
from operator import eq
from typing import Any

from cchc_rules import ast
from cchc_rules.columns import arithmetic as ar
from cchc_rules.columns.arithmetic import Num
from cchc_rules.columns.batch import FACT, REF, STEP, Batch, gather, step_args, value_column
from cchc_rules.columns.reading import NUMERIC
from cchc_rules.compiler import (
    CompiledRules,
    Fallback,
    _clamp_text,
    _cmp,
    _deduction_text,
    _floor_text,
    _ratio_text,
)
from cchc_rules.evaluator import (
    arithmetic_text,
    literal_only,
    min_max_text,
    otherwise_text,
    percent_like,
    shown_kind,
    tier_text,
)
from cchc_rules.facts import literal_value
from cchc_rules.numbers import show

# An expression over the units at `rows` (indices into the batch): one value per row, in that order.
Col = Callable[[Batch, list[int]], Any]


class Unsupported(Exception):
    """The rule set has an expression the columns do not model; score it unit by unit."""


class Expressions:
    """Compiles expressions to `Col` closures; `node(b, i)` evaluates a criterion another refers to."""

    def __init__(self, compiled: CompiledRules, kinds: Mapping[str, str], node: Callable[[Batch, int], None]):
        self.compiled = compiled
        self.kinds = kinds
        self._node = node
        # Closures of literals and their values: comparisons and choices between them need no column.
        self.constants: dict[Col, Any] = {}

    def column(self, e: ast.Node, kind: str, own_max: Fraction) -> Col:
        """`e` as a closure giving a column of `kind` ("num", "bool" or "other"); Unsupported otherwise."""
        return self._typed(e, kind, own_max)

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
            left, right = sub(e.left, "num"), sub(e.right, "num")
            operation = self._binop(e.op, left, right)
            return operation if literal_only(e) else self._traced(e, left, right, operation)
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

    def _traced(self, e: ast.BinOp, left: Col, right: Col, operation: Col) -> Col:
        """An operation not on literals alone; traced, its values are worked out apart and recorded
        (`arithmetic_text`), by the general row-by-row arithmetic (the same values as `_binop`'s)."""
        op, text, span = e.op, self.compiled._text(e.span), e.span
        # a list, the same for every unit: `step_args` would take a tuple for a column of numbers
        percents = [percent_like(e.left, self.compiled.rules), percent_like(e.right, self.compiled.rules)]

        def traced(b: Batch, rows: list[int]) -> Num:
            if b.events is None:
                untraced: Num = operation(b, rows)
                return untraced
            a, c = left(b, rows), right(b, rows)
            if op == "/":
                result = ar.quotients(a, c, b.fail, rows)
            else:
                result = ar.mul(a, c) if op == "*" else ar.add(a, c, 1 if op == "+" else -1)
            b.note(STEP, rows, ("arithmetic", span, arithmetic_text), step_args(text, op, a, c, result, percents))
            return result

        return traced

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
            func, call_text, call_span = e.func, self.compiled._text(e.span), e.span

            def extreme(b: Batch, rows: list[int]) -> Num:
                values: list[Num] = [a(b, rows) for a in args]
                out = values[0]
                for v in values[1:]:
                    out = ar.pick(out, v, smaller)
                if b.events is not None:
                    b.note(STEP, rows, ("min_max", call_span, min_max_text), step_args(call_text, func, out, *values))
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
        subject_kind = shown_kind(e.subject, compiled.rules)
        texts = [(compiled._text(row.test.span), row.span) for row in e.rows]
        otherwise_span = e.otherwise.span if e.otherwise is not None else None

        def shown(value: Any) -> str:
            return show(value, subject_kind)

        constants = self.constants
        every = [r[1] for r in rows_] + [r[2] for r in rows_ if r[2] is not None] + [r[4] for r in rows_]
        if kind == "num" and value_kind == "num" and otherwise_ in constants and all(c in constants for c in every):
            values = [Fraction(*constants[r[4]]) for r in rows_] + [Fraction(*constants[otherwise_])]

            def noted(b: Batch, rows: list[int], subject: Num, which: list[int]) -> None:
                """The steps of a traced literal tier: for each row, the units it was the first to match."""
                size = len(rows)
                for k, value in enumerate(values):
                    where = list(compress(range(size), map(eq, which, repeat(k))))
                    if not where:
                        continue
                    at, tested = ar.take(rows, where), select(subject, where, size)
                    if k < len(texts):
                        test_text, row_span = texts[k]
                        args = step_args(test_text, subject_text, shown, tested, value)
                        b.note(STEP, at, ("tier", row_span, tier_text), args)
                    else:
                        args = step_args(subject_text, shown, tested, value)
                        b.note(STEP, at, ("tier", otherwise_span, otherwise_text), args)

            assert otherwise_ is not None
            return self._literal_tier(subject_, rows_, otherwise_, noted)

        def bounded(b: Batch, op: str, part: Any, bound_: Col, here: list[int]) -> list[bool]:
            if kind == "num" and bound_ in constants:  # a literal bound: no column of it
                return ar.with_constant(op, part, constants[bound_])
            return check(b, op, part, bound_(b, here), here)

        def tier(b: Batch, rows: list[int]) -> Any:
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
                    matched_rows = ar.take(rows, where)
                    value = value_(b, matched_rows)
                    if b.events is not None:
                        b.note(
                            STEP,
                            matched_rows,
                            ("tier", row_span, tier_text),
                            step_args(
                                test_text,
                                subject_text,
                                shown,
                                value_column(select(subject, where, len(rows)), kind),
                                value_column(value, value_kind),
                            ),
                        )
                    pieces.append((where, value))
                left = [left[i] for i in no]
            if left:
                if otherwise_ is None:
                    for i in left:
                        b.fail(rows[i])
                    pieces.append((left, _dummy(value_kind, len(left))))
                else:
                    rest = ar.take(rows, left)
                    value = otherwise_(b, rest)
                    if b.events is not None:
                        b.note(
                            STEP,
                            rest,
                            ("tier", otherwise_span, otherwise_text),
                            step_args(
                                subject_text,
                                shown,
                                value_column(select(subject, left, len(rows)), kind),
                                value_column(value, value_kind),
                            ),
                        )
                    pieces.append((left, value))
            return ar.merge(len(rows), pieces, value_kind)

        return tier

    def _literal_tier(
        self,
        subject_: Col,
        rows_: list[tuple[str, Col, Col | None, bool, Col]],
        otherwise_: Col,
        noted: Callable[[Batch, list[int], Num, list[int]], None],
    ) -> Col:
        """A tier of a number whose bounds and values are all literals (the usual tier).

        Every test runs on every unit, last row first, each earlier row overriding: the first row
        that matches wins, as in `tier`, with two passes a row and no merging of parts. Traced, it
        works out which row each unit matched, and `noted` records the steps of each row's units.
        """
        constants = self.constants
        values = [constants[row[4]] for row in rows_] + [constants[otherwise_]]
        common = lcm(*(d for _, d in values))
        scaled = [n * (common // d) for n, d in values]
        tests: list[tuple[Callable[[Num], list[bool]], int, int]] = []
        for k, ((op, bound_, high_, high_open, _), value) in enumerate(zip(rows_, scaled, strict=False)):
            low = constants[bound_]
            if op == "range":
                assert high_ is not None
                tests.append((partial(_in_range, low, constants[high_], high_open), value, k))
            else:
                tests.append((partial(_with_constant, op, low), value, k))
        tests.reverse()
        otherwise, last = scaled[-1], len(rows_)

        def literal_tier(b: Batch, rows: list[int]) -> Num:
            subject = subject_(b, rows)
            if b.events is None:
                out = [otherwise] * len(rows)
                for test, value, _ in tests:
                    out = [value if m else o for m, o in zip(test(subject), out, strict=True)]
                return out, common
            which = [last] * len(rows)  # the row each unit matched first (`last`: none, `otherwise`)
            for test, _, k in tests:
                which = [k if m else o for m, o in zip(test(subject), which, strict=True)]
            noted(b, rows, subject, which)
            return list(map(scaled.__getitem__, which)), common

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
