"""Interval analysis: the range of values an expression can take under the declared fact bounds.

Used by the checker to prove that scores stay within [0, max], that divisors
cannot be zero, and to find the domain a tier table must cover. Ranges are
closed intervals of exact rationals; `None` stands for an infinite end. The
analysis is sound but not exact: it may report a range wider than the real
one, never a narrower one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from cchc_rules import ast

if TYPE_CHECKING:
    from cchc_rules.checks import Merged

ZERO = Fraction(0)
ONE = Fraction(1)


@dataclass(frozen=True, slots=True)
class Interval:
    """[lo, hi]; None is -infinity for lo and +infinity for hi.

    `nonzero` marks a range known to exclude 0 although 0 lies between its
    ends (a fact under `x > 0`): enough to prove a divisor safe.
    """

    lo: Fraction | None
    hi: Fraction | None
    nonzero: bool = False

    @staticmethod
    def point(value: Fraction) -> Interval:
        """The interval holding one value."""
        return Interval(value, value)

    def contains(self, value: Fraction) -> bool:
        """True when `value` lies in the interval."""
        if value == 0 and self.nonzero:
            return False
        return (self.lo is None or self.lo <= value) and (self.hi is None or value <= self.hi)

    def within(self, lo: Fraction, hi: Fraction) -> bool:
        """True when the whole interval lies in [lo, hi]."""
        return self.lo is not None and self.hi is not None and lo <= self.lo and self.hi <= hi

    def union(self, other: Interval) -> Interval:
        """The smallest interval holding both."""
        lo = None if self.lo is None or other.lo is None else min(self.lo, other.lo)
        hi = None if self.hi is None or other.hi is None else max(self.hi, other.hi)
        return Interval(lo, hi)

    def intersect(self, other: Interval) -> Interval | None:
        """The common part, or None when they do not meet."""
        lo = self.lo if other.lo is None else other.lo if self.lo is None else max(self.lo, other.lo)
        hi = self.hi if other.hi is None else other.hi if self.hi is None else min(self.hi, other.hi)
        if lo is not None and hi is not None and lo > hi:
            return None
        return Interval(lo, hi, self.nonzero or other.nonzero)


EVERYTHING = Interval(None, None)


def _neg(a: Interval) -> Interval:
    return Interval(None if a.hi is None else -a.hi, None if a.lo is None else -a.lo)


def _add(a: Interval, b: Interval) -> Interval:
    lo = None if a.lo is None or b.lo is None else a.lo + b.lo
    hi = None if a.hi is None or b.hi is None else a.hi + b.hi
    return Interval(lo, hi)


def _mul_ends(x: Fraction | None, y: Fraction | None, x_sign: int, y_sign: int) -> Fraction | str | None:
    # An infinite end times a finite one: its sign decides; 0 * infinity is 0.
    if x is not None and y is not None:
        return x * y
    if (x is not None and x == 0) or (y is not None and y == 0):
        return ZERO
    return "+" if x_sign * y_sign > 0 else "-"


def _mul(a: Interval, b: Interval) -> Interval:
    ends = []
    for x, xs in ((a.lo, -1), (a.hi, 1)):
        for y, ys in ((b.lo, -1), (b.hi, 1)):
            sx = xs if x is None else (1 if x > 0 else -1 if x < 0 else 0)
            sy = ys if y is None else (1 if y > 0 else -1 if y < 0 else 0)
            ends.append(_mul_ends(x, y, sx, sy))
    finite = [e for e in ends if isinstance(e, Fraction)]
    lo = None if "-" in ends else min(finite)
    hi = None if "+" in ends else max(finite)
    return Interval(lo, hi)


def _div(a: Interval, b: Interval) -> Interval:
    """a / b for a divisor interval that does not contain 0."""
    if b.lo is not None and b.lo > 0:
        inv = Interval(None if b.hi is None else (ZERO if b.hi is None else 1 / b.hi), 1 / b.lo)
    elif b.hi is not None and b.hi < 0:
        inv = Interval(1 / b.hi, None if b.lo is None else 1 / b.lo)
    else:
        return EVERYTHING
    if b.hi is None:
        inv = Interval(ZERO, inv.hi)
    if b.lo is None:
        inv = Interval(inv.lo, ZERO)
    return _mul(a, inv)


def _literal(value: Decimal, percent: bool = False) -> Fraction:
    frac = Fraction(value)
    return frac / 100 if percent else frac


class RangeAnalysis:
    """Computes ranges of expressions for one rule set.

    `facts` are the declarations; `maxima` each criterion's declared maximum
    (what a reference [id] can be at most). `refine` narrows fact ranges, for
    the branch of an `if` or under a criterion's `na when` guards.
    """

    def __init__(self, facts: Mapping[str, ast.FactDecl], maxima: Mapping[str, Fraction]):
        self.facts = facts
        self.maxima = maxima
        self._cache: dict[str, Interval | None] = {}
        # The divisor of each plain division `/` whose range holds 0, with that range; with `ratios_fail`,
        # a ratio's too (in an `na when` or a `reason when` its `zero:` policy does not apply).
        self.risky_divisions: list[tuple[ast.Node, Interval]] = []
        self.ratios_fail = False

    # ---- facts -----------------------------------------------------------------

    def fact(self, name: str, seen: frozenset[str] = frozenset()) -> Interval | None:
        """The declared range of a numeric fact, or None for a non-numeric one."""
        if name in self._cache and not seen:
            return self._cache[name]
        decl = self.facts.get(name)
        if decl is None or decl.type.name in ("boolean", "date", "choice"):
            return None
        kind = decl.type.name
        lo: Fraction | None = ZERO if kind in ("count", "percent") else None
        hi: Fraction | None = ONE if kind == "percent" else None
        # A count is never negative, whatever its bounds; a percentage's 0% and 100% hold only where it
        # declares no bound of its own (`max 150%`, `min lo`: as the facts are read).
        replaces = kind == "percent"
        lo = self._bound(decl.min, lo, seen | {name}, low=True, replaces=replaces)
        hi = self._bound(decl.max, hi, seen | {name}, low=False, replaces=replaces)
        result = Interval(lo, hi)
        if not seen:
            self._cache[name] = result
        return result

    def _bound(
        self, bound: ast.Node | None, default: Fraction | None, seen: frozenset[str], low: bool, replaces: bool
    ) -> Fraction | None:
        if bound is None:
            return default
        if replaces:
            default = None  # the declared bound holds instead; where its value is unknown, nothing does
        if isinstance(bound, ast.Number):
            value: Fraction | None = _literal(bound.value)
        elif isinstance(bound, ast.Percent):
            value = _literal(bound.value, percent=True)
        elif isinstance(bound, ast.NameRef) and bound.name not in seen:
            other = self.fact(bound.name, seen)
            value = None if other is None else (other.lo if low else other.hi)
        else:
            value = None
        if value is None:
            return default
        if default is None:
            return value
        return max(value, default) if low else min(value, default)

    def is_whole(self, part: str, whole: str) -> bool:
        """True when `part` is declared with `max whole` (part <= whole)."""
        decl = self.facts.get(part)
        return decl is not None and isinstance(decl.max, ast.NameRef) and decl.max.name == whole

    def is_integral(self, name: str) -> bool:
        """Counts and integers take whole values only."""
        decl = self.facts.get(name)
        return decl is not None and decl.type.name in ("count", "integer")

    # ---- expressions ------------------------------------------------------------

    def range(self, expr: ast.Node, own_max: Fraction, env: Mapping[str, Interval] | None = None) -> Interval | None:
        """The range of a numeric expression; None when it is not numeric."""
        env = env or {}
        r = self.range
        if isinstance(expr, ast.Number):
            return Interval.point(_literal(expr.value))
        if isinstance(expr, ast.Percent):
            return Interval.point(_literal(expr.value, percent=True))
        if isinstance(expr, ast.NameRef):
            return env.get(expr.name) or self.fact(expr.name)
        if isinstance(expr, ast.OwnMax):
            return Interval.point(own_max)
        if isinstance(expr, ast.CritRef):
            return Interval(ZERO, self.maxima.get(expr.id))
        if isinstance(expr, ast.Neg):
            inner = r(expr.operand, own_max, env)
            return None if inner is None else _neg(inner)
        if isinstance(expr, ast.BinOp):
            a, b = r(expr.left, own_max, env), r(expr.right, own_max, env)
            if a is None or b is None:
                return None
            if expr.op == "+":
                return _add(a, b)
            if expr.op == "-":
                return _add(a, _neg(b))
            if expr.op == "*":
                return _mul(a, b)
            if b.contains(ZERO):
                self.risky_divisions.append((expr.right, b))
            scaled = self._scaled_part(expr.left, expr.right, own_max, env)
            return scaled if scaled is not None else self._divide(expr.left, expr.right, a, b)
        if isinstance(expr, ast.Call):
            return self._call(expr, own_max, env)
        if isinstance(expr, ast.If):
            self.condition(expr.condition, own_max, env)
            then_env, else_env = refine(expr.condition, self, env)
            parts = [r(expr.then, own_max, then_env), r(expr.otherwise, own_max, else_env)]
            return _union_all(parts)
        if isinstance(expr, ast.Tier):
            # The subject and the rows' bounds are worked out too: a division there fails like any other.
            r(expr.subject, own_max, env)
            for row in expr.rows:
                test = row.test
                for bound in (test.bound,) if isinstance(test, ast.TierCmp) else (test.low, test.high):
                    r(bound, own_max, env)
            parts = [r(row.value, own_max, env) for row in expr.rows]
            if expr.otherwise is not None:
                parts.append(r(expr.otherwise, own_max, env))
            return _union_all(parts)
        if isinstance(expr, ast.Deduct):
            start = r(expr.start, own_max, env) if expr.start is not None else Interval.point(own_max)
            total: Interval | None = Interval.point(ZERO)
            for d in expr.deductions:
                amount, count = r(d.amount, own_max, env), r(d.count, own_max, env)
                if amount is None or count is None or total is None:
                    return None
                total = _add(total, _mul(amount, count))
            if start is None or total is None:
                return None
            raw = _add(start, _neg(total))
            lo = ZERO if raw.lo is None else max(raw.lo, ZERO)
            hi = None if raw.hi is None else max(raw.hi, ZERO)
            return Interval(lo, hi)
        return None

    def condition(self, expr: ast.Node, own_max: Fraction, env: Mapping[str, Interval] | None = None) -> None:
        """Work out the numbers a condition compares, so that a division among them is seen (its range
        is of no use: a condition is true or false)."""
        env = env or {}
        if isinstance(expr, ast.Not):
            self.condition(expr.operand, own_max, env)
        elif isinstance(expr, ast.And):  # the right side runs only where the left holds
            self.condition(expr.left, own_max, env)
            self.condition(expr.right, own_max, refine(expr.left, self, env)[0])
        elif isinstance(expr, ast.Or):  # ... and here only where it does not
            self.condition(expr.left, own_max, env)
            self.condition(expr.right, own_max, refine(expr.left, self, env)[1])
        elif isinstance(expr, ast.Compare):
            self.range(expr.left, own_max, env)
            self.range(expr.right, own_max, env)
        else:
            self.range(expr, own_max, env)

    def _divide(self, left: ast.Node, right: ast.Node, a: Interval, b: Interval) -> Interval:
        # part / whole with part <= whole and both >= 0 lies in [0, 1].
        if (
            isinstance(left, ast.NameRef)
            and isinstance(right, ast.NameRef)
            and self.is_whole(left.name, right.name)
            and a.lo is not None
            and a.lo >= 0
        ):
            return Interval(ZERO, ONE)
        if b.contains(ZERO):
            # What happens at 0 is the zero policy's business (ratio) or an error (/);
            # away from 0, an integral divisor is at least 1 in size.
            if isinstance(right, ast.NameRef) and self.is_integral(right.name) and b.lo is not None and b.lo >= 0:
                if b.hi is not None and b.hi < ONE:
                    # Only 0 here (a `na when` leaves nothing else): no quotient is ever taken, any
                    # range holds for it, and 0 adds nothing to what the zero policy gives.
                    return Interval(ZERO, ZERO)
                b = Interval(ONE, b.hi)
            else:
                return EVERYTHING
        return _div(a, b)

    def _scaled_part(
        self, left: ast.Node, right: ast.Node, own_max: Fraction, env: Mapping[str, Interval]
    ) -> Interval | None:
        """`k * part / whole` with part <= whole: k's range times [0, 1]."""
        if not isinstance(right, ast.NameRef) or not isinstance(left, ast.BinOp) or left.op != "*":
            return None
        for part, factor in ((left.left, left.right), (left.right, left.left)):
            if isinstance(part, ast.NameRef) and self.is_whole(part.name, right.name):
                part_range = self.range(part, own_max, env)
                k = self.range(factor, own_max, env)
                if part_range is not None and part_range.lo is not None and part_range.lo >= 0 and k is not None:
                    return _mul(k, Interval(ZERO, ONE))
        return None

    def _call(self, expr: ast.Call, own_max: Fraction, env: Mapping[str, Interval]) -> Interval | None:
        args = [self.range(a, own_max, env) for a in expr.args]
        if any(a is None for a in args):
            return None
        ranges = [a for a in args if a is not None]
        if expr.func == "ratio":
            if self.ratios_fail and ranges[1].contains(ZERO):
                self.risky_divisions.append((expr.args[1], ranges[1]))
            return self._divide(expr.args[0], expr.args[1], ranges[0], ranges[1])
        if expr.func == "min":
            return _lowest(ranges)
        if expr.func == "max":
            return _highest(ranges)
        # clamp(v, low, high) is min(max(v, low), high), as the evaluator computes it; and since the
        # evaluator refuses low > high, a value it gives also lies in [low, high].
        value, low, high = ranges
        found = _lowest([_highest([value, low]), high])
        return found.intersect(Interval(low.lo, high.hi)) or found


