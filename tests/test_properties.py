"""Property-based tests: the guarantees of an evaluation, on every shipped rule set.

Facts are drawn from each rule set's own `fact` declarations (types, bounds,
part <= whole constraints), weighted towards the values where scores change:
0, a part equal to its whole, values exactly at the tier thresholds written in
the rules, and just below them. Every drawn unit must then satisfy:

1. 0 <= score <= effective_max <= max at every node;
2. a node without its own formula is the exact sum of its children;
3. the losses add up exactly to max - base_score, and the total is
   clamp(base + bonus - penalty, 0, max);
4. an n/a node scores its full maximum, or is excluded (0 of 0);
5. evaluation is deterministic, and tracing does not change any score;
6. no score has more decimals than the rounding policies allow;
7. every percentage is the score over the effective maximum, rounded by the
   header's `percent rounding` policy (recomputed here with Fractions).

Profiles: "dev" (200 examples), "ci" (1000; loaded when CI is set) and
"thorough" (20000); HYPOTHESIS_PROFILE picks one explicitly.
"""

from __future__ import annotations

import datetime
import functools
import math
import os
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import cchc_rules
from cchc_rules import ast
from cchc_rules.checks import expressions, walk
from cchc_rules.facts import literal_value
from cchc_rules.result import NodeResult, Result
from cchc_rules.ruleset import RuleSet

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"
FACTS_THANH_THUY = ROOT / "examples" / "thanh-thuy-2023" / "facts.yaml"

# ---- hypothesis profiles ---------------------------------------------------------

_PROFILES: dict[str, dict[str, Any]] = {
    "dev": {"max_examples": 200, "deadline": None},
    "ci": {"max_examples": 1000, "deadline": None},
    "thorough": {"max_examples": 20000, "deadline": None},
}
_HYPOTHESIS_DEFAULT = settings.get_profile("default").max_examples
for _name, _options in _PROFILES.items():
    try:
        _existing = settings.get_profile(_name)
    except InvalidArgument:  # not registered yet (tests/conftest.py may do it first)
        settings.register_profile(_name, **_options)
        continue
    if _name == "ci" and _existing.max_examples == _HYPOTHESIS_DEFAULT:
        # Hypothesis ships a built-in "ci" profile (100 examples): ours, unless conftest registered its own.
        settings.register_profile(_name, parent=_existing, **_options)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)

MAX_EXAMPLES = settings.get_profile(PROFILE).max_examples
PROPERTY = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---- the shipped rule sets ---------------------------------------------------------

_HEADER = re.compile(r'^\s*ruleset\s+"', re.MULTILINE)


def shipped_rule_sets() -> list[Path]:
    """Every rule set under rules/: a file with its own `ruleset` header, or a folder of parts."""
    out: list[Path] = []
    folders: dict[Path, list[Path]] = {}
    for path in sorted(RULES_DIR.glob("**/*.cchc")):
        folders.setdefault(path.parent, []).append(path)
    for folder, files in sorted(folders.items()):
        with_header = [f for f in files if _HEADER.search(f.read_text(encoding="utf-8-sig"))]
        if len(with_header) == len(files):
            out.extend(files)  # each file is a complete rule set
        else:
            out.append(folder)  # one rule set split over several files
    return out


RULE_SETS = shipped_rule_sets()
RULE_IDS = [str(p.relative_to(ROOT)) for p in RULE_SETS]


@functools.cache
def load(path: Path) -> RuleSet:
    return cchc_rules.load(path)


def test_rule_sets_are_shipped() -> None:
    assert RULE_SETS, f"no .cchc rule set under {RULES_DIR}"


# ---- facts from a rule set's declarations ------------------------------------------

BIG_COUNT = 10**6
UNIT = {"count": Fraction(1), "integer": Fraction(1), "decimal": Fraction(1, 1000), "percent": Fraction(1, 100_000)}
"""The smallest step drawn per kind (percent: 0.001 percent point, as a fraction)."""


def _all_expressions(rules: RuleSet) -> Iterator[ast.Node]:
    for crit in rules.checked.nodes.values():
        for expr in expressions(crit):
            yield from walk(expr)


