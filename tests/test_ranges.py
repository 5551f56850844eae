"""The interval analysis behind the checker's proofs: sound (never narrower than the truth) and as
tight as documented, construct by construct.

Soundness is tested against the interpreter on random formulas and facts;
tightness with exact expected ranges, since a range wider than needed turns a
proof into a warning and a narrower one hides a real error.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules import ast
from cchc_rules.build import build_module
from cchc_rules.checks.ranges import EVERYTHING, Interval, RangeAnalysis, refine
from cchc_rules.parser import parse_tree
from cchc_rules.source import SourceFile

F = Fraction
INF = None

DECLS = """
fact n: count "N" max 10
fact m: count "M"
fact part: count "Phần" max whole
fact whole: count "Tổng"
fact d: decimal "D" min -2 max 3
fact free: decimal "Tự do"
fact pos: decimal "Dương" min 1 max 4
fact neg: decimal "Âm" min -4 max -1
fact p: percent "P"
fact i: integer "I" min -5 max 5
fact b: boolean "B"
fact lower: decimal "L" min n
fact q: decimal "Q" min 10% max 50%
fact cap: percent "Trần" max 50%
fact floor3: count "Sàn" min 3
fact sp: decimal "Phần âm" min -1 max whole
fact dt: date "Ngày"
fact ch: choice("tốt", "kém") "Xếp loại"
fact self_ref: decimal "Tự chặn" min self_ref max self_ref
fact cyc_a: decimal "Vòng A" min cyc_b max cyc_b
fact cyc_b: decimal "Vòng B" min cyc_a max cyc_a
fact by_bool: decimal "Chặn bởi có/không" max b
"""


def parsed(formula: str, maximum: str = "7") -> tuple[ast.Node, dict[str, ast.FactDecl]]:
    text = f'ruleset "T" total {maximum} rounding 3 half_up\n{DECLS}\n1 "A": max {maximum}\n  score = {formula}\n'
    source = SourceFile(name="t.cchc", text=text)
    module = build_module(source, parse_tree(source))
    crit = module.criteria[0]
    assert crit.formula is not None
    return crit.formula.expr, {f.name: f for f in module.facts}


def range_of(formula: str, env: dict[str, Interval] | None = None, maxima: dict[str, F] | None = None) -> Interval:
    expr, facts = parsed(formula)
    found = RangeAnalysis(facts, maxima or {"2": F(5)}).range(expr, F(7), env)
    assert found is not None
    return found


# ---- facts and literals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "lo", "hi"),
    [
        ("n", F(0), F(10)),
        ("m", F(0), INF),
        ("d", F(-2), F(3)),
        ("free", INF, INF),
        ("p", F(0), F(1)),
        ("i", F(-5), F(5)),
        ("part", F(0), INF),
        ("lower", F(0), INF),  # min n: at least n's lowest, 0
        ("2.5", F(5, 2), F(5, 2)),
        ("75%", F(3, 4), F(3, 4)),
        ("max", F(7), F(7)),
        ("[2]", F(0), F(5)),
        ("[9]", F(0), INF),  # a reference without a known maximum
        ("q", F(1, 10), F(1, 2)),  # percent bounds on a decimal fact
        ("cap", F(0), F(1, 2)),  # a percent's own [0, 1] narrowed by its `max`
        ("floor3", F(3), INF),  # a count's own 0 raised by its `min`
        ("self_ref", INF, INF),  # a bound naming the fact itself says nothing
        ("cyc_a", INF, INF),  # nor do bounds that name each other in a cycle
        ("by_bool", INF, INF),  # nor a bound naming a non-numeric fact
    ],
)
def test_ranges_of_facts_and_literals(formula: str, lo: F | None, hi: F | None) -> None:
    assert range_of(formula) == Interval(lo, hi)


def test_dates_and_choices_have_no_numeric_range() -> None:
    _, facts = parsed("1")
    analysis = RangeAnalysis(facts, {})
    assert analysis.fact("dt") is None
    assert analysis.fact("ch") is None
    assert analysis.fact("b") is None
    assert analysis.fact("nowhere") is None


@pytest.mark.parametrize(
    "formula", ["b", "n + b", "deduct 1 per b", "deduct b per 1", "deduct 1 per 1 from b", "deduct b per b from b"]
)
def test_a_non_numeric_expression_has_no_range(formula: str) -> None:
    expr, facts = parsed(formula)
    assert RangeAnalysis(facts, {}).range(expr, F(7)) is None


# ---- arithmetic ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "lo", "hi"),
    [
        ("-d", F(-3), F(2)),
        ("-m", INF, F(0)),
        ("n + d", F(-2), F(13)),
        ("n + free", INF, INF),
        ("n - d", F(-3), F(12)),
        ("d - n", F(-12), F(3)),
        ("n * d", F(-20), F(30)),
        ("d * d", F(-6), F(9)),
        ("neg * neg", F(1), F(16)),
        ("pos * neg", F(-16), F(-1)),
        ("m * 2", F(0), INF),
        ("m * -2", INF, F(0)),
        ("0 * free", F(0), F(0)),  # 0 times anything is 0, an infinite end too
        ("m * d", INF, INF),
        ("n / pos", F(0), F(10)),
        ("d / pos", F(-2), F(3)),
        ("d / neg", F(-3), F(2)),
        ("n / neg", F(-10), F(0)),
        ("pos / pos", F(1, 4), F(4)),
        ("n / 4", F(0), F(5, 2)),
        ("pos / neg", F(-4), F(-1, 4)),
        # an infinite end times a finite one takes the sign of their product
        ("2 * -m", INF, F(0)),
        ("neg * m", INF, F(0)),
        ("neg * -m", F(0), INF),
        ("(-m) * neg", F(0), INF),
        ("(-m) * -2", F(0), INF),
        ("n / p", INF, INF),  # a percent divisor may be 0 and is not a whole number: no bound
        ("n / i", INF, INF),  # a whole-number divisor that may be negative: no bound either
        # the criterion's own maximum, wherever `max` stands
        ("-max", F(-7), F(-7)),
        ("2 * max", F(14), F(14)),
    ],
)
def test_ranges_of_arithmetic(formula: str, lo: F | None, hi: F | None) -> None:
    assert range_of(formula) == Interval(lo, hi)


def test_division_by_an_unbounded_positive_range_tends_to_zero() -> None:
    env = {"free": Interval(F(2), None)}
    assert range_of("n / free", env) == Interval(F(0), F(5))
    env = {"free": Interval(None, F(-2))}
    assert range_of("n / free", env) == Interval(F(-5), F(0))


def test_a_divisor_that_may_be_zero_is_recorded_and_gives_no_bound() -> None:
    expr, facts = parsed("n / d")
    analysis = RangeAnalysis(facts, {})
    assert analysis.range(expr, F(7)) == EVERYTHING
    assert [(type(d).__name__, getattr(d, "name", None), found) for d, found in analysis.risky_divisions] == [
        ("NameRef", "d", Interval(F(-2), F(3)))
    ]
    expr, facts = parsed("n / pos")
    analysis = RangeAnalysis(facts, {})
    analysis.range(expr, F(7))
    assert analysis.risky_divisions == []


def test_divisions_in_conditions_and_tiers_are_recorded_and_ratios_only_outside_a_formula() -> None:
    """A division fails wherever it is; a ratio's `zero:` decides a formula, not an `na when`."""
    for formula in ("if n / d > 1 then 1 else 0", "tier n / d\n    when >= 1: 1\n    otherwise: 0"):
        expr, facts = parsed(formula)
        analysis = RangeAnalysis(facts, {})
        analysis.range(expr, F(7))
        assert len(analysis.risky_divisions) == 1, formula
    expr, facts = parsed("if ratio(n, d, zero: zero) > 1 then 1 else 0")
    analysis = RangeAnalysis(facts, {})
    analysis.range(expr, F(7))
    assert analysis.risky_divisions == []
    analysis.ratios_fail = True
    analysis.condition(expr.condition, F(7))  # type: ignore[attr-defined]
    assert len(analysis.risky_divisions) == 1


