"""Exact numbers in columns: numerators over a shared or a per-unit denominator, on Python integers."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from itertools import repeat
from math import lcm
from typing import Any

# A column of numbers: numerators, and one denominator for all (an int) or one per unit (a list); denominators > 0.
Num = tuple[list[int], Any]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}


def denominators(d: Any, size: int) -> Any:
    """The denominators of a column unit by unit, whether shared (an int) or one each (a list)."""
    return repeat(d, size) if type(d) is int else d


def add(a: Num, b: Num, sign: int) -> Num:
    """a + sign * b, row by row."""
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


def mul(a: Num, b: Num) -> Num:
    """a * b, row by row."""
    (na, da), (nb, db) = a, b
    n = [x * y for x, y in zip(na, nb, strict=True)]
    if type(da) is int and type(db) is int:
        return n, da * db
    if type(da) is int:
        return n, db if da == 1 else [da * y for y in db]
    if type(db) is int:
        return n, da if db == 1 else [x * db for x in da]
    return n, [x * y for x, y in zip(da, db, strict=True)]


def quotients(a: Num, b: Num, bad: Callable[[int], None], rows: list[int]) -> Num:
    """a / b row by row; a zero b calls `bad(row)` and gives 0."""
    (na, da), (nb, db) = a, b
    if type(da) is int and da == db and nb and min(nb) >= 0:  # like quantities: the usual ratio
        if 0 not in nb:
            return na, nb
        kept_n, kept_d = list(na), list(nb)
        k = -1
        try:  # the few zero denominators found by `list.index`, a C-level scan
            while True:
                k = nb.index(0, k + 1)
                bad(rows[k])
                kept_n[k], kept_d[k] = 0, 1
        except ValueError:
            return kept_n, kept_d
    size = len(na)
    out_n: list[int] = []
    out_d: list[int] = []
    for r, x, dx, y, dy in zip(rows, na, denominators(da, size), nb, denominators(db, size), strict=False):
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


def plus_constant(a: Num, sign: int, c: tuple[int, int], c_sign: int) -> Num:
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


def times_constant(a: Num, c: tuple[int, int]) -> Num:
    """a times a literal (numerator, denominator)."""
    n, d = a
    cn, cd = c
    out = n if cn == 1 else [x * cn for x in n]
    if type(d) is int:
        return out, d * cd
    return out, d if cd == 1 else [y * cd for y in d]


def compare(op: str, a: Num, b: Num) -> list[bool]:
    """a OP b, row by row, cross-multiplied (denominators are positive)."""
    test = _OPS[op]
    (na, da), (nb, db) = a, b
    if type(da) is int and type(db) is int:
        if da == db:
            return _PAIRWISE[op](na, nb)
        return [test(x * db, y * da) for x, y in zip(na, nb, strict=True)]
    size = len(na)
    return [
        test(x * dy, y * dx)
        for x, dx, y, dy in zip(na, denominators(da, size), nb, denominators(db, size), strict=False)
    ]


def pick(a: Num, b: Num, smaller: bool) -> Num:
    """Row by row, the smaller (or larger) of two columns of numbers."""
    first = compare("<=" if smaller else ">=", a, b)
    (na, da), (nb, db) = a, b
    n = [x if f else y for f, x, y in zip(first, na, nb, strict=True)]
    if type(da) is int and da == db:
        return n, da
    size = len(na)
    return n, [x if f else y for f, x, y in zip(first, denominators(da, size), denominators(db, size), strict=False)]


def positions(flags: Sequence[bool]) -> tuple[list[int], list[int]]:
    """Positions of the true and of the false flags."""
    return [i for i, f in enumerate(flags) if f], [i for i, f in enumerate(flags) if not f]


def merge(size: int, pieces: list[tuple[list[int], Any]], kind: str) -> Any:
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
            for i, v in zip(where, denominators(d, len(where)), strict=False):
                out_d[i] = v
    return (out_n, dens.pop()) if shared else (out_n, out_d)


def summed(columns: list[list[int]], nodes: tuple[int, ...], size: int) -> list[int]:
    """Row by row, the sum of some nodes' columns."""
    if not nodes:
        return [0] * size
    if len(nodes) > 2:  # one C-level pass over the units
        return list(map(sum, zip(*[columns[k] for k in nodes], strict=True)))
    total = columns[nodes[0]]  # one node: its own column, shared (`Batch.own` copies before writing)
    for k in nodes[1:]:
        total = list(map(operator.add, total, columns[k]))  # C-level: no Python frame per unit
    return total


