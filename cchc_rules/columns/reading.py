"""Fact columns from plain mappings of fact names to values, as JSON lines and workbooks give them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import compress, repeat
from math import lcm
from operator import add, ge, itemgetter, le, mul, not_, sub
from typing import Any

from cchc_rules.columns import arithmetic as ar
from cchc_rules.columns.arithmetic import Num
from cchc_rules.columns.batch import Batch
from cchc_rules.compiler import _LIMIT, CompiledRules, _plain_number
from cchc_rules.facts import Facts, Value
from cchc_rules.limits import MAX_FACT_DECIMALS, MAX_FACT_INTEGER_DIGITS

NUMERIC = ("count", "integer", "decimal", "percent")


def read_facts(
    compiled: CompiledRules,
    kinds: Mapping[str, str],
    b: Batch,
    units: Sequence[Mapping[str, Any]],
    names: Sequence[str],
) -> dict[int, Facts]:
    """Fact columns; a unit that is not plain is validated alone (`CompiledRules.facts`) or left slow."""
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
    dicts = [u if r not in unusual else nothing for r, u in enumerate(units)] if unusual else units
    given_all: list[Any] | None = None
    if len(plans) > 1:  # (itemgetter of one name gives the value itself, not a tuple)
        try:  # every unit gives every fact, the usual case: one call a unit, then transposed
            given_all = list(zip(*map(itemgetter(*(p[0] for p in plans)), dicts), strict=True))
            b.every_given = True
        except KeyError:  # a fact left out: its default applies
            given_all = None
    if given_all is None:
        given_all = [[given.get(p[0], _MISSING) for given in dicts] for p in plans]
    pairs: dict[str, list[Any]] = {}  # numeric columns with unlike denominators: (numerator, denominator)
    extremes: dict[str, tuple[int, int]] = {}  # whole-number columns' least and greatest numerators
    for (name, parse, default, _), column in zip(plans, given_all, strict=True):
        kind = kinds[name]
        raw = list(column)
        numeric = kind in NUMERIC
        scale = 100 if kind == "percent" else 1
        types = set(map(type, raw))
        if numeric and types == {int}:
            low, high = min(raw), max(raw)
            if low > -_LIMIT and high < _LIMIT and (scale == 1 or 1 not in raw):
                b.num[name] = (raw, scale)  # whole numbers, the usual case: nothing to convert
                extremes[name] = (low, high)
                continue
        if kind == "boolean" and types == {bool}:
            b.other[name] = raw
            continue
        if types == {str} and kind in ("decimal", "percent"):  # decimals as JSON lines carry them
            texts = raw  # the values as given stay in `raw`: the reading value by value below cuts its own sign
            if scale == 100:
                signed = list(map(str.endswith, raw, repeat("%")))
                if all(signed):  # "87.25%" (as most do): the sign cut off in one C-level pass
                    texts = list(map(itemgetter(slice(None, -1)), raw))
                elif any(signed):
                    texts = [v[:-1] if v.endswith("%") else v for v in raw]
            read = _plain_decimals(texts, scale)
            if read is not None and scale == 100 and not all(signed):
                # A bare percentage in (0, 1] is refused by the parser: such a column is read value by value.
                top = read[1] // 100  # n / den is the fraction; the text without a sign is n / top points
                if any(0 < n <= top for n in compress(read[0], map(not_, signed))):
                    read = None
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
                quick = _plain_number(value, kind_of, parse)  # what the per-unit fast path reads
                if quick is not None:
                    values.append(_pair(quick))
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
    for name in pairs:  # columns rewritten over a common denominator: their extremes are not known
        extremes.pop(name, None)
    check_bounds(compiled, b, extremes)
    return parsed


def check_bounds(compiled: CompiledRules, b: Batch, extremes: Mapping[str, tuple[int, int]] | None = None) -> None:
    """Rows breaking a numeric fact's declared bound are slow: the usual validation names the problem.

    Other kinds need no check here: yes/no facts have no bounds, and dates and choices always go
    through `CompiledRules.facts`, which checks them. `extremes`: the least and greatest numerators of
    whole-number columns, already known.
    """
    known = extremes or {}
    for name, _, _, bounds in compiled._fact_plans:
        value = b.num.get(name)
        if value is None:
            continue
        for is_low, literal, other in bounds:
            if other:
                if other not in b.num:  # bounded by a fact that is not a number: left to the usual way
                    b.slow.update(b.all)
                    continue
                limit = b.num[other]
                like = type(value[1]) is int and value[1] == limit[1]  # like quantities: on numerators, in C
                if like and all(map(ge if is_low else le, value[0], limit[0])):
                    continue
            elif type(literal) is Fraction:
                n, d = value
                if n and type(d) is int:  # the whole column within a fixed bound: the usual case, at once
                    edges = known.get(name)
                    edge = (edges[0] if is_low else edges[1]) if edges else min(n) if is_low else max(n)
                    top, bottom = literal.as_integer_ratio()  # a C call, where `.numerator` is a property
                    a, c = edge * bottom, top * d
                    if (a >= c) if is_low else (a <= c):
                        continue
                limit = ([literal.numerator] * len(b.all), literal.denominator)
            else:
                continue
            within = ar.compare(">=" if is_low else "<=", value, limit)
            if not all(within):
                b.slow.update(r for r, ok in enumerate(within) if not ok)


def _plain_decimals(texts: list[str], scale: int) -> Num | None:
    """A whole column of `compiler.plain_decimal` texts read at once, over one denominator (None if any is not).

    Every step is a C-level pass over the column (`map` of built-ins): no Python code per value.
    """
    if not texts:
        return [], scale
    parts = list(map(str.partition, texts, repeat(".")))
    heads = list(map(itemgetter(0), parts))
    tails = list(map(itemgetter(2), parts))
    digits = "".join(heads) + "".join(tails)  # a second point, a sign, a space or a comma: not all digits
    if not (digits.isascii() and digits.isdigit()):
        return None
    widths = list(map(len, heads))
    if min(widths) == 0 or max(widths) > MAX_FACT_INTEGER_DIGITS:
        return None
    places = list(map(len, tails))
    most = max(places)
    if most > MAX_FACT_DECIMALS:
        return None
    if list(map(itemgetter(1), parts)).count(".") != len(places) - places.count(0):  # a point, no digit after it
        return None
    # Every value over 10**most: "12.5" and "3.25" are 1250 and 325 over 100.
    whole = map(int, map(add, heads, tails))
    if min(places) == most:
        return list(whole), _POW10[most] * scale
    return list(map(mul, whole, map(_POW10.__getitem__, map(sub, repeat(most), places)))), _POW10[most] * scale


_POW10 = [10**k for k in range(MAX_FACT_DECIMALS + 1)]


def _pair(value: Value) -> tuple[int, int]:
    assert type(value) is Fraction
    return value.numerator, value.denominator


_MISSING = object()
