"""The reference interpreter (evaluator.py), step by step and error by error.

Golden traces: tests/fixtures/evaluate/every_step.cchc records every kind of
trace step; for three units its JSON with trace (scores, steps, their
sentences and spans, reasons, n/a policies) is compared with a reviewed file,
for the interpreter and for the compiled code alike.

Runtime errors: the checker rejects most rule sets that could fail at run
time, so these rule sets are indexed without it and run on the interpreter;
each error's full text (message, place, line, caret, hint) is compared.
"""

from __future__ import annotations

import datetime
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import cchc_rules
from cchc_rules.build import build_module
from cchc_rules.checker import index, merge
from cchc_rules.errors import EvaluationError
from cchc_rules.evaluator import Evaluator, ZeroDenominatorSignal
from cchc_rules.facts import Facts
from cchc_rules.loader import RuleSource
from cchc_rules.parser import parse_tree
from cchc_rules.source import SourceFile
from cchc_rules.trace import NullTracer, Tracer
from tests.conftest import FIXTURES, golden

EVALUATE = FIXTURES / "evaluate"

UNITS: dict[str, dict[str, Any]] = {
    "zero_totals": {
        "online": 0,
        "total": 0,
        "rate": "95%",
        "late": 0,
        "errors": 0,
        "has_plan": "có",
        "level": "tốt",
        "issued": "2023-01-15",
        "raw": 10,
    },
    "partial": {
        "online": 1340,
        "total": 1754,
        "rate": "75%",
        "late": 3,
        "errors": 1,
        "has_plan": True,
        "level": "khá",
        "issued": "2023-06-01",
        "raw": -6,
        "units": 1,
    },
    "not_applicable": {
        "online": 5,
        "total": 10,
        "rate": "10%",
        "late": 10,
        "errors": 5,
        "has_plan": "không",
        "level": "kém",
        "issued": "2023-12-31",
        "raw": "7,5",
    },
}


@pytest.mark.parametrize("unit", UNITS)
def test_every_step_of_the_trace_is_as_reviewed(
    unit: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EVALUATE)
    rules = cchc_rules.load("every_step.cchc")
    facts = rules.facts(UNITS[unit])
    interpreted = rules.interpret(facts).to_json(trace=True)
    golden(EVALUATE / f"every_step.{unit}.json", interpreted, update_golden)
    assert rules.evaluate(facts).to_json(trace=True) == interpreted
    assert json.loads(rules.interpret(facts, trace=False).to_json())["score"] == json.loads(interpreted)["score"]


# ---- runtime errors, on rule sets the checker would refuse ----------------------------------------------


def unchecked(text: str) -> Any:
    """A rule set indexed without the checker's passes, as the proofs' search sees it."""
    source = SourceFile(name="r.cchc", text='ruleset "T" total 10 rounding 3 half_up\n' + text)
    module = build_module(source, parse_tree(source))
    return index(merge(RuleSource(sources=(source,), modules=(module,))), ())


