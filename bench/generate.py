"""N synthetic communes for the 2023 Hải Dương rule set, with realistic ranges and edge cases.

    python bench/generate.py 10600 -o communes.jsonl          # JSON lines: {"unit": ..., "facts": {...}}
    python bench/generate.py 10600 -o communes.xlsx           # the `cchc template` workbook, filled in
    python bench/generate.py 10600 --same -o same.jsonl       # every commune with the same facts

Most communes look like the ones in the seed report (most yes/no criteria met,
a few thousand files a year, a few late reports). About one in eight gets an
edge case on purpose: a zero denominator (no files, no civil servants, no
investment capital), a tier threshold hit exactly (75 %, 100 %, 80 % of the
plan) or just missed, or a ratio that lands exactly half-way between two
rounded values (1 file returned of 2000 gives 0.9995 points), where float
arithmetic goes wrong and exact arithmetic must not.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

BOOLEANS = (
    "co_ke_hoach_cchc",
    "co_kiem_tra_cchc",
    "co_tuyen_truyen",
    "co_chi_dao_cchc",
    "co_sang_kien",
    "ap_dung_sang_kien",
    "van_ban_dung_quy_dinh",
    "co_ra_soat_van_ban",
    "co_theo_doi_thi_hanh",
    "cong_khai_tthc_day_du",
    "co_bo_phan_mot_cua",
    "co_danh_gia_hai_long",
    "co_xin_loi_qua_han",
    "bo_may_dung_quy_dinh",
    "co_quy_che_lam_viec",
    "thuc_hien_phan_cap",
    "bo_tri_dung_vi_tri",
    "danh_gia_dung_quy_dinh",
    "thu_ngan_sach_dat_du_toan",
    "quan_ly_tai_san_dung",
    "cong_khai_ngan_sach",
    "dung_he_thong_van_ban",
)
# How often each yes/no criterion is met: initiatives are rare, the one-stop shop almost universal.
MET = {"co_sang_kien": 0.3, "ap_dung_sang_kien": 0.6, "thu_ngan_sach_dat_du_toan": 0.8}


def _percent(rng: random.Random, low: int, high: int) -> str:
    """A percentage as a commune writes it, to two decimals ("87.25%")."""
    hundredths = rng.randint(low * 100, high * 100)
    return f"{Decimal(hundredths) / 100}%"


def _part(rng: random.Random, whole: int, typical: float) -> int:
    """A part of a whole, usually near `typical` of it."""
    if whole == 0:
        return 0
    share = min(1.0, max(0.0, rng.gauss(typical, 0.15)))
    return min(whole, max(0, round(whole * share)))


def commune(rng: random.Random) -> dict[str, Any]:
    """One commune's facts, plain values as a facts file holds them."""
    f: dict[str, Any] = {name: rng.random() < MET.get(name, 0.92) for name in BOOLEANS}
    f["nhiem_vu_ke_hoach"] = rng.randint(8, 40)
    f["nhiem_vu_hoan_thanh"] = _part(rng, f["nhiem_vu_ke_hoach"], 0.9)
    f["bao_cao_cchc_tre"] = rng.choice((0, 0, 0, 0, 1, 1, 2, 5))
    f["hinh_thuc_tuyen_truyen"] = rng.randint(0, 6)
    f["doi_thoai"] = rng.randint(0, 8)
    f["phan_anh_kien_nghi_qua_han"] = rng.choice((0, 0, 0, 0, 0, 1, 2, 6))
    f["ty_le_lien_thong"] = _percent(rng, 40, 100)
    f["ho_so_tiep_nhan"] = rng.randint(200, 6000)
    f["ho_so_dung_han"] = _part(rng, f["ho_so_tiep_nhan"], 0.97)
    f["ho_so_tra_lai"] = min(f["ho_so_tiep_nhan"], rng.choice((0, 0, 1, 2, 3, 7, 15)))
    f["ho_so_tam_dung"] = min(f["ho_so_tiep_nhan"], rng.choice((0, 0, 1, 2, 4, 9)))
    f["vi_pham_ky_luat"] = rng.choice((0, 0, 0, 0, 0, 0, 1, 2, 4))
    f["cong_chuc"] = rng.randint(12, 25)
    f["cong_chuc_duoc_boi_duong"] = _part(rng, f["cong_chuc"], 0.75)
    f["cong_chuc_chua_dat_chuan"] = min(f["cong_chuc"], rng.choice((0, 0, 0, 1, 1, 2)))
    plan = Decimal(rng.randint(0, 2_000_000)) / 100  # million đồng, to 2 decimals
    f["von_dau_tu_ke_hoach"] = str(plan)
    f["von_dau_tu_giai_ngan"] = str((plan * Decimal(rng.randint(40, 100)) / 100).quantize(Decimal("0.01")).min(plan))
    f["van_ban_dien_tu"] = _percent(rng, 60, 100)
    f["tthc_truc_tuyen"] = rng.randint(40, 220)
    f["tthc_co_ho_so_truc_tuyen"] = _part(rng, f["tthc_truc_tuyen"], 0.3)
    f["ho_so_tong_den_31_10"] = rng.randint(150, 5000)
    f["ho_so_truc_tuyen_den_31_10"] = _part(rng, f["ho_so_tong_den_31_10"], 0.7)
    f["so_hoa_ket_qua"] = _percent(rng, 20, 100)
    f["thanh_toan_truc_tuyen"] = _percent(rng, 0, 90)
    if rng.random() < 0.125:
        _edge(rng, f)
    return f


