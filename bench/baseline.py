"""The 2023 Hải Dương commune rule set written by hand in plain Python: the speed limit of the benchmark.

What a careful programmer would write without cchc: exact (`Fraction`, rounding
at 3 decimals half-up where the rule set rounds), straight-line code, no trace,
no checks beyond what the arithmetic needs. It reads a unit's facts as a facts
file holds them (numbers, "75%" percentages, yes/no as booleans or "có"/"không")
and returns the row `cchc rank` writes: total, maximum, percentage, and each
area's score, maximum and percentage, as exact decimal strings.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

ZERO = Fraction(0)
HALF = Fraction(1, 2)
MAXIMA = (15, 5, Fraction(37, 2), 6, 11, 7, Fraction(23, 2))
TOTAL = 74
_TRUE = {"true", "yes", "có", "co", "đúng", "1", "x"}


def _bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    return str(value).strip().lower() in _TRUE


def _num(value: Any) -> Fraction:
    return Fraction(value) if isinstance(value, int) else Fraction(str(value).replace(",", "."))


def _pct(value: Any) -> Fraction:
    text = str(value).strip()
    return Fraction(text[:-1] if text.endswith("%") else text) / 100


def _round3(x: Fraction) -> Fraction:
    """Half-up at 3 decimals, for x >= 0."""
    return Fraction((x.numerator * 1000 * 2 + x.denominator) // (2 * x.denominator), 1000)


def _round2_percent(score: Fraction, maximum: Fraction | int) -> str:
    """score / maximum as a percentage, half-up at 2 decimals, as an exact decimal string."""
    x = score * 100 / maximum
    hundredths = (x.numerator * 100 * 2 + x.denominator) // (2 * x.denominator)
    return _text(Fraction(hundredths, 100))


def _text(x: Fraction) -> str:
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))


def score(f: dict[str, Any]) -> tuple[Fraction, ...]:
    """The seven areas' scores of one commune (every `n/a` is full marks in 2023: nothing is excluded)."""
    b = _bool
    n = _num
    # Area 1
    a1 = Fraction(int(b(f["co_ke_hoach_cchc"])))
    plan = n(f["nhiem_vu_ke_hoach"])
    if plan == 0:
        a1 += 2
    else:
        r = n(f["nhiem_vu_hoan_thanh"]) / plan
        a1 += 2 if r >= 1 else 1 if r >= Fraction(4, 5) else 0
    a1 += max(ZERO, 2 - HALF * n(f["bao_cao_cchc_tre"]))
    a1 += 2 if b(f["co_kiem_tra_cchc"]) else 0
    a1 += 1 if b(f["co_tuyen_truyen"]) else 0
    forms = n(f["hinh_thuc_tuyen_truyen"])
    a1 += 1 if forms >= 3 else HALF if forms >= 1 else 0
    a1 += Fraction(3, 2) if b(f["co_chi_dao_cchc"]) else 0
    a1 += HALF if n(f["doi_thoai"]) >= 5 else 0
    a1 += 2 if b(f["co_sang_kien"]) else 0
    a1 += 2 if b(f["ap_dung_sang_kien"]) else 0
    # Area 2
    a2 = Fraction(
        (4 if b(f["van_ban_dung_quy_dinh"]) else 0)
        + (3 if b(f["co_ra_soat_van_ban"]) else 0)
        + (3 if b(f["co_theo_doi_thi_hanh"]) else 0),
        2,
    )
    # Area 3
    a3 = Fraction(3) if b(f["cong_khai_tthc_day_du"]) else ZERO
    a3 += max(ZERO, Fraction(5, 2) - HALF * n(f["phan_anh_kien_nghi_qua_han"]))
    one_stop = b(f["co_bo_phan_mot_cua"])
    a3 += Fraction(5, 2) if one_stop else 0
    a3 += Fraction(3, 2) if b(f["co_danh_gia_hai_long"]) else 0
    inter = _pct(f["ty_le_lien_thong"])
    a3 += 1 if inter >= 1 else Fraction(3, 4) if inter >= Fraction(3, 4) else HALF if inter >= HALF else 0
    files = n(f["ho_so_tiep_nhan"])
    if files == 0:
        a3 += 3 + 1 + 1  # 3.4.1 n/a (full), 3.5.2 and 3.5.3 zero: full
    else:
        r = n(f["ho_so_dung_han"]) / files
        a3 += 3 if r == 1 else 2 if r >= Fraction(19, 20) else 1 if r >= Fraction(9, 10) else 0
        a3 += _round3(1 - n(f["ho_so_tra_lai"]) / files)
        a3 += _round3(1 - n(f["ho_so_tam_dung"]) / files)
    a3 += 1 if b(f.get("co_xin_loi_qua_han", True)) else 0
    a3 += 2 if one_stop else 0
    # Area 4
    a4 = Fraction(2 * (b(f["bo_may_dung_quy_dinh"]) + b(f["co_quy_che_lam_viec"]) + b(f["thuc_hien_phan_cap"])))
    # Area 5
    a5 = Fraction(2 * (b(f["bo_tri_dung_vi_tri"]) + b(f["danh_gia_dung_quy_dinh"])))
    a5 += max(ZERO, 3 - n(f["vi_pham_ky_luat"]))
    staff = n(f["cong_chuc"])
    if staff == 0:
        a5 += 2
    else:
        r = n(f["cong_chuc_duoc_boi_duong"]) / staff
        a5 += 2 if r >= Fraction(4, 5) else 1 if r >= HALF else 0
    a5 += 2 if n(f["cong_chuc_chua_dat_chuan"]) == 0 else 0
    # Area 6
    capital = n(f["von_dau_tu_ke_hoach"])
    if capital == 0:
        a6 = ZERO  # zero: zero
    else:
        r = n(f["von_dau_tu_giai_ngan"]) / capital
        a6 = Fraction(1) if r >= Fraction(19, 20) else HALF if r >= Fraction(3, 4) else ZERO
    a6 += 2 * (b(f["thu_ngan_sach_dat_du_toan"]) + b(f["quan_ly_tai_san_dung"]) + b(f["cong_khai_ngan_sach"]))
    # Area 7
    a7 = _round3(Fraction(3, 2) * _pct(f["van_ban_dien_tu"]))
    a7 += Fraction(3, 2) if b(f["dung_he_thong_van_ban"]) else 0
    procedures = n(f["tthc_truc_tuyen"])
    a7 += Fraction(3, 2) if procedures == 0 else _round3(Fraction(3, 2) * n(f["tthc_co_ho_so_truc_tuyen"]) / procedures)
    online = n(f["ho_so_tong_den_31_10"])
    a7 += 3 if online == 0 else _round3(3 * n(f["ho_so_truc_tuyen_den_31_10"]) / online)
    digitised = _pct(f["so_hoa_ket_qua"])
    a7 += 2 if digitised >= Fraction(4, 5) else 1 if digitised >= HALF else 0
    paid = _pct(f["thanh_toan_truc_tuyen"])
    a7 += 2 if paid >= HALF else 1 if paid >= Fraction(1, 5) else 0
    return (a1, a2, a3, a4, a5, a6, a7)


def row(facts: dict[str, Any]) -> tuple[str, ...]:
    """(total, max, percent, then score, max, percent of each area) as exact decimal strings."""
    areas = score(facts)
    total = sum(areas, ZERO)
    out = [_text(total), str(TOTAL), _round2_percent(total, TOTAL)]
    for value, maximum in zip(areas, MAXIMA, strict=True):
        out += [_text(value), _text(Fraction(maximum)), _round2_percent(value, maximum)]
    return tuple(out)