@pytest.mark.parametrize(
    ("condition", "yes", "no"),
    [
        ("n > 2.5", Interval(F(3), F(10)), Interval(F(0), F(2))),
        ("n >= 2.5", Interval(F(3), F(10)), Interval(F(0), F(2))),
        ("n < 2.5", Interval(F(0), F(2)), Interval(F(3), F(10))),
        ("n <= 2.5", Interval(F(0), F(2)), Interval(F(3), F(10))),
        ("n > 2", Interval(F(3), F(10)), Interval(F(0), F(2))),
    ],
)
def test_a_whole_number_past_a_fraction_is_narrowed_to_whole_numbers(
    condition: str, yes: Interval, no: Interval
) -> None:
    expr, facts = parsed(f"if {condition} then 1 else 0")
    analysis = RangeAnalysis(facts, {})
    then_env, else_env = refine(expr.condition, analysis, {})  # type: ignore[attr-defined]
    assert (then_env["n"].lo, then_env["n"].hi) == (yes.lo, yes.hi)
    assert (else_env["n"].lo, else_env["n"].hi) == (no.lo, no.hi)


def test_a_whole_number_divisor_from_zero_counts_from_one() -> None:
    assert range_of("10 / n") == Interval(F(1), F(10))  # n = 0 is the divisor's risk, recorded apart
    assert range_of("pos / m") == Interval(F(0), F(4))


