"""Reports and scoring tables, opened with the libraries users' tools use, and checked for content."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
import yaml

from tests.conftest import FACTS_THANH_THUY, RULES_2023
from tests.test_cli import cchc

APPRAISAL = FACTS_THANH_THUY.parent / "tham-dinh.yaml"


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def shown(cell: Any) -> Any:
    """A table cell as Excel shows it with a Vietnamese decimal comma: a number through its format."""
    value, fmt = cell.value, cell.number_format
    if not isinstance(value, int | float):
        return value
    positive, _, negative = fmt.partition(";")
    section = negative if value < 0 and negative else positive
    percent = section.endswith("%")
    places = len(section.rpartition(".")[2].rstrip("%")) if "." in section else 0
    figure = abs(Decimal(repr(value))) * (100 if percent else 1)
    text = f"{figure:.{places}f}".replace(".", ",") + ("%" if percent else "")
    return section.split("0", 1)[0].strip('"') + text  # "+" for a bonus, "−" for a penalty


def test_markdown_report_follows_the_seed_layout(tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.md"
    run = cchc("report", RULES_2023, FACTS_THANH_THUY, "--format", "md", "-o", out)
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# BÁO CÁO")
    assert "Về tự đánh giá, chấm điểm" in text
    assert "## I. Kết quả thực hiện" in text
    assert "**Tổng điểm tự đánh giá: 66,245 điểm/74 điểm, đạt 89,52%.**" in text
    assert "**1. Công tác chỉ đạo, điều hành CCHC: 12,5 điểm/15 điểm; đạt tỷ lệ 83,33%.**" in text
    assert "- Mất 0,5 điểm tại mục 1.5.2: Không đủ 5 cuộc đối thoại/năm (chỉ có 2 cuộc)" in text
    assert "## II. Tồn tại, hạn chế, nguyên nhân trong việc tự đánh giá" in text
    assert "- 5.4.2 Công chức đạt chuẩn trình độ chuyên môn: 0/2 điểm." in text
    assert "## III. Giải pháp thời gian tới" in text and "## IV. Kiến nghị, đề xuất" in text
    assert "Tổ chức đấu giá quyền sử dụng đất" in text
    assert "Nguyễn Thị Thư" in text
    # evidence of the figures behind the lost points
    assert "Số hồ sơ TTHC tiếp nhận trực tuyến đến 31/10 = 1340 hồ sơ (Báo cáo tự đánh giá" in text


def test_sections_the_unit_did_not_write_are_left_out(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    text = FACTS_THANH_THUY.read_text(encoding="utf-8")
    facts.write_text(text[: text.index("\nreport:")], encoding="utf-8")
    run = cchc("report", RULES_2023, facts)
    assert run.returncode == 0, run.stderr
    assert "Giải pháp" not in run.stdout and "Kiến nghị" not in run.stdout
    assert "## II. Tồn tại" in run.stdout


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.html"
    assert cchc("report", RULES_2023, FACTS_THANH_THUY, "--format", "html", "-o", out).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "<h2>I. Kết quả thực hiện</h2>" in page
    assert "Mất 0,708 điểm tại mục 7.2.2" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page


def test_docx_report_opens_and_holds_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.docx"
    run = cchc("report", RULES_2023, FACTS_THANH_THUY, "--format", "docx", "-o", out)
    assert run.returncode == 0, run.stderr
    text = _docx_text(out)
    assert "BÁO CÁO" in text
    assert "Tổng điểm tự đánh giá: 66,245 điểm/74 điểm, đạt 89,52%." in text
    assert "Mất 2 điểm tại mục 1.6.1: Không có sáng kiến kinh nghiệm CCHC" in text
    assert "TM. ỦY BAN NHÂN DÂN XÃ" in text and "Nơi nhận:" in text
    # A4 with the margins of Nghị định 30/2020 (top, bottom 20 mm; left 30; right 15), not US Letter
    page = docx.Document(str(out)).sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (page.top_margin, page.bottom_margin, page.left_margin, page.right_margin)] == [
        20,
        20,
        30,
        15,
    ]


def test_appraisal_round_report(tmp_path: Path) -> None:
    run = cchc("report", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "--round", "2")
    assert run.returncode == 0, run.stderr
    assert "Về thẩm định (Thẩm định vòng 1), chấm điểm" in run.stdout
    assert "Tổng điểm thẩm định (Thẩm định vòng 1): 65,676 điểm/74 điểm" in run.stdout
    # the appraisers' notes are where their scores are reported; the shortcomings are the commune's
    assert "Ghi chú thẩm định:\n\n- 7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: Số liệu của xã chưa khớp" in run.stdout
    assert "Tồn tại, hạn chế, nguyên nhân qua kết quả thẩm định" in run.stdout
    assert "trong việc thẩm định" not in run.stdout


def test_docx_needs_an_output_file() -> None:
    run = cchc("report", RULES_2023, FACTS_THANH_THUY, "--format", "docx")
    assert run.returncode == 2
    assert "-o" in run.stderr


def test_xlsx_table_has_every_node_and_every_round(tmp_path: Path) -> None:
    out = tmp_path / "bang-cham-diem.xlsx"
    run = cchc("table", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "-o", out)
    assert run.returncode == 0, run.stderr
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == [
        "STT",
        "Lĩnh vực, tiêu chí, tiêu chí thành phần",
        "Điểm tối đa",
        "Điểm tự đánh giá",
        "Điểm thẩm định vòng 1",
        "Điểm thẩm định vòng 2",
        "Ghi chú",
    ]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    rows = [[shown(c) for c in row] for row in sheet.iter_rows()]
    by_id = {r[0]: r for r in rows[2:]}
    assert len([r for r in rows[2:] if r[0]]) == 64
    assert by_id["7.2.2"][2:6] == ["3", "2,292", "2,223", "2,223"]
    # Figures are numbers, so Excel adds them up: the areas make the total in every round.
    assert [c.value for c in cells["7.2.2"][2:6]] == [3, 2.292, 2.223, 2.223]
    total_row = next(row for row in sheet.iter_rows() if row[1].value == "TỔNG ĐIỂM")
    for column in range(2, 6):
        areas = sum(Decimal(repr(cells[a][column].value)) for a in "1234567")
        assert areas == Decimal(repr(total_row[column].value))
    assert "Số liệu của xã chưa khớp" in by_id["7.2.2"][6]
    # Each reason with the rounds it was given in: 2,292 was computed from 1340, not from the appraisers' 1300.
    assert by_id["7.2.2"][6].split("\n")[:2] == [
        "Tự đánh giá: Tỷ lệ hồ sơ trực tuyến tính đến 31/10 chỉ đạt 1340/1754 hồ sơ",
        "Thẩm định vòng 1, Thẩm định vòng 2: Tỷ lệ hồ sơ trực tuyến tính đến 31/10 chỉ đạt 1300/1754 hồ sơ",
    ]
    assert by_id["1.4.2"][6].startswith("Thẩm định vòng 1: Chỉ dùng 2 hình thức tuyên truyền")  # lost in round 1 only
    assert by_id["1.5.2"][6] == "Không đủ 5 cuộc đối thoại/năm (chỉ có 2 cuộc)"  # the same in every round
    assert by_id["1"][2:6] == ["15", "12,5", "12", "12,5"]
    total = next(r for r in rows if r[1] == "TỔNG ĐIỂM")
    assert total[2:6] == ["74", "66,245", "65,676", "66,176"]


def test_docx_table(tmp_path: Path) -> None:
    out = tmp_path / "bang-cham-diem.docx"
    assert cchc("table", RULES_2023, FACTS_THANH_THUY, "--format", "docx", "-o", out).returncode == 0
    table = docx.Document(str(out)).tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header[:4] == ["STT", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Điểm tự đánh giá"]
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert cells["3.5.2"][2:4] == ["1", "0,999"]
    assert "Có 2 hồ sơ trả lại/1935 hồ sơ" in cells["3.5.2"][4]
    page = docx.Document(str(out)).sections[0]  # a column per round: A4 landscape
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (297, 210)


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--format", "docx"),
        ("report", "--format", "html"),
        ("table", "--format", "xlsx"),
        ("table", "--format", "docx"),
    ],
)
def test_office_files_are_byte_for_byte_deterministic(args: tuple[str, ...], tmp_path: Path) -> None:
    command, *options = args
    first, second = tmp_path / "a", tmp_path / "b"
    assert cchc(command, RULES_2023, FACTS_THANH_THUY, *options, "-o", first).returncode == 0
    assert cchc(command, RULES_2023, FACTS_THANH_THUY, *options, "-o", second).returncode == 0
    assert first.read_bytes() == second.read_bytes()


def test_no_command_writes_over_its_input(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_bytes(FACTS_THANH_THUY.read_bytes())
    rules = tmp_path / "rules.cchc"
    rules.write_bytes(RULES_2023.read_bytes())
    for command, extra in (("report", ()), ("table", ())):
        for target in (facts, rules):
            run = cchc(command, rules, facts, *extra, "-o", target)
            assert run.returncode == 1, run.stderr
            assert "không ghi đè" in run.stderr
    assert facts.read_bytes() == FACTS_THANH_THUY.read_bytes()
    assert rules.read_bytes() == RULES_2023.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.yaml", "rules.cchc"]


def test_bonus_and_penalty_rows_carry_their_sign_so_the_rows_add_up(tmp_path: Path) -> None:
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "Thử"\n  total 10\n  rounding 3 half_up\nfact k: count "Số vụ vi phạm" unit "vụ"\n'
        'fact b: boolean "Có sáng kiến"\n1 "Một": max 10\n  score = max\n'
        'bonus sk "Sáng kiến": max 1\n  score = if b then max else 0\n'
        'penalty vp "Vi phạm": max 2\n  score = min(max, 0.5 * k)\n  reason "Có {k} vụ"\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("k: 4\nb: có\n", encoding="utf-8")
    out = tmp_path / "bang.xlsx"
    assert cchc("table", rules, facts, "-o", out).returncode == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = [[shown(c) for c in row] for row in sheet.iter_rows()][2:]
    assert rows == [
        ["1", "Một", "10", "10", None],
        [None, "Điểm thưởng: Sáng kiến", "1", "+1", None],
        [None, "Điểm trừ: Vi phạm", "2", "−2", "Có 4 vụ"],
        [None, "TỔNG ĐIỂM", "10", "9", None],
        [None, "Tỷ lệ đạt", None, "90%", None],
    ]
    # As numbers, a bonus adds and a penalty takes off: Excel's SUM of the rows is the total.
    score = [row[3].value for row in sheet.iter_rows(min_row=3)]
    assert score[:4] == [10, 1, -2, 9] and sum(score[:3]) == score[3]


def test_a_total_kept_within_the_maximum_and_an_excluded_criterion_are_said(tmp_path: Path) -> None:
    """Someone adding up the lines must find the total: the cap and the maximum without n/a are explained."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "Thử"\n  total 10\n  rounding 3 half_up\n  inferred "Bộ chỉ số giả định, dùng để thử"\n'
        'fact b: boolean "Có sáng kiến"\nfact n: count "Số dự án" unit "dự án"\n'
        '1 "Một": max 7\n  score = max\n2 "Hai": max 3\n  score = max\n  na when n = 0: exclude\n'
        'bonus sk "Sáng kiến": max 1\n  score = if b then max else 0\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("b: có\nn: 0\n", encoding="utf-8")
    run = cchc("eval", rules, facts)
    assert run.returncode == 0, run.stderr
    cap = "Tổng điểm được giữ trong khoảng 0 đến 7 điểm: 7 điểm các lĩnh vực + 1 điểm thưởng = 8, tính 7 điểm."
    assert "Tổng điểm tự đánh giá: 7 điểm/7 điểm, đạt 100%." in run.stdout and cap in run.stdout
    assert "Tiêu chí không áp dụng (loại khỏi điểm tối đa):\n- 2 Hai: 3 điểm\n" in run.stdout
    assert run.stdout.endswith("\nSuy luận của bộ quy tắc: Bộ chỉ số giả định, dùng để thử\n")
    out = tmp_path / "bao-cao.md"
    assert cchc("report", rules, facts, "--format", "md", "-o", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert cap in text and "Tiêu chí không áp dụng (loại khỏi điểm tối đa):" in text and "- 2 Hai: 3 điểm" in text
    page = tmp_path / "trang.html"
    assert cchc("eval", rules, facts, "--format", "html", "-o", page).returncode == 0
    html = page.read_text(encoding="utf-8")
    assert cap in html and "Suy luận của bộ quy tắc: Bộ chỉ số giả định, dùng để thử" in html
    data = cchc("eval", rules, facts, "--format", "json").stdout
    assert '"inferred": [\n    "Bộ chỉ số giả định, dùng để thử"\n  ]' in data


def test_the_place_and_date_line_is_written_out(tmp_path: Path) -> None:
    """`dia_danh` and `ngay` of the report block make the line an administrative document carries."""
    base = FACTS_THANH_THUY.read_text(encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    block = "report:\n  dia_danh: Thanh Thủy\n  ngay: 2023-10-25\n"
    facts.write_text(base.replace("report:\n", block), encoding="utf-8")
    line = "Thanh Thủy, ngày 25 tháng 10 năm 2023"
    for fmt, name in (("md", "bc.md"), ("html", "bc.html"), ("docx", "bc.docx")):
        out = tmp_path / name
        run = cchc("report", RULES_2023, facts, "--format", fmt, "-o", out)
        assert run.returncode == 0, run.stderr
        if fmt == "docx":
            assert line in [p.text for p in docx.Document(str(out)).paragraphs]
        else:
            assert line in out.read_text(encoding="utf-8")


def test_the_date_line_pads_as_decrees_do_and_a_wrong_date_is_refused(tmp_path: Path) -> None:
    from cchc_rules.render.report import place_date

    # Nghị định 30/2020/NĐ-CP: a day below 10 and the months 1 and 2 with a leading 0, the others without
    assert place_date("Thanh Thủy", "2023-03-05") == "Thanh Thủy, ngày 05 tháng 3 năm 2023"
    assert place_date("Thanh Thủy", "05/02/2023") == "Thanh Thủy, ngày 05 tháng 02 năm 2023"
    assert place_date("", "ngày 5 tháng 1 năm 2024") == "ngày 5 tháng 1 năm 2024"  # written out: kept
    facts = tmp_path / "facts.yaml"
    text = FACTS_THANH_THUY.read_text(encoding="utf-8").replace("report:\n", "report:\n  ngay: 31/02/2023\n")
    facts.write_text(text, encoding="utf-8")
    run = cchc("report", RULES_2023, facts, "--format", "md", "-o", tmp_path / "bc.md")
    assert run.returncode == 1 and "`report.ngay`: `31/02/2023` không phải một ngày" in run.stderr
    assert "(ngày `31/02/2023` không có thật)" in run.stderr
    assert "gợi ý: viết ngày dạng 25/10/2023 hoặc 2023-10-25" in run.stderr
    assert not (tmp_path / "bc.md").exists()


def test_a_total_capped_at_zero_writes_its_sum_with_a_minus_sign() -> None:
    from decimal import Decimal

    from cchc_rules.render.text import cap_note

    class _Totals:  # what cap_note reads of a Result
        base_score, bonus, penalty, score, max = Decimal(4), Decimal(0), Decimal(20), Decimal(0), Decimal(10)

    note = cap_note(_Totals())  # type: ignore[arg-type]
    assert note.endswith("4 điểm các lĩnh vực − 20 điểm trừ = −16, tính 0 điểm.")


NA_RULES = """ruleset "Thử" total 10 rounding 3 half_up not_applicable exclude
fact lien_thong: count "Số hồ sơ liên thông" unit "hồ sơ"
fact dung_han: count "Số hồ sơ liên thông đúng hạn" unit "hồ sơ" max lien_thong
fact doi_thoai: count "Số cuộc đối thoại" unit "cuộc"
fact so_vu: count "Số vụ vi phạm" unit "vụ" default 0
1 "Chỉ đạo": max 4
  score = if doi_thoai >= 5 then max else 0
2 "Thủ tục": max 6
2.1 "Liên thông": max 3
  na when lien_thong = 0: exclude
  score = max * ratio(dung_han, lien_thong, zero: na)
2.2 "Một cửa": max 3
  score = max
penalty vi_pham "Vi phạm": max 2
  score = min(max, 0.5 * so_vu)
"""


def test_rounds_with_a_criterion_left_out_as_not_applicable_add_up(tmp_path: Path) -> None:
    """2.1 is n/a in the self-assessment and applies once the appraisal finds 4 files: the maximum
    column holds the declared maxima (which add up), 2.1 shows `—` where it is left out, and each
    round's own maximum is given after the total (the table once showed a total of 7,75 out of 7)."""
    rules = tmp_path / "thu.cchc"
    rules.write_text(NA_RULES, encoding="utf-8")
    own = tmp_path / "tu-danh-gia.yaml"
    own.write_text("facts:\n  lien_thong: 0\n  dung_han: 0\n  doi_thoai: 6\n  so_vu: 1\n", encoding="utf-8")
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text('round: "Thẩm định vòng 1"\nfacts:\n  lien_thong: 4\n  dung_han: 3\n', encoding="utf-8")
    out = tmp_path / "bang.xlsx"
    assert cchc("table", rules, own, appraisal, "-o", out).returncode == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = [[shown(c) for c in row][1:5] for row in sheet.iter_rows()][2:]
    assert rows == [
        ["Chỉ đạo", "4", "4", "4"],
        ["Thủ tục", "6", "3", "5,25"],
        ["Liên thông", "3", "—", "2,25"],
        ["Một cửa", "3", "3", "3"],
        ["Điểm trừ: Vi phạm", "2", "−0,5", "−0,5"],
        ["TỔNG ĐIỂM", "10", "6,5", "8,75"],
        ["Điểm tối đa, trừ các mục không áp dụng", None, "7", "10"],
        ["Tỷ lệ đạt", None, "92,86%", "87,5%"],
    ]
    notes = {row[1].value: row[-1].value for row in sheet.iter_rows() if row[1].value}
    assert "Tự đánh giá: không áp dụng" in notes["Liên thông"]
    text = cchc("eval", rules, own, appraisal).stdout
    assert "- 2.1 Liên thông: Tự đánh giá: không áp dụng, loại khỏi điểm tối đa → Thẩm định vòng 1: 2,25" in text
    assert "               2                −0,5              −0,5  Điểm trừ: Vi phạm" in text  # the rows add up
    assert "Tổng          10                 6,5              8,75" in text


def test_control_characters_pasted_from_word_do_not_break_office_files(tmp_path: Path) -> None:
    """Word's soft line break (\\v) in a note, another control character in a unit's words: the Office
    writers refuse them, so they are made line breaks or dropped, never a crash (exit 70)."""
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text(
        'round: "Thẩm định vòng 1"\nfacts:\n  doi_thoai: 1\nnotes:\n  "1.5.2": "Biên bản số 12\\vngày 5/11"\n'
        'report:\n  kien_nghi: "Đề nghị bổ sung\\ftài liệu"\n',
        encoding="utf-8",
    )
    for command, suffix in (("table", ".xlsx"), ("table", ".docx"), ("report", ".docx")):
        out = tmp_path / f"{command}{suffix}"
        run = cchc(
            command, RULES_2023, FACTS_THANH_THUY, appraisal, "-o", out, *(("--round", "2") * (command == "report"))
        )
        assert run.returncode == 0, run.stderr
        if suffix == ".xlsx":
            cells = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
            assert "Biên bản số 12\nngày 5/11" in " | ".join(str(v) for v in cells)
        else:
            text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
            text += "\n".join(c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells)
            assert ("Biên bản số 12\nngày 5/11" if command == "table" else "Đề nghị bổ sung\ntài liệu") in text


def test_a_note_alone_is_not_shown_as_evidence(tmp_path: Path) -> None:
    """ "giả định: ..." names no document: explain says `ghi chú`, the report lists it apart from the evidence."""
    text = FACTS_THANH_THUY.read_text(encoding="utf-8")
    start = text.index("  doi_thoai:\n")
    end = text.index("\n  ", text.index("note:", start))
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        text[:start] + '  doi_thoai: {value: 2, note: "giả định: chưa có biên bản"}' + text[end:], encoding="utf-8"
    )
    explained = cchc("explain", RULES_2023, facts, "1.5.2")
    assert explained.returncode == 0, explained.stderr
    assert "      ghi chú: giả định: chưa có biên bản\n" in explained.stdout
    assert "kiểm chứng: giả định" not in explained.stdout
    report = cchc("report", RULES_2023, facts).stdout
    evidence, _, notes = report.partition("Ghi chú về các số liệu trên:")
    assert (
        "- Số cuộc đối thoại của người đứng đầu với nhân dân trong năm = 2 cuộc (giả định: chưa có biên bản)" in notes
    )
    assert "giả định: chưa có biên bản" not in evidence
    assert "Tài liệu kiểm chứng của các số liệu trên:" in evidence  # the other facts' documents stay there


def test_a_units_own_words_do_not_turn_into_markdown_headings_or_html(tmp_path: Path) -> None:
    """A section or a note beginning a line with `#` was a heading; `<script>` went through as HTML."""
    raw = yaml.safe_load(FACTS_THANH_THUY.read_text(encoding="utf-8"))
    raw["report"]["giai_phap"] = "# Không phải tiêu đề <script>alert(1)</script>"
    raw["notes"] = {"1.5.2": "Số liệu đã đối chiếu\n# Kết luận giả"}
    facts = tmp_path / "facts.yaml"
    facts.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = cchc("report", RULES_2023, facts).stdout
    assert "\\# Không phải tiêu đề &lt;script>alert(1)&lt;/script>" in out
    assert "\\# Kết luận giả" in out
    assert "<script>" not in out and "\n# Kết luận" not in out


def test_an_item_titled_with_its_kind_and_an_area_left_out_read_right(tmp_path: Path) -> None:
    """A decision's own title "Điểm thưởng: mô hình mới" is not prefixed twice, and an area excluded as not
    applicable is said so rather than "0 điểm/0 điểm; đạt tỷ lệ -."."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "Thử"\n  total 10\n  rounding 3 half_up\n'
        'fact b: boolean "Có mô hình mới"\nfact n: count "Số phiếu khảo sát" unit "phiếu"\n'
        '1 "Một": max 7\n  score = max\n2 "Khảo sát SIPAS": max 3\n  score = max\n  na when n = 0: exclude\n'
        'bonus mh "Điểm thưởng: mô hình mới": max 1\n  score = if b then max else 0\n'
        'penalty vp "Kỷ luật": max 1\n  score = 0\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("b: có\nn: 0\n", encoding="utf-8")
    said = cchc("eval", rules, facts)
    assert said.returncode == 0, said.stderr
    assert "2. Khảo sát SIPAS: không áp dụng (loại khỏi điểm tối đa).\n" in said.stdout
    assert "\nĐiểm thưởng: mô hình mới: 1 điểm/1 điểm.\nĐiểm trừ (Kỷ luật): 0 điểm/1 điểm.\n" in said.stdout
    report = tmp_path / "bao-cao.md"
    assert cchc("report", rules, facts, "-o", report).returncode == 0
    text = report.read_text(encoding="utf-8")
    assert "2. Khảo sát SIPAS: không áp dụng (loại khỏi điểm tối đa)." in text
    assert "Điểm thưởng: mô hình mới: 1 điểm." in text and "Điểm thưởng: Điểm thưởng" not in text
    table = tmp_path / "bang.xlsx"
    assert cchc("table", rules, facts, "-o", table).returncode == 0
    sheet = openpyxl.load_workbook(table).active
    assert sheet is not None
    titles = [row[1].value for row in sheet.iter_rows()]
    assert "Điểm thưởng: mô hình mới" in titles and "Điểm trừ: Kỷ luật" in titles
