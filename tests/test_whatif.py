"""What-if: the smallest fact changes that recover points, found from the formulas; scenarios."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cchc_rules
from cchc_rules.whatif import Opportunity, opportunities
from tests.conftest import FACTS_THANH_THUY, RULES_2023
from tests.test_cli import cchc


def _by_id() -> dict[str, object]:
    rules = cchc_rules.load(RULES_2023)
    facts = rules.facts(FACTS_THANH_THUY)
    return {o.id: o for o in opportunities(rules, facts, rules.evaluate(facts))}


def test_every_loss_has_an_opportunity_ranked_by_points() -> None:
    rules = cchc_rules.load(RULES_2023)
    facts = rules.facts(FACTS_THANH_THUY)
    items = opportunities(rules, facts, rules.evaluate(facts))
    assert {o.id for o in items} == {"1.5.2", "1.6.1", "3.3.3", "3.5.2", "3.5.3", "5.4.2", "6.1.1", "7.2.1", "7.2.2"}
    recovered = [o.best.recovered for o in items if o.best]
    assert recovered == sorted(recovered, reverse=True)
    # 6.1.1 depends on the capital the commune is allotted (`given`): not something it can change
    assert all(o.best is not None and o.best.recovered == o.lost for o in items if o.id != "6.1.1")


def test_threshold_dialogues() -> None:
    o = _by_id()["1.5.2"]
    assert o.best.recovered == Decimal("0.5")  # type: ignore[attr-defined]
    (change,) = o.best.changes  # type: ignore[attr-defined]
    assert (change.fact, change.old, change.new) == ("doi_thoai", "2", "5")
    assert "thêm 3 cuộc (2 → 5)" in change.text


def test_ratio_needs_the_whole_and_a_tier_its_next_step() -> None:
    items = _by_id()
    (change,) = items["7.2.2"].best.changes  # type: ignore[attr-defined]
    assert (change.fact, change.old, change.new) == ("ho_so_truc_tuyen_den_31_10", "1340", "1754")
    (tier,) = items["3.3.3"].best.changes  # type: ignore[attr-defined]
    assert (tier.old, tier.new) == ("75%", "100%")
    # a whole is never shrunk on its own to raise a rate
    assert all(c.fact != "tthc_truc_tuyen" for c in items["7.2.1"].best.changes)  # type: ignore[attr-defined]


CAPITAL = """ruleset "Thử" total 4 rounding 3 half_up
fact ke_hoach: decimal "Vốn giao trong kế hoạch" unit "triệu đồng" min 0{given}
fact giai_ngan: decimal "Vốn đã giải ngân" unit "triệu đồng" min 0 max ke_hoach
1 "Giải ngân vốn": max 4
  score = tier ratio(giai_ngan, ke_hoach, zero: zero)
    when >= 90%: max
    otherwise: 0
  reason "Chưa giải ngân đủ"
