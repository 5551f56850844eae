"""Workbooks as provinces make them: stale dimensions, several sheets, merged cells, formulas, odd formats.

Each test builds its workbook from the template (`write_workbook`), changes it with openpyxl the way an
officer or another program would, and checks that `cchc rank` reads every unit as written or refuses,
naming the sheet and the cell, and never silently reads something else.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import cchc_rules
from cchc_rules import CchcError
from cchc_rules.ranking import rank_units
from cchc_rules.ruleset import RuleSet
from cchc_rules.template import write_workbook
from cchc_rules.units import (
    UNIT_COLUMN,
    UnitsError,
    _district_row,
    _total_row,
    count_units,
    read_units,
    validate_unit,
)
from tests.conftest import FACTS_THANH_THUY, RULES_2023
from tests.test_cli import cchc
from tests.test_rank import plain_facts, write_jsonl


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return cchc_rules.load(RULES_2023)


def letter(rules: RuleSet, name: str) -> str:
    """The template's column of a fact (B for the first)."""
    from cchc_rules.units import column_letter

    return column_letter(list(rules.checked.facts).index(name) + 2)


def template(rules: RuleSet, path: Path, units: int = 3) -> Path:
    """The template with `units` communes (Xã 0, Xã 1, ...), rows 4 on, each with the same plain facts."""
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{UNIT_COLUMN: f"Xã {k}", **plain_facts()} for k in range(units)])
    return path


def edit(path: Path, change: Callable[[Any], None]) -> Path:
    """Open the workbook as Excel would, change it, save it."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def rewrite_sheet(path: Path, change: Callable[[str], str], member: str = "xl/worksheets/sheet1.xml") -> Path:
    """Change a sheet's XML, as another program may write it."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            target.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == member else data)
    return path


def rank(rules: RuleSet, path: Path) -> tuple[list[str], str]:
    """The units ranked, in rank order (ties in input order), or the errors (rendered) of ranking `path`."""
    try:
        ranking = rank_units(rules, read_units(path, rules.checked))
    except CchcError as exc:
        return [], "\n".join(d.render() for d in exc.diagnostics)
    try:
        return [row["unit"] for row in ranking.rows()], ""
    finally:
        ranking.close()


def units_of(rules: RuleSet, path: Path) -> Iterator[str]:
    return (unit.id for unit in read_units(path, rules.checked))


# ---- rows and sheets ---------------------------------------------------------------------------------


def test_a_stale_dimension_does_not_cut_rows_off(rules: RuleSet, tmp_path: Path) -> None:
    """Other programs leave `<dimension ref="A1:AU10"/>` on a longer sheet; read-only openpyxl trusts it."""
    path = edit(template(rules, tmp_path / "xa.xlsx", 20), lambda book: None)
    rewrite_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:AU10"/>', xml))
    assert '<dimension ref="A1:AU10"/>' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert list(units_of(rules, path)) == [f"Xã {k}" for k in range(20)]


def test_units_are_read_from_every_sheet_headed_don_vi_in_order(rules: RuleSet, tmp_path: Path) -> None:
    """One sheet per district: every sheet whose A1 is `don_vi` holds units; empty and hidden sheets
    without that header (a list for a drop-down) are not units; a unit on two sheets is given twice."""

    def split(book: Any) -> None:
        first = book["Dữ kiện"]
        second = book.copy_worksheet(first)
        second.title = "Huyện Kinh Môn"
        first.delete_rows(7, 2)  # Xã 0..2 stay here
        second.delete_rows(4, 3)  # Xã 3, 4 there
        book.create_sheet("Trống")
        lists = book.create_sheet("Danh mục")
        lists["A1"] = "có"
        lists.sheet_state = "hidden"

    path = edit(template(rules, tmp_path / "xa.xlsx", 5), split)
    assert rank(rules, path) == ([f"Xã {k}" for k in range(5)], "")

    def twice(book: Any) -> None:
        book["Huyện Kinh Môn"]["A5"] = "Xã 1"

    _, errors = rank(rules, edit(path, twice))
    assert (
        f"{path}: trang tính `Huyện Kinh Môn`, dòng 5 (đơn vị `Xã 1`): đơn vị này đã có ở "
        f"{path}: trang tính `Dữ kiện`, dòng 5"
    ) in errors


def test_a_sheet_with_data_but_not_the_header_is_refused_by_its_name(rules: RuleSet, tmp_path: Path) -> None:
    def notes(book: Any) -> None:
        book.create_sheet("Hướng dẫn", 0)["A1"] = "Điền mỗi xã một dòng"

    path = edit(template(rules, tmp_path / "xa.xlsx"), notes)
    with pytest.raises(UnitsError) as refused:
        list(read_units(path, rules.checked))
    assert "trang tính `Hướng dẫn` có dữ liệu nhưng ô A1 phải là `don_vi`" in str(refused.value)
    assert "không phải `Điền mỗi xã một dòng`" in str(refused.value) and "ẩn đi" in str(refused.value)

    def hide(book: Any) -> None:
        book["Hướng dẫn"].sheet_state = "hidden"

    assert rank(rules, edit(path, hide)) == (["Xã 0", "Xã 1", "Xã 2"], "")

    def title_row(book: Any) -> None:
        book["Dữ kiện"].insert_rows(1)
        book["Dữ kiện"]["A1"] = "BẢNG SỐ LIỆU CCHC CẤP XÃ NĂM 2023"

    _, errors = rank(rules, edit(path, title_row))
    assert "trang tính `Dữ kiện` có dữ liệu nhưng ô A1 phải là `don_vi`" in errors
    assert "dòng tên dữ kiện đang là dòng 2: xoá 1 dòng phía trên" in errors


