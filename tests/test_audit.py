"""Audit of claimed scores: the seed report's three gaps, with their figures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cchc_rules
from cchc_rules import FactsError
from cchc_rules.audit import audit, explain_by_rounding, read_claims
from tests.conftest import FACTS_THANH_THUY, FIXTURES, RULES_2023
from tests.test_cli import cchc

CLAIMS = FACTS_THANH_THUY.parent / "claims.yaml"
AUDIT = FIXTURES / "audit"


@pytest.fixture(scope="module")
def findings() -> dict[tuple[str, str], object]:
    rules = cchc_rules.load(RULES_2023)
    _, found = audit(rules, rules.facts(FACTS_THANH_THUY), read_claims(CLAIMS))
    return {(f.kind, f.node): f for f in found}


def test_claims_transcribe_the_seed_report() -> None:
    claims = read_claims(CLAIMS)
    assert claims.total == Decimal("65.988")
    assert claims.areas["3"].score == Decimal("17.748")
    assert [d.node for d in claims.deductions] == [
        "1.5.2",
        "1.6.1",
        "3.5.2",
        "3.5.3",
        "3.3.3",
        "5.4.2",
        "6.1.1",
        "7.2.1",
        "7.2.2",
    ]


def test_area_1_lists_more_than_it_loses(findings: dict) -> None:  # type: ignore[type-arg]
    f = findings[("unaccounted", "1")]
    assert (f.claimed, f.computed) == (Decimal("2.25"), Decimal("2.5"))
    assert "2,5 (0,5 + 2)" in f.message and "chỉ mất 2,25" in f.message


def test_area_3_loses_half_a_point_without_a_reason(findings: dict) -> None:  # type: ignore[type-arg]
    f = findings[("unaccounted", "3")]
    assert (f.claimed, f.computed) == (Decimal("0.752"), Decimal("0.252"))
    assert "0,5 điểm mất không có lý do" in f.message


def test_area_7_is_explained_by_truncation(findings: dict) -> None:  # type: ignore[type-arg]
    f = findings[("area", "7")]
    assert (f.claimed, f.computed) == (Decimal("9.49"), Decimal("9.497"))
    assert "9,49 khớp khi làm tròn 2 chữ số thập phân, cắt bỏ" in f.explanation
    assert "7.2.1 = 0,2 (thay vì 0,205)" in f.explanation and "7.2.2 = 2,29 (thay vì 2,292)" in f.explanation


def test_total_and_listed_losses(findings: dict) -> None:  # type: ignore[type-arg]
    total = findings[("total", "")]
    assert (total.claimed, total.computed) == (Decimal("65.988"), Decimal("66.245"))
    assert findings[("deduction", "7.2.1")].computed == Decimal("1.295")
    assert "1 chữ số thập phân" in findings[("deduction", "7.2.1")].explanation
    assert ("area", "5") not in findings and ("area", "6") not in findings  # consistent areas are not reported
    assert not any(kind == "percent" for kind, _ in findings)  # the report's percentages follow its own figures


def test_rounding_explanation_is_found_not_written_per_criterion() -> None:
    rules = cchc_rules.load(RULES_2023)
    facts = rules.facts(FACTS_THANH_THUY)
    assert explain_by_rounding(rules, facts, "7", Decimal("9.5")).startswith(
        "9,5 khớp khi làm tròn 1 chữ số thập phân, làm tròn nửa lên"
    )
    assert explain_by_rounding(rules, facts, "1", Decimal("12.75")) == ""


def test_cli_audit_exits_1_and_shows_the_figures() -> None:
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, CLAIMS)
    assert run.returncode == 1
    out = run.stdout
    assert "Lĩnh vực 1: các khoản mất điểm liệt kê cộng lại 2,5 (0,5 + 2) nhưng điểm khai 12,75/15 chỉ mất 2,25" in out
    assert "Lĩnh vực 3: điểm khai 17,748/18,5 mất 0,752 nhưng chỉ liệt kê 0,252" in out
    assert "9,49 khớp khi làm tròn 2 chữ số thập phân, cắt bỏ" in out
    assert "Traceback" not in run.stderr


def test_cli_audit_json(tmp_path: Path) -> None:
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, CLAIMS, "--format", "json")
    data = json.loads(run.stdout)
    assert data["ok"] is False
    assert data["computed"]["score"] == "66.245"
    kinds = {(f["kind"], f["node"]) for f in data["findings"]}
    assert {("unaccounted", "1"), ("unaccounted", "3"), ("area", "7")} <= kinds


def test_claims_that_follow_in_part_still_show_what_does_not(tmp_path: Path) -> None:
    """Figures that follow are not reported, and do not hide those that do not: the losses left unlisted,
    areas that add up to another total than the one corrected."""
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        'total: "66,245"\nareas:\n  "7": {score: "9,497", max: "11,5"}\n'
        'deductions:\n  - {node: "7.2.1", lost: "1,295"}\n  - {node: "7.2.2", lost: "0,708"}\n',
        encoding="utf-8",
    )
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 1, run.stderr
    assert "mất 0,5 điểm nhưng báo cáo không liệt kê" in run.stdout  # the other losses are not listed
    claims.write_text(CLAIMS.read_text(encoding="utf-8").replace('"65,988"', '"66,245"'), encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 1, run.stderr
    said = run.stdout
    assert "Tổng điểm khai 66,245 nhưng tính từ dữ kiện" not in said
    # the seed's areas add up to its own 65,988, not to a total corrected alone
    assert "Tổng điểm khai 66,245 nhưng các lĩnh vực khai cộng lại 65,988" in said


def test_bad_claims_file(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("total: mười\n", encoding="utf-8")
    with pytest.raises(FactsError, match="không phải một số"):
        read_claims(claims)
    claims.write_text("totl: 1\n", encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 1 and "totl" in run.stderr and "Traceback" not in run.stderr


def test_a_claims_file_that_is_not_yaml_is_shown_like_a_facts_file(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("total: 66,245\nareas: [\n", encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 1
    assert f"{claims}:3:1: lỗi [C001]: tệp YAML sai cú pháp: tệp kết thúc giữa chừng" in run.stderr
    assert "unicode string" not in run.stderr and "expected" not in run.stderr


def test_a_claimed_maximum_that_is_not_the_rule_sets_is_found(tmp_path: Path) -> None:
    """66,245 of 70 is 94,64 %: consistent with itself, but the rule set's maximum is 74."""
    claims = tmp_path / "claims.yaml"
    claims.write_text('total: "66,245"\nmax: 70\npercent: "94,64"\n', encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims, "--format", "json")
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    kinds = [f["kind"] for f in data["findings"]]
    assert kinds[:2] == ["max", "percent"] and "total" not in kinds  # (no deductions listed: unlisted)
    assert data["findings"][0]["message"].startswith("Điểm tối đa khai 70 nhưng bộ quy tắc")
    # 94,64 % is consistent with 66,245/70, but it puts the commune in group A, where 89,52 % is B
    assert (
        data["findings"][1]["message"]
        == "Tỷ lệ khai 94,64% thuộc nhóm A nhưng tỷ lệ tính từ dữ kiện 89,52% thuộc nhóm B"
    )
    assert data["claimed"] == {"score": "66.245", "max": "70", "percent": "94.64"}
    assert data["computed"] == {"score": "66.245", "max": "74", "percent": "89.52"}


