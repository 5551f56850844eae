"""Many units scored together, a column of values per fact and per node: the batch form of `compiler`.

`CompiledRules` scores one unit at a time, and most of what that costs is
Python's overhead per step, not arithmetic. `ColumnRules` evaluates every
expression once for a whole batch of units: a value is a list with one entry
per unit, and a number is a list of whole numerators over a denominator that
the column shares (facts, literals, node scores) or that each unit has (after
a division). Arithmetic stays exact, on Python integers, and no `Fraction` is
made per step.

Nothing is approximated or guessed. A unit whose facts are not plain
(evidence, a missing fact, a value to parse, a broken bound) or whose
evaluation meets anything the per-unit code refuses (a division by zero, no
tier row matching, a score outside [0, max]) is left to the per-unit path
(`None` in `ColumnBatch.result`), which validates and explains it; a rule set
whose expressions mix kinds of values in ways the columns do not model is
not compiled here at all (`Unsupported`). The tests require results, JSON
and traces equal to the per-unit path's on the shipped and on random rule sets.

Traces: the columns record none. A batch result's trace is made when it is
read, by evaluating that one node again on the unit's values with the
per-unit code, which records what it reads (`ReplayTracer`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from math import lcm
from operator import itemgetter
from typing import Any

from cchc_rules import ast
from cchc_rules.compiler import (
    _LIMIT,
    _NA_EXCLUDED,
    _NA_FULL,
    CompiledRules,
    Fallback,
    Reasons,
    Scores,
    _clamp_text,
    _cmp,
    _deduction_text,
    _floor_text,
    _otherwise_text,
    _ratio_text,
    _rounding_text,
    _Run,
    _sum_text,
    _tier_text,
    _zero_text,
    plain_decimal,
)
from cchc_rules.evaluator import Evaluator, show
from cchc_rules.facts import Facts, Value, literal_value
from cchc_rules.limits import MAX_FACT_DECIMALS, MAX_FACT_INTEGER_DIGITS
from cchc_rules.numbers import round_scaled, scaled_decimal
from cchc_rules.result import Layout, Result, derivation_of, fact_json, result_from_scores
from cchc_rules.trace import LazyStep, NodeRecord, Tracer

# A column of numbers: numerators, and one denominator for all (an int) or one per unit (a list); denominators > 0.
Num = tuple[list[int], Any]
# An expression over the units at `rows` (indices into the batch): one value per row, in that order.
Col = Callable[["_Batch", list[int]], Any]

_NUMERIC = ("count", "integer", "decimal", "percent")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}


class Unsupported(Exception):
    """The rule set has an expression the columns do not model; score it unit by unit."""


# ---- numbers in columns ------------------------------------------------------------------


def _dens(d: Any, size: int) -> Any:
    return repeat(d, size) if type(d) is int else d


def _add(a: Num, b: Num, sign: int) -> Num:
    (na, da), (nb, db) = a, b
    if type(da) is int and type(db) is int:
        common = lcm(da, db)
        fa, fb = common // da, sign * (common // db)
        if fa == 1 and fb == 1:
            return [x + y for x, y in zip(na, nb, strict=True)], common
        return [x * fa + y * fb for x, y in zip(na, nb, strict=True)], common
    if type(da) is int:  # a literal or fact with a ratio: a/da + sign*y/dy = (a*dy + sign*y*da) / (da*dy)
        if sign < 0:
            nb = [-y for y in nb]
        return [x * dy + y * da for x, y, dy in zip(na, nb, db, strict=True)], db if da == 1 else [da * dy for dy in db]
    if type(db) is int:
        return [x + sign * y * dx for x, y, dx in zip(na, nb, da, strict=True)] if db == 1 else [
            x * db + sign * y * dx for x, y, dx in zip(na, nb, da, strict=True)
        ], da if db == 1 else [dx * db for dx in da]
    return [x * dy + sign * y * dx for x, dx, y, dy in zip(na, da, nb, db, strict=True)], [
        dx * dy for dx, dy in zip(da, db, strict=True)
    ]


def _mul(a: Num, b: Num) -> Num:
    (na, da), (nb, db) = a, b
    n = [x * y for x, y in zip(na, nb, strict=True)]
    if type(da) is int and type(db) is int:
        return n, da * db
    if type(da) is int:
        return n, db if da == 1 else [da * y for y in db]
    if type(db) is int:
        return n, da if db == 1 else [x * db for x in da]
    return n, [x * y for x, y in zip(da, db, strict=True)]


def _quotients(a: Num, b: Num, bad: Callable[[int], None], rows: list[int]) -> Num:
    """a / b row by row; a zero b calls `bad(row)` and gives 0."""
    (na, da), (nb, db) = a, b
    if type(da) is int and da == db and nb and min(nb) >= 0:  # like quantities: the usual ratio
        if 0 not in nb:
            return na, nb
        for r, y in zip(rows, nb, strict=True):
            if y == 0:
                bad(r)
        return [x if y else 0 for x, y in zip(na, nb, strict=True)], [y or 1 for y in nb]
    size = len(na)
    out_n: list[int] = []
    out_d: list[int] = []
    for r, x, dx, y, dy in zip(rows, na, _dens(da, size), nb, _dens(db, size), strict=False):
        if y == 0:
            bad(r)
            out_n.append(0)
            out_d.append(1)
            continue
        n, d = (x, y) if dx == dy else (x * dy, dx * y)
        if d < 0:
            n, d = -n, -d
        out_n.append(n)
        out_d.append(d)
    return out_n, out_d


# Comparisons of two columns, written out per operator (no call per unit).
_PAIRWISE: dict[str, Callable[[list[int], list[int]], list[bool]]] = {
    ">=": lambda xs, ys: [x >= y for x, y in zip(xs, ys, strict=True)],
    ">": lambda xs, ys: [x > y for x, y in zip(xs, ys, strict=True)],
    "<=": lambda xs, ys: [x <= y for x, y in zip(xs, ys, strict=True)],
    "<": lambda xs, ys: [x < y for x, y in zip(xs, ys, strict=True)],
    "=": lambda xs, ys: [x == y for x, y in zip(xs, ys, strict=True)],
    "!=": lambda xs, ys: [x != y for x, y in zip(xs, ys, strict=True)],
}


def _plus_constant(a: Num, sign: int, c: tuple[int, int], c_sign: int) -> Num:
    """sign*a + c_sign*c, where c is a literal (numerator, denominator)."""
    n, d = a
    cn, cd = c[0] * c_sign, c[1]
    if type(d) is int:
        common = lcm(d, cd)
        fa, add = sign * (common // d), cn * (common // cd)
        return [x * fa + add for x in n], common
    if cd == 1:
        return [sign * x + cn * y for x, y in zip(n, d, strict=True)], d
    return [sign * x * cd + cn * y for x, y in zip(n, d, strict=True)], [y * cd for y in d]


def _times_constant(a: Num, c: tuple[int, int]) -> Num:
    """a times a literal (numerator, denominator)."""
    n, d = a
    cn, cd = c
    out = n if cn == 1 else [x * cn for x in n]
    if type(d) is int:
        return out, d * cd
    return out, d if cd == 1 else [y * cd for y in d]


def _compare(op: str, a: Num, b: Num) -> list[bool]:
    test = _OPS[op]
    (na, da), (nb, db) = a, b
    if type(da) is int and type(db) is int:
        if da == db:
            return _PAIRWISE[op](na, nb)
        return [test(x * db, y * da) for x, y in zip(na, nb, strict=True)]
    size = len(na)
    return [test(x * dy, y * dx) for x, dx, y, dy in zip(na, _dens(da, size), nb, _dens(db, size), strict=False)]


def _pick(a: Num, b: Num, smaller: bool) -> Num:
    """Row by row, the smaller (or larger) of two columns of numbers."""
    first = _compare("<=" if smaller else ">=", a, b)
    (na, da), (nb, db) = a, b
    n = [x if f else y for f, x, y in zip(first, na, nb, strict=True)]
    if type(da) is int and da == db:
        return n, da
    size = len(na)
    return n, [x if f else y for f, x, y in zip(first, _dens(da, size), _dens(db, size), strict=False)]


def _gather(column: Any, rows: list[int], batch: _Batch) -> Any:
    return column if rows is batch.all else [column[r] for r in rows]


def _positions(flags: Sequence[bool]) -> tuple[list[int], list[int]]:
    """Positions of the true and of the false flags."""
    return [i for i, f in enumerate(flags) if f], [i for i, f in enumerate(flags) if not f]


def _merge(size: int, pieces: list[tuple[list[int], Any]], kind: str) -> Any:
    """Values computed on parts of the rows (positions, values), put back in row order."""
    if len(pieces) == 1 and len(pieces[0][0]) == size:
        return pieces[0][1]
    if kind != "num":
        out: list[Any] = [None] * size
        for where, values in pieces:
            for i, v in zip(where, values, strict=True):
                out[i] = v
        return out
    dens = {d for _, (_, d) in pieces if type(d) is int}
    shared = len(dens) == 1 and all(type(d) is int for _, (_, d) in pieces)
    out_n: list[int] = [0] * size
    out_d: list[int] = [1] * size
    for where, (n, d) in pieces:
        for i, v in zip(where, n, strict=True):
            out_n[i] = v
        if not shared:
            for i, v in zip(where, _dens(d, len(where)), strict=False):
                out_d[i] = v
    return (out_n, dens.pop()) if shared else (out_n, out_d)


def _summed(columns: list[list[int]], nodes: tuple[int, ...], size: int) -> list[int]:
    """Row by row, the sum of some nodes' columns."""
    if not nodes:
        return [0] * size
    total = columns[nodes[0]]
    for k in nodes[1:]:
        total = [x + y for x, y in zip(total, columns[k], strict=True)]
    return list(total) if len(nodes) == 1 else total


