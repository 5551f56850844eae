"""Rounds: self-assessment and appraisals of one unit, evaluated side by side."""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

import cchc_rules
from cchc_rules import CchcError, FactsError
from cchc_rules.facts import read_facts
from cchc_rules.rounds import differences, evaluate_rounds, read_rounds, select
from tests.conftest import FACTS_THANH_THUY, FIXTURES, RULES_2023
from tests.test_cli import cchc

APPRAISAL = FACTS_THANH_THUY.parent / "tham-dinh.yaml"


@pytest.fixture(scope="module")
def rules() -> cchc_rules.RuleSet:
    return cchc_rules.load(RULES_2023)


def test_rounds_cascade_from_file_to_file(rules: cchc_rules.RuleSet) -> None:
    rounds = read_rounds([FACTS_THANH_THUY, APPRAISAL])
    assert [r.name for r in rounds] == ["Tự đánh giá", "Thẩm định vòng 1", "Thẩm định vòng 2"]
    assert rounds[1].changed == ("ho_so_truc_tuyen_den_31_10", "hinh_thuc_tuyen_truyen")
    assert rounds[2].changed == ("hinh_thuc_tuyen_truyen",)
    results = evaluate_rounds(rules, rounds)
    assert [r.result.score for r in results] == [Decimal("66.245"), Decimal("65.676"), Decimal("66.176")]
    # a fact round 2 does not touch keeps round 1's value and evidence
    assert results[2].result["7.2.2"].score == Decimal("2.223")


def test_differences_name_the_changed_facts_and_notes(rules: cchc_rules.RuleSet) -> None:
    rounds = read_rounds([FACTS_THANH_THUY, APPRAISAL])
    diffs = {d.id: d for d in differences(rules, evaluate_rounds(rules, rounds, trace=False))}
    assert set(diffs) == {"1", "1.4", "1.4.2", "7", "7.2", "7.2.2"}
    assert diffs["7.2.2"].scores == (Decimal("2.292"), Decimal("2.223"), Decimal("2.223"))
    assert diffs["7.2.2"].changed_facts == (("ho_so_truc_tuyen_den_31_10", ("1340", "1300", "1300")),)
    assert diffs["7.2.2"].shown_facts == (("ho_so_truc_tuyen_den_31_10", ("1340", "1300", "1300")),)
    assert rounds[1].notes["7.2.2"].startswith("Số liệu của xã")


def test_select_by_number_or_name() -> None:
    rounds = read_rounds([FACTS_THANH_THUY, APPRAISAL])
    assert select(rounds, None).name == "Tự đánh giá"
    assert select(rounds, "2").name == "Thẩm định vòng 1"
    assert select(rounds, "thẩm định vòng 2").name == "Thẩm định vòng 2"
    # as a terminal may pass it: decomposed (NFD), spaced and cased otherwise
    assert select(rounds, unicodedata.normalize("NFD", "THẨM ĐỊNH  vòng 1")).name == "Thẩm định vòng 1"
    with pytest.raises(CchcError, match="có phải ý bạn là"):
        select(rounds, "Thẩm định vòng 3")


def test_a_bad_rounds_entry_is_a_facts_error(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("facts: {doi_thoai: 2}\nrounds: {name: x}\n", encoding="utf-8")
    with pytest.raises(FactsError, match="rounds"):
        read_rounds([path])
    path.write_text("facts: {doi_thoai: 2}\nround_s: x\n", encoding="utf-8")
    with pytest.raises(FactsError, match="có phải ý bạn là `rounds`"):
        read_rounds([path])


def test_cli_shows_rounds_side_by_side() -> None:
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, APPRAISAL)
    assert run.returncode == 0, run.stderr
    assert "Tự đánh giá  Thẩm định vòng 1  Thẩm định vòng 2" in run.stdout
    assert "66,245            65,676            66,176" in run.stdout
    assert "ho_so_truc_tuyen_den_31_10: 1340 → 1300 → 1300" in run.stdout
    assert "ghi chú (Thẩm định vòng 2): Đã bổ sung tài liệu kiểm chứng; chấp nhận" in run.stdout


