"""Many units: reading folders, JSON lines and workbooks, the facts template, ranks, groups, `cchc rank`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from openpyxl.utils import get_column_letter

import cchc_rules
from cchc_rules import FactsError, ast
from cchc_rules.ranking import competition_ranks, group_of, rank_units, write_xlsx
from cchc_rules.source import Span
from cchc_rules.template import limits_text, write_workbook
from cchc_rules.units import UNIT_COLUMN, UnitFacts, UnitsError, read_units, validate_unit
from tests.conftest import FACTS_THANH_THUY, ROOT, RULES_2023
from tests.test_cli import cchc

sys.path.insert(0, str(ROOT))
from bench import generate

_SPAN = Span(file="t", line=1, column=1, end_line=1, end_column=1)


def plain_facts() -> dict[str, Any]:
    facts = yaml.safe_load(FACTS_THANH_THUY.read_text(encoding="utf-8"))["facts"]
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in facts.items()}


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False, default=str) + "\n" for i in items), encoding="utf-8")
    return path


# ---- ranks and groups -------------------------------------------------------------------------------


def test_equal_scores_share_a_rank() -> None:
    assert competition_ranks([90, 95, 90, 80, None, 95]) == [3, 1, 3, 5, None, 1]
    assert competition_ranks([]) == []
    assert competition_ranks([7, 7, 7]) == [1, 1, 1]


def group(name: str, low: str | None, high: str | None, high_open: bool = True) -> ast.Group:
    return ast.Group(
        span=_SPAN,
        name=name,
        low=None if low is None else Decimal(low),
        high=None if high is None else Decimal(high),
        high_open=high_open,
    )


@pytest.mark.parametrize(
    ("percent", "expected"),
    [("100", "A"), ("90", "A"), ("89.99", "B"), ("80", "B"), ("79.99", "C"), ("50", "C"), ("0", "D"), (None, "")],
)
def test_group_boundaries(percent: str | None, expected: str) -> None:
    groups = [group("A", "90", None), group("B", "80", "90"), group("C", "50", "79.99", False), group("D", None, "50")]
    assert group_of(groups, None if percent is None else Decimal(percent)) == expected


# ---- cchc rank ---------------------------------------------------------------------------------------


def test_ten_thousand_six_hundred_equal_units_all_rank_first(tmp_path: Path) -> None:
    units = tmp_path / "same.jsonl"
    generate.write_jsonl(units, 10_600, same=True)
    out = tmp_path / "rank.csv"
    run = cchc("rank", RULES_2023, units, "-o", out)
    assert run.returncode == 0, run.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 10_600
    assert {r["rank"] for r in rows} == {"1"}
    assert len({r["percent"] for r in rows}) == 1
    assert rows[0]["unit"] == "Xã 00001" and rows[-1]["unit"] == "Xã 10600"  # ties keep the input order


def test_a_unit_with_every_criterion_left_out_is_listed_without_a_rank_and_not_counted_as_ranked(
    tmp_path: Path,
) -> None:
    """Xã B has nothing its one criterion could score (excluded): no percentage, no rank. The closing line
    said "đã xếp hạng 2 đơn vị" all the same."""
    rules = tmp_path / "na.cchc"
    rules.write_text(
        'ruleset "T" total 1 rounding 3 half_up\nfact a: count "Phần" max b\nfact b: count "Tổng"\n'
        '1 "A": max 1\n  score = max * a / b\n  na when b = 0: exclude\n  reason "r"\n',
        encoding="utf-8",
    )
    units = tmp_path / "xa.jsonl"
    units.write_text(
        '{"unit": "Xã A", "facts": {"a": 1, "b": 2}}\n{"unit": "Xã B", "facts": {"a": 0, "b": 0}}\n', encoding="utf-8"
    )
    out = tmp_path / "xep-hang.json"
    run = cchc("rank", rules, units, "-o", out)
    assert run.returncode == 0, run.stderr
    assert run.stderr == f"{out}: đã xếp hạng 1 đơn vị; 1 đơn vị không có hạng (mọi tiêu chí đều không áp dụng)\n"
    listed = json.loads(out.read_text(encoding="utf-8"))["units"]
    assert [(u["unit"], u["rank"], u["percent"]) for u in listed] == [("Xã A", 1, "50"), ("Xã B", None, None)]


def test_rank_csv_json_and_xlsx_agree(tmp_path: Path) -> None:
    base = plain_facts()
    items = [
        {"unit": "Xã A", "facts": base},
        {"unit": "Xã B", "facts": {**base, "co_sang_kien": True}},  # +2 points
        {"unit": "Xã C", "facts": {**base, "doi_thoai": 0}},  # the same score as A
        {"unit": "Xã D", "facts": {**base, "co_sang_kien": True, "ap_dung_sang_kien": False}},
    ]
    units = write_jsonl(tmp_path / "units.jsonl", items)
    for suffix in ("csv", "json", "xlsx"):
        run = cchc("rank", RULES_2023, units, "-o", tmp_path / f"rank.{suffix}")
        assert run.returncode == 0, run.stderr
    with (tmp_path / "rank.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:6] == ["rank", "unit", "group", "score", "max", "percent"]
    assert [(r["rank"], r["unit"], r["score"], r["group"]) for r in rows] == [
        ("1", "Xã B", "68.245", "A"),
        ("2", "Xã A", "66.245", "B"),
        ("2", "Xã C", "66.245", "B"),
        ("2", "Xã D", "66.245", "B"),
    ]
    data = json.loads((tmp_path / "rank.json").read_text(encoding="utf-8"))
    assert data["count"] == 4
    assert [g["name"] for g in data["groups"]] == ["A", "B", "Dưới 80%"]
    assert [(u["rank"], u["unit"], u["score"]) for u in data["units"]] == [
        (int(r["rank"]), r["unit"], r["score"]) for r in rows
    ]
    first = data["units"][0]
    assert first["areas"]["7"] == {"score": "9.497", "max": "11.5", "percent": "82.58"}
    assert {loss["id"] for loss in data["units"][1]["losses"]} >= {"1.5.2", "1.6.1", "7.2.2"}
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "rank.xlsx")
    sheet, legend = book.worksheets
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    # For people in Excel: Vietnamese headings, one per CSV column, in the same order.
    assert table[0][:6] == ["Hạng", "Đơn vị", "Nhóm", "Tổng điểm", "Điểm tối đa", "Tỷ lệ đạt (%)"]
    assert table[0][-3:] == ["Lĩnh vực 7: điểm", "Lĩnh vực 7: tối đa", "Lĩnh vực 7: tỷ lệ (%)"]
    assert len(table[0]) == len(rows[0])
    assert [(r[0], r[1], Decimal(str(r[3]))) for r in table[1:]] == [
        (int(r["rank"]), r["unit"], Decimal(r["score"])) for r in rows
    ]
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == f"A1:AD{len(rows) + 1}"
    # The second sheet says what each column holds, with its CSV key, and how the groups are cut.
    said = [[c.value for c in row] for row in legend.iter_rows()]
    assert ["Nhóm B", "từ 80% đến dưới 90%"] in [r[:2] for r in said]
    # A group named in words is quoted, so that its name does not run into "Nhóm".
    assert ["Nhóm “Dưới 80%”", "dưới 80%"] in [r[:2] for r in said]
    keys = [r[2] for r in said if r[2] is not None][1:]
    assert keys == list(rows[0])
    assert [
        "Lĩnh vực 7: tỷ lệ (%)",
        "tỷ lệ đạt (%) của lĩnh vực 7 (Xây dựng và phát triển chính quyền điện tử, chính quyền số)",
        "area_7_percent",
    ] in said


def test_rank_with_trace_explains_every_loss(tmp_path: Path) -> None:
    units = write_jsonl(tmp_path / "u.jsonl", [{"unit": "Xã Thanh Thủy", "facts": plain_facts()}])
    out = tmp_path / "rank.json"
    run = cchc("rank", RULES_2023, units, "-o", out, "--trace")
    assert run.returncode == 0, run.stderr
    unit = json.loads(out.read_text(encoding="utf-8"))["units"][0]
    loss = next(entry for entry in unit["losses"] if entry["id"] == "7.2.2")
    assert loss["facts"] == {"ho_so_truc_tuyen_den_31_10": "1340", "ho_so_tong_den_31_10": "1754"}
    assert loss["steps"][0].startswith("ratio(ho_so_truc_tuyen_den_31_10, ho_so_tong_den_31_10, zero: na) = 1340/1754")
    assert loss["lost"] == "0.708"


def test_a_folder_of_facts_files(tmp_path: Path) -> None:
    folder = tmp_path / "xa"
    folder.mkdir()
    (folder / "thanh-thuy.yaml").write_text(FACTS_THANH_THUY.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "xa-b.json").write_text(json.dumps({**plain_facts(), "co_sang_kien": True}), encoding="utf-8")
    out = tmp_path / "rank.csv"
    run = cchc("rank", RULES_2023, folder, "-o", out)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    named = "UBND xã Thanh Thủy, huyện Thanh Hà, tỉnh Hải Dương"  # the file's `unit:`, else the file's name
    assert [(r["rank"], r["unit"], r["score"]) for r in rows] == [("1", "xa-b", "68.245"), ("2", named, "66.245")]


def test_facts_files_of_another_year_in_a_folder_are_said_the_first_ten_then_counted(tmp_path: Path) -> None:
    folder = tmp_path / "xa"
    folder.mkdir()
    text = FACTS_THANH_THUY.read_text(encoding="utf-8")
    line = text.split("\n").index("year: 2023") + 1
    (folder / "thanh-thuy.yaml").write_text(text, encoding="utf-8")
    for k in range(12):
        old = text.replace("year: 2023", "year: 2022").replace("Thanh Thủy", f"Xã {k:02d}")
        (folder / f"xa-{k:02d}.yaml").write_text(old, encoding="utf-8")
    out = tmp_path / "rank.csv"
    run = cchc("rank", RULES_2023, folder, "-o", out)
    assert run.returncode == 0, run.stderr  # ranked all the same: scoring last year's figures may be meant
    assert len(list(csv.DictReader(out.open(encoding="utf-8", newline="")))) == 13
    said = run.stderr
    for k in range(10):
        assert f"{folder / f'xa-{k:02d}.yaml'}:{line}:1: cảnh báo [W008]: dữ kiện ghi `year: 2022`" in said
    assert "xa-10.yaml" not in said and "thanh-thuy.yaml" not in said
    assert said.count("gợi ý: chọn bộ quy tắc năm 2022") == 1
    assert "cảnh báo [W008]: và 2 tệp dữ kiện khác cũng ghi năm khác 2023" in said
    # said too when the ranking is refused, where a file of last year may be the cause
    (folder / "xa-hong.yaml").write_text("facts:\n  doi_thoai: -1\n", encoding="utf-8")
    run = cchc("rank", RULES_2023, folder, "-o", out)
    assert run.returncode == 1 and "lỗi [F002]" in run.stderr and "[W008]" in run.stderr, run.stderr


def test_bad_units_are_all_named_and_nothing_is_written(tmp_path: Path) -> None:
    base = plain_facts()
    items = [
        {"unit": "Xã A", "facts": {**base, "doi_thoai": "hai"}},
        {"unit": "Xã B", "facts": base},
        {"unit": "Xã C", "facts": {**base, "so_la": 1}},
        {"unit": "Xã B", "facts": base},
    ]
    units = write_jsonl(tmp_path / "u.jsonl", items)
    out = tmp_path / "rank.csv"
    run = cchc("rank", RULES_2023, units, "-o", out)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "u.jsonl:1" in run.stderr and "`hai` không phải một số" in run.stderr
    assert "u.jsonl:3" in run.stderr and "so_la" in run.stderr
    assert f"{units}:4 (đơn vị `Xã B`): đơn vị này đã có ở {units}:2" in run.stderr
    assert "3 đơn vị có lỗi" in run.stderr
    assert not out.exists()


def test_a_bad_value_on_a_json_line_is_shown_under_it(tmp_path: Path) -> None:
    """file:line:column and the line with a caret, as a facts file's: under the value, under the name of a
    fact the rule set does not have; the line's problems in its order, the missing facts last."""
    facts = {
        "doi_thoai": "5 cuộc",
        **{k: v for k, v in plain_facts().items() if k not in ("doi_thoai", "co_sang_kien")},
    }
    facts["co_sang_kienn"] = "không"
    units = write_jsonl(
        tmp_path / "u.jsonl", [{"unit": "Xã A", "facts": plain_facts()}, {"unit": "Xã B", "facts": facts}]
    )
    line = units.read_text(encoding="utf-8").split("\n")[1]
    run = cchc("rank", RULES_2023, units, "-o", tmp_path / "r.csv")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    value, name = line.index('"5 cuộc"') + 1, line.index('"co_sang_kienn"') + 1
    said = run.stderr
    assert f"{units}:2:{value}: lỗi [F003]: dữ kiện `doi_thoai`" in said, said
    assert f"\n    {' ' * (value - 1)}^^^^^^^^\n    gợi ý: viết `5`, bỏ `cuộc`" in said, said
    assert f"{units}:2:{name}: lỗi [F003]: dữ kiện `co_sang_kienn` không được khai báo" in said, said
    assert (
        said.index(f":2:{value}:") < said.index(f":2:{name}:") < said.index(f"lỗi [F002]: {units}:2: thiếu 1 dữ kiện")
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"u.jsonl:1:2: lỗi \[U001\]: dòng JSON sai cú pháp: cần một tên trong ngoặc kép"),
        ('{"unit": "A", "facts": {"a": 1,}}', "u.jsonl:1:31: .*: dấu phẩy thừa trước `}`"),
        ('{"unit": "A", "facts": {"a": [1, 2,]}}', "u.jsonl:1:35: .*dấu phẩy thừa trước `]`"),
        ('{"unit": "A", "facts": {}} {}', "u.jsonl:1:28: .*còn dữ liệu sau khi đối tượng đã đóng"),
        ('{"unit": "A", "facts": {', "u.jsonl:1:25: .*hết dòng mà dữ liệu chưa xong"),
        ('{"facts": {}}', "u.jsonl:1: thiếu mã đơn vị `unit`"),
        ('{"unit": "A", "facts": {"a": 1, "a": 2}}', "u.jsonl:1: khoá `a` xuất hiện hai lần"),
        ('{"unit": "A", "facts": [1]}', "u.jsonl:1: mỗi dòng phải là một đối tượng có `unit` và `facts`"),
    ],
)
def test_broken_json_lines_name_their_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    (unit,) = read_units(path)  # the line's problem travels with it, to be listed with the others'
    assert isinstance(unit.problem, UnitsError) and re.search(message, str(unit.problem)), unit.problem