"""


def _capital(tmp_path: Path, given: bool) -> list[object]:
    path = tmp_path / "von.cchc"
    path.write_text(CAPITAL.format(given=" given" if given else ""), encoding="utf-8")
    rules = cchc_rules.load(path)
    facts = rules.facts({"ke_hoach": 0, "giai_ngan": 0})
    return list(opportunities(rules, facts, rules.evaluate(facts)))


def test_two_facts_when_one_cannot_help(tmp_path: Path) -> None:
    # nothing planned, nothing disbursed: plan some and disburse it
    (o,) = _capital(tmp_path, given=False)
    assert {c.fact for c in o.best.changes} == {"giai_ngan", "ke_hoach"}  # type: ignore[attr-defined]
    assert o.given == ()  # type: ignore[attr-defined]


def test_a_given_fact_is_never_proposed_but_named(tmp_path: Path) -> None:
    # the capital is allotted to the commune: no change within its reach recovers the points
    (o,) = _capital(tmp_path, given=True)
    assert o.best is None and o.first_step is None  # type: ignore[attr-defined]
    assert [(g.fact, g.value, g.text) for g in o.given] == [  # type: ignore[attr-defined]
        ("ke_hoach", "0", "Vốn giao trong kế hoạch = 0 triệu đồng")
    ]


def test_cli_names_the_given_fact_a_loss_depends_on() -> None:
    run = cchc("whatif", RULES_2023, FACTS_THANH_THUY)
    assert run.returncode == 0, run.stderr
    assert (
        "- 6.1.1 Giải ngân vốn đầu tư công (mất 1): không có thay đổi nào trong tầm của đơn vị gỡ lại được điểm; "
        "điểm còn phụ thuộc dữ kiện được giao: Vốn đầu tư công giao trong kế hoạch năm = 0 triệu đồng\n"
    ) in run.stdout
    assert "von_dau_tu_ke_hoach" not in run.stdout and "0,001 triệu đồng" not in run.stdout
    data = json.loads(cchc("whatif", RULES_2023, FACTS_THANH_THUY, "--format", "json").stdout)
    (o,) = [o for o in data["opportunities"] if o["id"] == "6.1.1"]
    assert o["best"] is None and [g["fact"] for g in o["given"]] == ["von_dau_tu_ke_hoach"]
    # a given whole is not proposed either, even beside its part
    assert all(
        c["fact"] not in ("tthc_truc_tuyen", "ho_so_tong_den_31_10", "cong_chuc", "ho_so_tiep_nhan")
        for o in data["opportunities"]
        if o["best"]
        for c in o["best"]["changes"]
    )


def test_cli_whatif_and_scenario() -> None:
    run = cchc("whatif", RULES_2023, FACTS_THANH_THUY)
    assert run.returncode == 0, run.stderr
    assert (
        "- 1.5.2: Số cuộc đối thoại của người đứng đầu với nhân dân trong năm: thêm 3 cuộc (2 → 5) gỡ lại 0,5 điểm"
        in run.stdout
    )
    run = cchc("whatif", RULES_2023, FACTS_THANH_THUY, "--set", "doi_thoai=5", "--set", "co_sang_kien=có")
    assert run.returncode == 0, run.stderr
    assert "Tổng điểm: 66,245 → 68,745 (+2,5)" in run.stdout
    assert "- 1.5.2 Người đứng đầu đối thoại với nhân dân: 0 → 0,5 (+0,5)" in run.stdout
    data = json.loads(cchc("whatif", RULES_2023, FACTS_THANH_THUY, "--set", "doi_thoai=5", "--format", "json").stdout)
    assert data["after"]["score"] == "66.745"
    assert "1.5.2" in data["changed"]


def test_bad_scenarios_are_clear_errors() -> None:
    run = cchc("whatif", RULES_2023, FACTS_THANH_THUY, "--set", "doi_thoai")
    assert run.returncode == 2 and "tham số --set: `doi_thoai` cần dạng tên=giá_trị" in run.stderr  # usage
    run = cchc("whatif", RULES_2023, FACTS_THANH_THUY, "--set", "doi_thoia=5")
    assert run.returncode == 1
    assert "`--set doi_thoia=5`: bộ quy tắc không có dữ kiện `doi_thoia`" in run.stderr  # not the facts file's
    assert "có phải ý bạn là `doi_thoai`?" in run.stderr
    run = cchc("whatif", RULES_2023, FACTS_THANH_THUY, "--set", "doi_thoai=-1")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "--set: dữ kiện `doi_thoai`" in run.stderr and "facts.yaml" not in run.stderr


def test_a_penalty_that_applies_is_an_opportunity(tmp_path: Path) -> None:
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 10 rounding 3 half_up\n'
        'fact k: count "Số vụ vi phạm" unit "vụ"\n'
        '1 "A": max 10\n  score = max\n'
        'penalty vi_pham "Vi phạm": max 2\n  score = min(max, 0.5 * k)\n',
        encoding="utf-8",
    )
    rules = cchc_rules.load(path)
    facts = rules.facts({"k": 3})
    (found,) = opportunities(rules, facts, rules.evaluate(facts))
    assert (found.id, found.lost) == ("vi_pham", Decimal("1.5"))
    assert found.best is not None and found.first_step is not None
    assert (found.best.text(), found.best.recovered, found.best.score) == (
        "Số vụ vi phạm: bớt 3 vụ (3 → 0)",
        Decimal("1.5"),
        Decimal("0"),
    )
    assert found.first_step.text() == "Số vụ vi phạm: bớt 1 vụ (3 → 2)"
    facts = rules.facts({"k": 0})
    assert opportunities(rules, facts, rules.evaluate(facts)) == []  # no penalty: nothing to recover


def test_a_penalty_recovers_only_what_reaches_the_capped_total(tmp_path: Path) -> None:
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 10 rounding 3 half_up\n'
        'fact k: count "Số vụ vi phạm" unit "vụ"\nfact b: boolean "Có sáng kiến"\n'
        '1 "A": max 10\n  score = max\nbonus sk "Sáng kiến": max 1\n  score = if b then max else 0\n'
        'penalty vi_pham "Vi phạm": max 2\n  score = min(max, 0.5 * k)\n',
        encoding="utf-8",
    )
    rules = cchc_rules.load(path)
    facts = rules.facts({"k": 1, "b": True})  # 10 + 1 - 0.5 is kept at 10: nothing to recover
    assert opportunities(rules, facts, rules.evaluate(facts)) == []
    facts = rules.facts({"k": 4, "b": True})  # 10 + 1 - 2 = 9: one point, no more, comes back
    (found,) = opportunities(rules, facts, rules.evaluate(facts))
    assert found.best is not None and found.first_step is not None
    assert (found.best.text(), found.best.recovered, found.best.score) == (
        "Số vụ vi phạm: bớt 2 vụ (4 → 2)",
        Decimal("1"),
        Decimal("1"),
    )
    # One fewer already brings half a point back into the total.
    assert (found.first_step.text(), found.first_step.recovered) == ("Số vụ vi phạm: bớt 1 vụ (4 → 3)", Decimal("0.5"))


def test_the_first_step_of_a_rate_is_one_more_not_a_trial_value(tmp_path: Path) -> None:
    """A score that grows with a count recovers something at the first one more: that is the first step.

    The analysis tries 100 among its trial values; offering "19 → 100" as the first step of 7.2.1 hid
    that every procedure with an online file counts.
    """
    rules = _rules(
        tmp_path,
        'ruleset "T" total 1.5 rounding 3 half_up not_applicable full\n'
        'fact tong: count "Số TTHC cung cấp trực tuyến" unit "thủ tục" given\n'
        'fact co_ho_so: count "Số TTHC có phát sinh hồ sơ trực tuyến" unit "thủ tục" max tong\n'
        '7 "Dịch vụ công trực tuyến": max 1.5\n  score = max * ratio(co_ho_so, tong, zero: na)\n',
    )
    found = _only(rules, {"tong": 139, "co_ho_so": 19})
    assert found.best is not None and found.first_step is not None
    assert found.best.text() == "Số TTHC có phát sinh hồ sơ trực tuyến: thêm 120 thủ tục (19 → 139)"
    assert found.first_step.text() == "Số TTHC có phát sinh hồ sơ trực tuyến: thêm 1 thủ tục (19 → 20)"
    assert found.first_step.recovered == Decimal("0.011")  # 1.5 * 20/139 = 0.216 against 0.205


def _rules(tmp_path: Path, text: str) -> cchc_rules.RuleSet:
    path = tmp_path / "r.cchc"
    path.write_text(text, encoding="utf-8")
    return cchc_rules.load(path)


def _only(rules: cchc_rules.RuleSet, values: dict[str, object]) -> Opportunity:
    facts = rules.facts(values)
    (found,) = opportunities(rules, facts, rules.evaluate(facts))
    return found


QUOTA = """ruleset "Thử" total 4 rounding 2 half_up
fact so_cbcc: count "Số cán bộ, công chức hiện có" unit "người"
fact bien_che_giao: count "Biên chế được giao" unit "người" given
1 "Quản lý biên chế": max 4
  score = if so_cbcc {op} bien_che_giao then max else 0