def test_cli_rounds_json() -> None:
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "--format", "json")
    data = json.loads(run.stdout)
    assert [r["name"] for r in data["rounds"]] == ["Tự đánh giá", "Thẩm định vòng 1", "Thẩm định vòng 2"]
    assert [r["score"] for r in data["rounds"]] == ["66.245", "65.676", "66.176"]
    diff = next(d for d in data["differences"] if d["id"] == "1.4.2")
    assert diff["scores"] == ["1", "0.5", "1"]


def test_an_appraisal_report_does_not_repeat_the_communes_words_or_signature(tmp_path: Path) -> None:
    """The commune's sections and signature are its own; an appraisal round's come from its own file."""
    commune = cchc("report", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "--round", "1")
    assert commune.returncode == 0 and "Nguyễn Thị Thư" in commune.stdout and "III. Giải pháp" in commune.stdout
    for which in ("2", "3"):  # the appraisal file's round, and the round listed inside it
        run = cchc("report", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "--round", which)
        assert run.returncode == 0, run.stderr
        assert "Thẩm định vòng" in run.stdout and "Mất 0,777 điểm tại mục 7.2.2" in run.stdout
        for words in ("Nguyễn Thị Thư", "TM. ỦY BAN NHÂN DÂN XÃ", "Giải pháp thời gian tới", "Do năng lực"):
            assert words not in run.stdout, words
    own = tmp_path / "tham-dinh.yaml"
    own.write_text(
        APPRAISAL.read_text(encoding="utf-8")
        + "report:\n  kien_nghi: Đề nghị xã bổ sung tài liệu kiểm chứng.\n"
        + "  chuc_vu: TỔ TRƯỞNG TỔ THẨM ĐỊNH\n  nguoi_ky: Trần Văn B\n",
        encoding="utf-8",
    )
    run = cchc("report", RULES_2023, FACTS_THANH_THUY, own, "--round", "2")
    assert run.returncode == 0, run.stderr
    assert "Đề nghị xã bổ sung tài liệu kiểm chứng." in run.stdout and "**Trần Văn B**" in run.stdout
    assert "Nguyễn Thị Thư" not in run.stdout


def _errors(*argv: str | Path) -> str:
    run = cchc("eval", RULES_2023, *argv)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    return run.stderr


@pytest.mark.parametrize("command", ["eval", "report", "table", "audit"])
def test_a_bad_value_in_a_later_round_of_a_json_file_is_said_at_the_value(tmp_path: Path, command: str) -> None:
    """`cchc report` writes the self-assessment's report, but a later round's mistake in the same file is
    said all the same (it was skipped until someone asked for that round), under the value as in YAML."""
    import yaml

    data = yaml.safe_load(FACTS_THANH_THUY.read_text(encoding="utf-8"))
    data["rounds"] = [{"name": "Thẩm định", "facts": {"doi_thoai": True}}]
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    line = facts.read_text(encoding="utf-8").split("\n").index('        "doi_thoai": true') + 1
    extra: tuple[str | Path, ...] = ("--format", "docx", "-o", tmp_path / "t.docx") if command == "table" else ()
    if command == "audit":  # claims that follow the self-assessment: only the later round is wrong
        extra = (FIXTURES / "audit" / "khop-hoan-toan.yaml",)
    run = cchc(command, RULES_2023, facts, *extra)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert f"{facts}:{line}:22: lỗi [F003]: dữ kiện `doi_thoai`" in run.stderr, run.stderr
    assert not (tmp_path / "t.docx").exists()


def test_an_error_in_an_appraisal_file_quotes_that_files_line(tmp_path: Path) -> None:
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('round: "Thẩm định vòng 1"\nfacts:\n  doi_thoai: 1\n  ty_le_lien_thong: "0,5"\n')
    said = _errors(FACTS_THANH_THUY, appraisal)
    assert f"{appraisal}:4:21: lỗi [F003]" in said
    assert (
        '\n      ty_le_lien_thong: "0,5"\n                        ^^^^^\n' in said
    )  # its own line, not line 4 of the commune's file


