"""Property-based testing for rule sets: hypothesis strategies and the guarantees to check.

Policy staff can test their own rule set the way the shipped ones are tested:

    from hypothesis import given
    import cchc_rules
    from cchc_rules.testing import check_invariants, facts_strategy

    rules = cchc_rules.load("rules/hai-duong/xa/2023.cchc")

    @given(facts_strategy(rules))
    def test_my_rules(facts):
        check_invariants(rules, rules.evaluate(facts))

`facts_strategy` draws facts from the rule set's own declarations, weighted
towards the values where scores change (0, a part equal to its whole, tier
thresholds and just below them). `check_invariants` asserts the guarantees:
scores within [0, max], parents equal to their children's sum, losses adding
up, n/a nodes following their policy, decimals as declared, percentages
rounded as declared. `rule_sets` generates random well-formed rule sets, for
testing the checker itself. This module needs hypothesis
(`pip install 'cchc-rules[testing]'`).
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from cchc_rules import ast
from cchc_rules.checks import expressions, walk
from cchc_rules.facts import literal_value
from cchc_rules.result import NodeResult, Result
from cchc_rules.ruleset import RuleSet
from cchc_rules.source import Span
from cchc_rules.vocabulary import ROUNDING_MODES

# ---- facts from a rule set's declarations ------------------------------------------------

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
def facts_strategy(draw: st.DrawFn, rules: RuleSet) -> dict[str, Any]:
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
            if low > high:  # a date bounded by another drawn past this one's own bound: no value fits
                return draw(st.nothing())
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
        # What a penalty loses is its own score, taken off the total.
        assert node.lost == (node.score if node.kind == "penalty" else node.effective_max - node.score), node.id


def check_reasons(rules: RuleSet, result: Result) -> None:
    """7. Reasons only where points were lost (a criterion below its maximum, a penalty that applies),
    and every such node whose rule has an unconditional reason gives it."""
    for node in result.nodes.values():
        if node.reasons:
            assert node.lost > 0, f"{node.id}: reasons {node.reasons} but nothing lost"
        crit = rules.checked.nodes[node.id]
        if node.lost > 0 and node.has_formula and any(r.condition is None for r in crit.reasons):
            assert node.reasons, f"{node.id}: lost {node.lost} without its reason"


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
    """5. No score has more decimals than its rounding allows (3 for the 2023 set)."""
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
    """6. percent = round(score / effective_max * 100) by the header's percent rounding."""
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
    check_reasons,
)


def check_invariants(rules: RuleSet, result: Result) -> None:
    """Every invariant that needs one evaluation (all but determinism)."""
    for invariant in INVARIANTS:
        invariant(rules, result)


# ---- random rule sets -----------------------------------------------------------------------

_SPAN = Span(file="<sinh>", line=1, column=1, end_line=1, end_column=1)
_MAXIMA = (Decimal("0.25"), Decimal("0.5"), Decimal("1"), Decimal("1.5"), Decimal("2"), Decimal("3"))
_GENERATED_FACTS = (
    ast.FactDecl(span=_SPAN, name="so_lan", type=ast.FactType(span=_SPAN, name="count"), description="Số lần"),
    ast.FactDecl(
        span=_SPAN, name="tong", type=ast.FactType(span=_SPAN, name="count"), description="Tổng số", given=True
    ),
    ast.FactDecl(
        span=_SPAN,
        name="phan",
        type=ast.FactType(span=_SPAN, name="count"),
        description="Phần của tổng",
        max=ast.NameRef(span=_SPAN, name="tong"),
    ),
    ast.FactDecl(span=_SPAN, name="ty_le", type=ast.FactType(span=_SPAN, name="percent"), description="Tỷ lệ"),
    ast.FactDecl(span=_SPAN, name="co", type=ast.FactType(span=_SPAN, name="boolean"), description="Có hay không"),
    ast.FactDecl(
        span=_SPAN,
        name="so_tien",
        type=ast.FactType(span=_SPAN, name="decimal"),
        description="Số tiền",
        min=ast.Number(span=_SPAN, value=Decimal(0)),
        max=ast.Number(span=_SPAN, value=Decimal(100)),
    ),
)


def _num(value: Decimal | int | str) -> ast.Number:
    return ast.Number(span=_SPAN, value=Decimal(value))


def _pct(value: int) -> ast.Percent:
    return ast.Percent(span=_SPAN, value=Decimal(value))