def test_units_on_hidden_rows_are_ranked_and_said(rules: RuleSet, tmp_path: Path) -> None:
    """A filter left on (or rows hidden by hand) shows some units only: all are ranked, as the file holds
    them, and the hidden rows are named (W004), so a ranking of 'the district' is not one of the province."""

    def hide(book: Any) -> None:
        sheet = book["Dữ kiện"]
        for row in range(6, 19):  # Xã 2 to Xã 14: more than the ten named
            sheet.row_dimensions[row].hidden = True

    path = edit(template(rules, tmp_path / "xa.xlsx", units=16), hide)
    assert [unit.hidden for unit in read_units(path, rules.checked)] == [False] * 2 + [True] * 13 + [False]
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "rank.csv")
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("[W004]") == 1, run.stderr
    assert (
        f"cảnh báo [W004]: 13 đơn vị nằm ở dòng đang bị ẩn trong bảng tính và vẫn được xếp hạng: {path}: trang tính "
        "`Dữ kiện`, dòng 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 và 3 dòng khác\n    gợi ý: bảng tính có thể đang lọc"
    ) in run.stderr
    assert "đã xếp hạng 16 đơn vị" in run.stderr

    def show(book: Any) -> None:
        for row in range(6, 19):
            book["Dữ kiện"].row_dimensions[row].hidden = False

    shown = edit(path, show)
    run = cchc("rank", RULES_2023, shown, "-o", tmp_path / "again.csv")
    assert run.returncode == 0 and "W004" not in run.stderr, run.stderr

    # XML as other programs may write it (single quotes, spaces around `=`); a hidden row whose unit is
    # missing is named too, as the reason the ranking is refused may be out of sight.
    def other_writer(xml: str) -> str:
        xml = xml.replace('<row r="7"', "<row hidden = '1' r = '7'")
        return re.sub(r'<c r="A8"[^>]*?(/>|>.*?</c>)', "", xml.replace('<row r="8"', '<row hidden="true" r="8"'))

    run = cchc("rank", RULES_2023, rewrite_sheet(shown, other_writer), "-o", tmp_path / "third.csv")
    assert run.returncode == 1, run.stderr
    assert (
        "cảnh báo [W004]: 2 đơn vị nằm ở dòng đang bị ẩn trong bảng tính (đã được kiểm tra như các dòng khác): "
        f"{shown}: trang tính `Dữ kiện`, dòng 7, 8\n"
    ) in run.stderr
    assert "dòng 8, cột A: thiếu mã đơn vị" in run.stderr
    assert "hoặc xoá dòng này nếu là dòng tổng" in run.stderr


def test_a_hidden_sheet_is_never_silently_taken_for_the_units(rules: RuleSet, tmp_path: Path) -> None:
    """An old copy of the header hidden first no longer hides the sheet with the units; a hidden sheet
    with units is refused, not ranked nor dropped unseen."""

    def old_copy_first(book: Any) -> None:
        sheet = book["Dữ kiện"]
        sheet.title = "Số liệu"
        old = book.create_sheet("Dữ kiện cũ", 0)
        for row in sheet.iter_rows(max_row=3):
            for cell in row:
                old.cell(cell.row, cell.column, cell.value)
        old.sheet_state = "hidden"

    path = edit(template(rules, tmp_path / "xa.xlsx"), old_copy_first)
    assert rank(rules, path) == (["Xã 0", "Xã 1", "Xã 2"], "")

    def units_hidden(book: Any) -> None:
        book["Dữ kiện cũ"]["A4"] = "Xã 9"

    _, errors = rank(rules, edit(path, units_hidden))
    assert f"{path}: trang tính `Dữ kiện cũ` đang ẩn nhưng có đơn vị (dòng 4)" in errors and "Bỏ ẩn" in errors

    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.active.title = "Sheet1"
    hidden = book.create_sheet("Cũ")
    hidden["A1"] = "tên xã"
    hidden.sheet_state = "hidden"
    book.save(tmp_path / "none.xlsx")
    with pytest.raises(UnitsError) as none:
        list(read_units(tmp_path / "none.xlsx"))
    assert "không có trang tính nào có ô A1 là `don_vi` (cột mã đơn vị): `Sheet1` trống; `Cũ` đang ẩn" in str(
        none.value
    )


# ---- columns and merged cells ------------------------------------------------------------------------


def test_data_under_an_empty_or_merged_heading_is_refused(rules: RuleSet, tmp_path: Path) -> None:
    """`co_xin_loi_qua_han` has a default: with its heading gone, every unit would silently take it."""
    column = letter(rules, "co_xin_loi_qua_han")
    before = letter(rules, "ho_so_tam_dung")

    def cleared(book: Any) -> None:
        sheet = book["Dữ kiện"]
        sheet[f"{column}1"] = None
        sheet[f"{column}5"] = "không"

    path = edit(template(rules, tmp_path / "xa.xlsx"), cleared)
    _, errors = rank(rules, path)
    assert f"trang tính `Dữ kiện`, cột {column} có dữ liệu (từ ô {column}5) nhưng ô {column}1 trống" in errors

    def merged(book: Any) -> None:
        book["Dữ kiện"][f"{column}1"] = "co_xin_loi_qua_han"
        book["Dữ kiện"].merge_cells(f"{before}1:{column}1")

    _, errors = rank(rules, edit(path, merged))
    assert f"cột {column} có dữ liệu (từ ô {column}5) nhưng không có tên dữ kiện: ô {column}1 nằm trong " in errors
    assert f"vùng gộp {before}1:{column}1" in errors and f"bỏ gộp {before}1:{column}1" in errors


def test_merged_cells_among_the_units_are_refused(rules: RuleSet, tmp_path: Path) -> None:
    """`không` typed once over three communes: the two below would read as empty, so take the default."""
    column = letter(rules, "co_xin_loi_qua_han")

    def descriptions(book: Any) -> None:
        book["Dữ kiện"].merge_cells("B2:C2")  # the description rows: harmless
        book["Dữ kiện"].merge_cells("B3:B3")

    path = edit(template(rules, tmp_path / "xa.xlsx"), descriptions)
    assert rank(rules, path) == (["Xã 0", "Xã 1", "Xã 2"], "")

    def merged(book: Any) -> None:
        book["Dữ kiện"][f"{column}4"] = "không"
        book["Dữ kiện"].merge_cells(f"{column}4:{column}6")

    _, errors = rank(rules, edit(path, merged))
    assert f"trang tính `Dữ kiện`, vùng ô {column}4:{column}6 đang gộp (merge): chỉ ô {column}4 có giá trị" in errors
    assert "Bỏ gộp ô" in errors and errors.count("lỗi [") == 1, errors


# ---- formulas ----------------------------------------------------------------------------------------


def test_a_formula_without_its_computed_value_is_refused(rules: RuleSet, tmp_path: Path) -> None:
    """A script writes formulas without their value: they read as empty cells, so a fact with a default
    would take it and one without would be 'empty'. Excel saves the value: then it is read."""
    defaulted, count = letter(rules, "co_xin_loi_qua_han"), letter(rules, "doi_thoai")

    def formulas(book: Any) -> None:
        book["Dữ kiện"][f"{defaulted}5"] = '=IF(1>0,"không","có")'
        book["Dữ kiện"][f"{count}6"] = "=1+1"

    path = edit(template(rules, tmp_path / "xa.xlsx"), formulas)
    _, errors = rank(rules, path)
    for cell, name in ((f"{defaulted}5", "co_xin_loi_qua_han"), (f"{count}6", "doi_thoai")):
        row = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        assert f"ô {cell} (dòng {row}, cột {cell[: -len(row)]}, `{name}`): công thức chưa có giá trị đã tính" in errors
    assert "mở tệp bằng Excel (hoặc LibreOffice) rồi lưu lại" in errors and "ô trống" not in errors

    def computed(xml: str) -> str:  # what Excel saves: each formula with its value
        xml = re.sub(
            rf'<c r="{defaulted}5"><f>(.*?)</f><v></v></c>',
            rf'<c r="{defaulted}5" t="str"><f>\1</f><v>không</v></c>',
            xml,
        )
        return xml.replace("<f>1+1</f><v></v>", "<f>1+1</f><v>2</v>")

    rewrite_sheet(path, computed)
    ranked, errors = rank(rules, path)
    assert sorted(ranked) == ["Xã 0", "Xã 1", "Xã 2"] and errors == ""
    given = [u.facts for u in read_units(path, rules.checked)]
    assert given[1]["co_xin_loi_qua_han"] == "không" and given[2]["doi_thoai"] == 2