def test_an_error_inside_rounds_points_at_the_value(tmp_path: Path) -> None:
    facts = tmp_path / "f.yaml"
    facts.write_text(
        FACTS_THANH_THUY.read_text(encoding="utf-8")
        + 'rounds:\n  - name: "Thẩm định vòng 1"\n    facts:\n      doi_thoai: 3\n      co_sang_kien: chưa có\n',
        encoding="utf-8",
    )
    line = len(facts.read_text(encoding="utf-8").splitlines())
    said = _errors(facts)
    assert f"{facts}:{line}:21: lỗi [F003]" in said and "\n          co_sang_kien: chưa có\n" in said


def test_a_bound_broken_by_an_appraisal_names_the_round_and_both_places(tmp_path: Path) -> None:
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('round: "Thẩm định vòng 1"\nfacts:\n  ho_so_tong_den_31_10: 1000\n')
    said = _errors(FACTS_THANH_THUY, appraisal)
    # the figure the appraisal changed is the one pointed at; the commune's is named
    assert f"{appraisal}:3:25: lỗi [F003]: Thẩm định vòng 1: dữ kiện `ho_so_truc_tuyen_den_31_10`" in said
    assert "\n      ho_so_tong_den_31_10: 1000\n" in said
    assert f"`ho_so_truc_tuyen_den_31_10` ghi ở {FACTS_THANH_THUY}:" in said
    assert f"`ho_so_tong_den_31_10` ghi ở {appraisal}:3:25" in said


def test_a_note_on_an_id_the_rules_do_not_have_is_an_error(tmp_path: Path) -> None:
    """A note keyed 7.2.3 or "1,5,2" would be dropped from every table and report: it is named instead."""
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text(
        'round: "Thẩm định vòng 1"\nfacts:\n  doi_thoai: 1\nnotes:\n  "7.2.3": "Số liệu chưa khớp"\n'
        '  "1.5.2": "Đúng mục"\n  "1,5,2": "ghi chú"\n',
        encoding="utf-8",
    )
    for command, suffix in (("eval", ".txt"), ("table", ".xlsx"), ("report", ".docx")):
        run = cchc(command, RULES_2023, FACTS_THANH_THUY, appraisal, "-o", tmp_path / f"out{suffix}")
        said = run.stderr
        assert run.returncode == 1, said
        assert f"{appraisal}:5:3: lỗi [F006]: ghi chú (Thẩm định vòng 1) cho mục `7.2.3`" in said
        assert "có phải ý bạn là `7.2.2`?" in said
        assert f"{appraisal}:7:3: lỗi [F006]" in said and "có phải ý bạn là `1.5.2`?" in said
        assert "`1.5.2`: bộ quy tắc không có" not in said


def test_an_appraisal_of_another_unit_or_year_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "tham-dinh.yaml"
    other.write_text('unit: "UBND xã Thanh Hồng"\nyear: 2024\nfacts:\n  doi_thoai: 1\n', encoding="utf-8")
    said = _errors(FACTS_THANH_THUY, other)
    assert f"{other}:1:1: lỗi [F007]: tệp thẩm định không cùng đơn vị hoặc năm: `unit: UBND xã Thanh Hồng`" in said
    assert f"{other}:2:1: lỗi [F007]" in said and "`year: 2024`" in said
    # the same commune named shorter is the same unit
    same = tmp_path / "cung-xa.yaml"
    same.write_text('unit: "xã  Thanh Thủy"\nyear: 2023\nfacts:\n  doi_thoai: 1\n', encoding="utf-8")
    assert cchc("eval", RULES_2023, FACTS_THANH_THUY, same).returncode == 0