def test_units_that_cannot_be_read_are_listed_with_every_other_problem(tmp_path: Path) -> None:
    """A broken JSON line, a facts file that is not YAML, a row without its unit: none stops the listing."""
    lines = tmp_path / "u.jsonl"
    good = json.dumps({"unit": "Xã A", "facts": plain_facts()}, ensure_ascii=False)
    lines.write_text(f"{good}\n{{bad\n{good}\n" + good.replace("Xã A", "Xã C").replace(": 2,", ': "hai",', 1) + "\n")
    run = cchc("rank", RULES_2023, lines, "-o", tmp_path / "a.csv")
    assert run.returncode == 1
    assert f"{lines}:2:2: lỗi [U001]: dòng JSON sai cú pháp" in run.stderr
    assert f"{lines}:3 (đơn vị `Xã A`): đơn vị này đã có ở {lines}:1" in run.stderr
    assert "`hai` không phải một số" in run.stderr and "3 đơn vị có lỗi" in run.stderr
    folder = tmp_path / "xa"
    folder.mkdir()
    (folder / "a.yaml").write_bytes(FACTS_THANH_THUY.read_bytes())
    (folder / "b.yaml").write_text("doi_thoai: [\n", encoding="utf-8")
    (folder / "c.yaml").write_text("doi_thoai: hai\n", encoding="utf-8")
    run = cchc("rank", RULES_2023, folder, "-o", tmp_path / "b.csv")
    assert run.returncode == 1 and "b.yaml:2:1: lỗi [F001]: tệp YAML sai cú pháp" in run.stderr
    assert "c.yaml" in run.stderr and "2 đơn vị có lỗi" in run.stderr
    rules = cchc_rules.load(RULES_2023)
    book = tmp_path / "xa.xlsx"
    base = {UNIT_COLUMN: "Xã A", **plain_facts()}
    with book.open("wb") as handle:
        rows = [base, {**base, UNIT_COLUMN: None}, base, {**base, UNIT_COLUMN: "Xã D", "doi_thoai": "hai"}]
        write_workbook(rules.checked, handle, rows)
    run = cchc("rank", RULES_2023, book, "-o", tmp_path / "c.csv")
    assert run.returncode == 1
    assert "dòng 5, cột A: thiếu mã đơn vị" in run.stderr and "đơn vị này đã có ở" in run.stderr
    assert "`hai` không phải một số" in run.stderr