def _edge(rng: random.Random, f: dict[str, Any]) -> None:
    """One deliberate edge case."""
    case = rng.randint(0, 9)
    if case == 0:  # no files at all: ratio(..., zero: full) and zero: na
        f.update(ho_so_tiep_nhan=0, ho_so_dung_han=0, ho_so_tra_lai=0, ho_so_tam_dung=0)
        f.update(ho_so_tong_den_31_10=0, ho_so_truc_tuyen_den_31_10=0)
    elif case == 1:  # no civil servants reported, no online procedures
        f.update(cong_chuc=0, cong_chuc_duoc_boi_duong=0, cong_chuc_chua_dat_chuan=0)
        f.update(tthc_truc_tuyen=0, tthc_co_ho_so_truc_tuyen=0)
    elif case == 2:  # no public investment (the seed's case: scored 0, not n/a)
        f.update(von_dau_tu_ke_hoach="0", von_dau_tu_giai_ngan="0")
    elif case == 3:  # thresholds hit exactly
        f.update(ty_le_lien_thong="75%", so_hoa_ket_qua="80%", thanh_toan_truc_tuyen="50%")
        f["nhiem_vu_hoan_thanh"] = f["nhiem_vu_ke_hoach"] * 4 // 5 if f["nhiem_vu_ke_hoach"] % 5 == 0 else 0
    elif case == 4:  # thresholds just missed
        f.update(ty_le_lien_thong="74.99%", so_hoa_ket_qua="79.99%", thanh_toan_truc_tuyen="19.99%")
    elif case == 5:  # half-way at 3 decimals: 1 - 1/2000 = 0.9995 (3.5.2), 3 * 1/2000 = 0.0015 (7.2.2)
        f.update(ho_so_tiep_nhan=2000, ho_so_dung_han=2000, ho_so_tra_lai=1, ho_so_tam_dung=3)
        f.update(ho_so_tong_den_31_10=2000, ho_so_truc_tuyen_den_31_10=rng.choice((1, 3, 5, 7)))
    elif case == 6:  # half-way in 7.1.1: 1.5 * 12.35% = 0.18525
        f["van_ban_dien_tu"] = rng.choice(("12.35%", "40.1%", "99.9%", "0.1%"))
    elif case == 7:  # everything met
        f.update({name: True for name in BOOLEANS})
        f.update(bao_cao_cchc_tre=0, phan_anh_kien_nghi_qua_han=0, vi_pham_ky_luat=0, cong_chuc_chua_dat_chuan=0)
    elif case == 8:  # many incidents: deductions floored at 0
        f.update(bao_cao_cchc_tre=9, phan_anh_kien_nghi_qua_han=12, vi_pham_ky_luat=5)
    else:  # one huge commune
        f.update(ho_so_tiep_nhan=250_000, ho_so_dung_han=249_999, ho_so_tong_den_31_10=180_001)
        f["ho_so_truc_tuyen_den_31_10"] = 120_001


def communes(n: int, seed: int = 2023, same: bool = False) -> Iterator[dict[str, Any]]:
    """`n` communes as {"unit": ..., "facts": {...}}, the same for the same seed."""
    rng = random.Random(seed)
    first = commune(rng)
    for i in range(n):
        facts = first if same else (first if i == 0 else commune(rng))
        yield {"unit": f"Xã {i + 1:05d}", "facts": facts}


def write_jsonl(path: Path, n: int, seed: int = 2023, same: bool = False) -> None:
    """The communes as JSON lines."""
    with path.open("w", encoding="utf-8") as handle:
        for item in communes(n, seed, same):
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")


def write_xlsx(path: Path, rules_path: Path, n: int, seed: int = 2023, same: bool = False) -> None:
    """The communes filled into the rule set's `cchc template` workbook."""
    import cchc_rules
    from cchc_rules.template import write_workbook
    from cchc_rules.units import UNIT_COLUMN

    rules = cchc_rules.load(rules_path)
    rows = ({UNIT_COLUMN: item["unit"], **item["facts"]} for item in communes(n, seed, same))
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, rows)


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="how many communes")
    parser.add_argument("-o", "--output", type=Path, required=True, help=".jsonl or .xlsx")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--same", action="store_true", help="every commune with the same facts")
    parser.add_argument("--rules", type=Path, default=root / "rules" / "hai-duong" / "xa" / "2023.cchc")
    args = parser.parse_args(argv)
    if args.output.suffix == ".xlsx":
        write_xlsx(args.output, args.rules, args.n, args.seed, args.same)
    else:
        write_jsonl(args.output, args.n, args.seed, args.same)
    sys.stderr.write(f"{args.output}: {args.n} xã\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