def test_facts_of_another_year_than_the_rules_are_scored_with_a_warning(tmp_path: Path) -> None:
    """Last year's file picked by mistake is said (W008, at its `year:` line); the output is still made."""
    text = FACTS_THANH_THUY.read_text(encoding="utf-8")
    assert "\nyear: 2023\n" in text
    old = tmp_path / "facts-2022.yaml"
    old.write_text(text.replace("\nyear: 2023\n", "\nyear: 2022\n"), encoding="utf-8")
    line = text.split("\n").index("year: 2023") + 1
    claims = FACTS_THANH_THUY.parent / "claims.yaml"
    for argv in (
        ("eval", RULES_2023, old),
        ("eval", RULES_2023, old, APPRAISAL, "--format", "json"),
        ("explain", RULES_2023, old, "7.2.2"),
        ("report", RULES_2023, old),
        ("table", RULES_2023, old, "-o", tmp_path / "bang.xlsx"),
        ("whatif", RULES_2023, old),
        ("audit", RULES_2023, old, claims),
    ):
        run = cchc(*argv)
        said = run.stderr
        assert f"{old}:{line}:1: cảnh báo [W008]: dữ kiện ghi `year: 2022` nhưng bộ quy tắc là của năm 2023" in said
        assert "    year: 2022\n    ^^^^\n" in said and "gợi ý: chọn bộ quy tắc năm 2022" in said
        assert said.count("[W008]") == 1, said
        if argv[0] == "audit":  # the seed report's discrepancies, as with the 2023 file
            assert run.returncode == cchc("audit", RULES_2023, FACTS_THANH_THUY, claims).returncode
        else:
            assert run.returncode == 0, said
        assert run.stdout or argv[0] == "table"
    # The year the rules score, or none written: nothing said.
    for facts in (FACTS_THANH_THUY, tmp_path / "no-year.yaml"):
        if not facts.exists():
            facts.write_text(text.replace("\nyear: 2023\n", "\n"), encoding="utf-8")
        run = cchc("eval", RULES_2023, facts)
        assert run.returncode == 0 and run.stderr == "", run.stderr


def test_every_problem_of_an_appraisal_file_is_said_at_once(tmp_path: Path) -> None:
    """A note on a wrong id (F006) no longer hides a misspelt fact (F003) until it is fixed; a problem
    that a later round carries from an earlier one is said once."""
    text = APPRAISAL.read_text(encoding="utf-8")
    assert '\n  "1.4.2": "Thiếu' in text and "\n  hinh_thuc_tuyen_truyen:\n" in text
    bad = tmp_path / "tham-dinh.yaml"
    bad.write_text(
        text.replace('\n  "1.4.2": "Thiếu', '\n  "1.4.9": "Thiếu').replace(
            "\n  hinh_thuc_tuyen_truyen:\n", "\n  hinh_thuc_tuyen_truyenn:\n"
        ),
        encoding="utf-8",
    )
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, bad)
    assert run.returncode == 1, run.stderr
    assert "lỗi [F006]: ghi chú (Thẩm định vòng 1) cho mục `1.4.9`" in run.stderr
    assert run.stderr.count("lỗi [F003]: dữ kiện `hinh_thuc_tuyen_truyenn`") == 1, run.stderr
    assert "có phải ý bạn là `hinh_thuc_tuyen_truyen`?" in run.stderr


def test_facts_missing_from_the_first_file_are_said_once_not_again_for_each_later_round(tmp_path: Path) -> None:
    """A later round carries the first's gaps; its F002 named the appraisal file as lacking them too."""
    text = FACTS_THANH_THUY.read_text(encoding="utf-8")
    own = tmp_path / "facts.yaml"
    own.write_text(re.sub(r"\n  doi_thoai:\n(?:    .*\n)*", "\n", text), encoding="utf-8")
    run = cchc("eval", RULES_2023, own, APPRAISAL)
    assert run.returncode == 1
    assert run.stderr.count("lỗi [F002]") == 1 and "doi_thoai" in run.stderr, run.stderr
    assert "tham-dinh.yaml: thiếu" not in run.stderr
    # An appraisal file given first: its 43 missing facts are listed once, with the order to use.
    swapped = cchc("eval", RULES_2023, APPRAISAL, FACTS_THANH_THUY)
    assert swapped.stderr.count("lỗi [F002]") == 1 and "phải là tệp tự đánh giá" in swapped.stderr