"""


@pytest.mark.parametrize(
    ("op", "text"), [("<=", "bớt 1 người (21 → 20)"), ("<", "bớt 2 người (21 → 19)")], ids=["<=", "<"]
)
def test_a_threshold_set_by_another_fact_is_met_at_its_value(tmp_path: Path, op: str, text: str) -> None:
    # no literal names the quota: the other fact's value is the threshold (past it, for a strict comparison)
    o = _only(_rules(tmp_path, QUOTA.format(op=op)), {"so_cbcc": 21, "bien_che_giao": 20})
    assert o.best is not None and o.first_step is None
    assert (o.best.text(), o.best.recovered) == (f"Số cán bộ, công chức hiện có: {text}", Decimal("4"))


TOPS_OUT = """ruleset "Thử" total 2 rounding 2 half_up
fact ty_le: percent "Tỷ lệ người dân biết về CCHC"
fact tin_bai: count "Số tin bài tuyên truyền" unit "tin bài"
1 "Hiệu quả tuyên truyền": max 1
  score = clamp(max * (ty_le - 50%) / 40%, 0, max)
2 "Tin bài": max 1
  score = min(max, 0.3 * tin_bai)
"""


def test_where_a_clamp_or_a_min_tops_out_is_tried(tmp_path: Path) -> None:
    # 90% = 50% + 40% and 1 / 0,3 = 3,33 (4 whole tin bài) are written nowhere: they are where the formula tops out
    rules = _rules(tmp_path, TOPS_OUT)
    facts = rules.facts({"ty_le": "71%", "tin_bai": 1})
    items = {o.id: o for o in opportunities(rules, facts, rules.evaluate(facts))}
    assert items["1"].best is not None and items["2"].best is not None
    assert (items["1"].best.text(), items["1"].best.recovered) == (
        "Tỷ lệ người dân biết về CCHC: 71% → 90%",
        Decimal("0.47"),
    )
    assert (items["2"].best.text(), items["2"].best.recovered) == (
        "Số tin bài tuyên truyền: thêm 3 tin bài (1 → 4)",
        Decimal("0.7"),
    )


DATES = """ruleset "Thử" total 3 rounding 2 half_up
fact co_ke_hoach: boolean "Có kế hoạch CCHC"
fact ngay_ban_hanh: date "Ngày ban hành kế hoạch"{min}
fact ngay_cap_nhat: date "Ngày cập nhật cơ sở dữ liệu"{given}
fact han_cap_nhat: date "Hạn cập nhật cơ sở dữ liệu" given
1 "Ban hành kế hoạch đúng hạn": max 1
  score = if co_ke_hoach and ngay_ban_hanh {op} 2025-01-31 then max else 0
