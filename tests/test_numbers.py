"""Exact numbers: rounding modes on rationals, exact decimals, and how numbers are shown."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cchc_rules
from cchc_rules.numbers import is_terminating, plain, round_fraction, to_decimal, trimmed, vi


@pytest.mark.parametrize(
    ("mode", "pos", "neg", "half", "neg_half"),
    [
        ("half_up", "2.29", "-2.29", "0.13", "-0.13"),
        ("half_down", "2.29", "-2.29", "0.12", "-0.12"),
        ("half_even", "2.29", "-2.29", "0.12", "-0.12"),
        ("down", "2.29", "-2.29", "0.12", "-0.12"),
        ("up", "2.3", "-2.3", "0.13", "-0.13"),
        ("floor", "2.29", "-2.3", "0.12", "-0.13"),
        ("ceiling", "2.3", "-2.29", "0.13", "-0.12"),
    ],
)
def test_rounding_modes(mode: str, pos: str, neg: str, half: str, neg_half: str) -> None:
    x = Fraction(3) * 1340 / 1754  # 2.2919...
    assert plain(round_fraction(x, 2, mode)) == pos  # type: ignore[arg-type]
    assert plain(round_fraction(-x, 2, mode)) == neg  # type: ignore[arg-type]
    assert plain(round_fraction(Fraction("0.125"), 2, mode)) == half  # type: ignore[arg-type]
    assert plain(round_fraction(Fraction("-0.125"), 2, mode)) == neg_half  # type: ignore[arg-type]


def test_half_even_rounds_to_the_even_neighbour() -> None:
    assert plain(round_fraction(Fraction("0.135"), 2, "half_even")) == "0.14"
    assert plain(round_fraction(Fraction("0.125"), 2, "half_even")) == "0.12"


@pytest.mark.parametrize(
    "value",
    [
        Fraction(1, 1000),
        Fraction(10**30 + 1, 10**30),
        Fraction(123456789012345678901234567890123, 1000),
        Fraction(7, 10**40),
    ],
)
def test_to_decimal_is_exact_beyond_the_default_precision(value: Fraction) -> None:
    assert Fraction(to_decimal(value)) == value
    assert Fraction(trimmed(to_decimal(value))) == value


def test_trimmed_drops_zeros_and_exponents() -> None:
    assert str(trimmed(Decimal("12.750"))) == "12.75"
    assert str(trimmed(Decimal("1E+2"))) == "100"
    assert str(trimmed(Decimal("5.000"))) == "5"


def test_non_terminating_values_are_marked() -> None:
    x = Fraction(3) * 1340 / 1754
    assert not is_terminating(x)
    assert plain(x) == "2.291904218928…"
    with pytest.raises(ValueError):
        to_decimal(x)


def test_vietnamese_decimal_comma() -> None:
    assert vi(Fraction(1275, 100)) == "12,75"
    assert vi(Decimal("66.245")) == "66,245"
    assert vi(Fraction(74)) == "74"


def _plain_reference(value: Fraction, digits: int = 12) -> str:
    """plain() as first written, on Decimals: the fast integer version must give the same text."""
    if is_terminating(value):
        text = format(trimmed(to_decimal(value)), "f")
        return "0" if text == "-0" else text
    return _plain_reference(round_fraction(value, digits, "down")) + "…"


@given(
    st.fractions(max_denominator=10**7).filter(lambda f: abs(f) < 10**9)
    | st.builds(lambda n, k: Fraction(n, 10**k), st.integers(-(10**12), 10**12), st.integers(0, 9))
)
def test_plain_is_the_decimal_text(value: Fraction) -> None:
    assert plain(value) == _plain_reference(value)


def test_json_decimals_are_plain_digits_however_small(tmp_path: Path) -> None:
    """Decimal writes 0.0000001 as "1E-7"; the JSON contract promises plain decimals."""
    from cchc_rules.numbers import decimal_text

    assert decimal_text(Decimal("0.0000001")) == "0.0000001" and decimal_text(Decimal("66.245")) == "66.245"
    path = tmp_path / "nho.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 7 half_up percent rounding 8 half_up\n'
        'fact x: decimal "x" min 0 max 1\n1 "A": max 1\n  score = x\n  reason "r"\n',
        encoding="utf-8",
    )
    data = json.loads(cchc_rules.load(path).evaluate({"x": "0.0000001"}).to_json())
    assert (data["score"], data["percent"], data["nodes"]["1"]["lost"]) == ("0.0000001", "0.00001", "0.9999999")


def test_scaled_decimals_and_places_are_exact_past_28_digits() -> None:
    """Python's default context keeps 28 digits; a rule set may round to 28 places on 30-digit numbers."""
    from cchc_rules.numbers import decimal_places, scaled_decimal

    n = 66666666666666666666666666666  # 29 digits
    assert scaled_decimal(n, 28) == Decimal("6.6666666666666666666666666666")
    assert decimal_places(Decimal("10000.0000000000000000000000001")) == 25


def test_maxima_past_28_digits_add_up_exactly(tmp_path: Path) -> None:
    path = tmp_path / "dai.cchc"
    body = (
        '1 "A": max 10000.0000000000000000000000001\n1.1 "B": max 10000\n  score = max\n'
        '1.2 "C": max 0.0000000000000000000000001\n  score = max\n'
    )
    path.write_text(f'ruleset "T" total 10000.0000000000000000000000001 rounding 25 half_up\n{body}', encoding="utf-8")
    assert cchc_rules.load(path).evaluate({}).score == Decimal("10000.0000000000000000000000001")