def _take(rows: list[int], where: list[int]) -> list[int]:
    return [rows[i] for i in where]


# ---- what a traced batch records ----------------------------------------------------------------

_FACT, _REF, _STEP = 0, 1, 2


class _Vals(list[Any]):
    """A column of values that are not numbers (dates, texts, yes/no, whole numbers of a rounding)."""


def _values(column: Any, kind: str) -> Any:
    return column if kind == "num" else _Vals(column)


def _args(*items: Any, at: list[int] | None = None) -> Callable[[int, Any], tuple[Any, ...]]:
    """The arguments of a step's sentence for the unit at position k of the step's units.

    Items are columns of numbers (numerators, denominators), `_Vals` columns, or the same value
    for every unit; `at` maps the step's units to positions in those columns when they are fewer.
    """

    specs: list[tuple[int, Any, Any]] = []  # 0: the same for every unit, 1/2: numbers, 3: other values
    for item in items:
        if type(item) is tuple:
            n, d = item
            specs.append((1 if type(d) is int else 2, n, d))
        elif type(item) is _Vals:
            specs.append((3, item, None))
        else:
            specs.append((0, item, None))

    def get(k: int, tracer: Any) -> tuple[Any, ...]:
        j = at[k] if at is not None else k
        return tuple(
            [
                a if kind == 0 else Fraction(a[j], d) if kind == 1 else Fraction(a[j], d[j]) if kind == 2 else a[j]
                for kind, a, d in specs
            ]
        )

    return get