def take(rows: list[int], where: list[int]) -> list[int]:
    """The rows at some positions."""
    return [rows[i] for i in where]


_WITH_SCALAR: dict[str, Callable[[list[int], int], list[bool]]] = {
    ">=": lambda xs, t: [x >= t for x in xs],
    ">": lambda xs, t: [x > t for x in xs],
    "<=": lambda xs, t: [x <= t for x in xs],
    "<": lambda xs, t: [x < t for x in xs],
    "=": lambda xs, t: [x == t for x in xs],
    "!=": lambda xs, t: [x != t for x in xs],
}


# x/y OP c/e, with one denominator y per unit (> 0): x*e OP c*y, written out per operator.
_WITH_SCALAR_EACH: dict[str, Callable[[list[int], list[int], int, int], list[bool]]] = {
    ">=": lambda xs, ys, c, e: [x * e >= c * y for x, y in zip(xs, ys, strict=True)],
    ">": lambda xs, ys, c, e: [x * e > c * y for x, y in zip(xs, ys, strict=True)],
    "<=": lambda xs, ys, c, e: [x * e <= c * y for x, y in zip(xs, ys, strict=True)],
    "<": lambda xs, ys, c, e: [x * e < c * y for x, y in zip(xs, ys, strict=True)],
    "=": lambda xs, ys, c, e: [x * e == c * y for x, y in zip(xs, ys, strict=True)],
    "!=": lambda xs, ys, c, e: [x * e != c * y for x, y in zip(xs, ys, strict=True)],
}


def with_constant(op: str, value: Num, constant: tuple[int, int]) -> list[bool]:
    """A column of numbers compared with a literal (numerator, denominator)."""
    n, d = value
    cn, cd = constant
    if type(d) is int:
        if d == cd:
            return _WITH_SCALAR[op](n, cn)
        if d % cd == 0:
            return _WITH_SCALAR[op](n, cn * (d // cd))
        return compare(op, value, ([cn] * len(n), cd))
    return _WITH_SCALAR_EACH[op](n, d, cn, cd)


def in_range(value: Num, low: tuple[int, int], high: tuple[int, int], high_open: bool) -> list[bool]:
    """low <= value < high (or <= high), row by row, where low and high are literals."""
    n, d = value
    (ln, ld), (hn, hd) = low, high
    if type(d) is int and d % ld == 0 and d % hd == 0:  # both bounds on the column's denominator: one pass
        lo, hi = ln * (d // ld), hn * (d // hd)
        return [lo <= x < hi for x in n] if high_open else [lo <= x <= hi for x in n]
    # Otherwise both bounds over one denominator e: lo/e <= x/y < hi/e is lo*y <= x*e < hi*y (y > 0).
    e = lcm(ld, hd)
    lo, hi = ln * (e // ld), hn * (e // hd)
    if type(d) is int:  # one pass still, the column's denominator a scalar
        lo_d, hi_d = lo * d, hi * d
        return [lo_d <= x * e < hi_d for x in n] if high_open else [lo_d <= x * e <= hi_d for x in n]
    if high_open:
        return [lo * y <= x * e < hi * y for x, y in zip(n, d, strict=True)]
    return [lo * y <= x * e <= hi * y for x, y in zip(n, d, strict=True)]