def test_last_year_s_file_with_a_fact_missing_is_said_with_its_year(tmp_path: Path) -> None:
    """The year's warning comes with the facts' errors: last year's file is the likely reason one is missing."""
    text = FACTS_THANH_THUY.read_text(encoding="utf-8")
    old = tmp_path / "facts-2022.yaml"
    without = re.sub(r"\n  doi_thoai:\n(?:    .*\n)*", "\n", text.replace("\nyear: 2023\n", "\nyear: 2022\n"))
    assert "doi_thoai:" not in without
    old.write_text(without, encoding="utf-8")
    run = cchc("eval", RULES_2023, old)
    assert run.returncode == 1
    assert run.stderr.count("cảnh báo [W008]") == 1 and "lỗi [F002]" in run.stderr, run.stderr
    assert run.stderr.index("[W008]") < run.stderr.index("[F002]")


def test_a_report_of_facts_that_name_no_unit_is_written_with_a_warning(tmp_path: Path) -> None:
    """A report is an official paper: without `unit:` it says "của đơn vị", and the writer is told (W009)."""
    text = FACTS_THANH_THUY.read_text(encoding="utf-8")
    unnamed = tmp_path / "facts.yaml"
    unnamed.write_text("\n".join(x for x in text.split("\n") if not x.startswith("unit:")), encoding="utf-8")
    run = cchc("report", RULES_2023, unnamed)
    assert run.returncode == 0, run.stderr
    assert "Chỉ số cải cách hành chính của đơn vị năm 2023" in run.stdout
    assert f"cảnh báo [W009]: {unnamed}: tệp dữ kiện không ghi tên đơn vị (`unit:`)" in run.stderr
    assert "gợi ý: thêm một dòng như `unit: " in run.stderr
    # A named unit, and the other commands (whose output shows no unit line when none is named): nothing said.
    assert "[W009]" not in cchc("report", RULES_2023, FACTS_THANH_THUY).stderr
    assert cchc("eval", RULES_2023, unnamed).stderr == ""


def test_a_json_facts_file_of_another_year_is_warned_at_its_year_key(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    values = {name: fact.value for name, fact in read_facts(FACTS_THANH_THUY).facts.items()}
    facts.write_text(json.dumps({"year": 2024, "facts": values}, default=str), encoding="utf-8")
    run = cchc("eval", RULES_2023, facts)
    assert run.returncode == 0, run.stderr
    assert f"{facts}:1:2: cảnh báo [W008]: dữ kiện ghi `year: 2024` nhưng bộ quy tắc là của năm 2023" in run.stderr


@pytest.mark.parametrize(
    ("appraised", "same"),
    [
        ("Xã Thanh Thuỷ", True),  # the tone mark placed the older way
        ("UBND xã Thanh Thủy,  huyện Thanh Hà - tỉnh Hải Dương", True),
        ("xã Thanh Thủy huyện Thanh Hà", True),
        ("Thanh Thủy", True),
        ("Hải Dương", False),  # inside the name, but the province, not the commune
        ("Xã Thanh", False),
        ("Xã Thanh Thúy", False),  # another tone: another name
        ("Xã Thanh Thủy (huyện Thanh Hà)", True),
        ("Xã Thanh Thủy, huyện Tứ Kỳ", False),  # the same name in another district
        ("UBND xã Thanh Thủy, huyện Thanh Liêm, tỉnh Hà Nam", False),
    ],
)
def test_an_appraisal_is_of_the_same_unit_when_the_communes_own_name_is(
    tmp_path: Path, appraised: str, same: bool
) -> None:
    other = tmp_path / "tham-dinh.yaml"
    other.write_text(f'unit: "{appraised}"\nyear: 2023\nfacts:\n  doi_thoai: 1\n', encoding="utf-8")
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, other)
    assert (run.returncode == 0) is same, run.stderr
    assert ("[F007]" in run.stderr) is not same