class _Event:
    """A fact read, a node referred to, or a step taken, by some units of a batch."""

    __slots__ = ("args", "item", "rows", "skip", "what", "where")

    def __init__(self, what: int, rows: list[int], skip: frozenset[int] | None, item: Any, args: Any):
        self.what = what
        self.rows = rows
        self.skip = skip
        self.item = item
        self.args = args
        self.where: dict[int, int] | None = None

    def at(self, r: int, everyone: list[int]) -> int | None:
        """Where unit `r` is among this event's units (None when it is not)."""
        if self.rows is everyone:
            k: int | None = r
        else:
            if self.where is None:
                self.where = {row: k for k, row in enumerate(self.rows)}
            k = self.where.get(r)
        if k is None or (self.skip is not None and r in self.skip):
            return None
        return k


# ---- one batch ---------------------------------------------------------------------------------


class _Batch:
    """The state of one batch's evaluation."""

    __slots__ = (
        "all",
        "chosen",
        "done",
        "effective",
        "events",
        "lost_at",
        "na",
        "nodes_na",
        "num",
        "other",
        "raw",
        "score",
        "shared",
        "signal",
        "slow",
        "stack",
        "totals",
        "zeros",
    )

    def __init__(self, size: int, nodes: int):
        self.all = list(range(size))
        self.slow: set[int] = set()
        self.num: dict[str, Num] = {}
        self.other: dict[str, list[Any]] = {}
        self.signal: dict[int, tuple[str, Any, str]] | None = None
        self.done = [False] * nodes
        self.score: list[list[int]] = [[] for _ in range(nodes)]
        self.effective: list[list[int]] = [[] for _ in range(nodes)]
        self.raw: list[Num | None] = [None] * nodes
        self.chosen: list[dict[int, tuple[Any, ...]]] = [{} for _ in range(nodes)]
        self.na: list[list[str | None] | None] = [None] * nodes  # the n/a policy a node passes to its children
        self.nodes_na: dict[int, list[tuple[int, str]]] = {}  # row -> (node, policy) of its n/a nodes
        self.totals: list[tuple[int, int, int, int, int]] = []
        self.zeros = [0] * size
        self.lost_at: dict[int, list[int]] | None = None
        self.events: list[list[_Event]] | None = None  # with a trace: what each node read and did, by units
        self.stack: list[int] = []
        self.shared: dict[int, list[int]] = {}

    def maxima(self, declared: int) -> list[int]:
        """A column holding `declared` for every unit, shared (see `own`)."""
        found = self.shared.get(declared)
        if found is None:
            found = self.shared[declared] = [declared] * len(self.all)
        return found

    def own(self, i: int) -> tuple[list[int], list[int]]:
        """Node `i`'s score and maximum columns, made its own before they are written unit by unit."""
        if self.score[i] is self.zeros:
            self.score[i] = list(self.zeros)
        if self.effective[i] is self.shared.get(self.effective[i][0] if self.effective[i] else None):  # type: ignore[arg-type]
            self.effective[i] = list(self.effective[i])
        return self.score[i], self.effective[i]

    def note(self, what: int, rows: list[int], item: Any, args: Any = None) -> None:
        """Record, for the units at `rows`, what the current node read or did (units a ratio stopped excluded)."""
        if rows:
            skip = frozenset(self.signal) if self.signal else None
            events = self.events[self.stack[-1]]  # type: ignore[index]
            if what == _FACT:
                last = events[-1] if events else None
                if last is not None and last.what == _FACT and last.rows is rows and last.skip == skip:
                    last.item.append(item)  # facts read one after another by the same units: one event
                    return
                item = [item]
            events.append(_Event(what, rows, skip, item, args))

    def fail(self, row: int) -> None:
        """The per-unit code would refuse this row here (unless a ratio already decided its formula)."""
        if self.signal is None or row not in self.signal:
            self.slow.add(row)


