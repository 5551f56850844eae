"""Evaluator: every construct of the rule language, on small rule sets written inline.

Each test writes a rule set to tmp_path/"r.cchc", loads it with the public API
and evaluates it on a mapping of facts. Scores are compared exactly, as the
strings of their Decimals. Every successful evaluation is also checked against
the engine's invariants (`assert_invariants`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cchc_rules
from cchc_rules import CheckError, EvaluationError, Result
from cchc_rules.ruleset import RuleSet
from tests.test_interpreter import unchecked

HEADER = 'ruleset "T" total {total} rounding 3 half_up'


# ---- helpers ---------------------------------------------------------------------------


def load(tmp_path: Path, text: str) -> cchc_rules.RuleSet:
    """Write a rule set to tmp_path/"r.cchc" and load it."""
    path = tmp_path / "r.cchc"
    path.write_text(text, encoding="utf-8")
    return cchc_rules.load(path)


def evaluate(tmp_path: Path, text: str, facts: dict[str, Any] | None = None) -> Result:
    """Load and evaluate a rule set, then check the invariants every result keeps."""
    result = load(tmp_path, text).evaluate(facts or {})
    assert_invariants(result)
    return result


def one(formula: str, decls: str = "", maximum: str = "10", header: str = "") -> str:
    """A rule set with one area `1` scored by `formula`."""
    return (
        f"{HEADER.format(total=maximum)} {header}\n"
        f"{decls}\n"
        f'1 "Lĩnh vực A": max {maximum}\n'
        f"  score = {formula}\n"
        f'  reason "Mất {{lost}} điểm"\n'
    )


def score(tmp_path: Path, formula: str, facts: dict[str, Any] | None = None, **kw: str) -> str:
    """The score of the single area of `one(formula, ...)`, as a string."""
    return str(evaluate(tmp_path, one(formula, **kw), facts)["1"].score)


def assert_invariants(result: Result) -> None:
    """0 <= score <= effective max <= max; sums of children; losses add up exactly."""
    for node in result.nodes.values():
        assert Decimal(0) <= node.score <= node.effective_max <= node.max, node.id
        assert node.lost == (node.score if node.kind == "penalty" else node.effective_max - node.score), node.id
        if node.children and not node.has_formula:
            assert node.score == sum((result[k].score for k in node.children), Decimal(0)), node.id
            assert node.effective_max == sum((result[k].effective_max for k in node.children), Decimal(0)), node.id
    assert result.base_score == sum((result[a].score for a in result.areas), Decimal(0))
    assert result.max == sum((result[a].effective_max for a in result.areas), Decimal(0))
    assert sum((n.lost for n in result.losses()), Decimal(0)) == result.max - result.base_score
    assert Decimal(0) <= result.score <= result.max


def steps(result: Result, node_id: str) -> list[str]:
    """The kinds of the trace steps recorded for a node."""
    trace = result[node_id].trace
    assert trace is not None
    return [s.kind for s in trace.steps]


# ---- arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("2 + 3", "5"),
        ("7 - 2.5", "4.5"),
        ("1.5 * 4", "6"),
        ("7 / 2", "3.5"),
        ("-2 + 5", "3"),
        ("-(2 - 5)", "3"),
        ("- -3", "3"),
        ("2 + 3 * 4", "14"),
        ("(2 + 3) * 4", "20"),
        ("10 - 4 - 3", "3"),
        ("12 / 2 / 3", "2"),
        ("8 - 2 * -1", "10"),
        ("0.1 + 0.2", "0.3"),
        ("max - 2.75", "97.25"),
    ],
)
def test_arithmetic(tmp_path: Path, formula: str, expected: str) -> None:
    assert score(tmp_path, formula, maximum="100") == expected


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("1.5 * 19 / 139", "0.205"),  # 0.20503...: exact until rounded
        ("3 * 1340 / 1754", "2.292"),  # 2.29190...
        ("1/3 + 1/3 + 1/3", "1"),  # rationals, not 0.999
        ("(1/3) * 3", "1"),
        ("2/3", "0.667"),
        ("1/8", "0.125"),
        ("1/16", "0.063"),  # 0.0625 half_up
        ("10 / 3 * 3 - 9", "1"),
    ],
)
def test_exact_rational_arithmetic(tmp_path: Path, formula: str, expected: str) -> None:
    assert score(tmp_path, formula) == expected


def test_exact_arithmetic_on_facts(tmp_path: Path) -> None:
    decls = 'fact tong: count "Tổng số hồ sơ"\nfact truc_tuyen: count "Số hồ sơ trực tuyến" max tong'
    formula = "max * ratio(truc_tuyen, tong, zero: zero)"
    result = evaluate(tmp_path, one(formula, decls, maximum="3"), {"tong": 1754, "truc_tuyen": 1340})
    assert (str(result["1"].score), str(result["1"].lost)) == ("2.292", "0.708")
    trace = result["1"].trace
    assert trace is not None and trace.unrounded is not None
    assert trace.unrounded.startswith("2.29190421892")


@pytest.mark.parametrize("engine", ["compiled", "interpreter"])
def test_a_percentage_in_a_condition_is_explained_as_written(tmp_path: Path, engine: str) -> None:
    """`ty_le >= 50%` with 40% reads "40% ≥ 50%", not "40% ≥ 0,5", in both engines."""
    decls = 'fact ty_le: percent "Tỷ lệ số hoá"'
    rules = load(tmp_path, one("if ty_le >= 50% then max else 0", decls))
    facts = {"ty_le": "40%"}
    result = rules.evaluate(facts) if engine == "compiled" else rules.interpret(rules.facts(facts))
    trace = result["1"].trace
    assert trace is not None
    assert "điều kiện `ty_le >= 50%`: 40% ≥ 50% không đúng → lấy `0`" in [s.text for s in trace.steps]


def step_texts(rules: RuleSet, facts: dict[str, Any], engine: str, kind: str | None) -> list[str]:
    """The sentences of one kind of step (every step, as "kind: text", for None) recorded for area 1,
    by one of the three engines."""
    if engine == "compiled":
        result = rules.evaluate(facts)
    elif engine == "interpreter":
        result = rules.interpret(rules.facts(facts))
    else:  # the columns, as `cchc rank --trace` scores: a batch of two units
        result = rules.evaluate_many([facts, facts], trace=True)[1]
    trace = result["1"].trace
    assert trace is not None
    if kind is None:
        return [f"{s.kind}: {s.text}" for s in trace.steps]
    return [s.text for s in trace.steps if s.kind == kind]


ENGINES = ["compiled", "interpreter", "columns"]


OPERATIONS = [
    pytest.param(  # the ratio, then each operation with the values it met, then the rounding
        'fact tra_lai: count "Hồ sơ trả lại" max tong\nfact tong: count "Tổng hồ sơ"',
        "max * (1 - ratio(tra_lai, tong, zero: full))",
        {"tra_lai": 2, "tong": 1935},
        [
            "1 - ratio(tra_lai, tong, zero: full) = 1 − 0,001033591731… = 0,998966408268…",
            "max * (1 - ratio(tra_lai, tong, zero: full)) = 1 × 0,998966408268… = 0,998966408268…",
        ],
        id="max * (1 - ratio)",
    ),
    pytest.param(  # a negative value in brackets, a division as a colon
        'fact raw: decimal "Điểm thô" min -10 max 10',
        "clamp(raw / 4 - -1, 0, max)",
        {"raw": "-6"},
        ["raw / 4 = (-6) : 4 = -1,5", "raw / 4 - -1 = (-1,5) − (-1) = -0,5"],
        id="negative and division",
    ),
    pytest.param(  # a percentage as the facts list writes it; a ratio as the decimal its own step gives
        'fact p: percent "P"\nfact a: count "A" max b\nfact b: count "B"',
        "clamp(max * (p - 20%) + ratio(a, b, zero: zero) * 2, 0, max)",
        {"p": "40%", "a": 1, "b": 4},
        [
            "p - 20% = 40% − 20% = 20%",
            "max * (p - 20%) = 1 × 20% = 0,2",
            "ratio(a, b, zero: zero) * 2 = 0,25 × 2 = 0,5",
            "max * (p - 20%) + ratio(a, b, zero: zero) * 2 = 0,2 + 0,5 = 0,7",
        ],
        id="percentages",
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("decls", "formula", "facts", "expected"), OPERATIONS)
def test_every_operation_on_a_value_is_written_out_with_its_values(
    tmp_path: Path, engine: str, decls: str, formula: str, facts: dict[str, Any], expected: list[str]
) -> None:
    rules = load(tmp_path, one(formula, decls, maximum="1" if "ratio" in formula else "10"))
    assert step_texts(rules, facts, engine, "arithmetic") == expected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("formula", "said"),
    [
        ("if x > max then max else x", "điều kiện `x > max`: 4 > 10 không đúng → lấy `x`"),
        ("if (deduct 1 per x) > 8 then max else 0", "điều kiện `(deduct 1 per x) > 8`: 6 > 8 không đúng → lấy `0`"),
    ],
)
def test_a_condition_reading_the_criterion_s_own_max_is_explained(
    tmp_path: Path, engine: str, formula: str, said: str
) -> None:
    """Reading the trace worked the `if` out with no criterion in hand: `max` there crashed it."""
    rules = load(tmp_path, one(formula, 'fact x: decimal "X" min 0 max 100'))
    assert step_texts(rules, {"x": 4}, engine, "condition") == [said]


IF_IN_ORDER = (
    "max * (if a + b >= 5 then ratio(a, a + b, zero: zero) else 0)",
    [
        "arithmetic: a + b = 3 + 4 = 7",
        "condition: điều kiện `a + b >= 5`: 7 ≥ 5 đúng → lấy `ratio(a, a + b, zero: zero)`",
        "arithmetic: a + b = 3 + 4 = 7",
        "ratio: ratio(a, a + b, zero: zero) = 3/7 = 0,428571428571…",
        "arithmetic: max * (if a + b >= 5 then ratio(a, a + b, zero: zero) else 0) = 3 × 0,428571428571… = "
        "1,285714285714…",
        "rounding: 1,285714285714… → 1,286 (3 chữ số thập phân, làm tròn nửa lên)",
    ],
)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_if_s_branch_is_said_after_its_condition_s_steps_and_before_its_branch_s(
    tmp_path: Path, engine: str
) -> None:
    """Which way an `if` went is worked out when the trace is read, yet it reads in the order the
    evaluation went: the condition's sum, the branch taken, that branch's steps, the operation around
    the `if`, then the rounding (declared in the header, before the formula)."""
    formula, expected = IF_IN_ORDER
    rules = load(tmp_path, one(formula, 'fact a: count "A"\nfact b: count "B"', maximum="3"))
    assert step_texts(rules, {"a": 3, "b": 4}, engine, None) == expected
    said = [s.split(": ", 1)[1] for s in expected]
    one_unit = rules.evaluate({"a": 3, "b": 4})["1"].derivation()
    assert one_unit is not None and list(one_unit[1]) == said
    columns = rules.columns  # as `cchc rank --trace` reads a loss: from the batch's events, no `Result` made
    assert columns is not None
    row = columns.run([{"a": 3, "b": 4}] * 2, ["A", "B"], trace=True).row(1, trace=True)
    assert row is not None
    ranked = row["1"].derivation()
    assert ranked is not None and list(ranked[1]) == said


def test_nested_ifs_each_said_where_they_were_decided(tmp_path: Path) -> None:
    """An `if` inside the branch taken is said after the outer one and after its own condition's steps;
    the branch not taken says nothing."""
    formula = "if a > 1 then (if a + b > 20 then max else a + 1) else b * 2"
    rules = load(tmp_path, one(formula, 'fact a: count "A" max 5\nfact b: count "B" max 5'))
    expected = [
        "condition: điều kiện `a > 1`: 3 > 1 đúng → lấy `if a + b > 20 then max else a + 1`",
        "arithmetic: a + b = 3 + 4 = 7",
        "condition: điều kiện `a + b > 20`: 7 > 20 không đúng → lấy `a + 1`",
        "arithmetic: a + 1 = 3 + 1 = 4",
    ]
    for engine in ENGINES:
        assert step_texts(rules, {"a": 3, "b": 4}, engine, None) == expected, engine


@pytest.mark.parametrize("engine", ENGINES)
def test_a_na_or_reason_condition_leaves_no_step_in_the_score_s_derivation(tmp_path: Path, engine: str) -> None:
    """Arithmetic of a `na when` (an ancestor's, worked out while a child is evaluated) or of a `reason
    when` is not part of the score; a criterion the condition refers to still shows its own steps."""
    text = (
        f"{HEADER.format(total=10)}\n"
        'fact x: count "X" max 10\nfact g: count "G" max 10\n'
        '1 "Một": max 5\n'
        "  score = min(max, [2.1] + x * 0.25)\n"
        '  reason when x * 2 > 3: "Mất {lost} điểm"\n'
        '2 "Hai": max 5\n'
        "  na when x * 2 > 3 and [3] * 2 < 100: exclude\n"
        '2.1 "Hai một": max 5\n'
        "  score = min(max, g + 0)\n"
        '3 "Ba": max 0\n'
        "  score = g * 0\n"
    )
    rules = load(tmp_path, text)

    def all_steps(node: str) -> list[str]:
        if engine == "compiled":
            result = rules.evaluate({"x": 1, "g": 1})
        elif engine == "interpreter":
            result = rules.interpret(rules.facts({"x": 1, "g": 1}))
        else:
            result = rules.evaluate_many([{"x": 1, "g": 1}] * 2, trace=True)[1]
        trace = result[node].trace
        assert trace is not None
        return [f"{s.kind}: {s.text}" for s in trace.steps]

    assert all_steps("1") == [
        "arithmetic: x * 0.25 = 1 × 0,25 = 0,25",
        "arithmetic: [2.1] + x * 0.25 = 1 + 0,25 = 1,25",
        "min_max: min(max, [2.1] + x * 0.25) = min(5; 1,25) = 1,25",
    ]
    assert all_steps("2.1") == ["arithmetic: g + 0 = 1 + 0 = 1", "min_max: min(max, g + 0) = min(5; 1) = 1"]
    assert all_steps("3") == ["arithmetic: g * 0 = 1 × 0 = 0"]  # referred to by a condition: its own steps


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tier_on_a_percent_literal_shows_it_as_a_percent_in_every_engine(tmp_path: Path, engine: str) -> None:
    """The interpreter said "= 50%", the compiled code and the columns "= 0,5"."""
    rules = load(tmp_path, one("tier 50%\n    when >= 40%: max\n    otherwise: 0", 'fact co: boolean "Có"'))
    assert step_texts(rules, {"co": True}, engine, "tier") == ["bậc `>= 40%` khớp với 50% = 50% → 10"]


@pytest.mark.parametrize("engine", ENGINES)
def test_an_operation_on_literals_alone_reads_as_written(tmp_path: Path, engine: str) -> None:
    decls = 'fact co: boolean "Có"'
    rules = load(tmp_path, one("if co then max * 0.5 + 1 else -(2 - 2)", decls))
    assert step_texts(rules, {"co": True}, engine, "arithmetic") == []
    assert step_texts(rules, {"co": False}, engine, "arithmetic") == []


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tier_step_gives_the_value_of_the_row_that_matched(tmp_path: Path, engine: str) -> None:
    decls = 'fact ty_le: percent "Tỷ lệ"\nfact so: count "Số" max 4'
    formula = "tier ty_le\n    when >= 100%: max\n    when from 75% to under 100%: so * 0.25\n    otherwise: 0"
    rules = load(tmp_path, one(formula, decls, maximum="1"))
    assert step_texts(rules, {"ty_le": "75%", "so": 3}, engine, "tier") == [
        "bậc `from 75% to under 100%` khớp với ty_le = 75% → 0,75"
    ]
    # The row's value is worked out before the tier says what it gave.
    assert step_texts(rules, {"ty_le": "75%", "so": 3}, engine, None) == [
        "arithmetic: so * 0.25 = 3 × 0,25 = 0,75",
        "tier: bậc `from 75% to under 100%` khớp với ty_le = 75% → 0,75",
    ]
    assert step_texts(rules, {"ty_le": "10%", "so": 3}, engine, "tier") == [
        "không bậc nào khớp với ty_le = 10%: dùng `otherwise` → 0"
    ]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("75% * 4", "3"),
        ("max * 12.5%", "1.25"),
        ("150% - 50%", "1"),
        ("0.5% * 100", "0.5"),
        ("100% * max", "10"),
        ("max * 33.3%", "3.33"),
    ],
)
def test_percent_literals(tmp_path: Path, formula: str, expected: str) -> None:
    assert score(tmp_path, formula) == expected


# ---- conditions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ("2 > 1", True),
        ("1 > 1", False),
        ("2 >= 2", True),
        ("2 < 2", False),
        ("1.5 < 2", True),
        ("2 <= 2", True),
        ("2.01 <= 2", False),
        ("2 = 2.0", True),
        ("0.1 + 0.2 = 0.3", True),
        ("2 != 2", False),
        ("2 != 3", True),
        ("75% = 75%", True),
        ("75% < 75.5%", True),
        ('"tốt" = "tốt"', True),
        ('"tốt" != "khá"', True),
        ("2023-10-31 < 2023-11-01", True),
        ("2023-10-31 = 2023-10-31", True),
        ("true and false", False),
        ("true and true", True),
        ("true or false", True),
        ("false or false", False),
        ("not false", True),
        ("not true", False),
        ("not 1 > 2", True),
        ("true or true and false", True),  # `and` binds tighter than `or`
        ("not true or true", True),  # `not` binds tighter than `or`
        ("1 < 2 and 2 < 3", True),
        ("true = false", False),
    ],
)
def test_comparisons_and_logic(tmp_path: Path, condition: str, holds: bool) -> None:
    assert score(tmp_path, f"if {condition} then max else 0") == ("10" if holds else "0")


@pytest.mark.parametrize(
    ("flag", "count", "expected"),
    [
        (True, 0, "10"),
        (False, 6, "7"),
        (False, 5, "3"),
        (False, 3, "3"),
        (False, 2, "0"),
    ],
)
def test_if_then_else_nested(tmp_path: Path, flag: bool, count: int, expected: str) -> None:
    decls = 'fact co: boolean "Có"\nfact so: count "Số"'
    formula = "if co then max else if so > 5 then 7 else if so >= 3 then 3 else 0"
    assert score(tmp_path, formula, {"co": flag, "so": count}, decls=decls) == expected


# ---- functions and `max` ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("min(3, 1, 2)", "1"),
        ("min(2.5, 4)", "2.5"),
        ("max(3, 1, 2)", "3"),
        ("max(1, 2)", "2"),
        ("max(max - 8, 1)", "2"),  # the function max() and the criterion's own max
        ("min(max, 12)", "10"),
        ("max / 4", "2.5"),
        ("clamp(15, 0, max)", "10"),
        ("clamp(-5, 0, max)", "0"),
        ("clamp(4, 0, max)", "4"),
        ("clamp(2.5, 2.5, 3)", "2.5"),
    ],
)
def test_min_max_clamp_and_own_max(tmp_path: Path, formula: str, expected: str) -> None:
    assert score(tmp_path, formula) == expected


def test_clamp_records_a_step_only_when_it_changes_the_value(tmp_path: Path) -> None:
    inside = evaluate(tmp_path, one("clamp(4, 0, max)"))
    assert "clamp" not in steps(inside, "1")
    above = evaluate(tmp_path, one("clamp(15, 0, max)"))
    assert "clamp" in steps(above, "1")


def test_own_max_is_the_criterions_own(tmp_path: Path) -> None:
    text = (
        f"{HEADER.format(total=10)}\n"
        '1 "A": max 10\n'
        '1.1 "B": max 4\n  score = max / 2\n'
        '1.2 "C": max 6\n  score = max / 2\n'
    )
    result = evaluate(tmp_path, text)
    assert (str(result["1.1"].score), str(result["1.2"].score), str(result["1"].score)) == ("2", "3", "5")


# ---- references ------------------------------------------------------------------------


def test_references_to_other_criteria(tmp_path: Path) -> None:
    text = (
        f"{HEADER.format(total=12)}\n"
        '1 "A": max 6\n'
        '1.1 "B": max 2\n  score = 2 / 3\n'  # 0.667 after rounding
        '1.2 "C": max 4\n  score = [1.1] * 3\n'  # uses the rounded score: 2.001
        '2 "D": max 4\n  score = [1] / 2 + [3]\n'  # a parent's sum; a later area
        '3 "E": max 2\n  score = 0.5\n'
    )
    result = evaluate(tmp_path, text)
    assert str(result["1.1"].score) == "0.667"
    assert str(result["1.2"].score) == "2.001"
    assert str(result["1"].score) == "2.668"
    assert str(result["2"].score) == "1.834"
    trace = result["1.2"].trace
    assert trace is not None and trace.refs == (("1.1", "0.667"),)


def test_parent_with_its_own_formula_over_its_children(tmp_path: Path) -> None:
    text = (
        f"{HEADER.format(total=4)}\n"
        'fact a: boolean "a"\nfact b: boolean "b"\n'
        '1 "A": max 4\n  score = if [1.1] = 2 or [1.2] = 2 then max else 0\n  reason "Không đạt"\n'
        '1.1 "B": max 2\n  score = if a then max else 0\n  reason "Không a"\n'
        '1.2 "C": max 2\n  score = if b then max else 0\n  reason "Không b"\n'
    )
    result = evaluate(tmp_path, text, {"a": True, "b": False})
    assert str(result["1"].score) == "4"  # not the sum 2 of its children
    assert result.losses() == []
    result = evaluate(tmp_path, text, {"a": False, "b": False})
    assert [n.id for n in result.losses()] == ["1"]  # the parent's loss stands for its subtree


# ---- tiers -------------------------------------------------------------------------------

P = 'fact p: percent "Tỷ lệ"'


@pytest.mark.parametrize(
    ("test", "value", "matches"),
    [
        (">= 75%", "75%", True),
        (">= 75%", "74.99%", False),
        ("> 75%", "75%", False),
        ("> 75%", "75.01%", True),
        ("<= 75%", "75%", True),
        ("<= 75%", "75.01%", False),
        ("< 75%", "75%", False),
        ("< 75%", "74.99%", True),
        ("= 75%", "75%", True),
        ("= 75%", "76%", False),
        ("!= 75%", "75%", False),
        ("!= 75%", "76%", True),
        ("from 50% to 75%", "50%", True),
        ("from 50% to 75%", "75%", True),
        ("from 50% to 75%", "49.99%", False),
        ("from 50% to 75%", "75.01%", False),
        ("from 75% to under 100%", "75%", True),
        ("from 75% to under 100%", "99.99%", True),
        ("from 75% to under 100%", "100%", False),
        ("from 50% to under 75%", "50%", True),
        ("from 50% to under 75%", "75%", False),
        ("from 50% to under 75%", "74.99%", True),
    ],
)
def test_tier_row_tests_and_exact_boundaries(tmp_path: Path, test: str, value: str, matches: bool) -> None:
    formula = f"tier p\n    when {test}: max\n    otherwise: 1"
    assert score(tmp_path, formula, {"p": value}, decls=P) == ("10" if matches else "1")


TIER_TABLE = """tier p
    when >= 100%: max
    when from 75% to under 100%: 7.5
    when from 50% to under 75%: 5
    otherwise: 0"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [("100%", "10"), ("99.999%", "7.5"), ("75%", "7.5"), ("74.999%", "5"), ("50%", "5"), ("49%", "0"), ("0%", "0")],
)
def test_tier_table(tmp_path: Path, value: str, expected: str) -> None:
    assert score(tmp_path, TIER_TABLE, {"p": value}, decls=P) == expected


def test_tier_on_a_ratio_of_counts(tmp_path: Path) -> None:
    decls = 'fact tong: count "Tổng"\nfact dat: count "Đạt" max tong'
    formula = (
        "tier ratio(dat, tong, zero: full)\n    when >= 100%: max\n    when from 75% to under 100%: 5\n    otherwise: 0"
    )
    assert score(tmp_path, formula, {"tong": 4, "dat": 3}, decls=decls) == "5"  # 3/4 is exactly 75%
    assert score(tmp_path, formula, {"tong": 400, "dat": 299}, decls=decls) == "0"


def test_tier_first_matching_row_wins(tmp_path: Path) -> None:
    decls = 'fact so: count "Số"'
    formula = "tier so\n    when = 3: 8\n    when >= 1: 4\n    otherwise: 0"
    assert score(tmp_path, formula, {"so": 3}, decls=decls) == "8"  # both rows match: the first is used
    assert score(tmp_path, formula, {"so": 7}, decls=decls) == "4"
    assert score(tmp_path, formula, {"so": 0}, decls=decls) == "0"


def test_tier_closed_range_on_counts(tmp_path: Path) -> None:
    decls = 'fact so: count "Số"'
    formula = "tier so\n    when >= 3: max\n    when from 1 to 2: 5\n    otherwise: 0"
    results = [score(tmp_path, formula, {"so": n}, decls=decls) for n in range(5)]
    assert results == ["0", "5", "5", "10", "10"]


def test_tier_on_dates_without_otherwise(tmp_path: Path) -> None:
    decls = 'fact ngay: date "Ngày nộp báo cáo" max 2023-11-15'  # the rows cover every day it can be
    formula = "tier ngay\n    when <= 2023-10-31: max\n    when <= 2023-11-15: 5"
    assert score(tmp_path, formula, {"ngay": "2023-10-31"}, decls=decls) == "10"
    assert score(tmp_path, formula, {"ngay": "2023-11-15"}, decls=decls) == "5"


def test_tier_on_dates_that_leaves_days_without_a_row_is_refused_by_the_checker(tmp_path: Path) -> None:
    """Days are decided like numbers: a day after the last row, without `otherwise`, is named (E193)."""
    decls = 'fact ngay: date "Ngày nộp báo cáo"'
    formula = "tier ngay\n    when <= 2023-10-31: max\n    when <= 2023-11-15: 5"
    with pytest.raises(CheckError) as info:
        load(tmp_path, one(formula, decls))
    message = str(info.value)
    assert f"{tmp_path / 'r.cchc'}:4:" in message and "[E193]" in message
    assert "không bậc nào khớp khi giá trị từ 16/11/2023" in message


# ---- deductions -----------------------------------------------------------------------------

TRE = 'fact tre: count "Số báo cáo chậm"\nfact vi_pham: count "Số vi phạm"'


@pytest.mark.parametrize(("tre", "expected"), [(0, "2"), (1, "1.5"), (3, "0.5"), (4, "0"), (10, "0")])
def test_deduct_single(tmp_path: Path, tre: int, expected: str) -> None:
    text = one("deduct 0.5 per tre", 'fact tre: count "Số báo cáo chậm"', maximum="2")
    assert str(evaluate(tmp_path, text, {"tre": tre})["1"].score) == expected


@pytest.mark.parametrize(
    ("tre", "vi_pham", "expected"), [(0, 0, "2"), (2, 1, "1"), (1, 2, "0.75"), (4, 3, "0"), (0, 4, "0")]
)
def test_deduct_several(tmp_path: Path, tre: int, vi_pham: int, expected: str) -> None:
    formula = "deduct 0.25 per tre, 0.5 per vi_pham"
    assert score(tmp_path, formula, {"tre": tre, "vi_pham": vi_pham}, decls=TRE, maximum="2") == expected


@pytest.mark.parametrize(("tre", "expected"), [(0, "1.5"), (1, "1"), (3, "0"), (9, "0")])
def test_deduct_from_a_start_value(tmp_path: Path, tre: int, expected: str) -> None:
    formula = "deduct 0.5 per tre from 1.5"
    text = one(formula, 'fact tre: count "Số báo cáo chậm"', maximum="2")
    assert str(evaluate(tmp_path, text, {"tre": tre})["1"].score) == expected


def test_deduct_floor_is_traced(tmp_path: Path) -> None:
    text = one("deduct 0.5 per tre", 'fact tre: count "Số báo cáo chậm"', maximum="2")
    assert "floor" in steps(evaluate(tmp_path, text, {"tre": 5}), "1")
    assert "floor" not in steps(evaluate(tmp_path, text, {"tre": 1}), "1")


# ---- ratio and its zero policies ------------------------------------------------------------

PART_WHOLE = 'fact tong: count "Tổng số hồ sơ"\nfact dung_han: count "Số hồ sơ đúng hạn" max tong'


def ratio_rules(policy: str, header: str = "") -> str:
    return (
        f"{HEADER.format(total=10)} {header}\n{PART_WHOLE}\n"
        'fact co: boolean "Có kế hoạch"\n'
        '1 "A": max 6\n'
        f'1.1 "Hồ sơ đúng hạn": max 4\n  score = max * ratio(dung_han, tong, zero: {policy})\n'
        '  reason "Chỉ {dung_han}/{tong} hồ sơ đúng hạn"\n'
        '1.2 "Kế hoạch": max 2\n  score = if co then max else 0\n  reason "Không có kế hoạch"\n'
        '2 "B": max 4\n  score = if co then 1 else 0\n  reason "Chỉ {score}/{max}"\n'
    )


def test_ratio_with_a_nonzero_denominator(tmp_path: Path) -> None:
    result = evaluate(tmp_path, ratio_rules("zero"), {"tong": 3, "dung_han": 2, "co": True})
    assert str(result["1.1"].score) == "2.667"
    assert result["1.1"].reasons == ("Chỉ 2/3 hồ sơ đúng hạn",)


def test_ratio_zero_full(tmp_path: Path) -> None:
    result = evaluate(tmp_path, ratio_rules("full"), {"tong": 0, "dung_han": 0, "co": True})
    node = result["1.1"]
    assert (node.status, str(node.score), str(node.lost), node.reasons) == ("scored", "4", "0", ())


def test_ratio_zero_zero(tmp_path: Path) -> None:
    result = evaluate(tmp_path, ratio_rules("zero"), {"tong": 0, "dung_han": 0, "co": True})
    node = result["1.1"]
    assert (node.status, str(node.score), str(node.lost)) == ("scored", "0", "4")
    assert node.reasons == ("Chỉ 0/0 hồ sơ đúng hạn",)


def test_ratio_zero_na_with_header_full(tmp_path: Path) -> None:
    result = evaluate(tmp_path, ratio_rules("na", "not_applicable full"), {"tong": 0, "dung_han": 0, "co": True})
    node = result["1.1"]
    assert (node.status, str(node.score), str(node.effective_max), node.reasons) == ("n_a", "4", "4", ())
    assert (str(result["1"].score), str(result["1"].effective_max)) == ("6", "6")
    assert (str(result.score), str(result.max), str(result.percent)) == ("7", "10", "70")


def test_ratio_zero_na_with_header_exclude(tmp_path: Path) -> None:
    result = evaluate(tmp_path, ratio_rules("na", "not_applicable exclude"), {"tong": 0, "dung_han": 0, "co": True})
    node = result["1.1"]
    assert (node.status, str(node.score), str(node.max), str(node.effective_max)) == ("n_a", "0", "4", "0")
    assert node.reasons == () and node.lost == 0
    area = result["1"]
    assert (str(area.score), str(area.max), str(area.effective_max), str(area.percent)) == ("2", "6", "2", "100")
    assert (str(result.score), str(result.max), str(result.percent)) == ("3", "6", "50")


def test_ratio_zero_na_uses_the_criterions_own_policy(tmp_path: Path) -> None:
    text = ratio_rules("na", "not_applicable full").replace(
        "zero: na)\n", "zero: na)\n  na when tong = 0 and co = false: exclude\n"
    )
    result = evaluate(tmp_path, text, {"tong": 0, "dung_han": 0, "co": True})
    assert (result["1.1"].status, str(result["1.1"].effective_max)) == ("n_a", "0")
    assert str(result.max) == "6"


def test_ratio_zero_na_inside_a_tier(tmp_path: Path) -> None:
    formula = "tier ratio(dung_han, tong, zero: na)\n    when >= 100%: max\n    otherwise: 1"
    result = evaluate(tmp_path, one(formula, PART_WHOLE, header="not_applicable full"), {"tong": 0, "dung_han": 0})
    assert (result["1"].status, str(result["1"].score)) == ("n_a", "10")
    result = evaluate(tmp_path, one(formula, PART_WHOLE, header="not_applicable full"), {"tong": 2, "dung_han": 1})
    assert (result["1"].status, str(result["1"].score)) == ("scored", "1")


def test_everything_excluded(tmp_path: Path) -> None:
    text = (
        f"{HEADER.format(total=3)}\n"
        'fact k: boolean "Không áp dụng"\n'
        '1 "A": max 3\n  na when k: exclude\n  score = 2\n  reason "r"\n'
        'bonus thuong "Thưởng": max 1\n  score = 1\n'
    )
    result = evaluate(tmp_path, text, {"k": True})
    assert (str(result.score), str(result.max), result.percent) == ("0", "0", None)  # kept within [0, max]


# ---- na when ---------------------------------------------------------------------------------


def na_rules(where: str, policy: str) -> str:
    leaf = f"  na when khong_ap_dung: {policy}\n"
    return (
        f"{HEADER.format(total=10)}\n"
        'fact khong_ap_dung: boolean "Không phát sinh"\nfact co: boolean "Có"\n'
        '1 "A": max 6\n'
        + (leaf if where == "parent" else "")
        + '1.1 "B": max 4\n  score = if co then max else 1\n  reason "Không có"\n'
        + (leaf if where == "leaf" else "")
        + '1.2 "C": max 2\n  score = if co then max else 0.5\n  reason "Không có"\n'
        '2 "D": max 4\n  score = if co then max else 0\n  reason "Không có"\n'
    )


def test_na_when_leaf_full(tmp_path: Path) -> None:
    result = evaluate(tmp_path, na_rules("leaf", "full"), {"khong_ap_dung": True, "co": False})
    assert (result["1.1"].status, str(result["1.1"].score), result["1.1"].reasons) == ("n_a", "4", ())
    assert (result["1.2"].status, str(result["1.2"].score)) == ("scored", "0.5")
    assert (str(result["1"].score), str(result.score), str(result.max)) == ("4.5", "4.5", "10")


def test_na_when_leaf_exclude(tmp_path: Path) -> None:
    result = evaluate(tmp_path, na_rules("leaf", "exclude"), {"khong_ap_dung": True, "co": False})
    assert (result["1.1"].status, str(result["1.1"].score), str(result["1.1"].effective_max)) == ("n_a", "0", "0")
    assert (str(result["1"].score), str(result["1"].effective_max), str(result["1"].percent)) == ("0.5", "2", "25")
    assert (str(result.score), str(result.max), str(result.percent)) == ("0.5", "6", "8.33")


def test_na_when_condition_false_scores_normally(tmp_path: Path) -> None:
    for policy in ("full", "exclude"):
        result = evaluate(tmp_path, na_rules("leaf", policy), {"khong_ap_dung": False, "co": False})
        assert (result["1.1"].status, str(result["1.1"].score), str(result.max)) == ("scored", "1", "10")
        assert result["1.1"].reasons == ("Không có",)


def test_na_when_parent_full(tmp_path: Path) -> None:
    result = evaluate(tmp_path, na_rules("parent", "full"), {"khong_ap_dung": True, "co": False})
    for node_id, maximum in (("1", "6"), ("1.1", "4"), ("1.2", "2")):
        node = result[node_id]
        assert (node.status, str(node.score), str(node.effective_max), node.reasons) == ("n_a", maximum, maximum, ())
    assert (str(result.score), str(result.max)) == ("6", "10")


def test_na_when_parent_exclude(tmp_path: Path) -> None:
    result = evaluate(tmp_path, na_rules("parent", "exclude"), {"khong_ap_dung": True, "co": False})
    for node_id in ("1", "1.1", "1.2"):
        node = result[node_id]
        assert (node.status, str(node.score), str(node.effective_max)) == ("n_a", "0", "0")
        assert node.percent is None
    assert (str(result.score), str(result.max), str(result.percent)) == ("0", "4", "0")
    result = evaluate(tmp_path, na_rules("parent", "exclude"), {"khong_ap_dung": True, "co": True})
    assert (str(result.score), str(result.max), str(result.percent)) == ("4", "4", "100")


def test_na_when_guards_a_division(tmp_path: Path) -> None:
    text = (
        f"{HEADER.format(total=4)}\n{PART_WHOLE}\n"
        '1 "A": max 4\n  score = max * dung_han / tong\n  na when tong = 0: full\n  reason "r"\n'
    )
    result = evaluate(tmp_path, text, {"tong": 0, "dung_han": 0})
    assert (result["1"].status, str(result["1"].score)) == ("n_a", "4")
    assert str(evaluate(tmp_path, text, {"tong": 8, "dung_han": 3})["1"].score) == "1.5"


# ---- division by zero ----------------------------------------------------------------------


def test_plain_division_by_zero_is_an_error(tmp_path: Path) -> None:
    # The divisor `x - 2.5` escapes the checker's search for a zero divisor,
    # so the evaluator must catch it.
    decls = 'fact x: decimal "Hệ số"'
    rules = load(tmp_path, one("clamp(6 / (x - 2.5), 0, max)", decls))
    assert str(rules.evaluate({"x": "3.5"})["1"].score) == "6"
    with pytest.raises(EvaluationError) as info:
        rules.evaluate({"x": "2.5"})
    message = str(info.value)
    line = "  score = clamp(6 / (x - 2.5), 0, max)"
    assert f"{tmp_path / 'r.cchc'}:4:{line.index('x - 2.5') + 1}:" in message  # points at the divisor
    assert "chia cho 0" in message and "tiêu chí 1" in message
    assert "Traceback" not in message


# ---- rounding --------------------------------------------------------------------------------

ROUNDING = [
    ("half_up", "0.25", "0.3"),
    ("half_up", "0.24", "0.2"),
    ("half_up", "2/3", "0.7"),
    ("half_down", "0.25", "0.2"),
    ("half_down", "0.26", "0.3"),
    ("half_down", "2/3", "0.7"),
    ("half_even", "0.25", "0.2"),
    ("half_even", "0.35", "0.4"),
    ("half_even", "0.26", "0.3"),
    ("half_even", "2/3", "0.7"),
    ("down", "0.25", "0.2"),
    ("down", "0.29", "0.2"),
    ("down", "2/3", "0.6"),
    ("truncate", "0.25", "0.2"),
    ("truncate", "0.29", "0.2"),
    ("up", "0.25", "0.3"),
    ("up", "0.21", "0.3"),
    ("up", "1/3", "0.4"),
    ("floor", "0.25", "0.2"),
    ("floor", "0.29", "0.2"),
    ("ceiling", "0.25", "0.3"),
    ("ceiling", "0.21", "0.3"),
    ("half_up", "0.2", "0.2"),
    ("ceiling", "0.2", "0.2"),
]


@pytest.mark.parametrize(("mode", "value", "expected"), ROUNDING)
def test_rounding_modes_in_the_header(tmp_path: Path, mode: str, value: str, expected: str) -> None:
    text = f'ruleset "T" total 1 rounding 1 {mode}\n1 "A": max 1\n  score = {value}\n  reason "r"\n'
    assert str(evaluate(tmp_path, text)["1"].score) == expected


@pytest.mark.parametrize(("mode", "value", "expected"), ROUNDING)
def test_rounding_override_is_inherited(tmp_path: Path, mode: str, value: str, expected: str) -> None:
    text = (
        f"{HEADER.format(total=2)}\n"
        f'1 "A": max 1\n  rounding 1 {mode}\n'
        f'1.1 "B": max 1\n  score = {value}\n  reason "r"\n'
        f'2 "C": max 1\n  score = 0.2125\n  reason "r"\n'
    )
    result = evaluate(tmp_path, text)
    assert str(result["1.1"].score) == expected
    assert str(result["2"].score) == "0.213"  # the header's policy elsewhere


def test_rounding_override_reaches_every_descendant(tmp_path: Path) -> None:
    text = (
        f"{HEADER.format(total=6)}\n"
        '1 "A": max 4\n  rounding 2 down\n'
        '1.1 "B": max 2\n  score = 2/3\n  reason "r"\n'
        '1.2 "C": max 2\n'
        '1.2.1 "C1": max 1\n  score = 2/3\n  reason "r"\n'
        '1.2.2 "C2": max 1\n  rounding 1 up\n  score = 2/3\n  reason "r"\n'
        '2 "D": max 2\n  score = 2/3\n  reason "r"\n'
    )
    result = evaluate(tmp_path, text)
    got = {i: str(result[i].score) for i in ("1.1", "1.2.1", "1.2.2", "1.2", "1", "2")}
    assert got == {"1.1": "0.66", "1.2.1": "0.66", "1.2.2": "0.7", "1.2": "1.36", "1": "2.02", "2": "0.667"}
    assert str(result.score) == "2.687"


def test_sums_of_children_are_not_rounded(tmp_path: Path) -> None:
    text = 'ruleset "T" total 3 rounding 1 half_up\n1 "A": max 3\n' + "".join(
        f'1.{i} "B{i}": max 1\n  score = 1/3\n  reason "r"\n' for i in (1, 2, 3)
    )
    result = evaluate(tmp_path, text)
    assert [str(result[f"1.{i}"].score) for i in (1, 2, 3)] == ["0.3", "0.3", "0.3"]
    assert str(result["1"].score) == "0.9"  # 0.3 * 3, not round(1, 1) = 1


@pytest.mark.parametrize(
    ("places_mode", "value", "expected"),
    [
        ("0 half_even", "2.5", "2"),
        ("0 half_even", "3.5", "4"),
        ("0 half_up", "2.5", "3"),
        ("2 half_even", "0.125", "0.12"),
    ],
)
def test_rounding_places(tmp_path: Path, places_mode: str, value: str, expected: str) -> None:
    text = f'ruleset "T" total 5 rounding {places_mode}\n1 "A": max 5\n  score = {value}\n  reason "r"\n'
    assert str(evaluate(tmp_path, text)["1"].score) == expected


@pytest.mark.parametrize(("policy", "expected"), [("", "66.67"), ("percent rounding 1 down", "66.6")])
def test_percent_rounding(tmp_path: Path, policy: str, expected: str) -> None:
    text = f'ruleset "T" total 3 rounding 3 half_up {policy}\n1 "A": max 3\n  score = 2\n  reason "r"\n'
    result = evaluate(tmp_path, text)
    assert (str(result.percent), str(result["1"].percent)) == (expected, expected)


# ---- scores outside [0, max] -------------------------------------------------------------------

DATE = 'fact ngay: date "Ngày ban hành"'


@pytest.mark.parametrize(("value", "word"), [("20", "vượt điểm tối đa 10"), ("-1", "âm"), ("10.0006", "vượt")])
def test_score_outside_zero_max_is_an_error(tmp_path: Path, value: str, word: str) -> None:
    """The checker refuses such a formula (E170); past it, the engine still refuses the score it gives."""
    with pytest.raises(CheckError, match="E170"):
        load(tmp_path, one(f"if ngay = 2023-10-31 then {value} else 0", DATE))
    rules = RuleSet(unchecked(f'{DATE}\n1 "A": max 10\n  score = if ngay = 2023-10-31 then {value} else 0\n'))
    assert str(rules.evaluate({"ngay": "2023-10-30"})["1"].score) == "0"
    with pytest.raises(EvaluationError) as info:
        rules.evaluate({"ngay": "2023-10-31"})
    message = str(info.value)
    assert "tiêu chí 1" in message and word in message
    assert "r.cchc:4:" in message


def test_score_rounded_back_to_max_is_fine(tmp_path: Path) -> None:
    rules = load(tmp_path, one("if ngay = 2023-10-31 then 10.0004 else 0", DATE))
    assert str(rules.evaluate({"ngay": "2023-10-31"})["1"].score) == "10"  # rounded to 3 places first


# ---- reasons ---------------------------------------------------------------------------------

REASON_FACTS = (
    'fact so: count "Số cuộc"\n'
    'fact ty_le: percent "Tỷ lệ"\n'
    'fact co: boolean "Có"\n'
    'fact kinh_phi: decimal "Kinh phí"\n'
    'fact ngay: date "Ngày"\n'
    'fact loai: choice("tốt", "khá") "Xếp loại"'
)


def reason_rules() -> str:
    return (
        f"{HEADER.format(total=2)}\n{REASON_FACTS}\n"
        '1 "A": max 2\n'
        "  score = if so >= 5 then max else 0.5\n"
        '  reason "so={so} ty_le={ty_le} co={co} kinh_phi={kinh_phi} ngay={ngay} loai={loai}"\n'
        '  reason "score={score} max={max} lost={lost}"\n'
        '  reason when so > 2: "Có {so} cuộc, cần 5"\n'
        '  reason when so <= 2: "Chỉ {so} cuộc"\n'
        '  reason when co and ngay > 2023-10-31: "Muộn"\n'
    )


def facts_for_reasons(**changes: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "so": 3,
        "ty_le": "75%",
        "co": True,
        "kinh_phi": "12.75",
        "ngay": "2023-10-31",
        "loai": "khá",
    }
    facts.update(changes)
    return facts


def test_reason_templates_are_filled_vietnamese_style(tmp_path: Path) -> None:
    result = evaluate(tmp_path, reason_rules(), facts_for_reasons())
    assert result["1"].reasons == (
        "so=3 ty_le=75% co=có kinh_phi=12,75 ngay=31/10/2023 loai=khá",
        "score=0,5 max=2 lost=1,5",
        "Có 3 cuộc, cần 5",
    )


def test_reason_values_other_forms(tmp_path: Path) -> None:
    result = evaluate(
        tmp_path, reason_rules(), facts_for_reasons(so=1, ty_le="75,5%", co=False, kinh_phi="0.1", loai="tốt")
    )
    assert result["1"].reasons == (
        "so=1 ty_le=75,5% co=không kinh_phi=0,1 ngay=31/10/2023 loai=tốt",
        "score=0,5 max=2 lost=1,5",
        "Chỉ 1 cuộc",
    )


def test_reason_when_only_when_its_condition_holds(tmp_path: Path) -> None:
    result = evaluate(tmp_path, reason_rules(), facts_for_reasons(so=0, ngay="2023-11-01"))
    assert result["1"].reasons[2:] == ("Chỉ 0 cuộc", "Muộn")


def test_no_reasons_when_nothing_is_lost(tmp_path: Path) -> None:
    result = evaluate(tmp_path, reason_rules(), facts_for_reasons(so=5, ngay="2023-11-01"))
    assert (str(result["1"].score), result["1"].reasons, result.losses()) == ("2", (), [])


def test_reason_shows_a_rounded_fractional_score(tmp_path: Path) -> None:
    text = f'{HEADER.format(total=1)}\n1 "A": max 1\n  score = 2/3\n  reason "Đạt {{score}}/{{max}}, mất {{lost}}"\n'
    assert evaluate(tmp_path, text)["1"].reasons == ("Đạt 0,667/1, mất 0,333",)


# ---- bonus and penalty ------------------------------------------------------------------------

ADJUST = (
    f"{HEADER.format(total=10)}\n"
    'fact diem: decimal "Điểm" min 0 max 10\n'
    'fact thuong: decimal "Thưởng" min 0 max 1\n'
    'fact tru: decimal "Trừ" min 0 max 2\n'
    '1 "A": max 10\n  score = diem\n  reason "r"\n'
    'bonus sang_kien "Điểm thưởng sáng kiến": max 1\n  score = thuong\n'
    'penalty vi_pham "Điểm trừ vi phạm": max 2\n  score = tru\n'
)


@pytest.mark.parametrize(
    ("diem", "thuong", "tru", "total"),
    [
        ("7", "0.5", "1.25", "6.25"),
        ("7", "0", "0", "7"),
        ("9.8", "1", "0", "10"),  # kept within max
        ("0.5", "0", "2", "0"),  # kept at 0
        ("10", "1", "1", "10"),
    ],
)
def test_bonus_and_penalty(tmp_path: Path, diem: str, thuong: str, tru: str, total: str) -> None:
    result = evaluate(tmp_path, ADJUST, {"diem": diem, "thuong": thuong, "tru": tru})
    assert (str(result.base_score), str(result.bonus), str(result.penalty)) == (diem, thuong, tru)
    assert str(result.score) == total
    assert str(result.max) == "10"  # bonus and penalty do not count in the maximum
    assert (str(result["sang_kien"].score), str(result["vi_pham"].score)) == (thuong, tru)
    assert result.adjustments == ("sang_kien", "vi_pham")


def test_bonus_is_rounded(tmp_path: Path) -> None:
    facts = {"diem": "5", "thuong": "0.33333", "tru": "0.0005"}
    result = evaluate(tmp_path, ADJUST, facts)
    assert (str(result.bonus), str(result.penalty), str(result.score)) == ("0.333", "0.001", "5.332")


# ---- type errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "facts", "words"),
    [
        # a boolean in arithmetic (the `if` mixes kinds, so only the evaluator can tell)
        ("clamp((if co then true else 0) + 1, 0, max)", {"co": True}, "phép `+` cần một số"),
        ("(if co then false else 2) * 2", {"co": True}, "phép `*` cần một số"),
        ("-(if co then true else 0)", {"co": True}, "cần một số"),
        ("min(max, if co then true else 1)", {"co": True}, "hàm min cần một số"),
        # a number compared with a string
        ('if (if co then "5" else 5) = 5 then max else 0', {"co": True}, "không so sánh được chuỗi"),
        # a boolean compared with `<`
        ("if (if co then true else 1) < 2 then max else 0", {"co": True}, "không so sánh được"),
        ("if (if co then true else 1) < true then max else 0", {"co": True}, "phép `<` không dùng được"),
        # a number where a condition is expected
        ("if (if co then 1 else true) then max else 0", {"co": True}, "điều kiện cần có/không"),
        # a number compared with a date
        ("if (if co then 2023-10-31 else 1) > 0 then max else 0", {"co": True}, "không so sánh được ngày"),
    ],
)
def test_type_errors_at_evaluation(tmp_path: Path, formula: str, facts: dict[str, Any], words: str) -> None:
    rules = load(tmp_path, one(formula, 'fact co: boolean "Có"'))
    with pytest.raises(EvaluationError) as info:
        rules.evaluate(facts)
    message = str(info.value)
    assert words in message and "tiêu chí 1" in message
    assert f"{tmp_path / 'r.cchc'}:4:" in message
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("clamp(co + 1, 0, max)", "cần một số"),
        ('if so = "5" then max else 0', "không so sánh được"),
        ("if so then max else 0", "điều kiện cần có/không"),
    ],
)
def test_plain_type_errors_are_rejected(tmp_path: Path, formula: str, words: str) -> None:
    """Written directly, these are caught when loading (the checker) or else when evaluating."""
    text = one(formula, 'fact co: boolean "Có"\nfact so: count "Số"')
    with pytest.raises((CheckError, EvaluationError)) as info:
        load(tmp_path, text).evaluate({"co": True, "so": 5})
    assert words in str(info.value)
    assert f"{tmp_path / 'r.cchc'}:5:" in str(info.value)


# ---- date and choice facts -----------------------------------------------------------------------


def date_choice_rules() -> str:
    return (
        f"{HEADER.format(total=4)}\n"
        'fact ngay: date "Ngày ban hành kế hoạch"\n'
        'fact loai: choice("tốt", "khá", "trung bình") "Xếp loại"\n'
        '1 "A": max 4\n'
        '1.1 "Kế hoạch đúng hạn": max 2\n  score = if ngay <= 2023-01-15 then max else 0\n'
        '  reason "Ban hành ngày {ngay}"\n'
        '1.2 "Xếp loại": max 2\n  score = if loai = "tốt" then max else if loai != "trung bình" then 1 else 0\n'
        '  reason "Xếp loại {loai}"\n'
    )


@pytest.mark.parametrize(
    ("ngay", "loai", "s1", "s2"),
    [
        ("2023-01-15", "tốt", "2", "2"),
        (datetime.date(2023, 1, 16), "khá", "0", "1"),
        ("14/01/2023", "trung bình", "2", "0"),
        ("2022-12-31", "khá", "2", "1"),
    ],
)
def test_date_and_choice_facts_in_conditions(tmp_path: Path, ngay: Any, loai: str, s1: str, s2: str) -> None:
    result = evaluate(tmp_path, date_choice_rules(), {"ngay": ngay, "loai": loai})
    assert (str(result["1.1"].score), str(result["1.2"].score)) == (s1, s2)


def test_date_and_choice_in_reasons(tmp_path: Path) -> None:
    result = evaluate(tmp_path, date_choice_rules(), {"ngay": "2023-02-01", "loai": "trung bình"})
    assert result["1.1"].reasons == ("Ban hành ngày 01/02/2023",)
    assert result["1.2"].reasons == ("Xếp loại trung bình",)


def test_untraced_evaluation_gives_the_same_scores(tmp_path: Path) -> None:
    rules = load(tmp_path, ratio_rules("zero"))
    facts = {"tong": 7, "dung_han": 5, "co": False}
    traced, untraced = rules.evaluate(facts), rules.evaluate(facts, trace=False)
    assert untraced["1.1"].trace is None
    assert {i: (n.score, n.reasons) for i, n in traced.nodes.items()} == {
        i: (n.score, n.reasons) for i, n in untraced.nodes.items()
    }
    assert_invariants(untraced)


# ---- invariants on a larger tree --------------------------------------------------------------


def test_invariants_on_a_mixed_tree(tmp_path: Path) -> None:
    text = (
        f"{HEADER.format(total=20)} not_applicable exclude\n{PART_WHOLE}\n"
        'fact tre: count "Số báo cáo chậm"\nfact p: percent "Tỷ lệ"\nfact co: boolean "Có"\n'
        '1 "A": max 8\n'
        '1.1 "B": max 3\n  score = max * ratio(dung_han, tong, zero: na)\n  reason "r"\n'
        '1.2 "C": max 5\n'
        '1.2.1 "C1": max 2\n  score = deduct 0.3 per tre\n  reason "r"\n'
        f'1.2.2 "C2": max 3\n  score = tier p\n    when >= 90%: max\n    when from 50% to under 90%: 1.5\n'
        '    otherwise: 0\n  reason "r"\n'
        '2 "D": max 12\n  na when not co: exclude\n'
        '2.1 "D1": max 12\n  score = 1.5 * 19 / 139\n  reason "r"\n'
    )
    for facts in (
        {"tong": 7, "dung_han": 5, "tre": 3, "p": "72%", "co": True},
        {"tong": 0, "dung_han": 0, "tre": 9, "p": "90%", "co": True},
        {"tong": 3, "dung_han": 1, "tre": 1, "p": "10%", "co": False},
        {"tong": 0, "dung_han": 0, "tre": 0, "p": "100%", "co": False},
    ):
        evaluate(tmp_path, text, facts)  # evaluate() asserts the invariants
    result = evaluate(tmp_path, text, {"tong": 7, "dung_han": 5, "tre": 3, "p": "72%", "co": True})
    assert str(result["1.1"].score) == "2.143"
    assert str(result["1.2.1"].score) == "1.1"
    assert str(result["2.1"].score) == "0.205"
    assert str(result.base_score) == "4.948"
    assert sum((n.lost for n in result.losses()), Decimal(0)) == Decimal("15.052")


@pytest.mark.parametrize("interpreted", [True, False], ids=["interpreter", "compiled"])
def test_a_zero_denominator_in_a_reason_condition_is_an_error(tmp_path: Path, interpreted: bool) -> None:
    """`zero:` decides a formula's score; in a reason's condition nothing can decide, so the unit is refused."""
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "R"\n  total 1\n  rounding 3 half_up\n\n'
        'fact a: count "a"\nfact b: count "b"\nfact c: count "c" max 1\n\n'
        '1 "A": max 1\n'
        "  score = c\n"
        '  reason when ratio(a, b, zero: full) < 1: "ít"\n',
        encoding="utf-8",
    )
    # The checker refuses it now (E180 at the divisor); the evaluator's own refusal stays, for any rule
    # set the proofs could not decide: it is scored here as checked without them.
    with pytest.raises(CheckError) as refused:
        cchc_rules.load(path)
    (e180,) = refused.value.diagnostics
    assert e180.code == "E180" and e180.span is not None and (e180.span.line, e180.span.column) == (11, 24)
    from cchc_rules.checker import check
    from cchc_rules.inherit import load_resolved

    rules = cchc_rules.RuleSet(check(load_resolved(path)))
    facts = {"a": 1, "b": 0, "c": 0}
    with pytest.raises(EvaluationError) as caught:
        if interpreted:
            rules.interpret(rules.facts(facts))
        else:
            rules.evaluate(facts)
    (d,) = caught.value.diagnostics
    assert d.code == "R001" and "trong một điều kiện" in d.message
    assert d.span is not None and (d.span.line, d.span.column) == (11, 15)  # the ratio
    assert str(rules.evaluate({"a": 1, "b": 2, "c": 0})["1"].reasons) == "('ít',)"


PENALTY = (
    f"{HEADER.format(total=10)}\n"
    'fact k: count "Số vụ vi phạm" unit "vụ"\n'
    '1 "A": max 10\n  score = max\n'
    'penalty vi_pham "Vi phạm": max 2\n  score = min(max, 0.5 * k)\n  reason "Có {k} vụ, trừ {lost} điểm"\n'
)


@pytest.mark.parametrize(
    ("k", "score", "lost", "reasons"),
    [
        (0, "0", "0", []),  # no penalty: nothing lost, no reason
        (1, "0.5", "0.5", ["Có 1 vụ, trừ 0,5 điểm"]),
        (4, "2", "2", ["Có 4 vụ, trừ 2 điểm"]),
    ],
)
def test_a_penalty_loses_its_score_and_gives_its_reasons_when_it_applies(
    tmp_path: Path, k: int, score: str, lost: str, reasons: list[str]
) -> None:
    rules = load(tmp_path, PENALTY)
    facts = {"k": k}
    by_unit = rules.evaluate(facts)
    in_columns = rules.evaluate_many([facts, facts])[1]
    reference = rules.interpret(rules.facts(facts))
    for result in (by_unit, in_columns, reference):
        assert_invariants(result)
        node = result["vi_pham"]
        assert (str(node.score), str(node.lost), list(node.reasons)) == (score, lost, reasons)
        assert result.losses() == []  # losses are the tree's: they add up to max - base_score
        assert str(result.score) == str(10 - Decimal(score))