def test_a_formula_error_is_named_as_one(rules: RuleSet, tmp_path: Path) -> None:
    count = letter(rules, "doi_thoai")

    def formula(book: Any) -> None:
        book["Dữ kiện"][f"{count}4"] = "=1/0"

    path = edit(template(rules, tmp_path / "xa.xlsx"), formula)
    rewrite_sheet(
        path,
        lambda xml: xml.replace("<f>1/0</f><v></v>", "<f>1/0</f><v>#DIV/0!</v>").replace(
            f'<c r="{count}4"', f'<c r="{count}4" t="e"', 1
        ),
    )
    _, errors = rank(rules, path)
    assert f"ô {count}4 (dòng 4, cột {count}, `doi_thoai`): ô chứa lỗi công thức `#DIV/0!`" in errors
    assert "gợi ý: #DIV/0! thường do công thức chia cho ô trống hay bằng 0: sửa công thức, hoặc ghi giá trị" in errors
    assert "không phải một số" not in errors and "17.748" not in errors


def test_a_formula_error_or_a_yes_no_value_in_the_unit_column_is_no_unit(rules: RuleSet, tmp_path: Path) -> None:
    """`=VLOOKUP(...)` that found nothing in A4 was ranked as a commune called `#REF!`, and two `#N/A`
    were one commune given twice; TRUE was the commune `True`."""

    def change(book: Any) -> None:
        sheet = book["Dữ kiện"]
        sheet["A4"] = "=VLOOKUP(B4,X!A:B,2,0)"
        sheet["A5"] = "=1/0"
        sheet["A6"] = True

    path = edit(template(rules, tmp_path / "xa.xlsx", units=4), change)
    rewrite_sheet(
        path,
        lambda xml: (
            xml.replace('<c r="A4"', '<c r="A4" t="e"', 1)
            .replace("<f>VLOOKUP(B4,X!A:B,2,0)</f><v></v>", "<f>VLOOKUP(B4,X!A:B,2,0)</f><v>#REF!</v>")
            .replace('<c r="A5"', '<c r="A5" t="e"', 1)
            .replace("<f>1/0</f><v></v>", "<f>1/0</f><v>#N/A</v>")
        ),
    )
    ranked, errors = rank(rules, path)
    assert ranked == []
    assert "ô A4 (dòng 4, cột A): ô chứa lỗi công thức `#REF!`, không có giá trị" in errors
    assert "ô A5 (dòng 5, cột A): ô chứa lỗi công thức `#N/A`, không có giá trị" in errors
    # each error's hint names what it most often comes from: a lookup that found nothing, a deleted cell
    assert "gợi ý: #N/A thường do một hàm tra cứu (VLOOKUP, XLOOKUP, MATCH) không tìm thấy giá trị" in errors
    assert "gợi ý: #REF! thường do công thức trỏ tới ô, cột hay trang tính đã bị xoá: sửa công thức" in errors
    assert "#DIV/0!" not in errors
    assert "ô A6 (dòng 6, cột A): mã đơn vị là giá trị đúng/sai (TRUE), không phải tên đơn vị" in errors
    assert "U002" not in errors and "True" not in errors


def test_characters_that_show_as_nothing_do_not_make_another_unit(rules: RuleSet, tmp_path: Path) -> None:
    """A zero-width space or a soft hyphen pasted from the web made `Xã 0` twice, looking the same on screen."""

    def change(book: Any) -> None:
        book["Dữ kiện"]["A5"] = "Xã 0\u200b"
        book["Dữ kiện"]["A6"] = "X\u00adã 3"

    ranked, errors = rank(rules, edit(template(rules, tmp_path / "xa.xlsx", units=4), change))
    assert ranked == []
    assert "dòng 5 (đơn vị `Xã 0`): đơn vị này đã có ở" in errors
    assert "dòng 7 (đơn vị `Xã 3`): đơn vị này đã có ở" in errors
    items = [{"unit": unit, "facts": plain_facts()} for unit in ("Xã A", "Xã\u2060 A")]
    _, errors = rank(rules, write_jsonl(tmp_path / "u.jsonl", items))
    assert "đơn vị này đã có ở" in errors


# ---- values ------------------------------------------------------------------------------------------


def test_a_percent_format_on_a_column_that_is_no_percentage_is_named(rules: RuleSet, tmp_path: Path) -> None:
    """Format Painter from a percent column: 19430.25 showed as `1943025.00%` and was "not a number"."""
    count, yes_no = letter(rules, "doi_thoai"), letter(rules, "co_xin_loi_qua_han")

    def change(book: Any) -> None:
        sheet = book["Dữ kiện"]
        sheet[f"{count}4"] = 3
        sheet[f"{count}4"].number_format = "0.00%"
        sheet[f"{yes_no}5"] = 1
        sheet[f"{yes_no}5"].number_format = "0%"

    _, errors = rank(rules, edit(template(rules, tmp_path / "xa.xlsx"), change))
    assert (
        f"ô {count}4 (dòng 4, cột {count}, `doi_thoai`): ô định dạng phần trăm (hiện 300%), nhưng dữ kiện này là "
        "một số, không phải tỷ lệ phần trăm\n"
    ) in errors
    assert "gợi ý: đổi định dạng ô thành Số (Number, hoặc General) rồi kiểm tra lại giá trị: ô đang chứa 3\n" in errors
    assert f"ô {yes_no}5 (dòng 5, cột {yes_no}, `co_xin_loi_qua_han`): ô định dạng phần trăm (hiện 100%)" in errors
    assert "dữ kiện này là có/không" in errors and "không phải một số" not in errors


def test_a_percent_sign_quoted_in_a_number_format_shows_the_value_as_it_is(rules: RuleSet, tmp_path: Path) -> None:
    """`0.00" %"` and `0.00\\%` show 0.5 as 0.50 %: 0,5 %, not 50 % as a percent format (`0.00%`) would."""
    column = letter(rules, "ty_le_lien_thong")

    def formats(book: Any) -> None:
        sheet = book["Dữ kiện"]
        for row, value, number_format in ((4, 0.5, '0.00" %"'), (5, 0.5, "0.00\\%"), (6, 0.005, "0.00%")):
            sheet[f"{column}{row}"] = value
            sheet[f"{column}{row}"].number_format = number_format

    path = edit(template(rules, tmp_path / "xa.xlsx"), formats)
    rates = [validate_unit(rules, u).values["ty_le_lien_thong"] for u in read_units(path, rules.checked)]
    assert rates == [Fraction(1, 200)] * 3


