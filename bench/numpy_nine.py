"""The nine seed sub-criteria scored by hand with numpy, on the fact columns cchc reads: a speed limit.

Not part of cchc. `bench/run.py` times it beside cchc's own scoring of the
same columns, to show what scoring on numpy arrays instead of Python lists
would buy (reading the facts and writing the rows would not change), and
checks every total against cchc's. Exact, as cchc is: every value is a whole
number of thousandths or a ratio compared by cross-multiplying, on int64,
whose range the synthetic communes stay far inside (the equality check would
catch an overflow). Only imported when numpy is installed (it comes with the
`bench` extra's openfisca-core).
"""

from __future__ import annotations

from math import lcm
from typing import Any

import numpy as np

from cchc_rules.columns.batch import Batch

# Every value kept under 2**40, so that no product below (by at most 2 * 6,000 or 100) leaves int64.
_LIMIT = 2**40


def _array(name: str, values: list[int]) -> Any:
    if values and max(map(abs, values)) >= _LIMIT:
        raise OverflowError(f"numpy_nine: `{name}` has values of 2**40 or more; int64 products could overflow")
    return np.array(values, dtype=np.int64)


def _whole(batch: Batch, name: str) -> Any:
    numerators, denominator = batch.num[name]
    assert denominator == 1, name  # counts: whole numbers
    return _array(name, numerators)


def _over(batch: Batch, name: str, common: int) -> Any:
    """A decimal column as whole numbers over `common` (a multiple of its denominator)."""
    numerators, denominator = batch.num[name]
    assert type(denominator) is int and common % denominator == 0, name
    return _array(name, [n * (common // denominator) for n in numerators])


def _half_up(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator rounded half up to a whole number, both >= 0 and denominator > 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def totals(batch: Batch) -> list[int]:
    """Every unit's total in thousandths of a point (rounding 3 half_up, `not_applicable full`)."""
    scores: list[Any] = []
    scores.append(np.where(_whole(batch, "doi_thoai") >= 5, 500, 0))  # 1.5.2
    scores.append(np.where(np.array(batch.other["co_sang_kien"], dtype=bool), 2000, 0))  # 1.6.1
    rate, hundred = batch.num["ty_le_lien_thong"]  # 3.3.3: a percent, n / d with d = 100 %
    assert type(hundred) is int
    n = _array("ty_le_lien_thong", rate)
    scores.append(np.select([n >= hundred, 4 * n >= 3 * hundred, 2 * n >= hundred], [1000, 750, 500], 0))
    files = _whole(batch, "ho_so_tiep_nhan")
    none = files == 0
    safe = np.where(none, 1, files)
    for name in ("ho_so_tra_lai", "ho_so_tam_dung"):  # 3.5.2, 3.5.3: max * (1 - part / files), zero: full
        scores.append(np.where(none, 1000, _half_up((safe - _whole(batch, name)) * 1000, safe)))
    scores.append(np.where(_whole(batch, "cong_chuc_chua_dat_chuan") == 0, 2000, 0))  # 5.4.2
    common = lcm(batch.num["von_dau_tu_ke_hoach"][1], batch.num["von_dau_tu_giai_ngan"][1])
    plan, paid = _over(batch, "von_dau_tu_ke_hoach", common), _over(batch, "von_dau_tu_giai_ngan", common)
    tier = np.select([100 * paid >= 95 * plan, 100 * paid >= 75 * plan], [1000, 500], 0)
    scores.append(np.where(plan == 0, 0, tier))  # 6.1.1: zero: zero
    for part, whole, most in (  # 7.2.1, 7.2.2: max * part / whole; zero: na, and n/a counts full marks
        ("tthc_co_ho_so_truc_tuyen", "tthc_truc_tuyen", 1500),
        ("ho_so_truc_tuyen_den_31_10", "ho_so_tong_den_31_10", 3000),
    ):
        denominator = _whole(batch, whole)
        safe = np.where(denominator == 0, 1, denominator)
        scores.append(np.where(denominator == 0, most, _half_up(most * _whole(batch, part), safe)))
    total: list[int] = np.sum(scores, axis=0).tolist()
    return total