@functools.cache
def thresholds(rules: RuleSet) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """The percent literals (as fractions: 75% -> 3/4) and plain numbers written in the rules' formulas."""
    percents: set[Fraction] = set()
    numbers: set[Fraction] = set()
    for node in _all_expressions(rules):
        if isinstance(node, ast.Percent):
            percents.add(Fraction(node.value) / 100)
        elif isinstance(node, ast.Number):
            numbers.add(Fraction(node.value))
    return tuple(sorted(percents)), tuple(sorted(numbers))


@functools.cache
def date_literals(rules: RuleSet) -> tuple[datetime.date, ...]:
    found = {datetime.date.fromisoformat(n.value) for n in _all_expressions(rules) if isinstance(n, ast.DateLit)}
    for decl in rules.checked.facts.values():
        for bound in (decl.min, decl.max):
            if isinstance(bound, ast.DateLit):
                found.add(datetime.date.fromisoformat(bound.value))
    return tuple(sorted(found))


def fact_order(rules: RuleSet) -> list[str]:
    """Facts ordered so that a whole is drawn before the parts bounded by it."""
    decls = rules.checked.facts
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise AssertionError(f"cyclic bounds through fact {name}")
        state[name] = 1
        for bound in (decls[name].min, decls[name].max):
            if isinstance(bound, ast.NameRef) and bound.name in decls:
                visit(bound.name)
        state[name] = 2
        order.append(name)

    for name in decls:
        visit(name)
    return order


def _limits(decl: ast.FactDecl, values: dict[str, Any]) -> tuple[Any, Any, list[Any]]:
    """Lower and upper limit of a fact given the facts drawn so far, and the wholes it is part of."""
    lo: Any = None
    hi: Any = None
    wholes: list[Any] = []
    kind = decl.type.name
    if kind == "count":
        lo = Fraction(0)
    if kind == "percent":  # as validation does: 0%..100% unless declared otherwise
        lo = Fraction(0) if decl.min is None else None
        hi = Fraction(1) if decl.max is None else None
    for bound, is_low in ((decl.min, True), (decl.max, False)):
        if bound is None:
            continue
        if isinstance(bound, ast.NameRef):
            limit = values[bound.name]
            if not is_low:
                wholes.append(limit)
        else:
            limit = literal_value(bound)
        if is_low:
            lo = limit if lo is None else max(lo, limit)
        else:
            hi = limit if hi is None else min(hi, limit)
    return lo, hi, wholes


def _grid_ceil(x: Fraction, unit: Fraction) -> int:
    return math.ceil(x / unit)


def _grid_floor(x: Fraction, unit: Fraction) -> int:
    return math.floor(x / unit)


@functools.cache
def _grid_thresholds(rules: RuleSet, kind: str) -> tuple[tuple[Fraction, ...], tuple[int, ...]]:
    """Percent thresholds as fractions, and the integral multiples of the kind's unit among the numbers."""
    unit = UNIT[kind]
    percents, numbers = thresholds(rules)
    on_grid = tuple(sorted({int(n / unit) for n in numbers if (n / unit).denominator == 1}))
    return percents, on_grid


# Sizes of a whole where percent thresholds fall exactly, or awkwardly (the Thanh Thủy figures).
WHOLE_SIZES = (2, 3, 4, 5, 10, 19, 20, 100, 139, 1000, 1754, 1935)