def failure(text: str, **values: Any) -> str:
    rules = unchecked(text)
    given = {
        k: Fraction(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in values.items()
    }
    with pytest.raises(EvaluationError) as info:
        Evaluator(rules, Facts(values=given), Tracer()).run()
    assert [d.code for d in info.value.diagnostics] == ["R001"]
    return str(info.value)


ERRORS = [
    (
        'fact x: count "X"\n1 "A": max 10\n  score = 10 / x\n',
        {"x": 0},
        "r.cchc:4:16: lỗi [R001]: tiêu chí 1: chia cho 0\n      score = 10 / x\n                   ^\n"
        "    gợi ý: dùng ratio(a, b, zero: full|zero|na) để quy định nghĩa của mẫu số bằng 0",
    ),
    (
        'fact x: count "X"\n1 "A": max 10\n  score = tier x\n    when >= 5: max\n',
        {"x": 2},
        "r.cchc:4:11: lỗi [R001]: tiêu chí 1: không bậc nào khớp với giá trị 2\n      score = tier x\n"
        "              ^\n    gợi ý: thêm một dòng `otherwise: ...` hoặc bậc còn thiếu",
    ),
    (
        'fact x: count "X"\n1 "A": max 10\n  score = x\n',
        {"x": 12},
        "r.cchc:4:11: lỗi [R001]: tiêu chí 1: điểm tính được là 12, vượt điểm tối đa 10\n      score = x\n"
        "              ^\n    gợi ý: giới hạn công thức bằng clamp(..., 0, max) hoặc min(max, ...), hoặc sửa công thức",
    ),
    (
        'fact x: decimal "X"\n1 "A": max 10\n  score = x\n',
        {"x": Fraction(-3, 2)},
        "r.cchc:4:11: lỗi [R001]: tiêu chí 1: điểm tính được là -1,5, âm\n      score = x\n              ^\n"
        "    gợi ý: giới hạn công thức bằng clamp(..., 0, max) hoặc min(max, ...), hoặc sửa công thức",
    ),
    (
        'fact x: count "X"\nfact b: boolean "B"\n1 "A": max 10\n  score = if x = b then 1 else 0\n',
        {"x": 1, "b": True},
        "r.cchc:5:14: lỗi [R001]: tiêu chí 1: không so sánh được số (1) với có/không (có)\n"
        "      score = if x = b then 1 else 0\n                 ^^^^^",
    ),
    (
        'fact b: boolean "B"\n1 "A": max 10\n  score = if b < true then 1 else 0\n',
        {"b": False},
        "r.cchc:4:14: lỗi [R001]: tiêu chí 1: phép `<` không dùng được cho có/không\n"
        "      score = if b < true then 1 else 0\n                 ^^^^^^^^\n    gợi ý: chỉ dùng `=` hoặc `!=`",
    ),
    (
        'fact x: count "X"\n1 "A": max 10\n  score = if x then 1 else 0\n',
        {"x": 1},
        "r.cchc:4:14: lỗi [R001]: tiêu chí 1: điều kiện cần có/không nhưng nhận số (1)\n"
        "      score = if x then 1 else 0\n                 ^\n    gợi ý: so sánh giá trị, vd `so_ho_so > 0`",
    ),
    (
        'fact b: boolean "B"\n1 "A": max 10\n  score = 1 + b\n',
        {"b": True},
        "r.cchc:4:15: lỗi [R001]: tiêu chí 1: phép `+` cần một số nhưng nhận có/không (có)\n"
        "      score = 1 + b\n                  ^",
    ),
    (
        'fact b: boolean "B"\n1 "A": max 10\n  score = -b\n',
        {"b": False},
        "r.cchc:4:12: lỗi [R001]: tiêu chí 1: dấu trừ cần một số nhưng nhận có/không (không)\n"
        "      score = -b\n               ^",
    ),
    (
        'fact x: count "X"\n1 "A": max 10\n  score = clamp(x, 5, 1)\n',
        {"x": 3},
        "r.cchc:4:11: lỗi [R001]: tiêu chí 1: clamp có cận dưới 5 lớn hơn cận trên 1\n"
        "      score = clamp(x, 5, 1)\n              ^^^^^^^^^^^^^^",
    ),
    (
        'fact x: decimal "X"\n1 "A": max 10\n  score = deduct x per 2\n',
        {"x": -1},
        "r.cchc:4:18: lỗi [R001]: tiêu chí 1: mức trừ (-1) và số lần (2) không được âm\n"
        "      score = deduct x per 2\n                     ^^^^^^^",
    ),
    (
        'fact b: boolean "B"\nfact x: count "X"\n1 "A": max 10\n  score = ratio(b, x, zero: full)\n',
        {"b": True, "x": 1},
        "r.cchc:5:17: lỗi [R001]: tiêu chí 1: tử số của ratio cần một số nhưng nhận có/không (có)\n"
        "      score = ratio(b, x, zero: full)\n                    ^",
    ),
    (
        'fact b: boolean "B"\nfact x: count "X"\n1 "A": max 10\n  score = ratio(x, b, zero: full)\n',
        {"b": True, "x": 1},
        "r.cchc:5:20: lỗi [R001]: tiêu chí 1: mẫu số của ratio cần một số nhưng nhận có/không (có)\n"
        "      score = ratio(x, b, zero: full)\n                       ^",
    ),
    (
        'fact b: boolean "B"\n1 "A": max 10\n  score = b\n',
        {"b": True},
        "r.cchc:4:11: lỗi [R001]: tiêu chí 1: công thức tính điểm cần một số nhưng nhận có/không (có)\n"
        "      score = b\n              ^",
    ),
    (
        'fact b: boolean "B"\n1 "A": max 10\n  score = deduct b per 1\n',
        {"b": True},
        "r.cchc:4:18: lỗi [R001]: tiêu chí 1: mức trừ cần một số nhưng nhận có/không (có)\n"
        "      score = deduct b per 1\n                     ^",
    ),
    (
        'fact b: boolean "B"\n1 "A": max 10\n  score = deduct 1 per b\n',
        {"b": True},
        "r.cchc:4:24: lỗi [R001]: tiêu chí 1: số lần trừ cần một số nhưng nhận có/không (có)\n"
        "      score = deduct 1 per b\n                           ^",
    ),
    (
        'fact b: boolean "B"\n1 "A": max 10\n  score = deduct 1 per 1 from b\n',
        {"b": True},
        "r.cchc:4:31: lỗi [R001]: tiêu chí 1: điểm bắt đầu của deduct cần một số nhưng nhận có/không (có)\n"
        "      score = deduct 1 per 1 from b\n                                  ^",
    ),
    (
        'fact c: choice("tốt", "kém") "C"\n1 "A": max 10\n  score = min(c, 1)\n',
        {"c": "tốt"},
        "r.cchc:4:15: lỗi [R001]: tiêu chí 1: hàm min cần một số nhưng nhận chuỗi (tốt)\n"
        "      score = min(c, 1)\n                  ^",
    ),
    (
        'fact d: date "D"\n1 "A": max 10\n  score = max(1, d)\n',
        {"d": datetime.date(2023, 10, 31)},
        "r.cchc:4:18: lỗi [R001]: tiêu chí 1: hàm max cần một số nhưng nhận ngày (31/10/2023)\n"
        "      score = max(1, d)\n                     ^",
    ),
]


# ASCII ids (the code and a number): mutmut selects tests by id, and ids with newlines are not found again.
ERROR_IDS = [f"{expected.split('[', 1)[1].split(']', 1)[0]}-{i}" for i, (_, _, expected) in enumerate(ERRORS)]


@pytest.mark.parametrize(("text", "values", "expected"), ERRORS, ids=ERROR_IDS)
def test_each_runtime_error_names_its_place_and_cause(text: str, values: dict[str, Any], expected: str) -> None:
    assert failure(text, **values) == expected


def test_an_error_outside_any_criterion_names_no_criterion() -> None:
    rules = unchecked('fact x: count "X"\n1 "A": max 10\n  score = x\n')
    evaluator = Evaluator(rules, Facts(values={"x": Fraction(1)}), NullTracer())
    span = rules.nodes["1"].span
    error = evaluator.fail(span, "thông báo", "gợi ý")
    assert str(error) == 'r.cchc:3:1: lỗi [R001]: thông báo\n    1 "A": max 10\n    ^\n    gợi ý: gợi ý'


# ---- what the proofs ask of the interpreter --------------------------------------------------------------------


def test_raw_gives_none_when_the_criterion_or_an_ancestor_is_not_applicable() -> None:
    rules = unchecked(
        'fact x: count "X"\nfact b: boolean "B"\n'
        '1 "A": max 10\n  na when b: full\n1.1 "B": max 10\n  score = x\n  na when x = 0: full\n'
    )
    crit = rules.nodes["1.1"]
    assert crit.formula is not None

    def raw(**values: Any) -> Fraction | None:
        return Evaluator(rules, Facts(values=values), NullTracer()).raw(crit, crit.formula.expr)

    assert raw(x=Fraction(3), b=False) == 3
    assert raw(x=Fraction(3), b=True) is None  # the parent is not applicable
    assert raw(x=Fraction(0), b=False) is None  # the criterion itself is not applicable


def test_a_zero_denominator_signal_carries_its_policy_place_and_text() -> None:
    rules = unchecked('fact a: count "A"\nfact t: count "T"\n1 "A": max 10\n  score = ratio(a, t, zero: na)\n')
    crit = rules.nodes["1"]
    assert crit.formula is not None
    with pytest.raises(ZeroDenominatorSignal) as info:
        Evaluator(rules, Facts(values={"a": Fraction(0), "t": Fraction(0)}), NullTracer()).raw(crit, crit.formula.expr)
    assert info.value.policy == "na"
    assert info.value.text == "ratio(a, t, zero: na)"
    assert (info.value.span.line, info.value.span.column) == (5, 11)


def test_clamp_with_equal_bounds_is_that_bound(tmp_path: Path) -> None:
    rules = unchecked('fact x: count "X"\n1 "A": max 10\n  score = clamp(x, 4, 4)\n')
    outcome = Evaluator(rules, Facts(values={"x": Fraction(9)}), NullTracer()).run()
    assert outcome.nodes["1"].score == 4


def test_not_applicable_nodes_keep_their_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EVALUATE)
    rules = cchc_rules.load("every_step.cchc")

    def outcome(unit: str) -> Any:
        return Evaluator(rules.checked, rules.facts(UNITS[unit]), NullTracer()).run().nodes

    nodes = outcome("not_applicable")
    assert [(n, nodes[n].status, nodes[n].na_policy) for n in ("4", "4.1", "1.3")] == [
        ("4", "n_a", "full"),
        ("4.1", "n_a", "full"),
        ("1.3", "scored", None),
    ]
    zero = outcome("zero_totals")["1.3"]
    assert (zero.status, zero.na_policy, zero.effective_max, zero.score) == ("n_a", "exclude", 0, 0)