def _name(name: str) -> ast.NameRef:
    return ast.NameRef(span=_SPAN, name=name)


_MAX = ast.OwnMax(span=_SPAN)


@st.composite
def _condition(draw: st.DrawFn) -> ast.Node:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return _name("co")
    if kind == 1:
        return ast.Compare(
            span=_SPAN,
            op=draw(st.sampled_from((">=", ">", "<", "="))),
            left=_name("so_lan"),
            right=_num(draw(st.integers(0, 6))),
        )
    return ast.Compare(span=_SPAN, op=">=", left=_name("ty_le"), right=_pct(draw(st.sampled_from((50, 75, 80, 100)))))


_FRACTIONS = st.sampled_from((Decimal("0"), Decimal("0.25"), Decimal("0.5"), Decimal("0.75")))


@st.composite
def _formula(draw: st.DrawFn, maximum: Decimal, others: list[str]) -> ast.Node:
    """A leaf formula; some shapes are deliberately unsafe, for the checker to reject."""
    k = draw(st.integers(0, 10))
    fraction = draw(_FRACTIONS)
    if k == 0:
        return ast.If(span=_SPAN, condition=draw(_condition()), then=_MAX, otherwise=_num(0))
    if k == 1:
        zero = draw(st.sampled_from(("full", "zero", "na")))
        ratio = ast.Call(
            span=_SPAN,
            func="ratio",
            args=(_name("phan"), _name("tong")),
            options=(ast.Option(span=_SPAN, name="zero", value=zero),),
        )
        return ast.BinOp(span=_SPAN, op="*", left=_MAX, right=ratio)
    if k == 2:
        cuts = sorted(draw(st.sets(st.integers(1, 100), min_size=1, max_size=4)), reverse=True)
        parts = [fraction] + [draw(_FRACTIONS) for _ in cuts[1:]]  # each row its own value
        ranges = draw(st.booleans())  # `>= 90%`, then `>= 75%` (overlapping) or `from 75% to under 90%`

        def test(i: int) -> ast.Node:
            if ranges and i > 0:
                return ast.TierRange(span=_SPAN, low=_pct(cuts[i]), high=_pct(cuts[i - 1]), high_open=True)
            return ast.TierCmp(span=_SPAN, op=">=", bound=_pct(cuts[i]))

        rows = tuple(
            ast.TierRow(
                span=_SPAN,
                test=test(i),
                value=_MAX if i == 0 else ast.BinOp(span=_SPAN, op="*", left=_MAX, right=_num(parts[i])),
            )
            for i in range(len(cuts))
        )
        otherwise = _num(0) if draw(st.booleans()) else None  # without it, a gap the checker must see
        return ast.Tier(span=_SPAN, subject=_name("ty_le"), rows=rows, otherwise=otherwise)
    if k == 3:
        amount = draw(st.sampled_from((Decimal("0.25"), Decimal("0.5"), Decimal("1"))))
        return ast.Deduct(
            span=_SPAN, deductions=(ast.Deduction(span=_SPAN, amount=_num(amount), count=_name("so_lan")),)
        )
    if k == 4:
        product = ast.BinOp(
            span=_SPAN, op="*", left=_num(draw(st.sampled_from(("0.1", "0.5", "2")))), right=_name("so_lan")
        )
        return ast.Call(span=_SPAN, func="clamp", args=(product, _num(0), _MAX))
    if k == 5:
        scaled = ast.BinOp(span=_SPAN, op="/", left=_name("so_tien"), right=_num(100))
        return ast.BinOp(span=_SPAN, op="*", left=_MAX, right=scaled)
    if k == 6 and others:
        ref = ast.CritRef(span=_SPAN, id=draw(st.sampled_from(others)))
        return ast.Call(span=_SPAN, func="min", args=(_MAX, ref))
    if k == 7:  # unsafe: no upper bound on so_lan
        return ast.BinOp(span=_SPAN, op="*", left=_num(draw(st.sampled_from(("0.25", "0.5")))), right=_name("so_lan"))
    if k == 8:  # unsafe: can divide by zero
        return ast.BinOp(
            span=_SPAN, op="/", left=ast.BinOp(span=_SPAN, op="*", left=_MAX, right=_name("phan")), right=_name("tong")
        )
    if k == 9:  # unsafe: a constant above the maximum, or safe when the fraction keeps it below
        return ast.BinOp(span=_SPAN, op="+", left=_MAX, right=_num(fraction))
    return ast.BinOp(span=_SPAN, op="*", left=_MAX, right=_num(fraction))