def numeric_value(draw: st.DrawFn, rules: RuleSet, decl: ast.FactDecl, lo: Any, hi: Any, wholes: list[Any]) -> Fraction:
    """A number in [lo, hi] on the kind's grid, weighted towards edge values.

    Values are handled as whole multiples of the kind's unit (1 for counts,
    0.001 for decimals, 0.001 percent point for percents).
    """
    kind = decl.type.name
    unit = UNIT[kind]
    percents, numbers = _grid_thresholds(rules, kind)
    lo_g = _grid_ceil(lo, unit) if lo is not None else None
    hi_g = _grid_floor(hi, unit) if hi is not None else None
    if lo_g is not None and hi_g is not None and lo_g > hi_g:
        return draw(st.nothing())  # no value fits (cannot happen with the shipped bounds)
    low = lo_g if lo_g is not None else (hi_g - BIG_COUNT if hi_g is not None else -BIG_COUNT)
    high = hi_g if hi_g is not None else low + BIG_COUNT
    one = int(1 / unit)  # the number 1 on the grid

    edges: set[int] = {low, high, 0, one, high - 1, low + 1}
    if kind == "percent":
        for t in percents:  # exactly at a tier threshold, just below it (0.001 and 0.01 point), just above
            g = _grid_ceil(t, unit)
            edges |= {g, g - 1, g - 1000, g + 1}
    else:
        for n in numbers:  # literals in comparisons and tiers (doi_thoai >= 5)
            edges |= {n, n - 1, n + 1}
        for w in wholes:  # a part of a whole: all of it, just below, at and below each ratio threshold
            wg = _grid_floor(w, unit)
            edges |= {wg, wg - 1, wg - one}
            for t in percents:
                c = math.ceil(t * wg)
                edges |= {c, c - 1, math.floor(t * wg)}
        if not wholes:
            edges |= {size * one for size in WHOLE_SIZES}
    ordered = sorted(e for e in edges if low <= e <= high)

    branch = draw(st.integers(0, 3))  # shrinks towards the edges, and the smallest of them
    if branch <= 1:
        k = ordered[draw(st.integers(0, len(ordered) - 1))]
    elif branch == 2:
        k = low + draw(st.integers(0, min(high - low, 20)))
    else:
        k = low + draw(st.integers(0, high - low))
    return k * unit


def as_given(kind: str, value: Any) -> Any:
    """A drawn value as a unit would write it in a Python mapping."""
    if kind in ("count", "integer"):
        assert isinstance(value, Fraction) and value.denominator == 1
        return int(value)
    if kind == "decimal":
        return Decimal(value.numerator) / Decimal(value.denominator)
    if kind == "percent":
        points = Decimal((value * 100).numerator) / Decimal((value * 100).denominator)
        return f"{points.normalize():f}%"
    return value


@st.composite
def facts_for(draw: st.DrawFn, rules: RuleSet) -> dict[str, Any]:
    """A plain facts mapping valid for `rules`: every bound and part <= whole constraint holds."""
    decls = rules.checked.facts
    values: dict[str, Any] = {}
    given_: dict[str, Any] = {}
    for name in fact_order(rules):
        decl = decls[name]
        kind = decl.type.name
        lo, hi, wholes = _limits(decl, values)
        if decl.default is not None:
            default = literal_value(decl.default)
            fits = isinstance(default, bool) or ((lo is None or default >= lo) and (hi is None or default <= hi))
            if fits and draw(st.booleans()):
                values[name] = default  # left out: the default applies
                continue
        if kind == "boolean":
            value: Any = draw(st.booleans())
        elif kind == "choice":
            value = draw(st.sampled_from(decl.type.choices))
        elif kind == "date":
            low = lo or datetime.date(2000, 1, 1)
            high = hi or datetime.date(2100, 12, 31)
            near = [d + datetime.timedelta(days=k) for d in date_literals(rules) for k in (-1, 0, 1)]
            near = [d for d in near if low <= d <= high]
            value = draw(st.one_of(st.sampled_from(near), st.dates(low, high)) if near else st.dates(low, high))
        else:
            value = numeric_value(draw, rules, decl, lo, hi, wholes)
        values[name] = value
        given_[name] = as_given(kind, value)
    return {name: given_[name] for name in decls if name in given_}  # declaration order


# ---- the invariants ---------------------------------------------------------------------


def criteria(result: Result) -> list[NodeResult]:
    return [n for n in result.nodes.values() if n.kind == "criterion"]


def check_bounds(rules: RuleSet, result: Result) -> None:
    """1. 0 <= score <= effective_max <= max at every node."""
    for node in result.nodes.values():
        assert Decimal(0) <= node.score <= node.effective_max <= node.max, (
            f"{node.id}: 0 <= {node.score} <= {node.effective_max} <= {node.max}"
        )
        assert node.lost == node.effective_max - node.score, node.id