def test_a_number_a_formula_worked_out_in_binary_is_read_as_the_sheet_shows_it(rules: RuleSet, tmp_path: Path) -> None:
    """=0.7-0.2 is 0.49999999999999994 in the file and 50% on screen; 1754.0000000000002 shows 1754. Read to
    Excel's 15 significant digits, they are 50% and 1754, not a point lost on 49,999999999999994%."""
    rate, total = letter(rules, "ty_le_lien_thong"), letter(rules, "ho_so_tong_den_31_10")

    def computed(book: Any) -> None:
        sheet = book["Dữ kiện"]
        sheet[f"{rate}4"] = 0.7 - 0.2
        sheet[f"{rate}4"].number_format = "0%"
        sheet[f"{total}4"] = 1754.0000000000002
        sheet[f"{rate}5"] = 0.123456789012345  # typed: all 15 digits kept
        sheet[f"{rate}5"].number_format = "0.00%"

    assert 0.7 - 0.2 != 0.5 and 1754.0000000000002 != 1754
    path = edit(template(rules, tmp_path / "xa.xlsx"), computed)
    first, second, _ = (validate_unit(rules, u).values for u in read_units(path, rules.checked))
    assert (first["ty_le_lien_thong"], first["ho_so_tong_den_31_10"]) == (Fraction(1, 2), 1754)
    assert second["ty_le_lien_thong"] == Fraction("0.123456789012345")

    def plain(book: Any) -> None:  # =0.1*3/0.3 with no % format: 1, unclear as a typed 1 is (1% or 100%?)
        book["Dữ kiện"][f"{rate}4"] = 0.1 * 3 / 0.3
        book["Dữ kiện"][f"{rate}4"].number_format = "General"

    assert 0.1 * 3 / 0.3 > 1
    _, said = rank(rules, edit(template(rules, tmp_path / "xa2.xlsx"), plain))
    assert "1 trong một cột phần trăm không định dạng phần trăm: không rõ là 1% hay 100%" in said, said


def test_text_2_400_in_a_decimal_column_has_two_readings(rules: RuleSet, tmp_path: Path) -> None:
    """Typed in a Text cell, 2.400 is 2 400 with the Vietnamese thousands dot, or 2,4: refused with both.
    A facts file or a JSON line reads it as before (a decimal point)."""
    column = letter(rules, "von_dau_tu_giai_ngan")

    def typed(book: Any) -> None:
        sheet = book["Dữ kiện"]
        for row, text in ((4, "2.400"), (5, "2,4"), (6, "0.125")):
            sheet[f"{letter(rules, 'von_dau_tu_ke_hoach')}{row}"] = 2500
            sheet[f"{column}{row}"] = text
            sheet[f"{column}{row}"].number_format = "@"

    path = edit(template(rules, tmp_path / "xa.xlsx"), typed)
    _, errors = rank(rules, path)
    assert (
        f"ô {column}4 (dòng 4, cột {column}, `von_dau_tu_giai_ngan`): `2.400` (ô dạng văn bản) có hai cách hiểu: "
        "số thập phân 2,400 hoặc 2400 (dấu chấm phân cách hàng nghìn)"
    ) in errors
    assert "viết 2400 nếu là số nguyên, hoặc 2,400 với dấu phẩy thập phân" in errors
    assert errors.count("lỗi [") == 1, errors  # 2,4 and 0.125 are clear
    facts = {**plain_facts(), "von_dau_tu_ke_hoach": 2500, "von_dau_tu_giai_ngan": "2.400"}
    lines = write_jsonl(tmp_path / "u.jsonl", [{"unit": "Xã A", "facts": facts}])
    assert rank(rules, lines) == (["Xã A"], "")


def test_a_time_or_a_duration_is_named_in_vietnamese(rules: RuleSet, tmp_path: Path) -> None:
    import datetime

    count = letter(rules, "doi_thoai")

    def times(book: Any) -> None:
        book["Dữ kiện"][f"{count}4"] = datetime.time(4, 0)
        book["Dữ kiện"][f"{count}5"] = datetime.timedelta(hours=26)

    _, errors = rank(rules, edit(template(rules, tmp_path / "xa.xlsx"), times))
    assert "`04:00:00` không phải một số" in errors and "`26:00:00` không phải một số" in errors
    assert "không phải time" not in errors and "timedelta" not in errors


def test_the_template_s_description_rows_are_known_however_their_mark_was_retyped(
    rules: RuleSet, tmp_path: Path
) -> None:
    """`(mô tả) ` with a space, or `(Mô tả)`, made row 2 a commune whose 46 facts were its descriptions."""

    def change(book: Any) -> None:
        book["Dữ kiện"]["A2"] = "(Mô tả) "
        book["Dữ kiện"]["A3"] = unicodedata.normalize("NFD", " (đơn vị,  giới hạn)")

    ranked, errors = rank(rules, edit(template(rules, tmp_path / "xa.xlsx"), change))
    assert errors == "" and sorted(ranked) == ["Xã 0", "Xã 1", "Xã 2"]


def test_a_row_with_only_its_unit_is_one_problem(rules: RuleSet, tmp_path: Path) -> None:
    """Communes listed but not reported: one line each, so the 50-problem cap does not hide the others."""

    def unreported(book: Any) -> None:
        sheet = book["Dữ kiện"]
        for row in (5, 7):
            for cell in sheet[row][1:]:
                cell.value = None

    path = edit(template(rules, tmp_path / "xa.xlsx", 5), unreported)
    _, errors = rank(rules, path)
    assert f"{path}: trang tính `Dữ kiện`, dòng 5: chỉ có mã đơn vị `Xã 1`, thiếu mọi dữ kiện" in errors
    assert f"{path}: trang tính `Dữ kiện`, dòng 7: chỉ có mã đơn vị `Xã 3`, thiếu mọi dữ kiện" in errors
    assert errors.count("lỗi [") == 3, errors  # the two rows, and the count


# ---- units ---------------------------------------------------------------------------------------------


def test_the_same_unit_in_another_case_or_spacing_is_given_twice(rules: RuleSet, tmp_path: Path) -> None:
    items = [{"unit": unit, "facts": plain_facts()} for unit in ("Xã A", "Xã B", "xã  a", "XÃ\u00a0B")]
    lines = write_jsonl(tmp_path / "u.jsonl", items)
    _, errors = rank(rules, lines)
    assert f"{lines}:3 (đơn vị `xã  a`): đơn vị này đã có ở {lines}:1 (viết `Xã A`)" in errors
    assert f"{lines}:4 (đơn vị `XÃ\u00a0B`): đơn vị này đã có ở {lines}:2 (viết `Xã B`)" in errors