def test_usage_errors(tmp_path: Path) -> None:
    units = write_jsonl(tmp_path / "u.jsonl", [{"unit": "A", "facts": plain_facts()}])
    assert cchc("rank", RULES_2023, units, "-o", tmp_path / "rank.txt").returncode == 2
    assert cchc("rank", RULES_2023, units).returncode == 2  # -o is required
    refused = cchc("rank", RULES_2023, units, "-o", units, "--format", "csv")
    assert refused.returncode == 1 and "không ghi đè lên tệp đầu vào" in refused.stderr
    assert json.loads(units.read_text(encoding="utf-8").splitlines()[0])["unit"] == "A"
    wrong = cchc("rank", RULES_2023, tmp_path / "u.txt", "-o", tmp_path / "r.csv")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr


def test_progress_is_reported_per_unit() -> None:
    rules = cchc_rules.load(RULES_2023)
    seen: list[str] = []
    units = (UnitFacts(id=u["unit"], where="<gen>", facts=u["facts"]) for u in generate.communes(25))
    ranking = rank_units(rules, units, progress=lambda unit: seen.append(unit.id))
    assert ranking.count == 25 and len(seen) == 25
    ranks = [row["rank"] for row in ranking.rows()]
    assert ranks == sorted(ranks) and ranks[0] == 1
    ranking.close()


# ---- the workbook -------------------------------------------------------------------------------------


def test_template_has_every_fact_with_description_limits_and_validation(tmp_path: Path) -> None:
    out = tmp_path / "facts.xlsx"
    run = cchc("template", RULES_2023, "-o", out)
    assert run.returncode == 0, run.stderr
    from openpyxl import load_workbook

    book = load_workbook(out)
    sheet = book["Dữ kiện"]
    rules = cchc_rules.load(RULES_2023)
    names = [c.value for c in sheet[1]]
    assert names == [UNIT_COLUMN, *rules.checked.facts]
    decl = rules.checked.facts["ho_so_tra_lai"]
    column = names.index("ho_so_tra_lai") + 1
    assert sheet.cell(2, column).value == decl.description
    assert sheet.cell(3, column).value == limits_text(decl) == "hồ sơ; số nguyên ≥ 0; ≤ ho_so_tiep_nhan"
    given = names.index("von_dau_tu_ke_hoach") + 1  # a figure allotted to the commune says so
    assert sheet.cell(3, given).value == "triệu đồng; số; ≥ 0; được giao"
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    assert len(validations) == len(rules.checked.facts)
    letter = sheet.cell(1, column).column_letter
    whole = names.index("ho_so_tiep_nhan") + 1
    assert validations[f"{letter}4"].type == "custom"
    assert f"{letter}4<={sheet.cell(1, whole).column_letter}4" in validations[f"{letter}4"].formula1
    boolean = sheet.cell(1, names.index("co_sang_kien") + 1).column_letter
    assert validations[f"{boolean}4"].type == "list" and validations[f"{boolean}4"].formula1 == '"có,không"'
    percent = sheet.cell(1, names.index("ty_le_lien_thong") + 1).column_letter
    assert (validations[f"{percent}4"].formula1, validations[f"{percent}4"].formula2) == ("0", "1")