def _lowest(ranges: list[Interval]) -> Interval:
    """The range of the smallest of values from each range (min)."""
    lo = None if any(a.lo is None for a in ranges) else min(a.lo for a in ranges if a.lo is not None)
    his = [a.hi for a in ranges if a.hi is not None]
    return Interval(lo, min(his) if his else None)


def _highest(ranges: list[Interval]) -> Interval:
    """The range of the largest of values from each range (max)."""
    los = [a.lo for a in ranges if a.lo is not None]
    hi = None if any(a.hi is None for a in ranges) else max(a.hi for a in ranges if a.hi is not None)
    return Interval(max(los) if los else None, hi)


def _union_all(parts: Iterable[Interval | None]) -> Interval | None:
    out: Interval | None = None
    for part in parts:
        if part is None:
            return None
        out = part if out is None else out.union(part)
    return out


_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}


def refine(
    condition: ast.Node, analysis: RangeAnalysis, env: Mapping[str, Interval]
) -> tuple[dict[str, Interval], dict[str, Interval]]:
    """Fact ranges when `condition` holds, and when it does not.

    Understands `fact OP literal` (either side), `and`, `or` and `not`; anything
    else leaves the ranges as they are.
    """
    if isinstance(condition, ast.Not):
        yes, no = refine(condition.operand, analysis, env)
        return no, yes
    if isinstance(condition, ast.And):
        left_yes, _ = refine(condition.left, analysis, env)
        both_yes, _ = refine(condition.right, analysis, left_yes)
        return both_yes, dict(env)
    if isinstance(condition, ast.Or):
        _, left_no = refine(condition.left, analysis, env)
        _, both_no = refine(condition.right, analysis, left_no)
        return dict(env), both_no
    if isinstance(condition, ast.Compare):
        return _refine_compare(condition, analysis, env)
    return dict(env), dict(env)


