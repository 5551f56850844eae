"""Exact numbers: rationals while computing, decimals once rounded, and how both are shown.

Formulas compute on `fractions.Fraction`, so 1.5 * 19 / 139 stays exact until
the rule set's rounding policy turns it into a `Decimal`. Nothing here uses
floats.
"""

from __future__ import annotations

import datetime
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation
from fractions import Fraction

from cchc_rules.vocabulary import RoundingMode


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
    n, d = frac.numerator, frac.denominator
    if d == 1:
        return str(n)
    return _cached(n, d, digits)


def _cached(n: int, d: int, digits: int) -> str:
    """`_plain`, remembered: traces show the same values again and again."""
    key = (n, d, digits)
    found = _PLAIN.get(key)
    if found is None:
        if len(_PLAIN) >= 100_000:
            _PLAIN.clear()
        found = _PLAIN[key] = _plain(n, d, digits)
    return found


_PLAIN: dict[tuple[int, int, int], str] = {}


def _plain(n: int, d: int, digits: int) -> str:
    """`plain` of n/d, worked out."""
    # Integer arithmetic throughout: this runs for every number a trace or a report shows.
    twos = fives = 0
    rest = d
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:  # a finite decimal expansion: exactly k places
        k = max(twos, fives)
        return _places_text(n < 0, abs(n) * (10**k // d), k)
    truncated = abs(n) * 10**digits // d  # toward zero, as round_fraction(..., "down")
    return _places_text(n < 0, truncated, digits) + "…"


def _places_text(negative: bool, m: int, k: int) -> str:
    """m / 10**k written plainly, trailing zeros dropped ("-" only before a non-zero value)."""
    text = str(m).rjust(k + 1, "0")
    whole, fraction = text[: len(text) - k], text[len(text) - k :].rstrip("0")
    out = f"{whole}.{fraction}" if fraction else whole
    return f"-{out}" if negative and m else out


def decimal_text(value: Decimal) -> str:
    """A decimal as the JSON contract writes it: plain digits, never an exponent ("0.0000001", not "1E-7")."""
    text = str(value)
    return format(value, "f") if "E" in text else text


def vi(value: Fraction | Decimal, digits: int = 12) -> str:
    """A number written the Vietnamese way, with a decimal comma (12,75)."""
    return plain(value, digits).replace(".", ",")


def percent_vi(value: Fraction) -> str:
    """A fraction as a percentage written the Vietnamese way (0.425 -> "42,5%"), as vi(value * 100) + "%".

    Without making value * 100: multiplying by 100 adds only twos and fives, so n*100/d ends where
    value does, and plain reads it unreduced.
    """
    n, d = value.numerator * 100, value.denominator
    text = str(n) if d == 1 else _cached(n, d, 12)
    return text.replace(".", ",") + "%"


def show(value: Fraction | bool | str | datetime.date, kind: str = "") -> str:
    """A value as a Vietnamese reader expects it (12,75; 75%; có; 31/10/2023): in traces, reports and
    messages alike."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Fraction):
        return percent_vi(value) if kind == "percent" else vi(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# ---- whole numbers of 1/10**k: how the compiled evaluator keeps node scores -------------------


def decimal_places(value: Decimal) -> int:
    """Decimals a literal needs (0.25 -> 2, 15 -> 0)."""
    exponent = value.normalize(_EXACT).as_tuple().exponent  # the default context would round to 28 digits
    assert isinstance(exponent, int)
    return max(0, -exponent)


def round_scaled(numerator: int, denominator: int, mode: RoundingMode | str) -> int:
    """numerator/denominator rounded to a whole number by `mode`, as `round_fraction` rounds (denominator > 0)."""
    q, r = divmod(numerator, denominator)  # q is the floor, 0 <= r < denominator
    if r == 0 or mode == "floor":
        return q
    if mode == "ceiling":
        return q + 1
    negative = numerator < 0
    if mode == "down":
        return q + 1 if negative else q
    if mode == "up":
        return q if negative else q + 1
    twice = 2 * r
    if twice != denominator:
        return q + 1 if twice > denominator else q
    if mode == "half_up":
        return q if negative else q + 1
    if mode == "half_down":
        return q + 1 if negative else q
    return q if q % 2 == 0 else q + 1  # half_even


_SCALED: dict[tuple[int, int], Decimal] = {}


def scaled_decimal(n: int, k: int) -> Decimal:
    """n / 10**k as `trimmed(to_decimal(...))` gives it: no trailing zeros, no exponent (12.75, 100, 0.001)."""
    key = (n, k)
    found = _SCALED.get(key)
    if found is not None:
        return found
    m, e = n, k
    while e and m % 10 == 0:
        m //= 10
        e -= 1
    # Built from its digits, not with scaleb, which rounds to the context's 28 digits (a rule set may round
    # to 28 places, on numbers of 30 digits).
    exact = Decimal(m).as_tuple()
    value = Decimal((exact.sign, exact.digits, -e)) if e else Decimal(m)
    if len(_SCALED) > 100_000:  # keep the values units keep hitting, not every value ever seen
        _SCALED.clear()
    _SCALED[key] = value
    return value


def scaled_plain(n: int, k: int) -> str:
    """n / 10**k as `plain` writes it ("2.292", "15")."""
    key = (n, k)
    text = _SCALED_TEXT.get(key)
    if text is None:  # a trace writes the same few scores and maxima again and again
        text = format(scaled_decimal(n, k), "f")
        if text == "-0":
            text = "0"
        if len(_SCALED_TEXT) > 100_000:
            _SCALED_TEXT.clear()
        _SCALED_TEXT[key] = text
    return text


_SCALED_TEXT: dict[tuple[int, int], str] = {}


def scaled_vi(n: int, k: int) -> str:
    """n / 10**k as `vi` writes it ("2,292")."""
    return scaled_plain(n, k).replace(".", ",")