def check_sums(rules: RuleSet, result: Result) -> None:
    """2. A node without a formula is the exact sum of its children."""
    for node in criteria(result):
        if node.has_formula or not node.children:
            continue
        kids = [result[k] for k in node.children]
        assert node.score == sum((k.score for k in kids), Decimal(0)), f"{node.id}: score is not its children's sum"
        assert node.effective_max == sum((k.effective_max for k in kids), Decimal(0)), (
            f"{node.id}: effective_max is not its children's sum"
        )


def check_total(rules: RuleSet, result: Result) -> None:
    """3. Losses add up to max - base_score; total = clamp(base + bonus - penalty, 0, max)."""
    areas = [result[a] for a in result.areas]
    assert result.base_score == sum((a.score for a in areas), Decimal(0)), "base_score is not the areas' sum"
    assert result.max == sum((a.effective_max for a in areas), Decimal(0)), "max is not the areas' effective_max sum"
    adjustments = [result[a] for a in result.adjustments]
    assert result.bonus == sum((a.score for a in adjustments if a.kind == "bonus"), Decimal(0))
    assert result.penalty == sum((a.score for a in adjustments if a.kind == "penalty"), Decimal(0))
    lost = sum((n.lost for n in result.losses()), Decimal(0))
    assert lost == result.max - result.base_score, f"losses {lost} != {result.max} - {result.base_score}"
    expected = min(max(result.base_score + result.bonus - result.penalty, Decimal(0)), result.max)
    assert result.score == expected, f"total {result.score} != clamp(base + bonus - penalty) = {expected}"


def check_not_applicable(rules: RuleSet, result: Result) -> None:
    """4. An n/a node is full (score = effective_max = max) or excluded (0 of 0)."""
    for node in result.nodes.values():
        assert node.status in ("scored", "n_a"), f"{node.id}: status {node.status!r}"
        if node.status == "n_a":
            full = node.effective_max == node.max and node.score == node.max
            excluded = node.effective_max == 0 and node.score == 0
            assert full or excluded, f"{node.id}: n/a with {node.score}/{node.effective_max} (max {node.max})"
            assert not node.reasons, f"{node.id}: n/a but gives reasons {node.reasons}"


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@functools.cache
def allowed_places(rules: RuleSet) -> dict[str, int]:
    """Decimals a node's score may have: its rounding if it has a formula, its maximum (n/a full), its children."""
    checked = rules.checked
    out: dict[str, int] = {}
    for node_id in reversed((*checked.order, *checked.adjustments)):  # children before parents
        crit = checked.nodes[node_id]
        places = _places(crit.max) if crit.max is not None else 0
        if crit.formula is not None:
            places = max(places, checked.rounding[node_id].places)
        for kid in checked.children.get(node_id, ()):
            places = max(places, out[kid])
        out[node_id] = places
    return out


def check_places(rules: RuleSet, result: Result) -> None:
    """6. No score has more decimals than its rounding allows (3 for the 2023 set)."""
    allowed = allowed_places(rules)
    for node in result.nodes.values():
        assert _places(node.score) <= allowed[node.id], f"{node.id}: {node.score} has over {allowed[node.id]} decimals"
    total = max((allowed[a] for a in (*result.areas, *result.adjustments)), default=0)
    assert _places(result.score) <= total, f"total {result.score} has over {total} decimals"


def round_nonnegative(x: Fraction, places: int, mode: str) -> Fraction:
    """Round x >= 0 to `places` decimals (independent of cchc_rules.numbers)."""
    assert x >= 0
    scaled = x * 10**places
    floor = math.floor(scaled)
    ceil = math.ceil(scaled)
    if mode in ("down", "floor"):
        chosen = floor
    elif mode in ("up", "ceiling"):
        chosen = ceil
    elif scaled - floor != Fraction(1, 2):
        chosen = math.floor(scaled + Fraction(1, 2))
    elif mode == "half_up":
        chosen = ceil
    elif mode == "half_down":
        chosen = floor
    else:  # half_even
        chosen = floor if floor % 2 == 0 else ceil
    return Fraction(chosen, 10**places)


def expected_percent(rules: RuleSet, score: Decimal, maximum: Decimal) -> Fraction | None:
    if maximum == 0:
        return None
    policy = rules.checked.header.percent_rounding
    places, mode = (policy.places, policy.mode) if policy is not None else (2, "half_up")
    return round_nonnegative(Fraction(score) / Fraction(maximum) * 100, places, mode)


