"""An exact-fraction oracle for the 2023 rule set: every sub-criterion as written, nothing clever.

Independent of cchc and of `baseline.py`: one small function per sub-criterion,
copied from rules/hai-duong/xa/2023.cchc, exact `Fraction` arithmetic, and one
rounding function applied where the rule set rounds (3 decimals half-up for a
formula, 2 decimals half-up for a percentage). `bench/run.py` checks that the
engine and the hand-written baseline agree with it on every unit, and counts
how often OpenFisca's float32 results do not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

F = Fraction
YES = {"true", "yes", "có", "co", "đúng", "1", "x"}


def yes(value: Any) -> bool:
    """A yes/no fact."""
    return value if isinstance(value, bool) else str(value).strip().lower() in YES


def number(value: Any) -> Fraction:
    """A count or a decimal."""
    return F(str(value).replace(",", "."))


def percent(value: Any) -> Fraction:
    """A percentage: "75%" and 75 both mean 3/4."""
    text = str(value).strip().removesuffix("%")
    return F(text) / 100


def half_up(x: Fraction, places: int) -> Fraction:
    """x rounded half-up (away from zero at .5) to `places` decimals."""
    scale = 10**places
    scaled = x * scale
    rounded = math.floor(scaled + F(1, 2)) if x >= 0 else -math.floor(-scaled + F(1, 2))
    return F(rounded, scale)


def tier(value: Fraction, rows: list[tuple[Fraction, Fraction]], otherwise: Fraction) -> Fraction:
    """First row whose threshold `value` reaches (rows from the highest threshold down)."""
    for threshold, points in rows:
        if value >= threshold:
            return points
    return otherwise


def ratio_or(a: Fraction, b: Fraction, when_zero: Fraction | None) -> Fraction | None:
    """a/b, or `when_zero` (None: not applicable) when b is 0."""
    return when_zero if b == 0 else a / b


def _na_full(score: Callable[[], Fraction | None], maximum: Fraction) -> Fraction:
    value = score()
    return maximum if value is None else value  # the header's `not_applicable full`


def subcriteria(f: dict[str, Any]) -> dict[str, Fraction]:
    """Every scored node of 2023 (formula nodes), rounded as declared."""
    n, p, y = (lambda k: number(f[k])), (lambda k: percent(f[k])), (lambda k: yes(f[k]))
    out: dict[str, Fraction] = {}

    def put(node: str, maximum: Any, value: Fraction | None) -> None:
        m = F(maximum)
        out[node] = m if value is None else half_up(value, 3)

    put("1.1.1", 1, F(1) if y("co_ke_hoach_cchc") else F(0))
    r = ratio_or(n("nhiem_vu_hoan_thanh"), n("nhiem_vu_ke_hoach"), None)
    put("1.1.2", 2, None if r is None else tier(r, [(F(1), F(2)), (F(4, 5), F(1))], F(0)))
    put("1.2.1", 2, max(F(0), 2 - F(1, 2) * n("bao_cao_cchc_tre")))
    put("1.3.1", 2, F(2) if y("co_kiem_tra_cchc") else F(0))
    put("1.4.1", 1, F(1) if y("co_tuyen_truyen") else F(0))
    forms = n("hinh_thuc_tuyen_truyen")
    put("1.4.2", 1, F(1) if forms >= 3 else F(1, 2) if 1 <= forms <= 2 else F(0))
    put("1.5.1", F(3, 2), F(3, 2) if y("co_chi_dao_cchc") else F(0))
    put("1.5.2", F(1, 2), F(1, 2) if n("doi_thoai") >= 5 else F(0))
    put("1.6.1", 2, F(2) if y("co_sang_kien") else F(0))
    put("1.6.2", 2, F(2) if y("ap_dung_sang_kien") else F(0))
    put("2.1", 2, F(2) if y("van_ban_dung_quy_dinh") else F(0))
    put("2.2", F(3, 2), F(3, 2) if y("co_ra_soat_van_ban") else F(0))
    put("2.3", F(3, 2), F(3, 2) if y("co_theo_doi_thi_hanh") else F(0))
    put("3.1.1", 3, F(3) if y("cong_khai_tthc_day_du") else F(0))
    put("3.2.1", F(5, 2), max(F(0), F(5, 2) - F(1, 2) * n("phan_anh_kien_nghi_qua_han")))
    put("3.3.1", F(5, 2), F(5, 2) if y("co_bo_phan_mot_cua") else F(0))
    put("3.3.2", F(3, 2), F(3, 2) if y("co_danh_gia_hai_long") else F(0))
    put("3.3.3", 1, tier(p("ty_le_lien_thong"), [(F(1), F(1)), (F(3, 4), F(3, 4)), (F(1, 2), F(1, 2))], F(0)))
    files = n("ho_so_tiep_nhan")
    r = ratio_or(n("ho_so_dung_han"), files, None)
    put("3.4.1", 3, None if r is None else F(3) if r == 1 else tier(r, [(F(19, 20), F(2)), (F(9, 10), F(1))], F(0)))
    put("3.4.2", 1, F(1) if yes(f.get("co_xin_loi_qua_han", True)) else F(0))
    put("3.5.1", 2, F(2) if y("co_bo_phan_mot_cua") else F(0))
    put("3.5.2", 1, 1 * (1 - ratio_or(n("ho_so_tra_lai"), files, F(0))))  # type: ignore[operator]
    put("3.5.3", 1, 1 * (1 - ratio_or(n("ho_so_tam_dung"), files, F(0))))  # type: ignore[operator]
    put("4.1", 2, F(2) if y("bo_may_dung_quy_dinh") else F(0))
    put("4.2", 2, F(2) if y("co_quy_che_lam_viec") else F(0))
    put("4.3", 2, F(2) if y("thuc_hien_phan_cap") else F(0))
    put("5.1", 2, F(2) if y("bo_tri_dung_vi_tri") else F(0))
    put("5.2", 2, F(2) if y("danh_gia_dung_quy_dinh") else F(0))
    put("5.3", 3, max(F(0), 3 - 1 * n("vi_pham_ky_luat")))
    r = ratio_or(n("cong_chuc_duoc_boi_duong"), n("cong_chuc"), None)
    put("5.4.1", 2, None if r is None else tier(r, [(F(4, 5), F(2)), (F(1, 2), F(1))], F(0)))
    put("5.4.2", 2, F(2) if n("cong_chuc_chua_dat_chuan") == 0 else F(0))
    capital = n("von_dau_tu_ke_hoach")
    disbursed = None if capital == 0 else n("von_dau_tu_giai_ngan") / capital  # zero: zero
    put("6.1.1", 1, F(0) if disbursed is None else tier(disbursed, [(F(19, 20), F(1)), (F(3, 4), F(1, 2))], F(0)))
    put("6.1.2", 2, F(2) if y("thu_ngan_sach_dat_du_toan") else F(0))
    put("6.2", 2, F(2) if y("quan_ly_tai_san_dung") else F(0))
    put("6.3", 2, F(2) if y("cong_khai_ngan_sach") else F(0))
    put("7.1.1", F(3, 2), F(3, 2) * p("van_ban_dien_tu"))
    put("7.1.2", F(3, 2), F(3, 2) if y("dung_he_thong_van_ban") else F(0))
    r = ratio_or(n("tthc_co_ho_so_truc_tuyen"), n("tthc_truc_tuyen"), None)
    put("7.2.1", F(3, 2), None if r is None else F(3, 2) * r)
    r = ratio_or(n("ho_so_truc_tuyen_den_31_10"), n("ho_so_tong_den_31_10"), None)
    put("7.2.2", 3, None if r is None else 3 * r)
    put("7.3.1", 2, tier(p("so_hoa_ket_qua"), [(F(4, 5), F(2)), (F(1, 2), F(1))], F(0)))
    put("7.3.2", 2, tier(p("thanh_toan_truc_tuyen"), [(F(1, 2), F(2)), (F(1, 5), F(1))], F(0)))
    return out


AREA_MAXIMA = {"1": F(15), "2": F(5), "3": F(37, 2), "4": F(6), "5": F(11), "6": F(7), "7": F(23, 2)}
# The nine sub-criteria the seed report names (the OpenFisca comparison scores these).
SEED_NINE = ("1.5.2", "1.6.1", "3.3.3", "3.5.2", "3.5.3", "5.4.2", "6.1.1", "7.2.1", "7.2.2")


def areas(f: dict[str, Any]) -> dict[str, Fraction]:
    """Each area's score: the sum of its scored sub-criteria."""
    out = {a: F(0) for a in AREA_MAXIMA}
    for node, value in subcriteria(f).items():
        out[node.split(".")[0]] += value
    return out


def total(f: dict[str, Any]) -> Fraction:
    """The commune's total (out of 74)."""
    return sum(areas(f).values(), F(0))


def seed_nine(f: dict[str, Any]) -> Fraction:
    """The total of the nine seed sub-criteria (out of 13)."""
    scores = subcriteria(f)
    return sum((scores[node] for node in SEED_NINE), F(0))