def test_choices_a_drop_down_cannot_hold_inline_are_listed_on_a_hidden_sheet(tmp_path: Path) -> None:
    """A comma or a quote inside a choice, or choices longer than Excel's 255 characters: a drop-down still."""
    from openpyxl import load_workbook

    many = ", ".join(f'"Mức {k:02d} theo hướng dẫn của Sở Nội vụ"' for k in range(12))
    rules_path = tmp_path / "r.cchc"
    rules_path.write_text(
        'ruleset "T" total 2 rounding 3 half_up\n'
        'fact xep_loai: choice("Tốt, hoàn thành xuất sắc", "Khá", "=Trung bình") "Xếp loại"\n'
        f'fact muc: choice({many}) "Mức"\n'
        'fact co: boolean "Có"\n'
        '1 "A": max 2\n'
        '  score = if xep_loai = "Tốt, hoàn thành xuất sắc" and co then max else 0\n'
        '  reason when muc = "Mức 00 theo hướng dẫn của Sở Nội vụ": "Mức {muc}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "facts.xlsx"
    run = cchc("template", rules_path, "-o", out)
    assert run.returncode == 0, run.stderr
    book = load_workbook(out)
    sheet, lists = book["Dữ kiện"], book["Danh sách lựa chọn"]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in lists["A"][:3]] == ["Tốt, hoàn thành xuất sắc", "Khá", "=Trung bình"]
    assert lists["A3"].data_type == "s"  # text, not a formula
    assert [c.value for c in lists["B"]] == [f"Mức {k:02d} theo hướng dẫn của Sở Nội vụ" for k in range(12)]
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    assert validations["B4"].type == "list" and validations["B4"].formula1 == "'Danh sách lựa chọn'!$A$1:$A$3"
    assert validations["C4"].formula1 == "'Danh sách lựa chọn'!$B$1:$B$12"
    assert validations["D4"].formula1 == '"có,không"'  # short choices stay inline
    # Row 3 quotes a choice with a comma in it, or it would read as two.
    assert sheet["B3"].value == "một trong các lựa chọn: “Tốt, hoàn thành xuất sắc”, Khá, =Trung bình"
    # The template is still a template: written again, then filled in and ranked.
    assert cchc("template", rules_path, "-o", out).returncode == 0
    sheet.append(["Xã A", "Tốt, hoàn thành xuất sắc", "Mức 03 theo hướng dẫn của Sở Nội vụ", "có"])
    book.save(out)
    run = cchc("rank", rules_path, out, "-o", tmp_path / "r.csv")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[1].startswith("1,Xã A,,2,2,100")
    # Filled in, it is no longer written over.
    again = cchc("template", rules_path, "-o", out)
    assert again.returncode == 1 and "O001" in again.stderr
    # The list sheet shown again (Excel: right-click > Unhide) is still the template's, not a sheet of units.
    book = load_workbook(out)
    book["Danh sách lựa chọn"].sheet_state = "visible"
    book.save(out)
    run = cchc("rank", rules_path, out, "-o", tmp_path / "r2.csv")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "r2.csv").read_bytes() == (tmp_path / "r.csv").read_bytes()


@pytest.mark.parametrize(
    ("name", "label"),
    [("A", "Nhóm A"), ("Giỏi", "Nhóm Giỏi"), ("Dưới 80%", "Nhóm “Dưới 80%”"), ("B+", "Nhóm “B+”")],
)
def test_a_group_named_in_words_or_signs_is_quoted_after_nhom(name: str, label: str) -> None:
    from cchc_rules import ast as rules_ast
    from cchc_rules.ranking import group_label

    group = rules_ast.Group.model_construct(name=name, low=None, high=None, high_open=True)
    assert group_label(group) == label


def test_filled_template_ranks_like_json_lines(tmp_path: Path) -> None:
    rules_path = RULES_2023
    workbook = tmp_path / "xa.xlsx"
    lines = tmp_path / "xa.jsonl"
    generate.write_xlsx(workbook, rules_path, 300)
    generate.write_jsonl(lines, 300)
    for source, out in ((workbook, "a.csv"), (lines, "b.csv")):
        run = cchc("rank", rules_path, source, "-o", tmp_path / out)
        assert run.returncode == 0, run.stderr
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == (tmp_path / "b.csv").read_text(encoding="utf-8")


def test_a_bad_cell_is_named_by_sheet_row_and_column(tmp_path: Path) -> None:
    rules = cchc_rules.load(RULES_2023)
    base = {UNIT_COLUMN: "Xã A", **plain_facts()}
    rows = [
        base,
        {**base, UNIT_COLUMN: "Xã B", "doi_thoai": "hai"},
        {**base, UNIT_COLUMN: "Xã C", "ho_so_tra_lai": None},
    ]
    path = tmp_path / "xa.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, rows)
    names = list(rules.checked.facts)
    doi_thoai = chr(ord("A") + names.index("doi_thoai") + 1)
    tra_lai = chr(ord("A") + names.index("ho_so_tra_lai") + 1)
    units = list(read_units(path))
    assert str(validate_unit(rules, units[0]).values["doi_thoai"]) == "2"
    with pytest.raises(FactsError) as bad:
        validate_unit(rules, units[1])
    assert f"trang tính `Dữ kiện`, ô {doi_thoai}5 (dòng 5, cột {doi_thoai}, `doi_thoai`)" in str(bad.value)
    assert "`hai` không phải một số" in str(bad.value)
    with pytest.raises(FactsError) as empty:
        validate_unit(rules, units[2])
    assert f"ô {tra_lai}6 (dòng 6, cột {tra_lai}, `ho_so_tra_lai`): ô trống" in str(empty.value)
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "r.csv")
    assert run.returncode == 1 and f"ô {doi_thoai}5" in run.stderr and f"ô {tra_lai}6" in run.stderr