def _refine_compare(
    cmp: ast.Compare, analysis: RangeAnalysis, env: Mapping[str, Interval]
) -> tuple[dict[str, Interval], dict[str, Interval]]:
    name, bound = None, None
    op: str = cmp.op
    if isinstance(cmp.left, ast.NameRef) and constant(cmp.right) is not None:
        name, bound = cmp.left.name, constant(cmp.right)
    elif isinstance(cmp.right, ast.NameRef) and constant(cmp.left) is not None:
        name, bound = cmp.right.name, constant(cmp.left)
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
    if name is None or bound is None:
        return dict(env), dict(env)
    current = env.get(name) or analysis.fact(name)
    if current is None:
        return dict(env), dict(env)
    integral = analysis.is_integral(name)
    return (
        _narrow(env, name, current, op, bound, integral),
        _narrow(env, name, current, _FLIP[op], bound, integral),
    )


def constant(node: ast.Node) -> Fraction | None:
    """The value of a number or percent literal, negated ones too (`x > -1`)."""
    if isinstance(node, (ast.Number, ast.Percent)):
        return _literal(node.value, percent=isinstance(node, ast.Percent))
    if isinstance(node, ast.Neg):
        inner = constant(node.operand)
        return None if inner is None else -inner
    return None


def _narrow(
    env: Mapping[str, Interval], name: str, current: Interval, op: str, bound: Fraction, integral: bool
) -> dict[str, Interval]:
    out = dict(env)
    if op in (">", ">="):
        # A whole number above 2.5 is at least 3 (not 3.5), above 2 at least 3, at least 2.5 at least 3.
        low = (math.floor(bound) + 1 if op == ">" else math.ceil(bound)) if integral else bound
        new = current.intersect(Interval(Fraction(low), None))
    elif op in ("<", "<="):
        high = (math.ceil(bound) - 1 if op == "<" else math.floor(bound)) if integral else bound
        new = current.intersect(Interval(None, Fraction(high)))
    elif op == "=":  # a whole number is never 2.5: nothing narrowed (the branch never runs)
        new = current.intersect(Interval.point(bound)) if not integral or bound.denominator == 1 else None
    else:  # "!=": only an end can be cut off
        new = current
        if integral and current.lo == bound:
            new = Interval(bound + 1, current.hi)
        elif integral and current.hi == bound:
            new = Interval(current.lo, bound - 1)
    if new is not None:
        excludes_zero = (op == ">" and bound >= 0) or (op == "<" and bound <= 0) or (op == "!=" and bound == 0)
        out[name] = Interval(new.lo, new.hi, new.nonzero or excludes_zero)
    return out


def range_analysis(rules: Merged) -> RangeAnalysis:
    """The range analysis of a merged rule set: its facts (the last declaration of a name wins) and maxima."""
    facts = {f.name: f for f in reversed(rules.facts)}
    maxima = {c.id: Fraction(c.max) for c in rules.criteria if c.max is not None}
    return RangeAnalysis(facts, maxima)