2 "Cập nhật dữ liệu đúng hạn": max 2
  score = if ngay_cap_nhat >= han_cap_nhat then max else 0.5
"""
DATE_FACTS = {
    "co_ke_hoach": True,
    "ngay_ban_hanh": "2025-02-10",
    "ngay_cap_nhat": "2025-09-20",
    "han_cap_nhat": "2025-10-01",
}


def _dates(tmp_path: Path, op: str = "<=", min: str = "", given: str = "") -> dict[str, Opportunity]:
    rules = _rules(tmp_path, DATES.format(op=op, min=min, given=given))
    facts = rules.facts(DATE_FACTS)
    return {o.id: o for o in opportunities(rules, facts, rules.evaluate(facts))}


def test_a_date_is_moved_to_the_day_it_is_compared_with(tmp_path: Path) -> None:
    items = _dates(tmp_path)
    assert items["1"].best is not None and items["2"].best is not None
    (change,) = items["1"].best.changes
    assert (change.fact, change.old, change.new) == ("ngay_ban_hanh", "2025-02-10", "2025-01-31")
    assert change.text == "Ngày ban hành kế hoạch: 10/02/2025 → 31/01/2025"
    # a date fact is a threshold too: the deadline the unit is given
    assert (items["2"].best.text(), items["2"].best.recovered) == (
        "Ngày cập nhật cơ sở dữ liệu: 20/09/2025 → 01/10/2025",
        Decimal("1.5"),
    )
    # before a strict bound is the day before it
    assert _dates(tmp_path, op="<")["1"].best.text() == "Ngày ban hành kế hoạch: 10/02/2025 → 30/01/2025"  # type: ignore[union-attr]


def test_a_date_stays_within_its_bounds_and_a_given_one_is_not_moved(tmp_path: Path) -> None:
    items = _dates(tmp_path, min=" min 2025-01-31", given=" given")
    assert items["1"].best is not None and items["1"].best.changes[0].new == "2025-01-31"
    # the day before a strict bound is before the plan's declared earliest day: nothing to propose
    assert _dates(tmp_path, op="<", min=" min 2025-01-31")["1"].best is None
    assert items["2"].best is None and [g.fact for g in items["2"].given] == ["ngay_cap_nhat", "han_cap_nhat"]


def test_a_whole_is_changed_alone_where_its_part_is_not_used(tmp_path: Path) -> None:
    """so_cbcc is the whole of cbcc_dao_tao, but at a quota criterion it is a figure to bring down."""
    path = tmp_path / "bien-che.cchc"
    path.write_text(
        'ruleset "Thử" total 5 rounding 3 half_up\n'
        'fact so_cbcc: count "Số cán bộ, công chức" unit "người"\n'
        'fact cbcc_dao_tao: count "Số được đào tạo" unit "người" max so_cbcc\n'
        'fact bien_che_giao: count "Biên chế được giao" unit "người" given\n'
        '1 "Biên chế": max 4\n  score = if so_cbcc <= bien_che_giao then max else 0\n  reason "Vượt biên chế"\n'
        '2 "Đào tạo": max 1\n  score = max * ratio(cbcc_dao_tao, so_cbcc, zero: zero)\n  reason "Chưa đủ"\n',
        encoding="utf-8",
    )
    rules = cchc_rules.load(path)
    facts = rules.facts({"so_cbcc": 21, "cbcc_dao_tao": 15, "bien_che_giao": 20})
    quota = {o.id: o for o in opportunities(rules, facts, rules.evaluate(facts))}["1"]
    (change,) = quota.best.changes  # type: ignore[union-attr]
    assert (change.fact, change.old, change.new) == ("so_cbcc", "21", "20")


def test_where_two_sides_meet_past_a_bend_and_through_a_reference(tmp_path: Path) -> None:
    """The meeting point is found by secant steps of 0,1 point, not a step of 100 points over the bend,
    and a fact reached through [1.1] is moved too."""
    path = tmp_path / "uon.cchc"
    path.write_text(
        'ruleset "Thử" total 5 rounding 3 half_up\n'
        'fact p: percent "Tỷ lệ hài lòng"\nfact a: count "Số A" max 10\n'
        '1 "Hài lòng": max 4\n  score = clamp(min(p, 90%) * 4 / 80% - 0.5, 0, max)\n  reason "Chưa đủ"\n'
        '2 "Theo 1.1": max 1\n2.1 "A trên B": max 0.5\n  score = max * a / 10\n  reason "Thiếu"\n'
        '2.2 "Khi 2.1 đủ": max 0.5\n  score = if [2.1] >= 0.4 then max else 0\n  reason "Chưa"\n',
        encoding="utf-8",
    )
    rules = cchc_rules.load(path)
    facts = rules.facts({"p": "50%", "a": 2})
    found = {o.id: o for o in opportunities(rules, facts, rules.evaluate(facts))}
    (top,) = found["1"].best.changes  # type: ignore[union-attr]
    assert (top.old, top.new) == ("50%", "90%")  # clamp tops out at 4 × 90%/80% − 0,5 = 4
    (ref,) = found["2.2"].best.changes  # type: ignore[union-attr]
    assert (ref.fact, ref.old, ref.new) == ("a", "2", "8")  # 0,5 × 8/10 = 0,4: not the fallback 10


def test_two_changes_are_tried_when_one_recovers_only_part(tmp_path: Path) -> None:
    """Each of two conditions is worth a point: one change recovers 1 of 2, the pair recovers both."""
    path = tmp_path / "hai-dieu-kien.cchc"
    path.write_text(
        'ruleset "Thử" total 2 rounding 3 half_up\n'
        'fact hoi_nghi: count "Số hội nghị" unit "cuộc"\nfact kiem_tra: count "Số cuộc kiểm tra" unit "cuộc"\n'
        '1 "Chỉ đạo": max 2\n'
        "  score = (if hoi_nghi >= 2 then 1 else 0) + (if kiem_tra >= 3 then 1 else 0)\n"
        '  reason "Chưa đủ"\n',
        encoding="utf-8",
    )
    rules = cchc_rules.load(path)
    facts = rules.facts({"hoi_nghi": 1, "kiem_tra": 1})
    (o,) = opportunities(rules, facts, rules.evaluate(facts))
    assert o.best is not None and o.first_step is not None
    assert o.best.recovered == Decimal(2)
    assert {(c.fact, c.new) for c in o.best.changes} == {("hoi_nghi", "2"), ("kiem_tra", "3")}
    # the smallest single step is still offered first: one more conference recovers 1 point
    assert o.first_step.recovered == Decimal(1)
    assert [(c.fact, c.new) for c in o.first_step.changes] == [("hoi_nghi", "2")]


def test_a_threshold_in_a_criterion_the_formula_names_is_the_smallest_change(tmp_path: Path) -> None:
    """`4.3 = if phường then [4.3.1] else [4.3.2]`, and an area taking a penalty off `[3.1]`, a sum: the
    thresholds that move the score are in the criteria named (and the ones a named sum adds up), so the
    smallest change is 75% → 90% and 45% → 80%, not 99,9%."""
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 7 rounding 2 half_up\n'
        'fact loai: choice("xã", "phường") "Loại đơn vị"\n'
        'fact trat_tu: percent "Tỷ lệ vi phạm trật tự đô thị được xử lý"\n'
        'fact thanh_toan: percent "Tỷ lệ hồ sơ thanh toán trực tuyến"\n'
        'fact pa: count "Số phản ánh" unit "phản ánh"\n'
        '3 "Thủ tục": max 3\n  score = max(0, [3.1] - min(1, 0.25 * pa))\n  reason "Trừ {pa} phản ánh"\n'
        '3.1 "Thanh toán": max 3\n'
        '3.1.1 "Thanh toán trực tuyến": max 3\n  score = tier thanh_toan\n    when >= 80%: max\n'
        '    when from 50% to under 80%: 2\n    otherwise: 0\n  reason "Chỉ đạt {thanh_toan}"\n'
        '4 "Đô thị": max 4\n4.3 "Đô thị hoặc nông thôn": max 2\n'
        '  score = if loai = "phường" then [4.3.1] else [4.3.2]\n  reason "Xem 4.3.1 hoặc 4.3.2"\n'
        '4.3.1 "Trật tự đô thị": max 2\n  score = tier trat_tu\n    when >= 90%: max\n'
        '    when from 70% to under 90%: 1\n    otherwise: 0\n  reason "Chỉ đạt {trat_tu}"\n'
        '  na when loai = "xã": exclude\n'
        '4.3.2 "Nông thôn mới": max 2\n  score = max\n  na when loai = "phường": exclude\n'
        '4.4 "Khác": max 2\n  score = max\n',
        encoding="utf-8",
    )
    rules = cchc_rules.load(path)
    facts = rules.facts({"loai": "phường", "trat_tu": "75%", "thanh_toan": "45%", "pa": 0})
    found = {o.id: o for o in opportunities(rules, facts, rules.evaluate(facts))}
    best = {k: o.best.text() for k, o in found.items() if o.best is not None}
    assert best["4.3"] == "Tỷ lệ vi phạm trật tự đô thị được xử lý: 75% → 90%"
    assert best["3"] == "Tỷ lệ hồ sơ thanh toán trực tuyến: 45% → 80%"


def test_whatif_works_on_the_round_in_force_of_a_facts_file_with_rounds(tmp_path: Path) -> None:
    """An appraised facts file: the opportunities are those of the last round (65,676 points), said so;
    `--round 1` goes back to the self-assessment (66,245)."""
    from tests.test_cli import cchc

    facts = tmp_path / "thanh-thuy.yaml"
    facts.write_text(
        FACTS_THANH_THUY.read_text(encoding="utf-8")
        + '\nrounds:\n  - name: "Thẩm định vòng 1"\n'
        + "    facts: {ho_so_truc_tuyen_den_31_10: 1300, hinh_thuc_tuyen_truyen: 2}\n",
        encoding="utf-8",
    )
    last = cchc("whatif", RULES_2023, facts)
    assert last.returncode == 0, last.stderr
    assert last.stdout.startswith("Vòng: Thẩm định vòng 1 (vòng 2 trong 2; chọn vòng khác bằng --round)\n\n")
    assert "Hiện đạt 65,676 điểm/74 điểm." in last.stdout
    first = cchc("whatif", RULES_2023, facts, "--round", "1")
    assert first.stdout.startswith("Vòng: Tự đánh giá (vòng 1 trong 2;")
    assert "Hiện đạt 66,245 điểm/74 điểm." in first.stdout
    alone = cchc("whatif", RULES_2023, FACTS_THANH_THUY)
    assert alone.stdout.startswith("Cơ hội gỡ điểm: ") and "Hiện đạt 66,245 điểm/74 điểm." in alone.stdout


def test_whatif_takes_the_appraisal_files_as_explain_does() -> None:
    """`cchc whatif RULES FACTS THAM_DINH`: the appraisal files after the unit's, as every other command takes
    them; the round in force (the last) by default, another with --round."""
    appraisal = FACTS_THANH_THUY.parent / "tham-dinh.yaml"
    run = cchc("whatif", RULES_2023, FACTS_THANH_THUY, appraisal)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Vòng: Thẩm định vòng 2 (vòng 3 trong 3; chọn vòng khác bằng --round)\n")
    first = cchc("whatif", RULES_2023, FACTS_THANH_THUY, appraisal, "--round", "1")
    assert "Hiện đạt 66,245 điểm/74 điểm." in first.stdout