def test_raw_names_the_formula_when_it_is_not_a_number() -> None:
    rules = unchecked('fact b: boolean "B"\n1 "A": max 10\n  score = b\n')
    crit = rules.nodes["1"]
    assert crit.formula is not None
    with pytest.raises(EvaluationError) as info:
        Evaluator(rules, Facts(values={"b": True}), NullTracer()).raw(crit, crit.formula.expr)
    assert info.value.diagnostics[0].message == "tiêu chí 1: công thức tính điểm cần một số nhưng nhận có/không (có)"


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("x + 1", "3"),  # an arithmetic subject: a plain number
        ("x", "2"),  # a count fact: as its type shows it
        ("ratio(x, 8, zero: zero)", "25%"),  # a ratio: as a percent
    ],
)
def test_a_tier_step_shows_its_subject_as_its_kind_reads(subject: str, shown: str) -> None:
    formula = f"tier {subject}\n    when > 100: 1\n    otherwise: 2"
    rules = unchecked(f'fact x: count "X"\n1 "A": max 10\n  score = {formula}\n')
    tracer = Tracer()
    Evaluator(rules, Facts(values={"x": Fraction(2)}), tracer).run()
    texts = [s.text for s in tracer.records["1"].materialised() if s.kind == "tier"]
    assert texts == [f"không bậc nào khớp với {subject} = {shown}: dùng `otherwise` → 2"]


