"""The shipped 2023 rule set on the Thanh Thủy facts: every figure stated exactly.

The seed report claims 65.988 points; its own figures give 66.245 under the
rules inferred in DOMAIN.md (areas 1, 3 and 7 of the report do not add up).
These values are what the engine computes, not what the report claims.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

import cchc_rules
from cchc_rules.numbers import round_fraction, to_decimal
from tests.conftest import FACTS_THANH_THUY, RULES_2023


@pytest.fixture(scope="module")
def result() -> cchc_rules.Result:
    return cchc_rules.load(RULES_2023).evaluate(FACTS_THANH_THUY)


def test_total(result: cchc_rules.Result) -> None:
    assert (result.score, result.max, result.percent) == (Decimal("66.245"), Decimal(74), Decimal("89.52"))


@pytest.mark.parametrize(
    ("area", "score", "maximum", "percent"),
    [
        ("1", "12.5", "15", "83.33"),
        ("2", "5", "5", "100"),
        ("3", "18.248", "18.5", "98.64"),
        ("4", "6", "6", "100"),
        ("5", "9", "11", "81.82"),
        ("6", "6", "7", "85.71"),
        ("7", "9.497", "11.5", "82.58"),
    ],
)
def test_areas(result: cchc_rules.Result, area: str, score: str, maximum: str, percent: str) -> None:
    node = result[area]
    assert (str(node.score), str(node.max), str(node.percent)) == (score, maximum, percent)


def _rounded(value: Fraction) -> str:
    return str(to_decimal(round_fraction(value, 3, "half_up")).normalize())


@pytest.mark.parametrize(
    ("node_id", "maximum", "score", "lost"),
    [
        ("1.5.2", "0.5", "0", "0.5"),
        ("1.6.1", "2", "0", "2"),
        ("3.3.3", "1", "0.75", "0.25"),
        ("3.5.2", "1", "0.999", "0.001"),
        ("3.5.3", "1", "0.999", "0.001"),
        ("5.4.2", "2", "0", "2"),
        ("6.1.1", "1", "0", "1"),
        ("7.2.1", "1.5", _rounded(Fraction(3, 2) * 19 / 139), "1.295"),
        ("7.2.2", "3", _rounded(Fraction(3) * 1340 / 1754), "0.708"),
    ],
)
def test_the_nine_seed_sub_criteria(
    result: cchc_rules.Result, node_id: str, maximum: str, score: str, lost: str
) -> None:
    node = result[node_id]
    assert (str(node.max), str(node.score), str(node.lost)) == (maximum, score, lost)
    assert node.reasons, f"{node_id} lost points without a reason"


def test_formula_values_before_rounding(result: cchc_rules.Result) -> None:
    assert _rounded(Fraction(3, 2) * 19 / 139) == "0.205"
    assert _rounded(Fraction(3) * 1340 / 1754) == "2.292"
    trace = result["7.2.2"].trace
    assert trace is not None and trace.unrounded is not None
    assert trace.unrounded.startswith("2.291904218928")


def test_losses_are_exactly_the_nine_and_add_up(result: cchc_rules.Result) -> None:
    losses = result.losses()
    assert [n.id for n in losses] == ["1.5.2", "1.6.1", "3.3.3", "3.5.2", "3.5.3", "5.4.2", "6.1.1", "7.2.1", "7.2.2"]
    assert sum((n.lost for n in losses), Decimal(0)) == result.max - result.score == Decimal("7.755")


def test_reasons_interpolate_the_seed_figures(result: cchc_rules.Result) -> None:
    assert result["1.5.2"].reasons == ("Không đủ 5 cuộc đối thoại/năm (chỉ có 2 cuộc)",)
    assert "1340/1754" in result["7.2.2"].reasons[0]
    assert "19/139" in result["7.2.1"].reasons[0]
    assert "75%" in result["3.3.3"].reasons[0]


def test_json_contract(result: cchc_rules.Result) -> None:
    data = json.loads(result.to_json())
    assert (data["score"], data["max"], data["percent"]) == ("66.245", "74", "89.52")
    assert [data["nodes"][a]["max"] for a in "1234567"] == ["15", "5", "18.5", "6", "11", "7", "11.5"]
    node = data["nodes"]["7.2.2"]
    assert set(node) >= {"title", "score", "max", "lost", "status", "reasons"}
    assert all(isinstance(node[k], str) for k in ("score", "max", "lost"))
    assert node["status"] == "scored"
    assert data["facts"]["ho_so_truc_tuyen_den_31_10"] == "1340"
    assert data["facts"]["co_sang_kien"] is False
    assert data["facts"]["ty_le_lien_thong"] == "0.75"


def test_every_fact_from_the_seed_carries_its_evidence(result: cchc_rules.Result) -> None:
    trace = result["7.2.2"].trace
    assert trace is not None
    evidence = {f.name: f.evidence for f in trace.facts}
    assert "Báo cáo tự đánh giá" in evidence["ho_so_truc_tuyen_den_31_10"]


def test_inferred_rules_are_labelled(result: cchc_rules.Result) -> None:
    for node_id in ("1.5.2", "1.6.1", "3.3.3", "3.5.2", "3.5.3", "5.4.2", "6.1.1", "7.2.1", "7.2.2"):
        assert result[node_id].inferred, f"{node_id} is inferred but not labelled"
