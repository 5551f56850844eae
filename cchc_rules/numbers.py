"""Exact numbers: rationals while computing, decimals once rounded, and how both are shown.

Formulas compute on `fractions.Fraction`, so 1.5 * 19 / 139 stays exact until
the rule set's rounding policy turns it into a `Decimal`. Nothing here uses
floats.
"""

from __future__ import annotations

from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation
from fractions import Fraction

from cchc_rules.ast import RoundingMode


def to_fraction(value: Decimal | int | str) -> Fraction:
    """An exact rational from a decimal, an integer or a decimal string."""
    return Fraction(Decimal(value)) if isinstance(value, str) else Fraction(value)


def round_fraction(value: Fraction, places: int, mode: RoundingMode) -> Fraction:
    """Round a rational to `places` decimals with `mode`; the result is still exact."""
    scale = 10**places
    scaled = value * scale
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor  # 0 <= rest < 1
    if rest == 0:
        return Fraction(floor, scale)
    ceil = floor + 1
    negative = value < 0
    if mode == "floor":
        chosen = floor
    elif mode == "ceiling":
        chosen = ceil
    elif mode == "down":
        chosen = ceil if negative else floor
    elif mode == "up":
        chosen = floor if negative else ceil
    else:
        half = Fraction(1, 2)
        if rest != half:
            chosen = ceil if rest > half else floor
        elif mode == "half_up":
            chosen = floor if negative else ceil
        elif mode == "half_down":
            chosen = ceil if negative else floor
        else:  # half_even
            chosen = floor if floor % 2 == 0 else ceil
    return Fraction(chosen, scale)


def is_terminating(value: Fraction) -> bool:
    """True when the rational has a finite decimal expansion."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


_EXACT = Context(prec=200, traps=[Inexact, InvalidOperation, DivisionByZero])


def to_decimal(value: Fraction) -> Decimal:
    """The exact decimal of a terminating rational (raises ValueError otherwise)."""
    if not is_terminating(value):
        raise ValueError(f"{value} has no finite decimal expansion")
    try:
        # A terminating quotient is exact at this precision; Inexact is trapped, never silent.
        return _EXACT.divide(Decimal(value.numerator), Decimal(value.denominator))
    except Inexact:
        places = 0
        while (value * 10**places).denominator != 1:
            places += 1
        scaled = value * 10**places
        return Decimal(scaled.numerator).scaleb(-places)


def trimmed(value: Decimal) -> Decimal:
    """The same number without trailing zeros and without an exponent (12.75, 100, 0.001)."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize(_EXACT)


def plain(value: Fraction | Decimal, digits: int = 12) -> str:
    """A number as a plain decimal string ("2.292", "15", "0.001").

    A rational without a finite expansion is shown to `digits` places and
    marked with "…", so it is never mistaken for an exact value.
    """
    frac = Fraction(value) if isinstance(value, Decimal) else value
    if is_terminating(frac):
        text = format(trimmed(to_decimal(frac)), "f")
        return "0" if text == "-0" else text
    approx = round_fraction(frac, digits, "down")
    return plain(approx) + "…"


def vi(value: Fraction | Decimal, digits: int = 12) -> str:
    """A number written the Vietnamese way, with a decimal comma (12,75)."""
    return plain(value, digits).replace(".", ",")