def test_a_unit_name_excel_made_a_date_is_refused_and_a_number_is_read_as_shown(rules: RuleSet, tmp_path: Path) -> None:
    """Excel turns "1-1" typed in A4 into a date: that is no unit's name (it ranked as `2023-01-01 00:00:00`);
    a code typed as 12 is the unit `12`, not `12.0`."""
    import datetime

    def change(book: Any) -> None:
        sheet = book["Dữ kiện"]
        sheet["A4"] = datetime.datetime(2023, 1, 1)
        sheet["A5"] = 12.0

    _, errors = rank(rules, edit(template(rules, tmp_path / "xa.xlsx"), change))
    assert errors == (
        f"lỗi [U001]: {tmp_path / 'xa.xlsx'}: trang tính `Dữ kiện`, ô A4 (dòng 4, cột A): mã đơn vị là một ngày "
        "(01/01/2023): Excel đã đổi chữ gõ vào thành ngày\n    gợi ý: định dạng cột A là Văn bản (Text) rồi gõ lại "
        "tên đơn vị, hoặc gõ dấu ' trước tên"
    )
    book = edit(template(rules, tmp_path / "so.xlsx"), lambda b: b["Dữ kiện"].__setitem__("A5", 12.0))
    assert sorted(rank(rules, book)[0]) == ["12", "Xã 0", "Xã 2"]


def test_a_ranking_is_never_read_as_units(rules: RuleSet, tmp_path: Path) -> None:
    """Its two sheets (the ranking, its legend) are passed over in a folder, an older ranking's (A1 `rank`)
    too; given as the input itself, it is refused with what it is."""
    folder = tmp_path / "xa"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [{"unit": "Xã A", "facts": plain_facts()}])
    assert cchc("rank", RULES_2023, folder, "-o", folder / "xep-hang.xlsx").returncode == 0
    from openpyxl import Workbook

    old = Workbook()
    sheet = old.active
    assert sheet is not None
    sheet.append(["rank", "unit", "group"])
    sheet.append([1, "Xã A", "B"])
    old.save(folder / "xep-hang-cu.xlsx")
    assert rank(rules, folder) == (["Xã A"], "")
    _, errors = rank(rules, folder / "xep-hang.xlsx")
    assert errors == (
        f"lỗi [U001]: {folder / 'xep-hang.xlsx'}: đây là bảng kết quả của `cchc rank` (trang tính `Xếp hạng`), "
        "không phải dữ kiện các đơn vị\n    gợi ý: cho `cchc rank` bảng dữ kiện (bảng mẫu của `cchc template RULES "
        "-o facts.xlsx` đã điền), tệp .jsonl hoặc thư mục tệp dữ kiện"
    )


def test_a_folder_reads_its_workbooks_and_json_lines_too(rules: RuleSet, tmp_path: Path) -> None:
    """One workbook per district in a folder; not Excel's `~$` lock file, nor a ranking written there."""
    folder = tmp_path / "xa"
    folder.mkdir()
    (folder / "thanh-thuy.yaml").write_bytes(FACTS_THANH_THUY.read_bytes())
    template(rules, folder / "huyen-a.xlsx", 2)
    (folder / "~$huyen-a.xlsx").write_bytes(b"\x00" * 165)
    write_jsonl(folder / "huyen-b.jsonl", [{"unit": "Xã B", "facts": plain_facts()}])
    assert count_units(folder) is None  # written by openpyxl's write-only mode: no sheet records its size
    edit(folder / "huyen-a.xlsx", lambda book: None)  # saved as Excel saves it, the size recorded
    assert count_units(folder) == 1 + 2 + 1  # the rows below the template's header rows, counted
    run = cchc("rank", RULES_2023, folder, "-o", folder / "xep-hang.xlsx")
    assert run.returncode == 0, run.stderr
    named = "UBND xã Thanh Thủy, huyện Thanh Hà, tỉnh Hải Dương"
    assert sorted(rank(rules, folder)[0]) == sorted(["Xã 0", "Xã 1", "Xã B", named])  # the ranking: not read
    (folder / "huyen-c.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    _, errors = rank(rules, folder)
    assert f"{folder / 'huyen-c.xls'}: không đọc được tệp Excel cũ (.xls)" in errors and ".xlsx" in errors
    only_lines = tmp_path / "dong"
    only_lines.mkdir()
    write_jsonl(only_lines / "a.jsonl", [{"unit": f"Xã {k}", "facts": plain_facts()} for k in range(3)])
    (only_lines / "b.json").write_text(json.dumps(plain_facts()), encoding="utf-8")
    assert count_units(only_lines) == 4


# ---- files and usage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("khoa.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "tệp có đặt mật khẩu, hoặc là tệp Excel cũ (.xls)"),
        ("hong.xlsx", b"PK\x03\x04garbage", "tệp hỏng hoặc không phải tệp .xlsx"),
        ("trong.xlsx", b"", "tệp trống (0 byte)"),
        ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "không đọc được tệp Excel cũ (.xls)"),
    ],
)
def test_a_file_that_is_no_workbook_says_so_in_vietnamese(tmp_path: Path, name: str, data: bytes, said: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "r.csv")
    assert run.returncode == 1 and said in run.stderr, run.stderr
    assert "zip" not in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("name", ["facts.csv", "facts.xls", "facts.xlsm", "facts"])
def test_the_template_is_written_only_to_an_xlsx_file(tmp_path: Path, name: str) -> None:
    run = cchc("template", RULES_2023, "-o", tmp_path / name)
    assert run.returncode == 2, run.stderr
    suffix = name.partition(".")[2]
    assert "\ncchc template: lỗi cách dùng: không ghi được tệp " in run.stderr
    assert (f".{suffix} " if suffix else "không có đuôi") in run.stderr and "dùng .xlsx" in run.stderr
    assert not (tmp_path / name).exists()
    assert cchc("template", RULES_2023, "-o", tmp_path / "FACTS.XLSX").returncode == 0


def test_a_workbook_of_units_with_a_sheet_headed_like_a_ranking_is_read_and_never_written_over(
    rules: RuleSet, tmp_path: Path
) -> None:
    """Review: one sheet whose A1 is `Hạng` made the whole workbook a ranking, skipped without a word, and then
    overwritten by `rank -o` into the folder."""
    from openpyxl import load_workbook

    folder = tmp_path / "xa"
    folder.mkdir()
    book_path = folder / "huyen.xlsx"
    template(rules, book_path, 2)
    book = load_workbook(book_path)
    notes = book.create_sheet("Ghi chú")
    notes["A1"], notes["B1"] = "Hạng", "ghi chú"
    book.save(book_path)
    before = book_path.read_bytes()
    run = cchc("rank", RULES_2023, folder, "-o", tmp_path / "r.csv")
    assert run.returncode == 1 and "trang tính `Ghi chú` có dữ liệu nhưng ô A1 phải là `don_vi`" in run.stderr
    run = cchc("rank", RULES_2023, folder, "-o", book_path)
    assert run.returncode == 1 and "[O001]" in run.stderr
    assert book_path.read_bytes() == before