# ---- compiling ---------------------------------------------------------------------------------


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
            return "num" if kind in _NUMERIC else "bool" if kind == "boolean" else "other"
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

                def number(b: _Batch, rows: list[int]) -> Num:
                    if b.events is not None:
                        b.note(_FACT, rows, name)
                    n, d = b.num[name]
                    return _gather(n, rows, b), d

                return number

            def fact_value(b: _Batch, rows: list[int]) -> Any:
                if b.events is not None:
                    b.note(_FACT, rows, name)
                return _gather(b.other[name], rows, b)

            return fact_value
        if isinstance(e, ast.CritRef):
            target = self.compiled.index[e.id]
            unit = self.compiled.unit

            ref_id = e.id

            def ref(b: _Batch, rows: list[int]) -> Num:
                if b.events is not None:
                    b.note(_REF, rows, ref_id)
                self._node(b, target)
                return _gather(b.score[target], rows, b), unit

            return ref
        if isinstance(e, ast.Neg):
            operand = sub(e.operand, "num")

            def neg(b: _Batch, rows: list[int]) -> Num:
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
        if op in ("+", "-"):
            sign = 1 if op == "+" else -1
            if left in constants:  # `1 - ratio(...)`: no column of ones
                c = constants[left]
                return lambda b, rows: _plus_constant(right(b, rows), sign, c, 1)
            if right in constants:
                c = constants[right]
                return lambda b, rows: _plus_constant(left(b, rows), 1, c, sign)
            return lambda b, rows: _add(left(b, rows), right(b, rows), sign)
        if op == "*":
            if left in constants or right in constants:  # `max * ...`: a scalar times a column
                c, column = (constants[left], right) if left in constants else (constants[right], left)
                return lambda b, rows: _times_constant(column(b, rows), c)
            return lambda b, rows: _mul(left(b, rows), right(b, rows))

        def divide(b: _Batch, rows: list[int]) -> Num:
            return _quotients(left(b, rows), right(b, rows), b.fail, rows)

        return divide

    def _call(self, e: ast.Call, args: list[Col]) -> Col:
        if e.func == "ratio":
            num, den = args
            text = self.compiled._text(e.span)
            signal = (e.options[0].value, e.span, text)
            span = e.span

            def ratio(b: _Batch, rows: list[int]) -> Num:
                def zero(row: int) -> None:
                    if b.signal is None:  # a ratio outside a formula: the per-unit code refuses it
                        b.slow.add(row)
                    elif row not in b.signal and row not in b.slow:
                        b.signal[row] = signal

                a, c = num(b, rows), den(b, rows)
                result = _quotients(a, c, zero, rows)
                if b.events is not None:
                    b.note(_STEP, rows, ("ratio", span, _ratio_text), _args(text, a, c, result))
                return result

            return ratio
        if e.func in ("min", "max"):
            smaller = e.func == "min"

            def extreme(b: _Batch, rows: list[int]) -> Num:
                values: list[Num] = [a(b, rows) for a in args]
                out = values[0]
                for v in values[1:]:
                    out = _pick(out, v, smaller)
                return out

            return extreme
        value_, low_, high_ = args
        span = e.span

        def clamp(b: _Batch, rows: list[int]) -> Num:
            value, low, high = value_(b, rows), low_(b, rows), high_(b, rows)
            for r, ok in zip(rows, _compare("<=", low, high), strict=True):
                if not ok:
                    b.fail(r)
            result = _pick(_pick(value, low, False), high, True)
            if b.events is not None:
                changed = [k for k, same in enumerate(_compare("=", result, value)) if not same]
                if changed:
                    b.note(
                        _STEP,
                        _take(rows, changed),
                        ("clamp", span, _clamp_text),
                        _args(value, low, high, result, at=changed),
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

        def bounded(b: _Batch, op: str, part: Any, bound_: Col, here: list[int]) -> list[bool]:
            if kind == "num" and bound_ in constants:  # a literal bound, the usual case: no column of it
                return _with_constant(op, part, constants[bound_])
            return check(b, op, part, bound_(b, here), here)

        def tier(b: _Batch, rows: list[int]) -> Any:
            subject = subject_(b, rows)
            left = list(range(len(rows)))  # positions not matched yet
            pieces: list[tuple[list[int], Any]] = []
            for (op, bound_, high_, high_open, value_), (test_text, row_span) in zip(rows_, texts, strict=True):
                if not left:
                    break
                here = rows if len(left) == len(rows) else _take(rows, left)
                part = select(subject, left, len(rows))
                if op == "range":
                    assert high_ is not None
                    above = bounded(b, ">=", part, bound_, here)
                    below = bounded(b, "<" if high_open else "<=", part, high_, here)
                    matched = [x and y for x, y in zip(above, below, strict=True)]
                else:
                    matched = bounded(b, op, part, bound_, here)
                yes, no = _positions(matched)
                if yes:
                    where = [left[i] for i in yes]
                    if b.events is not None:
                        b.note(
                            _STEP,
                            _take(rows, where),
                            ("tier", row_span, _tier_text),
                            _args(test_text, subject_text, shown, _values(subject, kind), at=where),
                        )
                    pieces.append((where, value_(b, _take(rows, where))))
                left = [left[i] for i in no]
            if left:
                if otherwise_ is None:
                    for i in left:
                        b.fail(rows[i])
                    pieces.append((left, _dummy(value_kind, len(left))))
                else:
                    if b.events is not None:
                        b.note(
                            _STEP,
                            _take(rows, left),
                            ("tier", otherwise_span, _otherwise_text),
                            _args(subject_text, shown, _values(subject, kind), at=left),
                        )
                    pieces.append((left, otherwise_(b, _take(rows, left))))
            return _merge(len(rows), pieces, value_kind)

        return tier

    def _deduct(self, e: ast.Deduct, own_max: Fraction) -> Col:
        start_ = self._typed(e.start, "num", own_max) if e.start is not None else None
        items = [(self._typed(d.amount, "num", own_max), self._typed(d.count, "num", own_max)) for d in e.deductions]
        start_n, start_d = own_max.numerator, own_max.denominator
        texts = [(self.compiled._text(d.count.span), d.span) for d in e.deductions]
        span = e.span

        def deduct(b: _Batch, rows: list[int]) -> Num:
            start = start_(b, rows) if start_ is not None else ([start_n] * len(rows), start_d)
            total: Num = ([0] * len(rows), 1)
            for (amount_, count_), (count_text, d_span) in zip(items, texts, strict=True):
                amount, count = amount_(b, rows), count_(b, rows)
                for r, x, y in zip(rows, amount[0], count[0], strict=True):
                    if x < 0 or y < 0:
                        b.fail(r)
                total = _add(total, _mul(amount, count), 1)
                if b.events is not None:
                    b.note(_STEP, rows, ("deduction", d_span, _deduction_text), _args(amount, count, count_text))
            result = _add(start, total, -1)
            floor = _compare(">=", result, ([0] * len(rows), 1))
            if all(floor):
                return result
            if b.events is not None:
                below = [k for k, ok in enumerate(floor) if not ok]
                b.note(_STEP, _take(rows, below), ("floor", span, _floor_text), _args(start, total, at=below))
            return _pick(result, ([0] * len(rows), 1), False)

        return deduct

    # ---- run time ------------------------------------------------------------------------

    def run(self, units: Sequence[Mapping[str, Any]], names: Sequence[str], trace: bool = False) -> ColumnBatch:
        """Score a batch of units given as plain mappings of fact names to values (as JSON lines hold them).

        With `trace`, what each node reads and does is recorded for the units concerned, as data; a unit's
        derivation is written from it when read (`ColumnBatch.result(r, trace=True)`).
        """
        compiled = self.compiled
        size = len(compiled.ids)
        batch = _Batch(len(units), size)
        if trace:
            batch.events = [[] for _ in range(size)]
        parsed = self._facts(batch, units, names)
        for i in range(size):
            self._node(batch, i)
        batch.totals = self._totals(batch)
        return ColumnBatch(self, batch, units, names, parsed)

    def _facts(self, b: _Batch, units: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[int, Facts]:
        """Fact columns; a unit that is not plain is validated alone (`CompiledRules.facts`) or left slow."""
        compiled = self.compiled
        declared = compiled._declared_facts
        parsed: dict[int, Facts] = {}
        unusual: set[int] = set()
        if set(map(type, units)) == {dict}:
            known = list(map(declared.issuperset, units))  # no undeclared name (one C call a unit)
            if not all(known):
                unusual.update(r for r, ok in enumerate(known) if not ok)
        else:
            for r, given in enumerate(units):
                if type(given) is not dict or not declared.issuperset(given):
                    unusual.add(r)
        plans = compiled._fact_plans
        nothing = dict.fromkeys((p[0] for p in plans), _MISSING)
        dicts = [u if r not in unusual else nothing for r, u in enumerate(units)]
        try:  # every unit gives every fact, the usual case: one call a unit, then transposed
            given_all: list[Any] = list(zip(*map(itemgetter(*(p[0] for p in plans)), dicts), strict=True))
        except (KeyError, TypeError):  # a fact left out (its default applies), or a single fact
            given_all = [[given.get(p[0], _MISSING) for given in dicts] for p in plans]
        pairs: dict[str, list[Any]] = {}  # numeric columns with unlike denominators: (numerator, denominator)
        for (name, _, default, _), column in zip(plans, given_all, strict=True):
            kind = self.kinds[name]
            raw = list(column)
            numeric = kind in _NUMERIC
            scale = 100 if kind == "percent" else 1
            types = set(map(type, raw))
            if numeric and types == {int} and min(raw) > -_LIMIT and max(raw) < _LIMIT:
                b.num[name] = (raw, scale)  # whole numbers, the usual case: nothing to convert
                continue
            if kind == "boolean" and types == {bool}:
                b.other[name] = raw
                continue
            if types == {str} and kind in ("decimal", "percent"):  # decimals as JSON lines carry them
                if scale == 100:
                    raw = [v[:-1] if v.endswith("%") else v for v in raw]
                read = _plain_decimals(raw, scale)
                if read is not None:
                    b.num[name] = read
                    continue
            values: list[Any] = []
            for r, value in enumerate(raw):
                if value is _MISSING:
                    if default is None or r in unusual:
                        unusual.add(r)
                        values.append(None)
                    else:
                        values.append(_pair(default) if numeric else default)
                    continue
                kind_of = type(value)
                if numeric:
                    if kind_of is int and -_LIMIT < value < _LIMIT:
                        values.append((value, scale))
                        continue
                    if kind_of is str and kind != "count" and kind != "integer":
                        pair = plain_decimal(value[:-1] if scale == 100 and value.endswith("%") else value)
                        if pair is not None:
                            values.append((pair[0], pair[1] * scale))
                            continue
                elif kind == "boolean" and kind_of is bool:
                    values.append(value)
                    continue
                unusual.add(r)
                values.append(None)
            if numeric:
                pairs[name] = values
            else:
                b.other[name] = values
        for r in sorted(unusual):
            facts = compiled.facts(dict(units[r]), unit=names[r]) if type(units[r]) is dict else None
            if facts is None:
                b.slow.add(r)
                continue
            parsed[r] = facts
            for name, value in facts.values.items():
                if name in b.other:
                    b.other[name][r] = value
                    continue
                if name in b.num:  # a column of whole numbers meets a value that came another way
                    n, d = b.num.pop(name)
                    pairs[name] = [(x, d) for x in n]
                pairs[name][r] = _pair(value)
        for name, column in pairs.items():
            common = lcm(*{p[1] for p in column if p is not None})
            b.num[name] = ([0 if p is None else p[0] * (common // p[1]) for p in column], common)
        self._bounds(b)
        return parsed

    def _totals(self, b: _Batch) -> list[tuple[int, int, int, int, int]]:
        """Each unit's base score, base maximum, bonus, penalty and total."""
        compiled = self.compiled

        size = len(b.all)
        base, base_max = _summed(b.score, compiled.areas, size), _summed(b.effective, compiled.areas, size)
        bonus, penalty = _summed(b.score, compiled.bonuses, size), _summed(b.score, compiled.penalties, size)
        return [
            (s, m, plus, minus, min(max(s + plus - minus, 0), m))
            for s, m, plus, minus in zip(base, base_max, bonus, penalty, strict=True)
        ]

    def _bounds(self, b: _Batch) -> None:
        """Rows breaking a numeric fact's declared bound are slow: the usual validation names the problem.

        Other kinds need no check here: yes/no facts have no bounds, and dates and choices always go
        through `CompiledRules.facts`, which checks them.
        """
        for name, _, _, bounds in self.compiled._fact_plans:
            if name not in b.num:
                continue
            value = b.num[name]
            for is_low, literal, other in bounds:
                if other:
                    if other not in b.num:  # bounded by a fact that is not a number: left to the usual way
                        b.slow.update(b.all)
                        continue
                    limit = b.num[other]
                elif type(literal) is Fraction:
                    n, d = value
                    if n and type(d) is int:  # the whole column within a fixed bound: the usual case, at once
                        edge = min(n) if is_low else max(n)
                        a, c = edge * literal.denominator, literal.numerator * d
                        if (a >= c) if is_low else (a <= c):
                            continue
                    limit = ([literal.numerator] * len(b.all), literal.denominator)
                else:
                    continue
                for r, ok in enumerate(_compare(">=" if is_low else "<=", value, limit)):
                    if not ok:
                        b.slow.add(r)

    def _node(self, b: _Batch, i: int) -> None:
        if b.done[i]:
            return
        b.done[i] = True
        b.stack.append(i)  # what is read now is read by node i (a node it refers to is evaluated inside)
        try:
            self._evaluate(b, i)
        finally:
            b.stack.pop()

    def _evaluate(self, b: _Batch, i: int) -> None:
        plan = self.plans[i]
        rows = b.all
        policy: list[str | None] | None = None
        if not plan.na_free:
            parent = plan.parent
            inherited = b.na[parent] if parent is not None else None
            policy = list(inherited) if inherited is not None else [None] * len(rows)
            left = [r for r in rows if policy[r] is None]
            for cond, value in self.na[i]:
                if not left:
                    break
                met = cond(b, left)
                for r, m in zip(left, met, strict=True):
                    if m:
                        policy[r] = value
                left = [r for r, m in zip(left, met, strict=True) if not m]
            b.na[i] = policy
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
                b.score[i] = _summed(b.score, plan.kids, len(rows))
                b.effective[i] = _summed(b.effective, plan.kids, len(rows))
            else:
                score, effective = b.own(i)
                for r in todo:
                    score[r] = sum(b.score[k][r] for k in plan.kids)
                    effective[r] = sum(b.effective[k][r] for k in plan.kids)
            if b.events is not None and todo:
                kids, compiled = plan.kids, self.compiled
                b.note(_STEP, todo, ("sum", None, _sum_text), lambda k, t: (compiled, kids, t.score, t.score[i]))
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

    def _traced_reasons(self, b: _Batch, i: int, lost: list[int]) -> None:
        """`_reasons`, recording the facts each reason's condition and sentence read (Compiled._reasons)."""
        parts = self.plans[i].reasons
        if all(cond is None for cond in self.reasons[i]):  # every reason applies to every unit that lost
            for _, template in parts:
                for kind, name, _ in template:
                    if kind == 2:
                        b.note(_FACT, lost, name)
            b.chosen[i] = dict.fromkeys(lost, self._parts(i, tuple(range(len(parts)))))
            return
        chosen: dict[int, list[int]] = {r: [] for r in lost}
        for k, cond in enumerate(self.reasons[i]):
            met = lost if cond is None else [r for r, m in zip(lost, cond(b, lost), strict=True) if m]
            for r in met:
                chosen[r].append(k)
            for kind, name, _ in parts[k][1]:
                if kind == 2 and met:
                    b.note(_FACT, met, name)
        b.chosen[i] = {r: self._parts(i, tuple(ks)) for r, ks in chosen.items()}

    def _parts(self, i: int, chosen: tuple[int, ...]) -> tuple[Any, ...]:
        """The sentences (as parts) of node `i`'s reasons `chosen`, made once for all units."""
        key = (i, chosen)
        found = self._chosen_parts.get(key)
        if found is None:
            parts = self.plans[i].reasons
            found = self._chosen_parts[key] = tuple(parts[k][1] for k in chosen)
        return found

    def _not_applicable(self, b: _Batch, i: int, r: int, policy: str) -> None:
        plan = self.plans[i]
        b.nodes_na.setdefault(r, []).append((i, policy))
        score, effective = b.own(i)
        score[r] = effective[r] = plan.declared if policy == "full" else 0

    def _scored(self, b: _Batch, i: int, rows: list[int], value: Num, signals: dict[int, Any]) -> None:
        """Node `i`'s formula values, or for a unit whose ratio met a zero denominator its policy's score."""
        if signals:  # the ratio's policy decides the criterion (Evaluator.node): full marks, 0, or n/a
            plan = self.plans[i]
            if b.events is not None:
                self._note_zeros(b, i, rows, signals)
            n, d = list(value[0]), list(_dens(value[1], len(rows)))
            at = ((r, r) for r in signals) if rows is b.all else ((r, k) for k, r in enumerate(rows) if r in signals)
            dropped: set[int] = set()
            for r, k in at:
                policy = signals[r][0]
                if policy == "na":
                    dropped.add(k)
                    if plan.zero_na is None:
                        b.slow.add(r)
                    else:
                        self._not_applicable(b, i, r, plan.zero_na)
                else:
                    n[k], d[k] = (plan.declared, self.compiled.unit) if policy == "full" else (0, 1)
            if dropped:
                keep = [k for k in range(len(rows)) if k not in dropped]
                rows, n, d = [rows[k] for k in keep], [n[k] for k in keep], [d[k] for k in keep]
            value = (n, d)
        self._rounded(b, i, rows, value)

    def _note_zeros(self, b: _Batch, i: int, rows: list[int], signals: dict[int, Any]) -> None:
        """The trace steps of units whose ratio met a zero denominator, and of those it made n/a."""
        plan = self.plans[i]
        by_signal: dict[Any, list[int]] = {}
        for r in sorted(signals):  # every one among `rows`: the formula ran on them alone
            by_signal.setdefault(signals[r], []).append(r)
        made_na: list[int] = []
        for (policy, span, text), at in by_signal.items():
            b.note(_STEP, at, ("zero_denominator", span, _zero_text), lambda k, t, c=(text, policy): c)
            if policy == "na" and plan.zero_na is not None:
                made_na += at
        if made_na:
            words = (_NA_FULL,) if plan.zero_na == "full" else (_NA_EXCLUDED,)
            b.note(_STEP, sorted(made_na), ("not_applicable", None, str), lambda k, t: words)

    def _rounded(self, b: _Batch, i: int, rows: list[int], value: Num) -> None:
        """Node `i`'s formula values rounded as declared, checked within [0, max] (`_scored` without signals)."""
        plan = self.plans[i]
        n, d = value
        declared, pow10, factor, mode = plan.declared, plan.pow10, plan.factor, plan.rounding
        dens = _dens(d, len(rows))
        if mode == "half_up":  # (2s + d) // 2d is s/d rounded half up, for s >= 0
            rounded = [
                (2 * x * pow10 + y) // (2 * y) if x >= 0 else round_scaled(x * pow10, y, mode)
                for x, y in zip(n, dens, strict=False)
            ]
        else:
            rounded = [round_scaled(x * pow10, y, mode) for x, y in zip(n, dens, strict=False)]
        scores = rounded if factor == 1 else [q * factor for q in rounded]
        if b.events is not None:
            inexact = [k for k, (x, y) in enumerate(zip(n, _dens(d, len(rows)), strict=False)) if (x * pow10) % y]
            if inexact:
                b.note(
                    _STEP,
                    _take(rows, inexact),
                    ("rounding", plan.rounding_span, _rounding_text),
                    _args(value, _Vals(rounded), plan.places, plan.rounding_words, at=inexact),
                )
        if scores and (min(scores) < 0 or max(scores) > declared):
            b.slow.update(r for r, s in zip(rows, scores, strict=True) if s < 0 or s > declared)
        if rows is b.all:
            b.score[i] = scores
            b.raw[i] = value
        else:
            score = b.own(i)[0]
            raw_n = [0] * len(b.all)
            raw_d: Any = d if type(d) is int else [1] * len(b.all)
            for r, s, x in zip(rows, scores, n, strict=True):
                score[r] = s
                raw_n[r] = x
            if type(raw_d) is not int:
                for r, y in zip(rows, d, strict=True):
                    raw_d[r] = y
            b.raw[i] = (raw_n, raw_d)
        self._reasons(b, i, [r for r, s in zip(rows, scores, strict=True) if s < declared])

    def _reasons(self, b: _Batch, i: int, lost: list[int]) -> None:
        """Which reasons apply to each unit that lost points at node `i` (their conditions, in columns)."""
        reasons = self.reasons[i]
        if lost and reasons and b.events is not None:
            self._traced_reasons(b, i, lost)
        elif lost and reasons and all(cond is None for cond in reasons):
            b.chosen[i] = dict.fromkeys(lost, self._parts(i, tuple(range(len(reasons)))))
        elif lost and reasons:
            chosen: dict[int, list[int]] = {r: [] for r in lost}
            for k, cond in enumerate(reasons):
                if cond is None:
                    for r in lost:
                        chosen[r].append(k)
                    continue
                for r, met in zip(lost, cond(b, lost), strict=True):
                    if met:
                        chosen[r].append(k)
            b.chosen[i] = {r: self._parts(i, tuple(ks)) for r, ks in chosen.items()}
        elif lost:
            b.chosen[i] = dict.fromkeys(lost, ())


# ---- expressions that choose -------------------------------------------------------------------


def _comparer(kind: str) -> Callable[[_Batch, str, Any, Any, list[int]], list[bool]]:
    """Row-by-row comparison of two columns of `kind` (the per-unit `_cmp` for what is not a number)."""
    if kind == "num":
        return lambda b, op, left, right, rows: _compare(op, left, right)

    def compare(b: _Batch, op: str, left: Any, right: Any, rows: list[int]) -> list[bool]:
        out = []
        for r, x, y in zip(rows, left, right, strict=True):
            try:
                out.append(_cmp(op, x, y))
            except Fallback:
                b.fail(r)
                out.append(False)
        return out

    return compare


# Comparisons written out per operator: a comprehension with the operator inline, no call per unit.
_WITH_SCALAR: dict[str, Callable[[list[int], int], list[bool]]] = {
    ">=": lambda xs, t: [x >= t for x in xs],
    ">": lambda xs, t: [x > t for x in xs],
    "<=": lambda xs, t: [x <= t for x in xs],
    "<": lambda xs, t: [x < t for x in xs],
    "=": lambda xs, t: [x == t for x in xs],
    "!=": lambda xs, t: [x != t for x in xs],
}


def _against(op: str, left: Col, constant: tuple[int, int]) -> Col:
    """A column of numbers compared with a literal: on numerators, once the denominators agree."""

    def against(b: _Batch, rows: list[int]) -> list[bool]:
        return _with_constant(op, left(b, rows), constant)

    return against


def _with_constant(op: str, value: Num, constant: tuple[int, int]) -> list[bool]:
    """A column of numbers compared with a literal (numerator, denominator)."""
    n, d = value
    cn, cd = constant
    if type(d) is int:
        if d == cd:
            return _WITH_SCALAR[op](n, cn)
        if d % cd == 0:
            return _WITH_SCALAR[op](n, cn * (d // cd))
    return _compare(op, value, ([cn] * len(n), cd))


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
    def logic(b: _Batch, rows: list[int]) -> list[bool]:
        first: list[bool] = left(b, rows)
        need = [i for i, v in enumerate(first) if v is is_and]  # the right side decides only there
        if not need:
            return first
        second = right(b, rows if len(need) == len(rows) else _take(rows, need))
        out = list(first)
        for i, v in zip(need, second, strict=True):
            out[i] = v
        return out

    return logic


def _choose(cond: Col, then: Col, otherwise: Col, kind: str) -> Col:
    def choose(b: _Batch, rows: list[int]) -> Any:
        yes, no = _positions(cond(b, rows))
        if not no:
            return then(b, rows)
        if not yes:
            return otherwise(b, rows)
        return _merge(len(rows), [(yes, then(b, _take(rows, yes))), (no, otherwise(b, _take(rows, no)))], kind)

    return choose


def _plain_decimals(texts: list[str], scale: int) -> Num | None:
    """A whole column of `compiler.plain_decimal` texts read at once, over one denominator (None if any is not)."""
    if not texts:
        return [], scale
    parts = [t.partition(".") for t in texts]
    heads = [h for h, _, _ in parts]
    tails = [t for _, _, t in parts]
    digits = "".join(heads) + "".join(tails)  # a second point, a sign, a space or a comma: not all digits
    if not (digits.isascii() and digits.isdigit()):
        return None
    if min(map(len, heads)) == 0 or max(map(len, heads)) > MAX_FACT_INTEGER_DIGITS:
        return None
    places = max(map(len, tails))
    if places > MAX_FACT_DECIMALS:
        return None
    if [d for _, d, _ in parts].count(".") != len(tails) - tails.count(""):  # a point with no digit after it
        return None
    # Every value over 10**places: its decimals padded with zeros ("12.5" and "3.25" are 1250 and 325 over 100).
    return [int(h + t.ljust(places, "0")) for h, t in zip(heads, tails, strict=True)], _POW10[places] * scale


_POW10 = [10**k for k in range(MAX_FACT_DECIMALS + 1)]


def _pair(value: Value) -> tuple[int, int]:
    assert type(value) is Fraction
    return value.numerator, value.denominator


_MISSING = object()


# ---- results -------------------------------------------------------------------------------------


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


class ColumnBatch:
    """A scored batch: each unit's `Result`, or None for a unit left to the per-unit path."""

    def __init__(
        self,
        rules: ColumnRules,
        batch: _Batch,
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
        return scaled_decimal(self._b.totals[r][4], self._rules.compiled.places)

    def facts(self, r: int) -> Facts:
        """Unit `r`'s validated facts."""
        found = self._parsed.get(r)
        if found is not None:
            return found
        values = {name: self.value(r, name) for name in self._rules.kinds}
        given = self._units[r]
        defaulted = frozenset(name for name in values if name not in given)
        return Facts.model_construct(unit=self._names[r], values=values, evidence={}, defaulted=defaulted)

    def scores(self, r: int, values: dict[str, Value]) -> Scores:
        """Unit `r`'s scores in the per-unit form."""
        b = self._b
        rules = self._rules
        compiled = rules.compiled
        size = len(compiled.ids)
        score = [column[r] for column in b.score]
        status = ["scored"] * size
        na_policy: list[str | None] = [None] * size
        na: set[int] = set()
        for i, policy in b.nodes_na.get(r, ()):
            status[i] = "n_a"
            na_policy[i] = policy
            na.add(i)
        reasons: list[tuple[str, ...] | Reasons] = [()] * size
        plans, places = compiled.plans, compiled.places
        if b.lost_at is None:  # by unit, the nodes where it lost points: made once, for the first result
            b.lost_at = {}
            for i, chosen in enumerate(b.chosen):
                for row in chosen:
                    b.lost_at.setdefault(row, []).append(i)
        for i in b.lost_at.get(r, ()):
            reasons[i] = Reasons(b.chosen[i][r], values, score[i], plans[i].declared, places)
        base, base_max, bonus, penalty, total = b.totals[r]
        return Scores(
            places=compiled.places,
            status=status,
            score=score,
            effective=[column[r] for column in b.effective],
            unrounded=_Unrounded(b.raw, r, na),  # type: ignore[arg-type]
            reasons=reasons,
            na_policy=na_policy,
            base=base,
            base_max=base_max,
            bonus=bonus,
            penalty=penalty,
            total=total,
        )

    def result(self, r: int, trace: bool = False) -> Result | None:
        """Unit `r`'s result (its trace made when read), or None when the per-unit path must score it."""
        if r in self._b.slow:
            return None
        facts = self.facts(r)
        scores = self.scores(r, facts.values)
        return result_from_scores(self._rules.layout, facts, scores, self._tracer(r, lambda: (facts, scores), trace))

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

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._units)))


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

    def derivation(self, node_id: str, values: Mapping[str, Value]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The facts one node read (JSON-ready) and its steps in words, as `NodeResult.derivation` gives them."""
        return derivation_of(self.record(node_id), values)

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

    def __init__(self, batch: _Batch, row: int, compiled: CompiledRules, unit: Callable[[], tuple[Facts, Scores]]):
        super().__init__(compiled, unit)
        self._batch = batch
        self._row = row
        self._score: list[int] | None = None

    @property
    def score(self) -> list[int]:
        """The unit's node scores (what a `sum` step shows)."""
        if self._score is None:
            self._score = [column[self._row] for column in self._batch.score]
        return self._score

    def derivation(self, node_id: str, values: Mapping[str, Value]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """`ReplayTracer.derivation` written straight from the batch's events (no record made on the way)."""
        compiled = self._compiled
        i = compiled.index.get(node_id)
        if node_id in self.records or self._whole or i is None or not compiled.plans[i].na_free:
            return super().derivation(node_id, values)
        facts: dict[str, Any] = {}
        steps: list[str] = []
        for event, k in self._mine(i):
            if event.what == _FACT:
                for name in event.item:
                    if name not in facts:
                        facts[name] = fact_json(values[name])
            elif event.what == _STEP:
                steps.append(event.item[2](*event.args(k, self)))
        return facts, tuple(steps)

    def _mine(self, i: int) -> Iterator[tuple[_Event, int]]:
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
            if event.what == _FACT:
                for name in event.item:
                    record.facts[name] = None
            elif event.what == _REF:
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
        """effective_max - score."""
        b, r, i = self._row._b, self._row._r, self._i
        return scaled_decimal(b.effective[i][r] - b.score[i][r], self._row._layout.places)

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
        parts = b.chosen[i].get(r)
        if parts is None:
            return ()
        compiled = row._batch._rules.compiled
        return Reasons(parts, row._values, b.score[i][r], compiled.plans[i].declared, compiled.places).text()

    def derivation(self) -> tuple[dict[str, Any], tuple[str, ...]] | None:
        """The facts this node read and its steps in words (None when untraced), as `NodeResult.derivation`."""
        tracer = self._row._tracer
        if tracer is None:
            return None
        return tracer.derivation(self.id, self._row._values)


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
        base, base_max, bonus, penalty, total = self._b.totals[r]
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