def test_every_bad_cell_of_a_row_is_named_in_one_run(tmp_path: Path) -> None:
    """A cell Excel could not work out (#DIV/0!) was said alone; the row's other bad cells came a run later."""
    rules = cchc_rules.load(RULES_2023)
    bad = {"doi_thoai": "2.500", "co_sang_kien": "Không có", "von_dau_tu_ke_hoach": "abc"}
    path = tmp_path / "xa.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{UNIT_COLUMN: "Xã A", **plain_facts(), **bad}])
    names = list(rules.checked.facts)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["Dữ kiện"][f"{get_column_letter(names.index('ty_le_lien_thong') + 2)}4"] = "#DIV/0!"
    book.save(path)
    bad["ty_le_lien_thong"] = "#DIV/0!"
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "r.csv")
    assert run.returncode == 1
    for name in bad:
        column = get_column_letter(names.index(name) + 2)
        assert f"ô {column}4 (dòng 4, cột {column}, `{name}`)" in run.stderr, (name, run.stderr)
    assert "[F002]" not in run.stderr


def test_a_wrong_header_is_one_error_at_its_cell_not_one_a_row(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rules = cchc_rules.load(RULES_2023)
    base = {UNIT_COLUMN: "Xã A", **plain_facts()}
    path = tmp_path / "xa.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{**base, UNIT_COLUMN: f"Xã {k}"} for k in range(30)])
    column = chr(ord("A") + list(rules.checked.facts).index("doi_thoai") + 1)
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None and sheet[f"{column}1"].value == "doi_thoai"
    sheet[f"{column}1"] = "doi_thoia"
    book.save(path)
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "r.csv")
    assert run.returncode == 1
    assert f"ô {column}1: cột `doi_thoia` không phải dữ kiện của bộ quy tắc" in run.stderr
    assert "có phải ý bạn là `doi_thoai`? Ghi chú thì để ở một trang tính khác" in run.stderr
    assert "dòng 1: không có cột cho `doi_thoai`" in run.stderr
    assert run.stderr.count("lỗi [") == 2, run.stderr  # not one for each of the 30 rows
    assert list(read_units(path))  # without the rules, the rows are read as they are


def test_every_problem_of_the_header_row_is_said_in_one_run(tmp_path: Path) -> None:
    """A column written twice, a misspelt one and a missing one: fixed in one go, not one run each."""
    from openpyxl import load_workbook

    rules = cchc_rules.load(RULES_2023)
    path = tmp_path / "xa.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{UNIT_COLUMN: f"Xã {k}", **plain_facts()} for k in range(3)])
    names = list(rules.checked.facts)
    first, second = (get_column_letter(names.index(n) + 2) for n in ("doi_thoai", "cong_chuc"))
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet[f"{second}1"] = "doi_thoai"  # `cong_chuc` gone, `doi_thoai` twice
    extra = get_column_letter(sheet.max_column + 1)
    sheet[f"{extra}1"] = "ghi_chu"
    sheet[f"{extra}4"] = "đã kiểm tra"
    book.save(path)
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "r.csv")
    assert run.returncode == 1, run.stderr
    assert f"dữ kiện `doi_thoai` ở hai cột {first} và {second}" in run.stderr
    assert f"sửa tên cột {second}" in run.stderr
    assert f"ô {extra}1: cột `ghi_chu` không phải dữ kiện của bộ quy tắc" in run.stderr
    # A notes column is no misspelt fact: the hint says where notes go, not `cong_chuc` (four edits away).
    assert "gợi ý: xoá cột này, hoặc khai báo dữ kiện trong bộ quy tắc. Ghi chú thì để" in run.stderr
    assert "`cong_chuc`?" not in run.stderr
    assert "không có cột cho `cong_chuc`" in run.stderr
    assert run.stderr.count("lỗi [") == 3, run.stderr