def test_template_never_writes_over_the_figures_the_communes_filled_in(rules: RuleSet, tmp_path: Path) -> None:
    """`cchc template RULES -o du-kien.xlsx` run again after the province collected the figures would have
    replaced them with an empty sheet; an empty template may still be written anew, nothing else."""
    blank = tmp_path / "mau.xlsx"
    assert cchc("template", RULES_2023, "-o", blank).returncode == 0
    assert cchc("template", RULES_2023, "-o", blank).returncode == 0  # an empty one: written again
    grown = tmp_path / "nam-sau.cchc"  # next year's rules, with a fact last year's template has no column for
    grown.write_text('ruleset "T" total 1 rounding 3 half_up\nfact moi: count "Mới"\n1 "A": max 1\n  score = max\n')
    assert cchc("template", grown, "-o", blank).returncode == 0
    filled = template(rules, tmp_path / "du-kien.xlsx", units=2)
    before = filled.read_bytes()
    run = cchc("template", RULES_2023, "-o", filled)
    assert run.returncode == 1 and filled.read_bytes() == before
    assert run.stderr.startswith(
        f"lỗi [O001]: {filled}: bảng tính đã có số liệu của 2 đơn vị; không ghi đè bằng mẫu mới\n"
        "    gợi ý: ghi mẫu ra tệp khác, vd `-o mau-moi.xlsx`"
    ), run.stderr
    other = tmp_path / "bang-luong.xlsx"
    edit(blank, lambda book: book["Dữ kiện"].delete_rows(1, 3)).rename(other)
    kept = other.read_bytes()
    run = cchc("template", RULES_2023, "-o", other)
    assert run.returncode == 1 and "không phải một mẫu dữ kiện trống" in run.stderr and other.read_bytes() == kept


def test_no_command_writes_over_another_district_s_figures_or_a_commune_s_facts(rules: RuleSet, tmp_path: Path) -> None:
    """`cchc rank ... -o other.xlsx` replaced another district's collected figures (not this run's input);
    `-o` over a rule file, a facts file or JSON lines of units is refused the same way, before scoring."""
    units = write_jsonl(tmp_path / "huyen-a.jsonl", [{"unit": "Xã A", "facts": plain_facts()}])
    other_lines = write_jsonl(tmp_path / "huyen-b.jsonl", [{"unit": "Xã B", "facts": plain_facts()}])
    other_book = template(rules, tmp_path / "huyen-b.xlsx", units=2)
    other_facts = tmp_path / "xa-b.yaml"
    other_facts.write_bytes(FACTS_THANH_THUY.read_bytes())
    other_rules = tmp_path / "nam-sau.cchc"
    other_rules.write_bytes(RULES_2023.read_bytes())
    salaries = tmp_path / "luong.xlsx"  # someone's own workbook, no units in it
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title, sheet["A1"], sheet["A2"] = "Lương", "Họ tên", "Nguyễn Văn A"
    book.save(salaries)
    cases = [
        (("rank", RULES_2023, units, "-o", salaries), "đây là một bảng tính không do cchc ghi ra"),
        (("table", RULES_2023, FACTS_THANH_THUY, "-o", salaries), "đây là một bảng tính không do cchc ghi ra"),
        (("rank", RULES_2023, units, "-o", other_book), "đây là bảng tính đã có số liệu của 2 đơn vị"),
        (("rank", RULES_2023, units, "-o", other_lines, "--format", "json"), "đây là tệp dữ kiện của các đơn vị (JSON"),
        (("rank", RULES_2023, units, "-o", other_rules, "--format", "csv"), "đây là một tệp quy tắc"),
        (("eval", RULES_2023, FACTS_THANH_THUY, "-o", other_facts), "đây là một tệp dữ kiện"),
        (("table", RULES_2023, FACTS_THANH_THUY, "-o", other_book), "đây là bảng tính đã có số liệu của 2 đơn vị"),
    ]
    for args, said in cases:
        target = Path(args[args.index("-o") + 1])
        before = target.read_bytes()
        run = cchc(*args)
        assert run.returncode == 1 and f"lỗi [O001]: {target}: {said}" in run.stderr and "không ghi đè" in run.stderr
        assert target.read_bytes() == before
    # What cchc wrote may be written again: a ranking, a result, a scoring table, an empty template; each
    # workbook names cchc as its author, which Excel keeps when it saves the file again.
    for name in ("xep-hang.xlsx", "xep-hang.json", "xep-hang.csv"):
        for _ in range(2):
            assert cchc("rank", RULES_2023, units, "-o", tmp_path / name).returncode == 0
    for _ in range(2):
        assert cchc("table", RULES_2023, FACTS_THANH_THUY, "-o", tmp_path / "bang.xlsx").returncode == 0
    for name in ("xep-hang.xlsx", "bang.xlsx"):
        assert openpyxl.load_workbook(tmp_path / name).properties.creator == "cchc_rules"
    assert cchc("template", RULES_2023, "-o", tmp_path / "mau.xlsx").returncode == 0
    assert cchc("rank", RULES_2023, units, "-o", tmp_path / "mau.xlsx").returncode == 0
    # A template someone added a sheet to (instructions for the communes) is theirs too: not replaced.
    assert cchc("template", RULES_2023, "-o", tmp_path / "mau-2.xlsx").returncode == 0
    book = openpyxl.load_workbook(tmp_path / "mau-2.xlsx")
    book.create_sheet("Hướng dẫn")["A1"] = "Mỗi xã điền một dòng"
    book.save(tmp_path / "mau-2.xlsx")
    before = (tmp_path / "mau-2.xlsx").read_bytes()
    run = cchc("rank", RULES_2023, units, "-o", tmp_path / "mau-2.xlsx")
    assert run.returncode == 1, run.stderr
    assert "đây là một mẫu dữ kiện có thêm trang tính `Hướng dẫn` không do cchc ghi ra; không ghi đè" in run.stderr
    assert (tmp_path / "mau-2.xlsx").read_bytes() == before
    for _ in range(2):
        assert cchc("eval", RULES_2023, FACTS_THANH_THUY, "-o", tmp_path / "ket-qua.json").returncode == 0


# ---- facts a criterion that does not apply reads ------------------------------------------------------