@pytest.mark.parametrize(
    ("formula", "lo", "hi"),
    [
        ("part / whole", F(0), F(1)),
        ("ratio(part, whole, zero: full)", F(0), F(1)),
        ("max * part / whole", F(0), F(7)),
        ("part * max / whole", F(0), F(7)),
        ("3 * part / whole", F(0), F(3)),
        ("whole / part", F(0), INF),  # sound, not exact: the analysis does not see whole >= part here
        ("ratio(n, pos, zero: full)", F(0), F(10)),
        ("3 * sp / whole", F(-3), INF),  # a part that may be negative is not a share of its whole
        ("if sp >= 0 then 3 * sp / whole else 0", F(0), F(3)),  # unless its branch rules out the negatives
    ],
)
def test_a_part_over_its_whole_is_between_0_and_1(formula: str, lo: F | None, hi: F | None) -> None:
    assert range_of(formula) == Interval(lo, hi)


# ---- functions, conditions, tiers, deductions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "lo", "hi"),
    [
        ("min(n, d)", F(-2), F(3)),
        ("min(m, 4)", F(0), F(4)),
        ("min(free, n)", INF, F(10)),
        ("max(n, d)", F(0), F(10)),
        ("max(free, d)", F(-2), INF),
        ("max(m, 1)", F(1), INF),
        ("clamp(free, 0, max)", F(0), F(7)),
        ("clamp(d, 0, 1)", F(0), F(1)),
        ("clamp(d, -1, 2)", F(-1), F(2)),
        ("clamp(n, 20, 30)", F(20), F(20)),  # n never reaches the low bound: always clamped up to it
        ("clamp(pos, n, n)", F(0), F(10)),
        ("clamp(d, 5, 6)", F(5), F(5)),
        ("clamp(d, -9, -8)", F(-8), F(-8)),
        ("clamp(m, 0, free)", F(0), INF),
    ],
)
def test_ranges_of_functions(formula: str, lo: F | None, hi: F | None) -> None:
    assert range_of(formula) == Interval(lo, hi)


@pytest.mark.parametrize(
    ("formula", "lo", "hi"),
    [
        ("if b then 1 else 2", F(1), F(2)),
        ("if n > 3 then n else 0", F(0), F(10)),
        ("if n >= 4 then n - 4 else 4 - n", F(0), F(6)),  # both branches refined: no negative value
        ("if d < 0 then -d else d", F(0), F(3)),
        ("if free > 0 then 1 / free else 0", INF, INF),  # (0, +inf) excludes 0, but 1/x near 0 is unbounded
        ("tier p when >= 90%: max when >= 50%: 3 otherwise: 0", F(0), F(7)),
        ("tier n when >= 5: 2 when from 1 to 4: 1", F(1), F(2)),
        ("deduct 0.5 per n", F(2), F(7)),
        ("deduct 0.5 per m", F(0), F(7)),
        ("deduct 1 per n from 3", F(0), F(3)),
        ("deduct 0.5 per n, 1 per i from 4", F(0), F(9)),
        ("if b then 0 else max", F(0), F(7)),
        ("deduct 1 per n from max", F(0), F(7)),
        ("deduct max per 1 from 10", F(3), F(3)),
        ("deduct 1 per max from 10", F(3), F(3)),
        # a branch's narrowed range reaches every kind of sub-expression inside it
        ("if n < 3 then n * part / whole else 0", F(0), F(2)),
        ("if n < 3 then min(n, 5) else 0", F(0), F(2)),
        ("if n < 3 then (tier p when >= 50%: n otherwise: 0) else 0", F(0), F(2)),
        ("if n < 3 then (tier p when >= 50%: 0 otherwise: n) else 0", F(0), F(2)),
        ("if n < 3 then deduct 1 per 1 from n else 0", F(0), F(1)),
        ("if n < 3 then deduct n per 1 from 10 else 9", F(8), F(10)),
        ("if n < 3 then deduct 1 per n from 10 else 9", F(8), F(10)),
        ("if d < 0 then 1 / d else 0", INF, INF),  # (-2, 0) without 0: 1/d is unbounded below
        ("if d < 0.5 and d != 0 then 1 / d else 0", INF, INF),  # 0 lies between the ends: no bound
    ],
)
def test_ranges_of_conditions_tiers_and_deductions(formula: str, lo: F | None, hi: F | None) -> None:
    assert range_of(formula) == Interval(lo, hi)