def test_a_note_that_is_not_text_is_refused_and_an_empty_one_left_out(tmp_path: Path) -> None:
    """`"7.2": ["a", "b"]` printed as ['a', 'b'], `"7.2.1":` as None; a number is text enough."""
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('facts:\n  doi_thoai: 1\nnotes:\n  7.2.2: 5\n  "7.2.1":\n', encoding="utf-8")
    noted = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "7.2.2")
    assert noted.returncode == 0 and "Ghi chú (Thẩm định vòng 1): 5" in noted.stdout, noted.stderr
    empty = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "7.2.1")
    assert empty.returncode == 0 and "Ghi chú" not in empty.stdout and "None" not in empty.stdout, empty.stderr
    appraisal.write_text('facts:\n  doi_thoai: 1\nnotes:\n  "7.2": ["a", "b"]\n', encoding="utf-8")
    said = _errors(FACTS_THANH_THUY, appraisal)
    assert f"{appraisal}:3:1: lỗi [F001]: ghi chú của `7.2` phải là một đoạn văn bản, không phải một danh sách" in said


def test_a_criterion_not_applicable_in_a_round_says_how_it_counts(tmp_path: Path) -> None:
    """7.2.2 with no application at all (zero: na, full marks) counts 3 in its parent's 3,205: said so."""
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text("facts:\n  ho_so_truc_tuyen_den_31_10: 0\n  ho_so_tong_den_31_10: 0\n", encoding="utf-8")
    out = cchc("eval", RULES_2023, FACTS_THANH_THUY, appraisal).stdout
    assert "- 7.2 Cung cấp dịch vụ công trực tuyến: Tự đánh giá: 2,497 → Thẩm định vòng 1: 3,205" in out
    assert (
        "- 7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: Tự đánh giá: 2,292 → Thẩm định vòng 1: không áp dụng, " in out
    )
    assert "Thẩm định vòng 1: không áp dụng, tính đủ 3\n" in out


def test_a_note_on_a_criterion_whose_score_did_not_move_is_shown_too(tmp_path: Path) -> None:
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('facts:\n  doi_thoai: 2\nnotes:\n  "7.2.2": "Đã kiểm tra, đúng"\n', encoding="utf-8")
    out = cchc("eval", RULES_2023, FACTS_THANH_THUY, appraisal).stdout
    assert (
        "Điểm mọi mục như nhau ở các vòng.\n\nGhi chú ở các mục điểm không đổi:\n"
        "- 7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: 2,292\n    ghi chú (Thẩm định vòng 1): Đã kiểm tra, đúng\n\n"
        "Suy luận của bộ quy tắc: Bảng điểm chính thức năm 2023 chưa tìm thấy"
    ) in out, out
    # The rule set's notes close the summary of rounds as they close one round's.
    assert out.count("\nSuy luận của bộ quy tắc: ") == 2 and out.endswith("dưới 80% xếp chung một nhóm.\n")


@pytest.mark.parametrize("text", ["", "# chưa ghi gì\n", "{}\n"])
def test_an_appraisal_file_that_says_nothing_is_refused(tmp_path: Path, text: str) -> None:
    """Not saved, or the wrong file: it would show as a round that changed nothing."""
    empty = tmp_path / ("tham-dinh.json" if text.startswith("{") else "tham-dinh.yaml")
    empty.write_text(text, encoding="utf-8")
    said = _errors(FACTS_THANH_THUY, empty)
    assert f"lỗi [F001]: {empty}: tệp thẩm định không ghi gì" in said


def test_an_appraisal_file_given_first_is_said_to_go_after_the_self_assessment() -> None:
    said = _errors(APPRAISAL, FACTS_THANH_THUY)
    assert "lỗi [F002]" in said
    assert f"gợi ý: tệp đầu tiên ({APPRAISAL}) phải là tệp tự đánh giá, đủ mọi dữ kiện; các tệp thẩm định" in said


def test_the_same_file_given_twice_is_refused() -> None:
    """It would be a round that changed nothing; a path typed twice, or the wrong file picked."""
    said = _errors(FACTS_THANH_THUY, FACTS_THANH_THUY.parent / ".." / FACTS_THANH_THUY.parent.name / "facts.yaml")
    assert "lỗi [F001]" in said and f"tệp được cho hai lần (lần đầu là `{FACTS_THANH_THUY}`)" in said