def test_a_column_without_a_heading_is_read_only_when_it_is_empty(tmp_path: Path) -> None:
    """A cell only formatted past the last fact is nothing; data under no heading is refused, named once:
    it is not read, so a fact with a default would silently take it for every unit."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    rules = cchc_rules.load(RULES_2023)
    path = tmp_path / "xa.xlsx"
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle, [{UNIT_COLUMN: f"Xã {k}", **plain_facts()} for k in range(3)])
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    last = sheet.max_column
    sheet.cell(1, last + 1).font = Font(bold=True)
    book.save(path)
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "r.csv")
    assert run.returncode == 0, run.stderr
    sheet.cell(5, last + 2, "ghi chú của xã")
    sheet.cell(6, last + 2, "ghi chú khác")
    book.save(path)
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "s.csv")
    assert run.returncode == 1 and not (tmp_path / "s.csv").exists()
    assert "trang tính `Dữ kiện`, cột AW có dữ liệu (từ ô AW5) nhưng ô AW1 trống" in run.stderr
    assert "ghi tên dữ kiện vào ô AW1" in run.stderr and run.stderr.count("lỗi [") == 1, run.stderr


def test_workbook_percentages_and_defaults(tmp_path: Path) -> None:
    """A %-formatted cell holds the fraction; a plain cell holds percentage points; an empty cell takes the default."""
    from openpyxl import Workbook

    rules = cchc_rules.load(RULES_2023)
    names = list(rules.checked.facts)
    facts = plain_facts()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dữ kiện"
    sheet.append([UNIT_COLUMN, *names])
    for unit, rate, fmt in (("Xã %", 0.75, "0%"), ("Xã số", 75, "General")):
        values: list[Any] = [unit]
        for name in names:
            value = facts.get(name)
            values.append(rate if name == "ty_le_lien_thong" else None if name == "co_xin_loi_qua_han" else value)
        sheet.append(values)
        sheet.cell(sheet.max_row, names.index("ty_le_lien_thong") + 2).number_format = fmt
    path = tmp_path / "own.xlsx"
    book.save(path)
    results = [rules.evaluate(validate_unit(rules, u)) for u in read_units(path)]
    assert [str(r.score) for r in results] == ["66.245", "66.245"]
    assert [str(r["3.3.3"].score) for r in results] == ["0.75", "0.75"]


def test_a_plain_number_up_to_1_in_a_percent_column_is_refused_not_guessed(tmp_path: Path) -> None:
    """0.75 written by a script into the template: 75 % as the template's check allows, or 0.75 % as a plain
    number reads? Refused, with both readings; 75, a %-formatted 0.75 and "75%" are clear."""
    from openpyxl import load_workbook

    rules = cchc_rules.load(RULES_2023)
    path = tmp_path / "xa.xlsx"
    base = {UNIT_COLUMN: "Xã A", **plain_facts()}
    with path.open("wb") as handle:
        write_workbook(rules.checked, handle)
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    names = [c.value for c in sheet[1]]
    column = names.index("ty_le_lien_thong") + 1
    for row, (unit, rate, fmt) in enumerate(
        (("Xã A", 0.75, "General"), ("Xã B", 75, "General"), ("Xã C", 0.75, "0.00%"), ("Xã D", "75%", "General")), 4
    ):
        for k, name in enumerate(names, 1):
            sheet.cell(row, k, unit if name == UNIT_COLUMN else rate if name == "ty_le_lien_thong" else base.get(name))
        sheet.cell(row, column).number_format = fmt
    book.save(path)
    out = tmp_path / "r.csv"
    run = cchc("rank", RULES_2023, path, "-o", out)
    assert run.returncode == 1 and not out.exists()
    letter = chr(ord("A") + column - 1)
    assert run.stderr.count("lỗi [") == 1, run.stderr  # only Xã A's cell
    assert f"ô {letter}4 (dòng 4, cột {letter}, `ty_le_lien_thong`): 0,75 trong một cột phần trăm" in run.stderr
    assert "không rõ là 0,75% hay 75%" in run.stderr


def test_workbook_without_the_unit_column_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["doi_thoai"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    with pytest.raises(UnitsError, match="ô A1 phải là `don_vi`"):
        list(read_units(path))


def test_an_empty_template_has_nothing_to_rank(tmp_path: Path) -> None:
    book = tmp_path / "facts.xlsx"
    assert cchc("template", RULES_2023, "-o", book).returncode == 0
    run = cchc("rank", RULES_2023, book, "-o", tmp_path / "r.csv")
    assert run.returncode == 1 and "không có đơn vị nào để xếp hạng" in run.stderr
    assert not (tmp_path / "r.csv").exists()


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess

    units = tmp_path / "u.jsonl"
    generate.write_jsonl(units, 300)
    master, slave = pty.openpty()
    run = subprocess.run(
        [sys.executable, "-m", "cchc_rules", "rank", str(RULES_2023), str(units), "-o", str(tmp_path / "r.csv")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        timeout=120,
        cwd=ROOT,
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    text = shown.decode("utf-8", "replace")
    assert run.returncode == 0, text
    assert "Chấm điểm" in text and "300/300" in text
    plain = cchc("rank", RULES_2023, units, "-o", tmp_path / "s.csv")  # not a terminal: no bar
    assert "Chấm điểm" not in plain.stderr


def test_workbooks_are_the_same_bytes_whenever_they_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template and a ranking in Excel carry no save time: openpyxl stamps one in docProps/core.xml."""
    import datetime

    import openpyxl.packaging.core as core

    def clock(year: int) -> type[datetime.datetime]:
        class Clock(datetime.datetime):
            @classmethod
            def now(cls, tz: datetime.tzinfo | None = None) -> Clock:  # type: ignore[override]
                return cls(year, 6, 1, 12, 0, 0, tzinfo=tz)

            @classmethod
            def utcnow(cls) -> Clock:  # type: ignore[override]
                return cls(year, 6, 1, 12, 0, 0)

        return Clock

    units = write_jsonl(tmp_path / "units.jsonl", [{"unit": "Xã A", "facts": plain_facts()}])
    rules = cchc_rules.load(RULES_2023)
    made: list[tuple[bytes, bytes]] = []
    for year in (2001, 2031):  # two saves as if years apart: openpyxl reads the clock through this module
        monkeypatch.setattr(core, "datetime", SimpleNamespace(datetime=clock(year), timezone=datetime.timezone))
        template = io.BytesIO()
        write_workbook(rules.checked, template)
        ranking = rank_units(rules, read_units(units))
        ranked = io.BytesIO()
        write_xlsx(ranking, ranked)
        ranking.close()
        made.append((template.getvalue(), ranked.getvalue()))
    assert made[0] == made[1]
    for data in made[0]:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert b"2000-01-01T00:00:00Z" in book.read("docProps/core.xml")


def test_percentages_rounded_to_many_places_rank_exactly(tmp_path: Path) -> None:
    """100 % at 17 places does not fit a 64-bit key (it crashed with exit 70); 20 places need more than
    Decimal's 28 digits: ranks and groups stay exact."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "T" total 10 rounding 20 down percent rounding 20 half_up\n'
        '  group "A" from 33.33333333333333333334%\n  group "B" under 33.33333333333333333334%\n'
        'fact tong: count "t"\nfact phan: count "p" max tong\n'
        '1 "A": max 10\n  score = max * ratio(phan, tong, zero: zero)\n  reason "r"\n',
        encoding="utf-8",
    )
    units = tmp_path / "u.jsonl"
    lines = [{"unit": "a", "facts": {"tong": 1, "phan": 1}}, {"unit": "b", "facts": {"tong": 3, "phan": 1}}]
    units.write_text("".join(json.dumps(u) + "\n" for u in lines), encoding="utf-8")
    out = tmp_path / "x.csv"
    run = cchc("rank", rules, units, "-o", out)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["rank"], r["unit"], r["group"], r["percent"]) for r in rows] == [
        ("1", "a", "A", "100"),
        ("2", "b", "B", "33.3333333333333333333"),
    ]


def test_a_unit_name_in_a_ranking_workbook_is_text_never_a_formula(tmp_path: Path) -> None:
    """A name such as "=1+2" (or "=HYPERLINK(...)") would be run by Excel; a control character would make
    the workbook unwritable (exit 70)."""
    import openpyxl

    units = tmp_path / "xa.jsonl"
    lines = [{"unit": name, "facts": plain_facts()} for name in ("=1+2", "Xã 1\u000b", "+SUM(A1)")]
    units.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "xep-hang.xlsx"
    run = cchc("rank", RULES_2023, units, "-o", out)
    assert run.returncode == 0, run.stderr
    sheet = openpyxl.load_workbook(out)["Xếp hạng"]
    names = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=2).data_type for r in range(2, 5)}
    assert names == {"=1+2": "s", "Xã 1\n": "s", "+SUM(A1)": "s"}


def test_a_unit_name_a_spreadsheet_would_run_is_written_inert_in_the_csv(tmp_path: Path) -> None:
    """A CSV opened in Excel runs a cell starting with =, +, -, @: such a name gets an apostrophe in front,
    which Excel shows as written; the JSON keeps the name exact, and ordinary names are untouched."""
    units = tmp_path / "xa.jsonl"
    names = ("=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tXã 2", "Xã 1 = Xã 2")
    lines = [{"unit": name, "facts": plain_facts()} for name in names]
    units.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "xep-hang.csv"
    run = cchc("rank", RULES_2023, units, "-o", out)
    assert run.returncode == 0, run.stderr
    written = {r["unit"] for r in csv.DictReader(out.open(encoding="utf-8", newline=""))}
    assert written == {"'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tXã 2", "Xã 1 = Xã 2"}
    as_json = tmp_path / "xep-hang.json"
    assert cchc("rank", RULES_2023, units, "-o", as_json).returncode == 0
    assert {u["unit"] for u in json.loads(as_json.read_text(encoding="utf-8"))["units"]} == set(names)


def test_a_facts_file_with_its_appraisal_rounds_is_ranked_by_the_last_round(tmp_path: Path) -> None:
    """Units are ranked after the appraisal: the score in force is the last round's, as `cchc explain` takes it."""
    folder = tmp_path / "xa"
    folder.mkdir()
    appraised = folder / "thanh-thuy.yaml"
    appraised.write_text(
        FACTS_THANH_THUY.read_text(encoding="utf-8")
        + 'rounds:\n  - name: "Thẩm định vòng 1"\n    facts:\n      co_sang_kien: có\n      doi_thoai: 5\n',
        encoding="utf-8",
    )
    in_force = cchc("eval", RULES_2023, appraised, "--format", "json")
    assert in_force.returncode == 0, in_force.stderr
    last = json.loads(in_force.stdout)["rounds"][-1]
    assert last["score"] == "68.745"  # the self-assessment's is 66.245
    out = tmp_path / "rank.csv"
    run = cchc("rank", RULES_2023, folder, "-o", out)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [(r["score"], r["group"]) for r in rows] == [("68.745", "A")]
    assert f"1 đơn vị xếp hạng theo vòng thẩm định cuối ghi trong tệp của mình: {appraised} (Thẩm định vòng 1)" in (
        run.stderr
    )