@st.composite
def rule_sets(draw: st.DrawFn) -> ast.Module:
    """A random rule set: a tree of areas and criteria, maxima that add up, formulas of every
    shape the language has, n/a clauses, rounding overrides, bonus and penalty items.

    Some formulas are unsafe on purpose (unbounded, dividing by zero, a tier with a gap);
    `cchc check` must reject those and accept the rest.
    """
    criteria: list[ast.Criterion] = []
    leaves: list[tuple[int, str, Decimal]] = []  # (place in criteria, id, maximum): formulas come last

    def na_clauses() -> tuple[ast.NotApplicable, ...]:
        if draw(st.integers(0, 4)) != 0:
            return ()
        policy = draw(st.sampled_from(("full", "exclude")))
        return (ast.NotApplicable(span=_SPAN, condition=draw(_condition()), policy=policy),)

    def leaf(node_id: str, maximum: Decimal) -> ast.Criterion:
        na = na_clauses()
        rounding = None
        if draw(st.integers(0, 4)) == 0:
            rounding = ast.Rounding(
                span=_SPAN, places=draw(st.integers(0, 3)), mode=draw(st.sampled_from(ROUNDING_MODES))
            )
        leaves.append((len(criteria), node_id, maximum))
        return ast.Criterion(
            span=_SPAN,
            id=node_id,
            title=f"Tiêu chí {node_id}",
            max=maximum,
            reasons=(ast.Reason(span=_SPAN, template="Mất {lost} điểm"),),
            not_applicable=na,
            rounding=rounding,
        )

    def subtree(node_id: str, depth: int) -> Decimal:
        width = draw(st.integers(0, 3)) if depth < 3 else 0
        if width == 0:
            maximum = draw(st.sampled_from(_MAXIMA))
            criteria.append(leaf(node_id, maximum))
            return maximum
        index = len(criteria)
        criteria.append(ast.Criterion(span=_SPAN, id=node_id, title=f"Tiêu chí {node_id}", not_applicable=na_clauses()))
        total = sum((subtree(f"{node_id}.{i}", depth + 1) for i in range(1, width + 1)), Decimal(0))
        criteria[index] = criteria[index].model_copy(update={"max": total})
        return total

    total = sum((subtree(str(area), 1) for area in range(1, draw(st.integers(1, 3)) + 1)), Decimal(0))
    # Formulas last, so that a leaf may refer to one further down the tree: each refers only to leaves
    # before it in a drawn order, which keeps references free of cycles.
    order = draw(st.permutations([node_id for _, node_id, _ in leaves]))
    for place, node_id, maximum in leaves:
        before = list(order[: order.index(node_id)])
        expr = draw(_formula(maximum, before))
        criteria[place] = criteria[place].model_copy(update={"formula": ast.Formula(span=_SPAN, expr=expr, text="")})
    for kind in ("bonus", "penalty"):
        if draw(st.booleans()):
            maximum = draw(st.sampled_from(_MAXIMA))
            formula = ast.If(span=_SPAN, condition=draw(_condition()), then=_MAX, otherwise=_num(0))
            criteria.append(
                ast.Criterion(
                    span=_SPAN,
                    kind=kind,
                    id=f"{kind}_1",
                    title=kind,
                    max=maximum,
                    formula=ast.Formula(span=_SPAN, expr=formula, text=""),
                    reasons=(ast.Reason(span=_SPAN, template="Điểm {lost} của " + kind),),
                )
            )
    header = ast.Header(
        span=_SPAN,
        name="Bộ quy tắc sinh ngẫu nhiên",
        total=total,
        rounding=ast.Rounding(span=_SPAN, places=draw(st.integers(0, 4)), mode=draw(st.sampled_from(ROUNDING_MODES))),
        percent_rounding=ast.Rounding(
            span=_SPAN, places=draw(st.integers(0, 3)), mode=draw(st.sampled_from(ROUNDING_MODES))
        ),
        na_default=draw(st.sampled_from(("full", "exclude"))),
    )
    return ast.Module(span=_SPAN, file="<sinh>", header=header, facts=_GENERATED_FACTS, criteria=tuple(criteria))