# ---- the invariants every outcome keeps ---------------------------------------------------------------------------


def broken(change: str) -> str:
    """The InvariantError's message for an outcome of a two-leaf tree with one value changed."""
    from dataclasses import replace

    from cchc_rules.evaluator import InvariantError, check_invariants

    rules = unchecked('fact x: count "X"\n1 "A": max 4\n1.1 "B": max 2\n  score = x\n1.2 "C": max 2\n  score = 2\n')
    outcome = Evaluator(rules, Facts(values={"x": Fraction(1)}), NullTracer()).run()
    check_invariants(rules, outcome)  # the real outcome keeps them
    nodes = dict(outcome.nodes)
    if change == "leaf above its max":
        nodes["1.1"] = replace(nodes["1.1"], score=Fraction(3))
    elif change == "parent not the sum":
        nodes["1"] = replace(nodes["1"], score=Fraction(2))
    else:  # the areas' sum claimed higher than the losses allow
        outcome = replace(outcome, base_score=Fraction(4))
    with pytest.raises(InvariantError) as info:
        check_invariants(rules, replace(outcome, nodes=nodes))
    return str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("leaf above its max", "1.1: 0 <= 3 <= 2 <= 2 does not hold"),
        ("parent not the sum", "1: score is not the sum of its children"),
        ("base above the losses", "losses 1 do not add up to 0"),
    ],
)
def test_a_broken_invariant_is_named_exactly(change: str, message: str) -> None:
    assert broken(change) == message


def test_a_deduction_of_nothing_is_no_error_and_taking_exactly_everything_is_no_floor() -> None:
    text = 'fact x: decimal "X"\nfact n: count "N"\n1 "A": max 10\n  score = deduct x per n\n'
    for amount, count, score in ((0, 4, 10), (2.5, 4, 0), (3, 4, 0)):
        tracer = Tracer()
        outcome = Evaluator(unchecked(text), Facts(values={"x": Fraction(amount), "n": Fraction(count)}), tracer).run()
        assert outcome.nodes["1"].score == score
        floors = [s for s in tracer.records["1"].materialised() if s.kind == "floor"]
        # Only a total above the start is cut to 0; a total equal to it leaves 0 on its own.
        assert [s.text for s in floors] == (["10 − 12 < 0: lấy 0"] if amount == 3 else [])


def test_a_score_above_a_maximum_below_1_is_said_to_be_above_it_not_negative() -> None:
    message = failure('fact x: decimal "X"\n1 "A": max 0.5\n  score = x\n', x=0.75)
    assert "tiêu chí 1: điểm tính được là 0,75, vượt điểm tối đa 0,5" in message


@pytest.mark.parametrize(
    ("subject", "row", "expected"),
    [
        ("b", "when >= 1: max", "không so sánh được có/không (có) với số (1)"),
        ("b", "when from 1 to 2: max", "không so sánh được có/không (có) với số (1)"),
        ("x", "when from 0 to b: max", "không so sánh được số (0) với có/không (có)"),
    ],
    ids=["threshold", "range-low", "range-high"],
)
def test_a_tier_row_that_cannot_be_compared_points_at_the_row(subject: str, row: str, expected: str) -> None:
    text = (
        f'fact b: boolean "B"\nfact x: count "X"\n1 "A": max 10\n'
        f"  score = tier {subject}\n    {row}\n    otherwise: 0\n"
    )
    message = failure(text, b=True, x=0)
    assert message.startswith(f"r.cchc:6:10: lỗi [R001]: tiêu chí 1: {expected}\n")
    assert message.splitlines()[1].strip() == row