def test_a_json_line_with_a_facts_files_keys_says_which_and_where_to_write_them(tmp_path: Path) -> None:
    units = write_jsonl(tmp_path / "xa.jsonl", [{"unit": "Xã A", "facts": plain_facts(), "rounds": [], "year": 2023}])
    run = cchc("rank", RULES_2023, units, "-o", tmp_path / "rank.csv")
    assert run.returncode == 1
    assert (
        f"{units}:1: mỗi dòng chỉ được có `unit` và `facts`; không dùng được `rounds`, `year` trong JSON lines"
        in run.stderr
    )


def test_one_unit_named_with_either_tone_mark_placement_is_given_twice(tmp_path: Path) -> None:
    units = write_jsonl(
        tmp_path / "xa.jsonl",
        [{"unit": "Xã Thanh Thủy", "facts": plain_facts()}, {"unit": "xã  Thanh Thuỷ", "facts": plain_facts()}],
    )
    run = cchc("rank", RULES_2023, units, "-o", tmp_path / "rank.csv")
    assert run.returncode == 1 and "[U002]" in run.stderr, run.stderr


def test_results_ranked_from_python_as_the_command_ranks_them(tmp_path: Path) -> None:
    """`cchc_rules.rank`: equal percentages share a rank (1, 1, 3), the list in rank order, the same ranks
    and groups as `cchc rank` gives the same units; a result of another rule set is refused."""
    rules = cchc_rules.load(RULES_2023)
    base = plain_facts()
    units = [{**base, "doi_thoai": 5}, {**base, "co_sang_kien": True}, {**base, "doi_thoai": 5}, base]
    names = ["Xã A", "Xã B", "Xã C", "Xã D"]
    ranked = cchc_rules.rank(rules, rules.evaluate_many(units, names))
    assert [(r.rank, r.result.unit) for r in ranked] == [
        (1, "Xã B"),
        (2, "Xã A"),
        (2, "Xã C"),
        (4, "Xã D"),
    ]  # 92,9%, 90,2% twice, 89,52%
    path = write_jsonl(tmp_path / "xa.jsonl", [{"unit": n, "facts": u} for n, u in zip(names, units, strict=True)])
    run = cchc("rank", RULES_2023, path, "-o", tmp_path / "rank.csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader((tmp_path / "rank.csv").open(encoding="utf-8", newline="")))
    assert [(int(r["rank"]), r["group"], r["unit"]) for r in rows] == [(r.rank, r.group, r.result.unit) for r in ranked]
    other = cchc_rules.load(ROOT / "rules" / "hai-duong" / "xa" / "2024.cchc")
    with pytest.raises(ValueError, match="là của bộ quy tắc"):
        cchc_rules.rank(other, rules.evaluate_many(units[:1]))


def test_a_character_no_output_can_carry_is_refused_where_it_is_read(tmp_path: Path) -> None:
    """A `\\ud800` escape in a JSON line crashed every writer (exit 70); an escape code would reach a terminal."""
    units = tmp_path / "xa.jsonl"
    units.write_text(
        '{"unit": "Xã \\ud800 A", "facts": {}}\n{"unit": "Xã \\u001b[31m B", "facts": {}}\n'
        # A raw DEL and a raw C1 CSI are valid JSON; `\\b` is a backspace: each is caught although the
        # decoder let it through.
        '{"unit": "Xã C", "facts": {"ghi_chu": "a\x7fb"}}\n{"unit": "Xã D\\b", "facts": {}}\n'
        '{"unit": "Xã E\x9b31m", "facts": {}}\n'
        # Word's curly quotes through an old program: Windows-1252 bytes read as Latin-1, C1 characters.
        '{"unit": "Xã F", "facts": {"ghi_chu": "\x93tốt\x94"}}\n',
        encoding="utf-8",
    )
    run = cchc("rank", RULES_2023, units, "-o", tmp_path / "r.csv")
    assert run.returncode == 1 and "Traceback" not in run.stderr and "lỗi nội bộ" not in run.stderr
    assert f"{units}:1: dòng có ký tự không hiển thị, không ghi ra được (\\ud800)" in run.stderr
    assert f"{units}:2: dòng có ký tự không hiển thị, không ghi ra được (\\u001b)" in run.stderr
    assert f"{units}:3: dữ kiện `ghi_chu` có ký tự không hiển thị, không ghi ra được (\\u007f)" in run.stderr
    assert f"{units}:4: dòng có ký tự không hiển thị, không ghi ra được (\\u0008)" in run.stderr
    assert f"{units}:5: dòng có ký tự không hiển thị, không ghi ra được (\\u009b)" in run.stderr
    assert f"{units}:6: dữ kiện `ghi_chu` có ký tự không hiển thị, không ghi ra được (\\u0093)" in run.stderr
    assert "gợi ý: `\\u0093` là ký tự `“` bị hỏng mã (chữ Windows-1252 bị đọc sai): thay bằng `“`" in run.stderr


def test_a_facts_file_naming_its_own_round_is_not_said_ranked_by_an_appraisal(tmp_path: Path) -> None:
    folder = tmp_path / "xa"
    folder.mkdir()
    own = folder / "thanh-thuy.yaml"
    own.write_text(
        FACTS_THANH_THUY.read_text(encoding="utf-8").replace(
            "year: 2023\n", 'year: 2023\nround: "Tự đánh giá năm 2023"\n'
        ),
        encoding="utf-8",
    )
    run = cchc("rank", RULES_2023, folder, "-o", tmp_path / "r.csv")
    assert run.returncode == 0, run.stderr
    assert "vòng thẩm định" not in run.stderr


def test_an_appraisal_file_in_a_ranked_folder_is_said_to_belong_under_rounds(tmp_path: Path) -> None:
    """Read alone it lacks every fact it does not change: "thêm các dữ kiện này" was the wrong way out."""
    folder = tmp_path / "xa"
    folder.mkdir()
    (folder / "thanh-thuy.yaml").write_bytes(FACTS_THANH_THUY.read_bytes())
    (folder / "tham-dinh.yaml").write_text('round: "Thẩm định vòng 1"\nfacts:\n  doi_thoai: 3\n', encoding="utf-8")
    run = cchc("rank", RULES_2023, folder, "-o", tmp_path / "r.csv")
    assert run.returncode == 1 and "lỗi [F002]" in run.stderr
    assert "gợi ý: tệp này là vòng `Thẩm định vòng 1`: nếu là tệp thẩm định, đưa các vòng của nó vào `rounds:`" in (
        run.stderr
    )
    assert "xếp hạng theo vòng" not in run.stderr  # nothing was ranked


def test_hidden_files_are_no_units_and_a_name_that_is_not_utf8_is_written(tmp_path: Path) -> None:
    """`.git/`, `.cu.yaml` and the `._x.yaml` a Mac leaves beside each copied file are passed over; a unit
    named after a file whose name is not UTF-8 (a Windows-1258 zip) is written with U+FFFD, in every format."""
    folder = tmp_path / "xa"
    (folder / ".git").mkdir(parents=True)
    facts = re.sub(r"\nunit: .*\n", "\n", FACTS_THANH_THUY.read_text(encoding="utf-8"))
    assert "\nunit:" not in facts
    (folder / os.fsdecode(b"x\xe0.yaml")).write_text(facts, encoding="utf-8")
    (folder / ".git" / "x.yaml").write_text(facts, encoding="utf-8")
    (folder / ".cu.yaml").write_text(facts, encoding="utf-8")
    (folder / "._x.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    for suffix in ("csv", "json", "xlsx"):
        out = tmp_path / f"xep-hang.{suffix}"
        argv = [sys.executable, "-m", "cchc_rules", "rank", str(RULES_2023), str(folder), "-o", str(out)]
        run = subprocess.run(argv, capture_output=True, timeout=60)  # bytes: messages hold the name as it is
        assert run.returncode == 0 and "đã xếp hạng 1 đơn vị".encode() in run.stderr, run.stderr
    assert [r["unit"] for r in csv.DictReader((tmp_path / "xep-hang.csv").open(encoding="utf-8"))] == ["x\ufffd"]


def test_a_json_lines_file_saved_by_notepad_is_read_or_named_for_its_encoding(tmp_path: Path) -> None:
    """Notepad writes a byte-order mark before UTF-8 (read as usual) or saves "Unicode" as UTF-16 (named so,
    once, not as a syntax error on every line)."""
    text = "".join(json.dumps({"unit": f"Xã {k}", "facts": plain_facts()}, ensure_ascii=False) + "\n" for k in (1, 2))
    marked = tmp_path / "bom.jsonl"
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    run = cchc("rank", RULES_2023, marked, "-o", tmp_path / "a.csv")
    assert run.returncode == 0, run.stderr
    assert [r["unit"] for r in csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8"))] == ["Xã 1", "Xã 2"]
    wide = tmp_path / "utf16.jsonl"
    wide.write_bytes(text.encode("utf-16"))
    run = cchc("rank", RULES_2023, wide, "-o", tmp_path / "b.csv")
    assert run.returncode == 1 and run.stderr.count("lỗi [") == 1, run.stderr
    assert f"lỗi [U001]: {wide}: tệp được lưu bằng UTF-16\n    gợi ý: lưu lại tệp với bảng mã UTF-8" in run.stderr
    bare = tmp_path / "utf16le.jsonl"
    bare.write_bytes(text.encode("utf-16-le"))  # saved without the mark: said so, not one error a line
    run = cchc("rank", RULES_2023, bare, "-o", tmp_path / "c.csv")
    assert run.returncode == 1 and run.stderr.count("lỗi [") == 1, run.stderr
    said = f"lỗi [U001]: {bare}: tệp được lưu bằng UTF-16 LE (không có BOM)\n    gợi ý: lưu lại tệp với bảng mã UTF-8"
    assert said in run.stderr, run.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="waits on /proc for the child to be ranking")
def test_ctrl_c_stops_without_a_traceback_or_a_half_written_file(tmp_path: Path) -> None:
    """A rank of the country takes seconds, and a user may stop it: said in a line, exit 130 (as shells
    report SIGINT), and the output file neither written nor left half written beside its name."""
    units = tmp_path / "xa.jsonl"
    line = json.dumps({"unit": "Xã", "facts": plain_facts()}, ensure_ascii=False)
    units.write_text("".join(line.replace('"Xã"', f'"Xã {n}"', 1) + "\n" for n in range(20_000)), encoding="utf-8")
    out = tmp_path / "r.json"
    command = [sys.executable, "-m", "cchc_rules", "rank", str(RULES_2023), str(units), "-o", str(out)]
    # a child started from a shell script's background job would ignore SIGINT; a terminal's does not
    run = subprocess.Popen(
        command,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    opened = Path(f"/proc/{run.pid}/fd")  # once the units file is open, cchc is loaded and ranking
    for _ in range(600):
        if any(os.path.realpath(fd) == str(units.resolve()) for fd in _fds(opened)):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    if run.returncode == 0:  # a machine fast enough to finish first: nothing to see
        pytest.skip("the rank finished before Ctrl-C")
    assert run.returncode == 130 and err.endswith("\nđã dừng (Ctrl-C) trước khi lệnh chạy xong\n"), err
    assert "Traceback" not in err and "đã xếp hạng" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xa.jsonl"]


def _fds(folder: Path) -> list[str]:
    try:
        return [str(fd) for fd in folder.iterdir()]
    except OSError:  # the process has ended, or the platform has no /proc
        return []