# ---- refining under a condition -------------------------------------------------------------------------


def refined(condition: str, env: dict[str, Interval] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    expr, facts = parsed(f"if {condition} then 1 else 0")
    assert isinstance(expr, ast.If)
    return refine(expr.condition, RangeAnalysis(facts, {}), env or {})


@pytest.mark.parametrize(
    ("condition", "yes", "no"),
    [
        ("n > 3", Interval(F(4), F(10), True), Interval(F(0), F(3))),
        ("n >= 3", Interval(F(3), F(10)), Interval(F(0), F(2))),
        ("n < 3", Interval(F(0), F(2)), Interval(F(3), F(10))),
        ("n <= 3", Interval(F(0), F(3)), Interval(F(4), F(10), True)),
        ("n = 3", Interval(F(3), F(3)), Interval(F(0), F(10))),
        ("n != 0", Interval(F(1), F(10), True), Interval(F(0), F(0))),
        ("n != 10", Interval(F(0), F(9)), Interval(F(10), F(10))),
        ("n != 5", Interval(F(0), F(10)), Interval(F(5), F(5))),
        ("3 < n", Interval(F(4), F(10), True), Interval(F(0), F(3))),
        ("3 >= n", Interval(F(0), F(3)), Interval(F(4), F(10), True)),
        ("d > 1", Interval(F(1), F(3), True), Interval(F(-2), F(1))),
        ("d < 0", Interval(F(-2), F(0), True), Interval(F(0), F(3))),
        ("d > -1", Interval(F(-1), F(3)), Interval(F(-2), F(-1))),
        ("d < 1", Interval(F(-2), F(1)), Interval(F(1), F(3))),
        ("d != 0", Interval(F(-2), F(3), True), Interval(F(0), F(0))),
        ("p >= 50%", Interval(F(1, 2), F(1)), Interval(F(0), F(1, 2))),
        ("d > 0", Interval(F(0), F(3), True), Interval(F(-2), F(0))),
        ("i > 2", Interval(F(3), F(5), True), Interval(F(-5), F(2))),  # integers step by one, like counts
        ("i < -2", Interval(F(-5), F(-3), True), Interval(F(-2), F(5))),
        ("3 = n", Interval(F(3), F(3)), Interval(F(0), F(10))),
        ("3 <= n", Interval(F(3), F(10)), Interval(F(0), F(2))),
        ("3 > n", Interval(F(0), F(2)), Interval(F(3), F(10))),
    ],
)
def test_a_comparison_narrows_the_fact_both_ways(condition: str, yes: Interval, no: Interval) -> None:
    name = next(n for n in ("n", "d", "p", "i") if n in condition.split())
    when_true, when_false = refined(condition)
    assert when_true[name] == yes
    assert when_false[name] == no


def test_an_impossible_branch_leaves_the_fact_alone() -> None:
    when_true, when_false = refined("n > 20")
    assert "n" not in when_true
    assert when_false["n"] == Interval(F(0), F(10))


def test_and_or_not_combine_refinements() -> None:
    yes, no = refined("n > 2 and n < 5")
    assert yes["n"] == Interval(F(3), F(4), True) and no == {}
    yes, no = refined("n < 2 or n > 5")
    assert yes == {} and no["n"] == Interval(F(2), F(5))
    yes, no = refined("not n > 2")
    assert yes["n"] == Interval(F(0), F(2)) and no["n"] == Interval(F(3), F(10), True)
    yes, no = refined("b")
    assert yes == no == {}
    yes, no = refined("n > d")  # two facts: nothing to narrow
    assert yes == no == {}
    yes, no = refined("n > -d")  # a negated fact is no constant
    assert yes == no == {}
    yes, no = refined("b = 1")  # a fact without a numeric range
    assert yes == no == {}


def test_refinement_starts_from_what_is_already_known() -> None:
    yes, _ = refined("n > 3", {"n": Interval(F(0), F(5))})
    assert yes["n"] == Interval(F(4), F(5), True)


# ---- intervals --------------------------------------------------------------------------------------------


def test_intervals() -> None:
    a = Interval(F(0), F(10))
    assert a.contains(F(0)) and a.contains(F(10)) and not a.contains(F(11)) and not a.contains(F(-1))
    assert not Interval(F(0), F(10), True).contains(F(0))
    assert Interval(None, None).contains(F(-(10**9)))
    assert a.within(F(0), F(10)) and not a.within(F(1), F(10)) and not a.within(F(0), F(9))
    assert not Interval(None, F(1)).within(F(-100), F(100))
    assert a.union(Interval(F(-3), F(4))) == Interval(F(-3), F(10))
    assert a.union(Interval(None, F(4))) == Interval(None, F(10))
    assert a.union(Interval(F(4), None)) == Interval(F(0), None)
    assert a.intersect(Interval(F(5), None)) == Interval(F(5), F(10))
    assert a.intersect(Interval(None, F(5))) == Interval(F(0), F(5))
    assert a.intersect(Interval(F(3), F(4), True)) == Interval(F(3), F(4), True)
    assert Interval(F(3), F(4), True).intersect(a) == Interval(F(3), F(4), True)
    assert a.intersect(Interval(F(11), F(12))) is None
    assert Interval(None, None).intersect(Interval(None, None)) == Interval(None, None)
    assert Interval.point(F(2)) == Interval(F(2), F(2))


# ---- soundness: the value is always inside the range ---------------------------------------------------------

NUMERIC = {
    "n": st.integers(0, 10),
    "m": st.integers(0, 10**6),
    "d": st.fractions(F(-2), F(3)),
    "free": st.fractions(F(-(10**3)), F(10**3)),
    "pos": st.fractions(F(1), F(4)),
    "neg": st.fractions(F(-4), F(-1)),
    "p": st.fractions(F(0), F(1)),
    "i": st.integers(-5, 5),
}


def formulas() -> st.SearchStrategy[str]:
    leaves = st.sampled_from([*NUMERIC, "max", "0", "1", "2.5", "75%", "-3"])

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        op = st.sampled_from(["+", "-", "*"])
        cmp = st.sampled_from([">", ">=", "<", "<=", "=", "!="])
        return st.one_of(
            st.tuples(inner, op, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda e: f"(-{e})"),
            st.tuples(inner, inner).map(lambda t: f"min({t[0]}, {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"clamp({t[0]}, {t[1]}, {t[2]})"),
            st.tuples(inner, st.sampled_from(["pos", "neg", "4"])).map(lambda t: f"({t[0]} / {t[1]})"),
            st.tuples(st.sampled_from(sorted(NUMERIC)), cmp, st.integers(-3, 12), inner, inner).map(
                lambda t: f"(if {t[0]} {t[1]} {t[2]} then {t[3]} else {t[4]})"
            ),
            st.tuples(inner, inner).map(lambda t: f"(deduct {t[0]} per {t[1]})"),
        )

    return st.recursive(leaves, grow, max_leaves=6)


@given(formula=formulas(), data=st.data())
def test_every_value_lies_in_the_range(formula: str, data: st.DataObject) -> None:
    from cchc_rules.checked import CheckedRules
    from cchc_rules.checker import index, merge
    from cchc_rules.errors import EvaluationError
    from cchc_rules.evaluator import Evaluator
    from cchc_rules.facts import Facts
    from cchc_rules.loader import RuleSource
    from cchc_rules.trace import NullTracer

    expr, facts = parsed(formula)
    found = RangeAnalysis(facts, {}).range(expr, F(7))
    assert found is not None
    values = {name: data.draw(strategy, label=name) for name, strategy in NUMERIC.items()}
    values = {k: F(v) for k, v in values.items()}
    text = f'ruleset "T" total 7 rounding 3 half_up\n{DECLS}\n1 "A": max 7\n  score = {formula}\n'
    source = SourceFile(name="t.cchc", text=text)
    module = build_module(source, parse_tree(source))
    checked: CheckedRules = index(merge(RuleSource(sources=(source,), modules=(module,))), ())
    crit = checked.nodes["1"]
    facts_given = Facts(values={**values, "b": True, "part": F(0), "whole": F(0), "lower": F(0)})
    try:
        value = Evaluator(checked, facts_given, NullTracer()).raw(crit, expr)
    except EvaluationError:  # a deduction by a negative amount, and the like: no value to compare
        return
    assert value is not None
    assert (found.lo is None or found.lo <= value) and (found.hi is None or value <= found.hi), (formula, values, found)
    assert not (found.nonzero and value == 0), (formula, values, found)