def test_a_character_no_output_can_carry_is_refused_in_a_facts_file(tmp_path: Path) -> None:
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('facts:\n  doi_thoai: 1\nnotes:\n  "1.5.2": "x\\uD800y"\n', encoding="utf-8")
    said = _errors(FACTS_THANH_THUY, appraisal)
    assert f"{appraisal}:3:1: lỗi [F001]: `notes` có ký tự không hiển thị, không ghi ra được (\\ud800)" in said


@pytest.mark.parametrize("name", ["tham-dinh.json", "tham-dinh.yaml"])
def test_a_curly_quote_gone_wrong_is_named_with_the_fact_and_the_quote_meant(tmp_path: Path, name: str) -> None:
    """Word's “ ” – through an old program arrive as C1 characters (\\x93 \\x94 \\x96): the fact is named
    at its line, and the character meant is given."""
    appraisal = tmp_path / name
    appraisal.write_text('{"facts": {\n  "doi_thoai": 1,\n  "xep_loai": "\x93tốt\x94"\n}}\n', encoding="utf-8")
    said = _errors(FACTS_THANH_THUY, appraisal)
    where = (
        # under the value that holds it
        "3:15: lỗi [F001]: dữ kiện `xep_loai` có ký tự không hiển thị" if name.endswith("json") else "3:16: lỗi [F001]"
    )
    assert f"{appraisal}:{where}" in said, said
    assert "gợi ý: `\\u0093` là ký tự `“` bị hỏng mã (chữ Windows-1252 bị đọc sai): thay bằng `“`" in said, said


def test_an_appraisal_file_with_a_round_name_and_notes_only_is_a_round_that_changes_no_fact(tmp_path: Path) -> None:
    """Read as plain facts it said "dữ kiện `round` không được khai báo"; the empty-file hint suggests it."""
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('round: "Thẩm định vòng 1"\nnotes:\n  "1.5.2": "Đã kiểm tra"\n', encoding="utf-8")
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, appraisal)
    assert run.returncode == 0, run.stderr
    assert "Ghi chú ở các mục điểm không đổi:" in run.stdout and "ghi chú (Thẩm định vòng 1): Đã kiểm tra" in run.stdout


def test_a_note_on_an_unmoved_criterion_not_applicable_says_how_it_counts(tmp_path: Path) -> None:
    import yaml

    raw = yaml.safe_load(FACTS_THANH_THUY.read_text(encoding="utf-8"))
    raw["facts"]["ho_so_truc_tuyen_den_31_10"] = raw["facts"]["ho_so_tong_den_31_10"] = 0
    own = tmp_path / "facts.yaml"
    own.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    later = tmp_path / "tham-dinh.yaml"
    later.write_text('round: "Thẩm định vòng 1"\nnotes:\n  "7.2.2": "Đã kiểm tra"\n', encoding="utf-8")
    out = cchc("eval", RULES_2023, own, later).stdout
    assert "- 7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: không áp dụng, tính đủ 3\n" in out, out


def test_two_rounds_of_one_name_are_refused(tmp_path: Path) -> None:
    first = tmp_path / "td1.yaml"
    first.write_text('round: "Thẩm định"\nfacts:\n  doi_thoai: 1\n', encoding="utf-8")
    second = tmp_path / "td2.yaml"
    second.write_text('round: "thẩm  định"\nfacts:\n  doi_thoai: 3\n', encoding="utf-8")
    said = _errors(FACTS_THANH_THUY, first, second)
    assert f"lỗi [F001]: {second}: hai vòng cùng tên `thẩm  định` (vòng trước là `Thẩm định`)" in said


@pytest.mark.parametrize(("written", "warned"), [("năm 2022", True), ("2022.0", True), ("2022-2023", False)])
def test_a_year_written_in_words_or_as_a_number_is_compared_too(tmp_path: Path, written: str, warned: bool) -> None:
    text = FACTS_THANH_THUY.read_text(encoding="utf-8").replace("\nyear: 2023\n", f'\nyear: "{written}"\n')
    old = tmp_path / "facts.yaml"
    old.write_text(text, encoding="utf-8")
    run = cchc("eval", RULES_2023, old)
    assert run.returncode == 0, run.stderr
    assert (f"cảnh báo [W008]: dữ kiện ghi `year: {written}`" in run.stderr) is warned, run.stderr