def check_percent(rules: RuleSet, result: Result) -> None:
    """7. percent = round(score / effective_max * 100) by the header's percent rounding."""
    for node in result.nodes.values():
        want = expected_percent(rules, node.score, node.effective_max)
        got = None if node.percent is None else Fraction(node.percent)
        assert got == want, (
            f"{node.id}: percent {node.percent}, expected {_show(want)} ({node.score}/{node.effective_max})"
        )
    want = expected_percent(rules, result.score, result.max)
    got = None if result.percent is None else Fraction(result.percent)
    assert got == want, f"total: percent {result.percent}, expected {_show(want)} ({result.score}/{result.max})"


def _show(value: Fraction | None) -> str:
    return "None" if value is None else str(Decimal(value.numerator) / Decimal(value.denominator))


INVARIANTS: tuple[Callable[[RuleSet, Result], None], ...] = (
    check_bounds,
    check_sums,
    check_total,
    check_not_applicable,
    check_places,
    check_percent,
)


def check_invariants(rules: RuleSet, result: Result) -> None:
    """Every invariant that needs one evaluation (all but determinism)."""
    for invariant in INVARIANTS:
        invariant(rules, result)


# ---- the properties ----------------------------------------------------------------------

rule_sets = pytest.mark.parametrize("path", RULE_SETS, ids=RULE_IDS)


def _evaluate(path: Path, data: st.DataObject, trace: bool = False) -> tuple[RuleSet, Result]:
    rules = load(path)
    facts = data.draw(facts_for(rules), label="facts")
    return rules, rules.evaluate(facts, trace=trace)


@rule_sets
@PROPERTY
@given(data=st.data())
def test_scores_within_bounds(path: Path, data: st.DataObject) -> None:
    check_bounds(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_parent_is_sum_of_children(path: Path, data: st.DataObject) -> None:
    check_sums(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_losses_and_total(path: Path, data: st.DataObject) -> None:
    check_total(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_not_applicable_is_full_or_excluded(path: Path, data: st.DataObject) -> None:
    check_not_applicable(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_deterministic_and_trace_neutral(path: Path, data: st.DataObject) -> None:
    rules = load(path)
    facts = data.draw(facts_for(rules), label="facts")
    first = rules.evaluate(facts)
    second = rules.evaluate(facts)
    untraced = rules.evaluate(facts, trace=False)
    assert first.to_json(trace=True) == second.to_json(trace=True)
    assert first.to_json() == second.to_json() == untraced.to_json()
    assert [(n.id, n.score, n.effective_max, n.status) for n in first.nodes.values()] == [
        (n.id, n.score, n.effective_max, n.status) for n in untraced.nodes.values()
    ]
    assert (first.score, first.max, first.percent) == (untraced.score, untraced.max, untraced.percent)


@rule_sets
@PROPERTY
@given(data=st.data())
def test_scores_respect_rounding(path: Path, data: st.DataObject) -> None:
    check_places(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_percent_is_rounded_ratio(path: Path, data: st.DataObject) -> None:
    check_percent(*_evaluate(path, data))


# ---- checks on the strategy and an example --------------------------------------------------


@rule_sets
@settings(max_examples=min(MAX_EXAMPLES, 200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_drawn_facts_are_valid(path: Path, data: st.DataObject) -> None:
    """The strategy only draws facts the rule set accepts, with every part within its whole."""
    rules = load(path)
    valid = rules.facts(data.draw(facts_for(rules), label="facts"))
    for name, decl in rules.checked.facts.items():
        if isinstance(decl.max, ast.NameRef):
            part: Any = valid.values[name]
            assert part <= valid.values[decl.max.name]


def test_thanh_thuy_2023_invariants() -> None:
    path = ROOT / "rules" / "hai-duong" / "xa" / "2023.cchc"
    rules = load(path)
    result = rules.evaluate(FACTS_THANH_THUY)
    check_invariants(rules, result)
    assert allowed_places(rules)["3.5.2"] == 3
    assert rules.evaluate(FACTS_THANH_THUY).to_json(trace=True) == result.to_json(trace=True)
    assert rules.evaluate(FACTS_THANH_THUY, trace=False).to_json() == result.to_json()