def test_a_blank_cell_is_accepted_where_its_criterion_does_not_apply(tmp_path: Path) -> None:
    """Xã 0 has no public investment: the two cells of 1.1 may stay blank. Xã 1 has some: its blank cell is
    refused by its address; so is Xã 2's blank `na when` fact, which decides what applies, and with it
    unknown the cells of 1.1 are needed too."""
    from tests.test_cli import KHONG_AP_DUNG

    rules = cchc_rules.load(KHONG_AP_DUNG)
    common = {"co_dat": True, "thu_dat": 900, "du_toan_dat": 1000, "co_cong_trinh": False, "can_bo": 20}
    common |= {"ho_so": 1935, "tra_lai": 2, "lien_thong": 0, "doi_thoai": 2}
    rows = [
        {UNIT_COLUMN: "Xã 0", "co_von": False, **common},
        {UNIT_COLUMN: "Xã 1", "co_von": True, "ke_hoach": 100, **common},
        {UNIT_COLUMN: "Xã 2", **common},
    ]
    path = tmp_path / "facts.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, rows)
    ranked, errors = rank(rules, path)
    assert ranked == []
    lines = [line for line in errors.splitlines() if line.startswith("lỗi [F003]")]
    cells = [(name, f"{letter(rules, name)}{row}") for name, row in (("giai_ngan", 5), ("co_von", 6))]
    cells += [(name, f"{letter(rules, name)}6") for name in ("ke_hoach", "giai_ngan")]
    assert len(lines) == 4, errors
    for line, (name, cell) in zip(lines, cells, strict=True):
        assert f"ô {cell} " in line and f"ô trống: thiếu dữ kiện `{name}`" in line, line
    # what to write there, by the fact's kind: a figure, or a yes/no (`co_von`)
    assert "gợi ý: ghi số liệu vào ô (0 nếu không có); dữ kiện này không có giá trị mặc định" in errors, errors
    assert "gợi ý: chọn có hoặc không; dữ kiện này không có giá trị mặc định" in errors, errors
    edit(path, lambda book: book.worksheets[0].delete_rows(5, 2))
    ranked, errors = rank(rules, path)
    assert (ranked, errors) == (["Xã 0"], "")


def test_blank_cells_do_not_depend_on_the_words_of_the_missing_facts_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which blank cells are missing comes from the F002 diagnostic's data, not from its message: reworded,
    the same cells are named (reading the names back out of the words once lost them silently)."""
    import cchc_rules.ruleset
    from cchc_rules.errors import FactsError
    from tests.test_cli import KHONG_AP_DUNG

    validate = cchc_rules.ruleset.validate

    def reworded(*args: Any, **kwargs: Any) -> Any:
        try:
            return validate(*args, **kwargs)
        except FactsError as exc:
            changed = [
                d.model_copy(update={"message": "các dữ kiện sau còn trống — " + "; ".join(d.missing)})
                if d.code == "F002"
                else d
                for d in exc.diagnostics
            ]
            raise FactsError(changed) from None

    monkeypatch.setattr(cchc_rules.ruleset, "validate", reworded)
    rules = cchc_rules.load(KHONG_AP_DUNG)
    common = {"co_dat": True, "thu_dat": 900, "du_toan_dat": 1000, "co_cong_trinh": False, "can_bo": 20}
    common |= {"ho_so": 1935, "tra_lai": 2, "lien_thong": 0, "doi_thoai": 2, "co_von": True, "ke_hoach": 100}
    path = tmp_path / "facts.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{UNIT_COLUMN: "Xã 1", **common}])
    ranked, errors = rank(rules, path)
    assert ranked == []
    lines = [line for line in errors.splitlines() if line.startswith("lỗi [F003]")]
    assert len(lines) == 1 and f"ô {letter(rules, 'giai_ngan')}4 " in lines[0], errors
    assert "ô trống: thiếu dữ kiện `giai_ngan`" in lines[0]


def test_the_template_says_which_cells_may_stay_blank_and_when(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from tests.test_cli import KHONG_AP_DUNG

    rules = cchc_rules.load(KHONG_AP_DUNG)
    path = tmp_path / "facts.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle)
    sheet = load_workbook(path).worksheets[0]
    said = {
        sheet.cell(row=1, column=c).value: sheet.cell(row=3, column=c).value for c in range(2, sheet.max_column + 1)
    }
    assert said["giai_ngan"] == "triệu đồng; số; ≥ 0; ≤ ke_hoach; để trống khi 1.1 không áp dụng"
    assert said["lien_thong_dung_han"] == "hồ sơ; số nguyên ≥ 0; ≤ lien_thong; để trống khi 2.2 không áp dụng"
    assert said["co_von"] == "có/không"  # a `na when` reads it: always needed
    assert said["can_bo"] == "người; số nguyên ≥ 0"  # 1.3 may not apply, but 3 always reads it


def test_rows_left_half_blank_are_each_named_not_hidden_behind_the_first(rules: RuleSet, tmp_path: Path) -> None:
    """Six communes filled half their row: the first one's blank cells took the fifty problems shown, and
    the later communes went unnamed, found one rerun at a time. The fifty are now shared out: each unit
    shows as many as leave the others theirs, and a line counts the rest; a unit alone shows all it has."""
    facts = plain_facts()
    kept = dict(list(facts.items())[:20])  # the other facts' cells left blank
    blank = len(facts) - 20
    path = tmp_path / "nua.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{UNIT_COLUMN: f"Xã {k}", **kept} for k in range(6)])
    units, said = rank(rules, path)
    assert units == []
    each = 50 // 6  # 8 each: 48 of the 50
    lines = said.splitlines()
    for k in range(6):
        assert sum(f"dòng {4 + k}," in line for line in lines if "[F003]" in line) == each
        assert f"dòng {4 + k}: và {blank - each} lỗi khác của đơn vị `Xã {k}`" in said
    assert "6 đơn vị có lỗi (hiện tối đa 50 lỗi); chưa xếp hạng" in said
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{UNIT_COLUMN: "Xã 0", **kept}, {UNIT_COLUMN: "Xã 1", **facts}])
    _, said = rank(rules, path)
    assert sum("[F003]" in line for line in said.splitlines()) == blank and "lỗi khác" not in said


def test_units_past_the_fifty_shown_are_named_in_the_count(tmp_path: Path) -> None:
    """Fifty-two communes with a bad figure each: the first fifty are shown, the two after are named."""
    rules = cchc_rules.load(RULES_2023)
    items = [{"unit": f"Xã {k}", "facts": {**plain_facts(), "doi_thoai": "hai"}} for k in range(52)]
    path = write_jsonl(tmp_path / "xa.jsonl", items)
    _, said = rank(rules, path)
    assert sum("[F003]" in line for line in said.splitlines()) == 50
    assert "52 đơn vị có lỗi (hiện tối đa 50 lỗi); lỗi của 2 đơn vị chưa hiện ở trên: " in said
    assert f"Xã 50 ({path}:51); Xã 51 ({path}:52); chưa xếp hạng" in said


def test_a_template_of_another_rule_set_is_ranked_with_a_warning(rules: RuleSet, tmp_path: Path) -> None:
    """Last year's template, filled in and ranked by this year's rules, was ranked without a word, where a
    facts file of another year gets W008. The template names its rule set in its title; ranked by another,
    W010 says so, and the units are ranked all the same (the columns may well fit)."""
    path = template(rules, tmp_path / "xa.xlsx")
    rules_2024 = RULES_2023.with_name("2024.cchc")
    run = cchc("rank", rules_2024, path, "-o", tmp_path / "xep-hang.csv")
    assert run.returncode == 0, run.stderr
    assert (
        f"cảnh báo [W010]: {path}: bảng tính là mẫu dữ kiện của bộ quy tắc "
        "`Chỉ số cải cách hành chính cấp xã, tỉnh Hải Dương, năm 2023`, nhưng đang chấm theo "
        "`Chỉ số cải cách hành chính cấp xã, tỉnh Hải Dương, năm 2024 (minh hoạ)`"
    ) in run.stderr
    assert "đã xếp hạng 3 đơn vị" in run.stderr
    same = cchc("rank", RULES_2023, path, "-o", tmp_path / "xep-hang.csv")
    assert same.returncode == 0 and "W010" not in same.stderr

    def retitle(book: Any) -> None:  # the province adds its own words to the title: still that rule set's
        book.properties.title += " (huyện Thanh Hà, đã điền)"

    edit(path, retitle)
    same = cchc("rank", RULES_2023, path, "-o", tmp_path / "xep-hang.csv")
    assert same.returncode == 0 and "W010" not in same.stderr


def copy_last_row_as(name: str) -> Callable[[Any], None]:
    """An edit that copies the template's last unit row (row 6) to row 7 and names it `name`: a row whose
    figures pass for a commune's."""

    def add(book: Any) -> None:
        sheet = book["Dữ kiện"]
        for column in range(1, sheet.max_column + 1):
            above, cell = sheet.cell(6, column), sheet.cell(7, column)
            cell.value, cell.number_format = above.value, above.number_format
        sheet.cell(7, 1).value = name

    return add