def test_a_note_of_spaces_only_is_left_out(tmp_path: Path) -> None:
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('facts:\n  doi_thoai: 1\nnotes:\n  "7.2.1": "   "\n', encoding="utf-8")
    out = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "7.2.1").stdout
    assert "Ghi chú" not in out


def _differences_listed(tmp_path: Path, rules_text: str, own_facts: str, appraisal_text: str) -> str:
    """The list of differences `cchc eval RULES OWN APPRAISAL` prints, for a unit `Xã A`."""
    rules = tmp_path / "r.cchc"
    rules.write_text(rules_text, encoding="utf-8")
    own = tmp_path / "xa.yaml"
    own.write_text(f"unit: Xã A\nfacts:\n{own_facts}", encoding="utf-8")
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text(f'unit: Xã A\nround: "Thẩm định"\n{appraisal_text}', encoding="utf-8")
    run = cchc("eval", rules, own, appraisal)
    assert run.returncode == 0, run.stderr
    return run.stdout.split("Các mục có điểm khác nhau giữa các vòng:\n")[1]


def test_an_area_scored_by_its_own_formula_lists_its_changed_facts_and_note(tmp_path: Path) -> None:
    """An area whose formula takes a penalty off its criteria moved between rounds: the table shows its score,
    and the list says why (its fact) and what the appraisers wrote on it; an area that only sums its
    criteria stays out of the list, its causes being under it."""
    listed = _differences_listed(
        tmp_path,
        'ruleset "Thử"\n  total 10\n  rounding 2 half_up\n'
        'fact pa: count "Số phản ánh nhũng nhiễu" unit "phản ánh"\nfact d: count "Số cuộc đối thoại"\n'
        '1 "Thủ tục hành chính": max 5\n  score = max(0, [1.1] - min(2, 0.25 * pa))\n'
        '  reason "Bị trừ do {pa} phản ánh"\n1.1 "Công khai": max 5\n  score = max\n'
        '2 "Chỉ đạo": max 5\n2.1 "Đối thoại": max 5\n  score = if d >= 2 then max else 0\n  reason "Chỉ {d} cuộc"\n',
        "  pa: 1\n  d: 2\n",
        'facts:\n  pa: 3\n  d: 1\nnotes:\n  "1": "Xác minh thêm 2 phản ánh"\n',
    )
    assert listed.startswith(
        "- 1 Thủ tục hành chính: Tự đánh giá: 4,75 → Thẩm định: 4,25\n"
        "    pa: 1 → 3\n"
        "    ghi chú (Thẩm định): Xác minh thêm 2 phản ánh\n"
        "- 2.1 Đối thoại: Tự đánh giá: 5 → Thẩm định: 0\n"
    ), listed
    assert "\n- 2 Chỉ đạo" not in listed


def test_an_area_formula_does_not_repeat_a_fact_its_criterion_shows(tmp_path: Path) -> None:
    """Only 1.1's fact changed: it is shown under 1.1, not a second time under area 1, whose formula names
    [1.1]."""
    listed = _differences_listed(
        tmp_path,
        'ruleset "Thử"\n  total 5\n  rounding 2 half_up\n'
        'fact pa: count "Số phản ánh" unit "phản ánh"\nfact c: count "Số văn bản công khai"\n'
        '1 "Thủ tục hành chính": max 5\n  score = max(0, [1.1] - min(2, 0.25 * pa))\n  reason "Trừ {pa}"\n'
        '1.1 "Công khai": max 5\n  score = if c >= 2 then max else 0\n  reason "Chỉ {c}"\n',
        "  pa: 0\n  c: 2\n",
        "facts:\n  c: 1\n",
    )
    assert listed.startswith(
        "- 1 Thủ tục hành chính: Tự đánh giá: 5 → Thẩm định: 0\n"
        "- 1.1 Công khai: Tự đánh giá: 5 → Thẩm định: 0\n"
        "    c: 2 → 1\n"
    ), listed