def test_a_claims_file_has_the_facts_files_limits(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("total: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 1 and "lỗi [C001]: dữ liệu lồng nhau quá sâu" in run.stderr
    assert "Traceback" not in run.stderr


def test_ids_written_without_quotes_are_read_as_written(tmp_path: Path) -> None:
    """YAML reads `3.10:` as the number 3.1; a claims file means criterion 3.10, and exact scores."""
    path = tmp_path / "khai.yaml"
    path.write_text(
        "total: 66.245\nnodes:\n  3.10: 1\n  1.5.2: 0\ndeductions:\n  - {node: 7.20, lost: 0.708}\n", encoding="utf-8"
    )
    claims = read_claims(path)
    assert set(claims.nodes) == {"3.10", "1.5.2"}
    assert [d.node for d in claims.deductions] == ["7.20"]
    assert claims.total == Decimal("66.245") and claims.deductions[0].lost == Decimal("0.708")
    rules = cchc_rules.load(RULES_2023)
    _, found = audit(rules, rules.facts(FACTS_THANH_THUY), claims)
    said = [f.message for f in found]
    assert "Mục 3.10 không có trong bộ quy tắc" in said  # not 3.1, which exists and would be audited


def _said(tmp_path: Path, claims: str, rules: Path = RULES_2023, facts: Path = FACTS_THANH_THUY) -> list[str]:
    path = tmp_path / "khai.yaml"
    path.write_text(claims, encoding="utf-8")
    run = cchc("audit", rules, facts, path)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    return [line[2:] for line in run.stdout.splitlines() if line.startswith("- ")]


def test_claimed_figures_that_do_not_add_up_or_exceed_their_maxima(tmp_path: Path) -> None:
    said = _said(
        tmp_path,
        'total: "66,245"\nareas: {"1": "12,5", "2": 6, "3": "18,248", "4": 6, "5": 9, "6": 6, "7": "9,497"}\n'
        'nodes: {"1.5": 2, "1.5.1": "1,5", "1.5.2": 0, "3.5.1": "2,5"}\n',
    )
    assert "Tổng điểm khai 66,245 nhưng các lĩnh vực khai cộng lại 67,245" in said
    assert "Mục 1.5: khai 2 điểm nhưng các mục con khai cộng lại 1,5 (1,5 + 0)" in said
    assert "Lĩnh vực 2: khai 6 điểm, vượt điểm tối đa 5 điểm" in said
    assert "Mục 3.5.1: khai 2,5 điểm, vượt điểm tối đa 2 điểm" in said


def test_a_claimed_percentage_is_read_as_the_rules_round_it_or_cut_short(tmp_path: Path) -> None:
    """66,245/74 is 89,5202…%: 89,52 and 89,5 (cut short) are readings of it; 89,53 (rounded up) is not."""
    for fine in ("89,52", "89,5"):
        assert not [s for s in _said(tmp_path, f'total: "66,245"\npercent: "{fine}"\n') if "Tỷ lệ" in s]
    said = _said(tmp_path, 'total: "66,245"\npercent: "89,53"\n')
    assert "Tỷ lệ khai 89,53% không khớp với 66,245/74 điểm khai" in said


def test_a_claim_on_a_criterion_left_out_as_not_applicable_says_so(tmp_path: Path) -> None:
    rules = tmp_path / "thu.cchc"
    rules.write_text(
        'ruleset "Thử" total 6 rounding 3 half_up not_applicable exclude\n'
        'fact lien_thong: count "Số hồ sơ liên thông" unit "hồ sơ"\n'
        '1 "Thủ tục": max 6\n1.1 "Liên thông": max 3\n  na when lien_thong = 0: exclude\n  score = max\n'
        '1.2 "Một cửa": max 3\n  score = max\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("facts:\n  lien_thong: 0\n", encoding="utf-8")
    said = _said(tmp_path, 'areas: {"1": {score: 3, max: 6}}\nnodes: {"1.1": 3}\n', rules, facts)
    assert "Lĩnh vực 1: điểm tối đa khai 6 nhưng bộ quy tắc ghi 3 (sau các tiêu chí không áp dụng)" in said
    assert "Mục 1.1: khai 3 điểm nhưng mục này không áp dụng với đơn vị (không tính vào điểm tối đa)" in said


def test_an_unknown_key_in_a_claim_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "khai.yaml"
    path.write_text('areas:\n  "1": {score: "12,75", maxx: 15}\n', encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, path)
    assert run.returncode == 1 and "areas 1: khoá lạ `maxx`" in run.stderr
    assert "có phải ý bạn là `max`?" in run.stderr


def test_a_percentage_under_total_and_a_criterion_under_areas_are_named(tmp_path: Path) -> None:
    path = tmp_path / "khai.yaml"
    path.write_text('total: "89,17%"\n', encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, path)
    assert run.returncode == 1 and "total: `89,17%` là một tỷ lệ, không phải số điểm" in run.stderr
    said = _said(tmp_path, 'areas: {"1.5": "1,5", "2": 5}\n')
    assert "Mục 1.5 ghi dưới `areas` nhưng không phải một lĩnh vực; ghi các tiêu chí dưới `nodes`" in said
    assert "Lĩnh vực 1.5" not in " ".join(said)
    # an area whose points are lost without any listed deduction says so plainly
    said = _said(tmp_path, 'areas: {"1": "12,5"}\n')
    assert (
        "Lĩnh vực 1: điểm khai 12,5/15 mất 2,5 nhưng không liệt kê khoản mất điểm nào: 2,5 điểm mất không có lý do"
        in said
    )


@pytest.mark.parametrize(
    ("encoding", "at", "hint"),
    [
        ("utf-16-le", "1:1", "tệp được lưu bằng UTF-16 LE (không có BOM); lưu lại bằng bảng mã UTF-8"),
        ("cp1258", "1:8", "tệp có thể được lưu bằng bảng mã cũ (Windows-1258, TCVN3, VNI)"),
    ],
)
def test_a_claims_file_not_in_utf8_is_said_as_a_facts_file_is(
    tmp_path: Path, encoding: str, at: str, hint: str
) -> None:
    """Where the first bad byte is and what the file may be, as the facts and rule-file readers say it."""
    path = tmp_path / "khai.yaml"
    path.write_bytes('unit: "Đông Hưng"\ntotal: "66,245"\n'.encode(encoding))
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, path)
    assert run.returncode == 1
    assert f"{path}:{at}: lỗi [C001]: tệp không phải UTF-8 (byte lỗi thứ " in run.stderr, run.stderr
    assert f"gợi ý: {hint}" in run.stderr, run.stderr


def test_a_bad_claims_file_is_named_at_its_line_with_a_caret(tmp_path: Path) -> None:
    path = tmp_path / "khai.yaml"
    path.write_text('total: "66,245"\nareas:\n  "1": {score: "12,75", maxx: 15}\n', encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, path)
    assert f"{path}:3:25: lỗi [C001]: areas 1: khoá lạ `maxx`" in run.stderr
    assert '\n      "1": {score: "12,75", maxx: 15}\n                            ^^^^\n' in run.stderr
    path.write_text('total: "66,245"\ndeductions:\n  - {node: "1.5.2", lost: "0,5 điểm"}\n', encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, path)
    assert f"{path}:3:21: lỗi [C001]: khoản mất điểm 1.5.2: `0,5 điểm` không phải một số" in run.stderr


def test_claims_of_another_unit_are_not_audited_against_these_facts(tmp_path: Path) -> None:
    """Every figure would differ for no fault of either file: the two units are named, at `unit:`."""
    text = CLAIMS.read_text(encoding="utf-8")
    line = text.split("\n").index('unit: "UBND xã Thanh Thủy, huyện Thanh Hà, tỉnh Hải Dương"') + 1
    other = tmp_path / "claims.yaml"
    other.write_text(text.replace("xã Thanh Thủy, huyện Thanh Hà", "xã Thanh Hồng, huyện Thanh Hà"), encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, other)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(
        f"{other}:{line}:1: lỗi [C002]: điểm khai là của `UBND xã Thanh Hồng, huyện Thanh Hà, tỉnh Hải Dương` "
        "nhưng dữ kiện là của `UBND xã Thanh Thủy, huyện Thanh Hà, tỉnh Hải Dương`"
    ), run.stderr
    assert run.stdout == ""
    # the same commune written another way is the same unit
    same = tmp_path / "cung-xa.yaml"
    same.write_text(
        text.replace('unit: "UBND xã Thanh Thủy, huyện Thanh Hà, tỉnh Hải Dương"', "unit: Xã Thanh Thuỷ"),
        encoding="utf-8",
    )
    audited = cchc("audit", RULES_2023, FACTS_THANH_THUY, same)
    # the seed report's own discrepancies, exactly as with the file as shipped: the unit was accepted
    assert "[C002]" not in audited.stderr
    shipped = cchc("audit", RULES_2023, FACTS_THANH_THUY, CLAIMS)
    assert audited.returncode == shipped.returncode == 1  # the discrepancies found, not a refusal
    assert audited.stdout.split("\n")[2:] == shipped.stdout.split("\n")[2:]  # past the title and `Đơn vị:`


def test_a_claims_unit_that_is_not_text_is_said_at_its_line(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text("unit: [a]\ntotal: 1\n", encoding="utf-8")
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 1 and f"{claims}:1:1: lỗi [C001]: `unit` phải là tên đơn vị, một dòng chữ" in run.stderr


# ---- claims that follow, and the comparisons at their edges ------------------------------------------

NO_FINDING = "Không có chênh lệch: mọi con số khai đều khớp với dữ kiện."


def test_claims_that_follow_the_facts_completely_exit_0() -> None:
    """A report whose every figure follows from the facts (total, maximum, percentage, each area with its
    maximum and percentage, criteria adding up, each loss at its criterion) is audited clean: exit 0 for
    scripts, and the one sentence saying so, no finding."""
    claims = AUDIT / "khop-hoan-toan.yaml"
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""
    assert run.stdout.endswith("Tính từ dữ kiện: 66,245 điểm/74 điểm; khai: 66,245 điểm\n\n" + NO_FINDING + "\n")
    assert not [line for line in run.stdout.splitlines() if line.startswith("- ")]
    data = json.loads(cchc("audit", RULES_2023, FACTS_THANH_THUY, claims, "--format", "json").stdout)
    assert data["ok"] is True and data["findings"] == []
    assert data["claimed"] == {"score": "66.245", "max": "74", "percent": "89.52"}


def test_a_loss_claimed_smaller_than_computed_is_found() -> None:
    """Under-claiming a loss does not follow from the facts either: 7.2.1 loses 1,295 (0,205 of 1,5), the
    report says 1,29 (0,21, the score rounded to 2 decimals). Every other loss is listed as computed."""
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, AUDIT / "khai-thieu-mat-diem.yaml")
    assert run.returncode == 1, run.stderr
    assert run.stdout.split("\n\n", 1)[1] == (
        "Có 1 chỗ không khớp:\n"
        "- Mục 7.2.1: khai mất 1,29 điểm nhưng tính từ dữ kiện mất 1,295\n"
        "    giải thích: 1,29 khớp khi làm tròn 2 chữ số thập phân, làm tròn nửa lên thay vì 3 chữ số thập phân, "
        "làm tròn nửa lên: 7.2.1 = 0,21 (thay vì 0,205)\n"
    )
    rules = cchc_rules.load(RULES_2023)
    _, found = audit(rules, rules.facts(FACTS_THANH_THUY), read_claims(AUDIT / "khai-thieu-mat-diem.yaml"))
    assert [(f.kind, f.node, f.claimed, f.computed) for f in found] == [
        ("deduction", "7.2.1", Decimal("1.29"), Decimal("1.295"))
    ]


def test_a_loss_listed_at_the_parent_covers_its_childrens_losses() -> None:
    """A report may list 7.2's 2,003 once instead of 7.2.1's 1,295 and 7.2.2's 0,708: the children are
    listed through their parent, not "not listed by the report", and the area's losses are accounted for."""
    claims = AUDIT / "mat-diem-ghi-o-muc-cha.yaml"
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.endswith("\n\n" + NO_FINDING + "\n")
    assert "báo cáo không liệt kê" not in run.stdout
    rules = cchc_rules.load(RULES_2023)
    assert audit(rules, rules.facts(FACTS_THANH_THUY), read_claims(claims))[1] == []


def test_a_total_equal_to_the_maximum_is_not_above_it() -> None:
    """A unit with full marks claims its total at the maximum: that is reaching the maximum, not "vượt" it."""
    run = cchc("audit", AUDIT / "du-diem.cchc", AUDIT / "du-diem.yaml", AUDIT / "du-diem-khai.yaml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.endswith("Tính từ dữ kiện: 6 điểm/6 điểm; khai: 6 điểm\n\n" + NO_FINDING + "\n")
    assert "vượt điểm tối đa" not in run.stdout


# ---- a criterion listed more than once ---------------------------------------------------------------

SEED_LINE = '  - {node: "1.6.1", lost: 2, reason: "Do không có sáng kiến kinh nghiệm CCHC"}\n'


def test_a_deduction_listed_twice_is_said_once_at_each_line_and_not_added_up(tmp_path: Path) -> None:
    """The seed's 1.6.1 line copied below itself: the unit claims 2 points lost there, not 4. The audit
    says the criterion is listed twice, at both lines, and compares 2 with the facts (as they agree, no
    `deduction` finding), and the area's listed losses count it once."""
    text = CLAIMS.read_text(encoding="utf-8")
    assert SEED_LINE in text
    claims = tmp_path / "claims.yaml"
    claims.write_text(text.replace(SEED_LINE, SEED_LINE * 2), encoding="utf-8")
    line = text.split("\n").index(SEED_LINE.rstrip("\n")) + 1
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    out = run.stdout
    assert (
        "- Mục 1.6.1 được liệt kê 2 lần trong các khoản mất điểm, cùng mất 2 điểm: đối chiếu như một khoản "
        "mất 2 điểm, không cộng thành 4\n"
        f"    {claims}:{line}: mất 2, lý do: Do không có sáng kiến kinh nghiệm CCHC\n"
        f"    {claims}:{line + 1}: mất 2, lý do: Do không có sáng kiến kinh nghiệm CCHC\n"
    ) in out
    assert "khai mất 4" not in out and "0,5 + 2 + 2" not in out
    assert "Mục 1.6.1: khai mất" not in out  # 2 is what the facts give
    # The area's sum as with the file as shipped, saying how 1.6.1 was counted.
    assert (
        "- Lĩnh vực 1: các khoản mất điểm liệt kê cộng lại 2,5 (0,5 + 2; mục 1.6.1 liệt kê 2 lần, tính một lần) "
        "nhưng điểm khai 12,75/15 chỉ mất 2,25 (chênh 0,25)\n"
    ) in out
    shipped = cchc("audit", RULES_2023, FACTS_THANH_THUY, CLAIMS).stdout
    assert out.count("\n- ") == shipped.count("\n- ") + 1  # the one more finding is the repetition
    data = json.loads(cchc("audit", RULES_2023, FACTS_THANH_THUY, claims, "--format", "json").stdout)
    (repeated,) = [f for f in data["findings"] if f["kind"] == "duplicate"]
    assert repeated["node"] == "1.6.1" and repeated["claimed"] == "2" and repeated["computed"] is None
    assert repeated["listed"] == [
        {"position": 2, "at": f"{claims}:{line}", "lost": "2", "reason": "Do không có sáng kiến kinh nghiệm CCHC"},
        {"position": 3, "at": f"{claims}:{line + 1}", "lost": "2", "reason": "Do không có sáng kiến kinh nghiệm CCHC"},
    ]
    assert all("listed" not in f for f in data["findings"] if f["kind"] != "duplicate")


def _listed_twice(tmp_path: Path, first: str, second: str) -> list[str]:
    """The findings on 1.6.1 (which loses 2 points) and area 1 (12,5 of 15), with 1.6.1 listed twice."""
    said = _said(
        tmp_path,
        'areas: {"1": {score: "12,5", max: 15}}\ndeductions:\n  - {node: "1.5.2", lost: "0,5"}\n'
        f'  - {{node: "1.6.1", lost: {first}}}\n  - {{node: "1.6.1", lost: {second}}}\n',
    )
    return [s for s in said if "1.6.1" in s or s.startswith("Lĩnh vực 1")]


def test_different_amounts_for_one_criterion_are_its_parts_and_the_line_that_follows_is_named(
    tmp_path: Path,
) -> None:
    path = tmp_path / "khai.yaml"
    said = _listed_twice(tmp_path, "2", '"0,5"')
    assert said == [  # parts of one loss, not a line copied: compared through their sum, no `duplicate`
        "Lĩnh vực 1: các khoản mất điểm liệt kê cộng lại 3 (0,5 + 2 + 0,5; mục 1.6.1 liệt kê 2 lần, cộng cả 2 khoản) "
        "nhưng điểm khai 12,5/15 chỉ mất 2,5 (chênh 0,5)",
        "Mục 1.6.1: khai mất 2,5 điểm (liệt kê 2 lần: 2 + 0,5) nhưng tính từ dữ kiện mất 2",
    ]
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, path)
    assert f"    giải thích: riêng khoản tại {path}:4 (mất 2) khớp với dữ kiện\n" in run.stdout


def test_one_amount_listed_twice_is_compared_once_and_the_sum_said_when_it_follows(tmp_path: Path) -> None:
    """1 and 1 at 1.6.1, which loses 2: read as a copied line, 1 is compared; 2 lines of 1 would follow."""
    path = tmp_path / "khai.yaml"
    said = _listed_twice(tmp_path, "1", "1")
    assert said[0] == (
        "Mục 1.6.1 được liệt kê 2 lần trong các khoản mất điểm, cùng mất 1 điểm: đối chiếu như một khoản "
        "mất 1 điểm, không cộng thành 2"
    )
    assert "Mục 1.6.1: khai mất 1 điểm (liệt kê 2 lần, tính một lần) nhưng tính từ dữ kiện mất 2" in said
    run = cchc("audit", RULES_2023, FACTS_THANH_THUY, path)
    assert (
        "    giải thích: cộng cả 2 lần thì được 2, khớp với dữ kiện: nếu đó là các phần của cùng một khoản mất "
        "điểm, ghi thành một dòng mất 2 điểm\n"
    ) in run.stdout


def test_one_amount_for_each_of_its_own_reasons_is_a_part_not_a_copy(tmp_path: Path) -> None:
    """A loss listed a line per cause ("quý I", "quý III"), 1 and 1 where 1.6.1 loses 2: the parts add up,
    and nothing is said of 1.6.1. The same amount for the same reason is a copy (above)."""
    said = _said(
        tmp_path,
        'deductions:\n  - {node: "1.6.1", lost: 1, reason: "quý I"}\n  - {node: "1.6.1", lost: 1, reason: "quý III"}\n',
    )
    assert not [s for s in said if "1.6.1" in s and ("liệt kê 2 lần trong" in s or "khai mất" in s)], said


def test_a_repeated_deduction_given_through_the_api_is_named_by_its_place_in_the_list() -> None:
    from cchc_rules.audit import Claims, Deduction, render_audit

    rules = cchc_rules.load(RULES_2023)
    claims = Claims(
        name="<claims>",
        deductions=(Deduction(node="1.6.1", lost=Decimal(2)), Deduction(node="1.6.1", lost=Decimal(2))),
    )
    result, found = audit(rules, rules.facts(FACTS_THANH_THUY), claims)
    assert [(f.kind, f.node) for f in found if f.node == "1.6.1"] == [("duplicate", "1.6.1")]
    assert "    khoản thứ 1: mất 2\n    khoản thứ 2: mất 2\n" in render_audit(claims, result, found)


# ---- a facts file with rounds ----------------------------------------------------------------------------

ROUNDS = (
    'rounds:\n  - name: "Thẩm định vòng 1"\n    facts:\n      ho_so_truc_tuyen_den_31_10: 1300\n'
    '  - name: "Thẩm định vòng 2"\n    facts:\n      hinh_thuc_tuyen_truyen: 3\n'
)


def test_the_audit_of_a_facts_file_with_rounds_names_the_round_compared(tmp_path: Path) -> None:
    """The claims are the unit's own: compared with the self-assessment (66,245), not an appraisal (65,676
    after round 1), and the header says so, in the rounds' own words."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(FACTS_THANH_THUY.read_text(encoding="utf-8") + ROUNDS, encoding="utf-8")
    claims = AUDIT / "khop-hoan-toan.yaml"
    run = cchc("audit", RULES_2023, facts, claims)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "\nVòng đối chiếu: Tự đánh giá (vòng 1 trong 3 của tệp dữ kiện; điểm khai không so với các vòng sau)\n"
        "Tính từ dữ kiện: 66,245 điểm/74 điểm; khai: 66,245 điểm\n"
    ) in run.stdout
    data = json.loads(cchc("audit", RULES_2023, facts, claims, "--format", "json").stdout)
    assert data["round"] == {"name": "Tự đánh giá", "number": 1, "of": 3}
    assert data["ok"] is True and data["computed"]["score"] == "66.245"
    # A file naming its own round says it as named; one without rounds says nothing of rounds.
    facts.write_text('round: "Tự chấm lần 2"\n' + FACTS_THANH_THUY.read_text(encoding="utf-8"), encoding="utf-8")
    assert "\nVòng đối chiếu: Tự chấm lần 2\n" in cchc("audit", RULES_2023, facts, claims).stdout
    plain = cchc("audit", RULES_2023, FACTS_THANH_THUY, claims)
    assert "Vòng" not in plain.stdout
    assert "round" not in json.loads(cchc("audit", RULES_2023, FACTS_THANH_THUY, claims, "--format", "json").stdout)