@pytest.mark.parametrize(
    "name", ["Tổng cộng", "TỔNG CỘNG:", "Bình quân", "Tổng (3 xã)", "tong cong", "Cộng toàn huyện", "Trung bình chung"]
)
def test_a_row_of_totals_is_not_ranked_as_a_unit(rules: RuleSet, tmp_path: Path, name: str) -> None:
    """A row of totals under the communes, with figures that pass for a commune's, would be ranked with
    them and push every commune below it down a place; it is named as a total row instead."""

    path = edit(template(rules, tmp_path / "xa.xlsx"), copy_last_row_as(name))
    units, said = rank(rules, path)
    assert units == []
    assert f"trang tính `Dữ kiện`, ô A7 (dòng 7, cột A): `{name}` là dòng tổng, không phải một đơn vị" in said
    assert "gợi ý: xoá dòng này" in said
    assert not _total_row("Trung Bình")  # a commune (Trần Đề, Sóc Trăng), typed without "Xã"
    # A commune whose name holds such a word is a commune.
    edit(path, lambda book: book["Dữ kiện"].cell(7, 1).__setattr__("value", "Xã Cộng Hòa"))
    assert rank(rules, path)[0] == ["Xã 0", "Xã 1", "Xã 2", "Xã Cộng Hòa"]


@pytest.mark.parametrize(("name", "kind"), [("Huyện Thanh Hà", "huyện"), ("Thị xã Kinh Môn", "thị xã")])
def test_a_district_s_row_among_communes_is_not_ranked(rules: RuleSet, tmp_path: Path, name: str, kind: str) -> None:
    """A district's subtotal row, named after the district, was ranked as a commune by a commune-level rule
    set; a commune whose name says its district too is a commune."""

    path = edit(template(rules, tmp_path / "xa.xlsx"), copy_last_row_as(name))
    units, said = rank(rules, path)
    assert units == []
    assert f"ô A7 (dòng 7, cột A): `{name}` là một {kind}, không phải một đơn vị cấp xã mà bộ quy tắc chấm" in said
    assert f"gợi ý: xoá dòng này nếu là dòng tổng của {kind}" in said
    edit(path, lambda book: book["Dữ kiện"].cell(7, 1).__setattr__("value", f"{name} - Xã Thanh Thủy"))
    assert rank(rules, path)[0] == ["Xã 0", "Xã 1", "Xã 2", f"{name} - Xã Thanh Thủy"]


@pytest.mark.parametrize(
    "name",
    [
        "Tịnh Hà",
        "Quân Chu",
        "Huyền Sơn",
        "Quan Sơn",
        "Tĩnh Gia",
        "Huyện Gia Lộc - Thị trấn Gia Lộc",
        "Thành phố Hải Dương - Phường Hải Tân",
        "Huyện Gia Lộc - TT Gia Lộc",
        "Huyện Gia Lộc - TT.Gia Lộc",
        "Huyện Gia Lộc - P.Hải Tân",
        "Huyện Thanh Hà/Xã Thanh Thủy",
    ],
)
def test_a_commune_whose_name_begins_like_a_district_is_a_commune(name: str) -> None:
    """Names compared without their marks made "Tịnh Hà" a tỉnh and "Quân Chu" a quận; a thị trấn or a
    phường after the district's name is a commune as a xã is."""
    assert _district_row(name, "xã") == ""
    assert _district_row("Huyện Thanh Hà", "xã") == "Huyện" and _district_row("Huyện Thanh Hà", "huyện") == ""


def test_a_numbering_column_before_the_units_is_the_one_to_delete(rules: RuleSet, tmp_path: Path) -> None:
    """`STT` inserted as column A: the hint was to write `don_vi` in A1, which then made the units' own
    column an unknown fact to delete. It is the numbering column that goes."""

    def number_rows(book: Any) -> None:
        sheet = book["Dữ kiện"]
        sheet.insert_cols(1)
        sheet["A1"] = "STT"
        for row in range(4, 7):
            sheet.cell(row, 1).value = row - 3

    path = edit(template(rules, tmp_path / "xa.xlsx"), number_rows)
    units, said = rank(rules, path)
    assert units == []
    assert "ô A1 phải là `don_vi` (cột mã đơn vị), không phải `STT`" in said, said
    assert "gợi ý: cột A là cột thêm vào trước `don_vi` (số thứ tự?): xoá cả cột A" in said


def test_a_workbook_given_to_eval_points_to_rank_for_each_commune_s_derivation(tmp_path: Path) -> None:
    """`eval` and `explain` read one unit's facts file; the communes' workbook is `rank`'s, whose JSON with
    `--trace` explains every commune's losses: the hint says so, with the line to type."""
    book = tmp_path / "cac-xa.xlsx"
    assert cchc("template", RULES_2023, "-o", book).returncode == 0
    for command in (("eval", RULES_2023, book), ("explain", RULES_2023, book, "7.2.2")):
        run = cchc(*command)
        assert run.returncode == 1, run.stderr
        assert "tệp không phải YAML hay JSON: có vẻ là một tệp nén ZIP" in run.stderr
        assert f"`cchc rank RULES {book} -o ket-qua.json --trace`" in run.stderr, run.stderr
