"""`cchc diff OLD NEW`: exactly the changes 2024.cchc makes to 2023, and how Thanh Thủy's score moves."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cchc_rules.cli import main
from cchc_rules.diff import diff_rules, score
from cchc_rules.facts import read_facts
from cchc_rules.loader import load_source
from cchc_rules.ruleset import load
from tests.conftest import FACTS_THANH_THUY, FIXTURES, RULES_2023, beside_2023
from tests.test_cli import cchc

RULES_2024 = RULES_2023.with_name("2024.cchc")
# Thanh Thủy's facts as this year's file gives them: 2024 removed 3.5.3 and ho_so_tam_dung, so it has no
# ho_so_tam_dung, which 2023 needs.
FACTS_2024 = FIXTURES / "diff" / "thanh-thuy-2024.yaml"

# (kind, what, id, changed fields): what 2024.cchc changes, read off the file.
EXPECTED = {
    ("changed", "header", "ruleset", ("name", "year", "basis", "inferred")),
    ("changed", "criterion", "1.5.2", ("formula", "reasons", "inferred")),
    ("changed", "criterion", "3.5", ("max", "inferred")),
    ("removed", "criterion", "3.5.3", ()),
    ("added", "criterion", "3.6", ()),
    ("changed", "criterion", "7.2.2", ("title", "formula", "inferred")),
    ("removed", "fact", "ho_so_tam_dung", ()),
    ("added", "fact", "danh_gia_tac_dong", ()),
}


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def diff_json(capsys: pytest.CaptureFixture[str], *extra: str | Path) -> dict[str, Any]:
    code, out, err = run(capsys, "diff", RULES_2023, RULES_2024, "--format", "json", *extra)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_the_expected_changes_are_what_2024_cchc_touches() -> None:
    """The list above is not made up: it names exactly the items 2024.cchc writes."""
    own = load_source(RULES_2024).modules[0]
    touched = {c.id for c in (*own.criteria, *own.overrides)} | {r.id for r in own.removals}
    touched |= {f.name for f in own.facts}
    assert touched == {node_id for _, _, node_id, _ in EXPECTED} - {"ruleset"}


def test_diff_finds_exactly_the_changes_made() -> None:
    changes = diff_rules(load(RULES_2023).checked, load(RULES_2024).checked)
    assert {(c.kind, c.what, c.id, c.fields) for c in changes} == EXPECTED
    assert len(changes) == len(EXPECTED)


def test_diff_text_shows_each_change(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", RULES_2023, RULES_2024)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "So sánh: Chỉ số cải cách hành chính cấp xã, tỉnh Hải Dương, năm 2023"
    assert lines[1] == "     với: Chỉ số cải cách hành chính cấp xã, tỉnh Hải Dương, năm 2024 (minh hoạ)"
    for expected in (
        "~ Sửa phần đầu ruleset:",
        "~ Sửa tiêu chí 1.5.2:",
        "    công thức: if doi_thoai >= 5 then max else 0",
        "             → if doi_thoai >= 4 then max else 0",
        "    lý do: Không đủ 5 cuộc đối thoại/năm (chỉ có {doi_thoai} cuộc)",
        "         → Không đủ 4 cuộc đối thoại/năm (chỉ có {doi_thoai} cuộc)",
        "~ Sửa tiêu chí 3.5:",
        "    điểm tối đa: 4",
        "               → 3",
        "- Bỏ tiêu chí 3.5.3: Hồ sơ bị tạm dừng",
        "+ Thêm tiêu chí 3.6: Đánh giá tác động thủ tục hành chính",
        "~ Sửa tiêu chí 7.2.2:",
        "    tên: Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến",
        "       → Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến (theo bậc)",
        "    năm: 2023",
        "       → 2024",
    ):
        assert expected in lines, expected
    assert any(line.startswith("- Bỏ dữ kiện ho_so_tam_dung: ") for line in lines)
    assert any(line.startswith("+ Thêm dữ kiện danh_gia_tac_dong: ") for line in lines)
    # Nothing else: one line per change, and the changed fields' lines under each `~`.
    marked = [line for line in lines if line[:2] in ("+ ", "- ", "~ ")]
    assert len(marked) == len(EXPECTED)
    assert "Điểm của đơn vị thay đổi:" not in out  # no --facts, no scores


def test_area_maxima_are_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    data = diff_json(capsys)
    old = load(RULES_2023).checked
    assert [a["id"] for a in data["areas"]] == list(old.areas)
    for area in data["areas"]:
        assert area["old_max"] == area["new_max"], area
    code, out, err = run(capsys, "diff", RULES_2023, RULES_2024)
    assert code == 0, err
    section = out.split("Điểm tối đa các lĩnh vực:\n", 1)[1].splitlines()
    assert len([line for line in section if line.strip()]) == 7
    assert "(đổi)" not in out
    assert "  3. Cải cách thủ tục hành chính: 18,5 → 18,5" in section


def test_diff_json_lists_the_changes_with_old_and_new_values(capsys: pytest.CaptureFixture[str]) -> None:
    data = diff_json(capsys)
    assert data["old"] == load(RULES_2023).name and data["new"] == load(RULES_2024).name
    found = {(c["kind"], c["what"], c["id"], tuple(c["fields"])) for c in data["changes"]}
    assert found == EXPECTED
    changes = {c["id"]: c for c in data["changes"]}
    assert (changes["3.5"]["old"]["max"], changes["3.5"]["new"]["max"]) == ("4", "3")
    assert changes["3.5"]["new"]["inferred"].startswith("Minh hoạ: năm 2024 bỏ 3.5.3")
    assert changes["ruleset"]["old"]["year"] == "2023" and changes["ruleset"]["new"]["year"] == "2024"
    assert changes["7.2.2"]["new"]["title"] == "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến (theo bậc)"
    assert changes["7.2.2"]["new"]["formula"].startswith("tier ratio(ho_so_truc_tuyen_den_31_10")
    assert changes["3.6"]["new"]["max"] == "1" and changes["3.6"]["old"] == {}
    assert changes["3.5.3"]["old"]["title"] == "Hồ sơ bị tạm dừng" and changes["3.5.3"]["new"] == {}
    assert changes["danh_gia_tac_dong"]["new"]["type"] == "boolean"
    assert all(not key.startswith("_") for c in data["changes"] for key in (*c["old"], *c["new"]))
    assert "scores" not in data and "total" not in data


def test_with_facts_the_total_moves_and_each_move_has_its_cause(capsys: pytest.CaptureFixture[str]) -> None:
    before = load(RULES_2023).evaluate(FACTS_THANH_THUY)
    data = diff_json(capsys, "--facts", FACTS_THANH_THUY)
    assert data["total"] == {"old": "66.245", "new": "64.954"}
    assert data["missing_facts"] == {"old": {}, "new": {}}
    assert Decimal(data["total"]["old"]) == before.score
    moved = {m["id"]: m for m in data["scores"]}
    # Exactly the nodes whose score differs (or that exist on one side only).
    old_scores = {n: before[n].score for n in load(RULES_2023).checked.order}
    assert set(moved) == {"3", "3.5", "3.5.3", "3.6", "7", "7.2", "7.2.2"}
    for node_id, move in moved.items():
        assert (move["old"] is None) == (node_id == "3.6")
        assert (move["new"] is None) == (node_id == "3.5.3")
        if move["old"] is not None:
            assert Decimal(move["old"]) == old_scores[node_id]
    assert (moved["7.2.2"]["old"], moved["7.2.2"]["new"]) == ("2.292", "2")
    assert moved["7.2.2"]["because"] == "thay đổi công thức của chính tiêu chí này"
    assert moved["7.2"]["because"] == "thay đổi ở 7.2.2"
    assert moved["7"]["because"] == "thay đổi ở 7.2.2"
    assert moved["3.5.3"]["because"] == "tiêu chí bị bỏ"
    assert moved["3.6"]["because"] == "tiêu chí mới"
    # 3.5 is the sum of its children: 3.5.3 leaving moved it; its own maximum changing alone would not have.
    assert moved["3.5"]["because"] == "thay đổi ở 3.5.3; thay đổi điểm tối đa của chính tiêu chí này"
    # 3.6 scores 0 and 3.5's maximum does not move a sum: only 3.5.3 moved area 3's points.
    assert moved["3"]["because"] == "thay đổi ở 3.5.3"
    assert [m["id"] for m in data["scores"]] == ["3", "3.5", "3.5.3", "3.6", "7", "7.2", "7.2.2"]  # tree order
    assert "1.5.2" not in moved  # 2 talks: under 4 and under 5 alike, no move


def test_moves_are_those_of_an_independent_evaluation(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = load(RULES_2023), load(RULES_2024)
    before = old.evaluate(FACTS_THANH_THUY)
    facts = read_facts(FACTS_THANH_THUY)
    # The facts file is 2023's: 2024 reads only the facts it declares (ho_so_tam_dung is gone).
    known = {k: v for k, v in facts.facts.items() if k in new.checked.facts}
    after = new.evaluate(facts.model_copy(update={"facts": known}))
    assert after.score == Decimal("64.954")
    differs = {
        n
        for n in {*old.checked.order, *new.checked.order}
        if (n in before) != (n in after) or (n in before and before[n].score != after[n].score)
    }
    data = diff_json(capsys, "--facts", FACTS_THANH_THUY)
    assert {m["id"] for m in data["scores"]} == differs


def test_diff_text_with_facts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", RULES_2023, RULES_2024, "--facts", FACTS_THANH_THUY)
    assert code == 0, err
    assert "  Tổng: 66,245 → 64,954" in out
    assert (
        "  7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến (theo bậc): 2,292 → 2 "
        "(thay đổi công thức của chính tiêu chí này)"
    ) in out
    assert "  3.5.3 Hồ sơ bị tạm dừng: 0,999 → - (tiêu chí bị bỏ)" in out
    assert "  3.6 Đánh giá tác động thủ tục hành chính: - → 0 (tiêu chí mới)" in out


def test_diff_of_a_rule_set_with_itself_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", RULES_2023, RULES_2023, "--facts", FACTS_THANH_THUY)
    assert code == 0, err
    assert "Hai bộ quy tắc như nhau." in out
    assert "Điểm tối đa các lĩnh vực:" not in out  # a table of 15 → 15 says nothing the line above does not
    assert "Không mục nào đổi điểm." in out
    assert "  Tổng: 66,245 → 66,245" in out
    assert not [line for line in out.splitlines() if line[:2] in ("+ ", "- ", "~ ")]
    code, out, err = run(capsys, "diff", RULES_2024, RULES_2024, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["changes"] == []
    assert all(a["old_max"] == a["new_max"] for a in data["areas"])


def test_diff_backwards_swaps_added_and_removed() -> None:
    old, new = load(RULES_2023).checked, load(RULES_2024).checked
    swap = {"added": "removed", "removed": "added", "changed": "changed"}
    forth = {
        (swap[c.kind], c.what, c.id, c.fields, tuple(c.new.items()), tuple(c.old.items())) for c in diff_rules(old, new)
    }
    back = {(c.kind, c.what, c.id, c.fields, tuple(c.old.items()), tuple(c.new.items())) for c in diff_rules(new, old)}
    assert forth == back


def test_an_area_maximum_that_changes_is_marked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    base = (
        'ruleset "Gốc"\n  total 3\n  rounding 3 half_up\nfact co: boolean "Có"\n'
        '1 "Một": max 1\n  score = if co then max else 0\n  reason "Không"\n'
        '2 "Hai": max 2\n  score = if co then max else 0\n  reason "Không"\n'
    )
    (folder / "a.cchc").write_text(base, encoding="utf-8")
    (folder / "b.cchc").write_text(
        'ruleset "Con"\n  extends "a.cchc"\n  total 4\noverride 2: max 3\n', encoding="utf-8"
    )
    code, out, err = run(capsys, "diff", folder / "a.cchc", folder / "b.cchc")
    assert code == 0, err
    assert "  2. Hai: 2 → 3   (đổi)" in out
    assert "  1. Một: 1 → 1" in out and "  1. Một: 1 → 1   (đổi)" not in out
    assert "    tổng điểm: 3" in out


def test_a_reason_or_an_inferred_note_is_a_change_but_never_the_cause_of_a_move(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    base = (
        'ruleset "Gốc"\n  total 2\n  rounding 3 half_up\nfact so: count "Số"\n1 "Một": max 2\n'
        '1.1 "Theo 1.2": max 1\n  score = if [1.2] >= 1 then max else 0\n  reason "Không"\n  inferred "Suy ra"\n'
        '1.2 "Số": max 1\n  score = if so >= 1 then max else 0\n  reason "Không"\n'
    )
    (folder / "a.cchc").write_text(base, encoding="utf-8")
    (folder / "b.cchc").write_text(
        'ruleset "Gốc"\n  extends "a.cchc"\noverride 1.1 "Theo 1.2 (mới)"\n  reason "Chưa đạt"\n'
        '  inferred "Theo quyết định"\n'
        "override 1.2\n  score = if so >= 0 then max else 0\n",
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("so: 0\n", encoding="utf-8")
    changes = diff_rules(load(folder / "a.cchc").checked, load(folder / "b.cchc").checked)
    assert [(c.id, c.fields) for c in changes] == [("1.1", ("title", "reasons", "inferred")), ("1.2", ("formula",))]
    code, out, err = run(capsys, "diff", folder / "a.cchc", folder / "b.cchc", "--facts", facts, "--format", "json")
    assert code == 0, err
    moved = {m["id"]: m["because"] for m in json.loads(out)["scores"]}
    assert moved["1.2"] == "thay đổi công thức của chính tiêu chí này"
    assert moved["1.1"] == "dữ kiện hoặc tiêu chí được tham chiếu thay đổi"  # 1.2 moved it, not its own words
    assert moved["1"] == "thay đổi ở 1.2"  # 1.1 changed only in words


def test_a_move_the_headers_rounding_makes_is_blamed_on_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = 'ruleset "X"\n  total 1\n  rounding {places} half_up\nfact a: count "A"\nfact b: count "B" max a\n'
    rules += '1 "Một": max 1\n1.1 "Hai": max 1\n  score = max * ratio(b, a, zero: full)\n  reason "Thiếu"\n'
    (tmp_path / "a.cchc").write_text(rules.format(places=3), encoding="utf-8")
    (tmp_path / "b.cchc").write_text(rules.format(places=1), encoding="utf-8")
    facts = tmp_path / "f.yaml"
    facts.write_text("a: 3\nb: 1\n", encoding="utf-8")
    code, out, err = run(capsys, "diff", tmp_path / "a.cchc", tmp_path / "b.cchc", "--facts", facts, "--format", "json")
    assert code == 0, err
    moved = {m["id"]: (m["old"], m["new"], m["because"]) for m in json.loads(out)["scores"]}
    assert moved["1.1"] == ("0.333", "0.3", "thay đổi làm tròn ở phần đầu")


def test_a_fact_s_bound_and_given_are_named_as_a_fact_s(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = 'ruleset "X"\n  total 1\n  rounding 3 half_up\nfact a: decimal "Vốn" min 0{a}\n'
    rules += '1 "Một": max 1\n  score = if a > 0 then max else 0\n  reason "Không có vốn"\n'
    (tmp_path / "a.cchc").write_text(rules.format(a=""), encoding="utf-8")
    (tmp_path / "b.cchc").write_text(rules.format(a=" max 500 given"), encoding="utf-8")
    code, out, err = run(capsys, "diff", tmp_path / "a.cchc", tmp_path / "b.cchc")
    assert code == 0, err
    # a fact's `max` bounds its value: it is no maximum score
    assert "~ Sửa dữ kiện a:\n    giới hạn trên: (không có)\n" in out and "điểm tối đa:" not in out
    assert "    được giao: (không có)\n             → có\n" in out


def test_diff_of_a_bad_rule_set_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.cchc"
    bad.write_text('ruleset "X"\n  total 1\n1 "A" max = 1\n', encoding="utf-8")
    code, _, err = run(capsys, "diff", RULES_2023, bad)
    assert code == 1
    assert f"{bad}:3:" in err and "Traceback" not in err


def test_a_score_that_stays_while_its_maximum_moves_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = 'ruleset "X"\n  total {top}\n  rounding 3 half_up\nfact co: boolean "Có"\n'
    rules += '1 "Một": max {top}\n  score = if co then 1.5 else 0\n  reason "Không có"\n'
    (tmp_path / "a.cchc").write_text(rules.format(top=2), encoding="utf-8")
    (tmp_path / "b.cchc").write_text(rules.format(top=3), encoding="utf-8")
    facts = tmp_path / "f.yaml"
    facts.write_text("co: có\n", encoding="utf-8")
    code, out, err = run(capsys, "diff", tmp_path / "a.cchc", tmp_path / "b.cchc", "--facts", facts)
    assert code == 0, err
    # "1,5 → 1,5" alone reads as no change: the maximum that moved is given beside it
    assert "  1 Một: 1,5 → 1,5 (thay đổi điểm tối đa của chính tiêu chí này; điểm tối đa 2 → 3)\n" in out
    code, out, err = run(capsys, "diff", tmp_path / "a.cchc", tmp_path / "b.cchc", "--facts", facts, "--format", "json")
    (moved,) = json.loads(out)["scores"]
    assert (moved["old"], moved["new"], moved["old_max"], moved["new_max"]) == ("1.5", "1.5", "2", "3")


# ---- the cause of a move: rounding, inherited down the tree -------------------------------------


def test_a_rounding_set_on_an_area_is_the_cause_of_the_moves_under_it(tmp_path: Path) -> None:
    folder = beside_2023(tmp_path, "\noverride 7\n  rounding 2 down\n")
    done = cchc("diff", "2023.cchc", "2024.cchc", "--facts", FACTS_THANH_THUY, cwd=folder)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # What applies to 7 before, where it comes from, and after: in words, not `(không có) → 2 down`.
    assert "~ Sửa tiêu chí 7:" in lines
    assert "    làm tròn: 3 chữ số thập phân, làm tròn nửa lên (theo phần đầu)" in lines
    assert "            → 2 chữ số thập phân, cắt bỏ (làm tròn xuống về 0)" in lines
    moves = lines[lines.index("Điểm của đơn vị thay đổi:") + 1 :]
    assert moves == [
        "  Tổng: 66,245 → 66,238",
        "  7 Xây dựng và phát triển chính quyền điện tử, chính quyền số: 9,497 → 9,49 "
        "(thay đổi làm tròn của chính tiêu chí này)",
        "  7.2 Cung cấp dịch vụ công trực tuyến: 2,497 → 2,49 (thay đổi làm tròn ở 7)",
        "  7.2.1 TTHC cung cấp dịch vụ công trực tuyến có phát sinh hồ sơ: 0,205 → 0,2 (thay đổi làm tròn ở 7)",
        "  7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: 2,292 → 2,29 (thay đổi làm tròn ở 7)",
    ]


ROUNDED = """ruleset "X"
  total 4
  rounding {header}
fact a: count "A"
fact b: count "B" max a
1 "Một": max 2
  rounding {one}
1.1 "Theo 1": max 1
  score = max * ratio(b, a, zero: full)
  reason "Thiếu"
1.2 "Tự làm tròn": max 1
  rounding 3 half_up
  score = max * ratio(b, a, zero: full)
  reason "Thiếu"
2 "Hai": max 2
2.1 "Theo phần đầu": max 1
  score = max * ratio(b, a, zero: full)
  reason "Thiếu"
2.2 "Cũng theo phần đầu": max 1
  score = max * ratio(b, a, zero: full)
  reason "Thiếu"
"""


def test_the_rounding_change_named_is_the_nearest_that_applies(tmp_path: Path) -> None:
    """The header's rounding and area 1's both change: under 1, 1's applies, elsewhere the header's;
    a criterion with a rounding of its own that stayed does not move."""
    (tmp_path / "a.cchc").write_text(ROUNDED.format(header="3 half_up", one="2 half_up"), encoding="utf-8")
    (tmp_path / "b.cchc").write_text(ROUNDED.format(header="2 half_up", one="1 down"), encoding="utf-8")
    (tmp_path / "f.yaml").write_text("a: 3\nb: 1\n", encoding="utf-8")
    done = cchc("diff", "a.cchc", "b.cchc", "--facts", "f.yaml", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    moved = {m["id"]: (m["old"], m["new"], m["because"]) for m in json.loads(done.stdout)["scores"]}
    assert moved == {
        "1": ("0.663", "0.633", "thay đổi làm tròn của chính tiêu chí này"),
        "1.1": ("0.33", "0.3", "thay đổi làm tròn ở 1"),
        "2": ("0.666", "0.66", "thay đổi làm tròn ở phần đầu"),
        "2.1": ("0.333", "0.33", "thay đổi làm tròn ở phần đầu"),
        "2.2": ("0.333", "0.33", "thay đổi làm tròn ở phần đầu"),
    }
    done = cchc("diff", "a.cchc", "b.cchc", cwd=tmp_path)
    assert "    làm tròn: 3 chữ số thập phân, làm tròn nửa lên\n" in done.stdout
    assert "            → 2 chữ số thập phân, làm tròn nửa lên\n" in done.stdout


# ---- a cause is a change that moved points --------------------------------------------------------


def test_a_change_that_left_its_score_is_not_a_cause_of_its_area_s_move(tmp_path: Path) -> None:
    # 1.1.1 is written another way and scores the same; 1.5.2 asks 2 talks, and Thanh Thủy held 2.
    folder = beside_2023(
        tmp_path,
        "\noverride 1.1.1\n  score = if co_ke_hoach_cchc then 1 else 0\n"
        "\noverride 1.5.2\n  score = if doi_thoai >= 2 then max else 0\n",
    )
    done = cchc("diff", "2023.cchc", "2024.cchc", "--facts", FACTS_THANH_THUY, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "~ Sửa tiêu chí 1.1.1:" in done.stdout  # a change all the same
    moves = done.stdout.split("Điểm của đơn vị thay đổi:\n", 1)[1].splitlines()
    assert moves == [
        "  Tổng: 66,245 → 66,745",
        "  1 Công tác chỉ đạo, điều hành CCHC: 12,5 → 13 (thay đổi ở 1.5.2)",  # not "ở 1.1.1, 1.5.2"
        "  1.5 Chỉ đạo, điều hành và đối thoại: 1,5 → 2 (thay đổi ở 1.5.2)",
        "  1.5.2 Người đứng đầu đối thoại với nhân dân: 0 → 0,5 (thay đổi công thức của chính tiêu chí này)",
    ]


# ---- numbers and words the Vietnamese way -----------------------------------------------------


def test_numbers_in_the_changes_have_a_decimal_comma_and_policies_are_in_words(tmp_path: Path) -> None:
    rules = (
        'ruleset "X"\n  total {top}\n  rounding 3 half_up\n  not_applicable {na}\n  group "A" from {group}%\n'
        'fact v: decimal "Vốn" max {bound} default {default}\n'
        '1 "Một": max {top}\n  score = if v > 1 then {top} else 0\n  reason "Ít vốn"\n'
    )
    old = rules.format(top="3", na="full", group="90", bound="2.5", default="0.5")
    new = rules.format(top="3.5", na="exclude", group="87.5", bound="4", default="1.25")
    (tmp_path / "a.cchc").write_text(old, encoding="utf-8")
    (tmp_path / "b.cchc").write_text(new, encoding="utf-8")
    (tmp_path / "f.yaml").write_text("v: 2\n", encoding="utf-8")
    done = cchc("diff", "a.cchc", "b.cchc", "--facts", "f.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for name, before, after in (
        ("tổng điểm", "3", "3,5"),
        ("mặc định không áp dụng", "tính đủ điểm", "loại khỏi điểm tối đa"),
        ("nhóm xếp loại", "A từ 90%", "A từ 87,5%"),
        ("điểm tối đa", "3", "3,5"),
        ("giới hạn trên", "2,5", "4"),
        ("mặc định", "0,5", "1,25"),
        ("công thức", "if v > 1 then 3 else 0", "if v > 1 then 3.5 else 0"),  # code, as written
    ):
        assert f"    {name}: {before}\n    {' ' * len(name)}→ {after}\n" in out, name
    assert "  1. Một: 3 → 3,5   (đổi)\n" in out
    assert "  1 Một: 3 → 3,5 (thay đổi điểm tối đa, công thức của chính tiêu chí này; điểm tối đa 3 → 3,5)\n" in out
    # JSON gives the fields as the rule file writes them.
    done = cchc("diff", "a.cchc", "b.cchc", "--format", "json", cwd=tmp_path)
    changes = {c["id"]: c for c in json.loads(done.stdout)["changes"]}
    assert changes["1"]["new"]["max"] == "3.5" and changes["v"]["old"]["max"] == "2.5"
    assert changes["ruleset"]["new"]["na_default"] == "exclude"


# ---- a fact one side needs and the facts file does not give -------------------------------------


def test_this_year_s_facts_leave_only_what_needs_last_year_s_fact_unknown() -> None:
    done = cchc("diff", "rules/hai-duong/xa/2023.cchc", "rules/hai-duong/xa/2024.cchc", "--facts", FACTS_2024)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    where = "khi chấm theo rules/hai-duong/xa/2023.cchc"
    for line in (
        f"  Tổng: không tính được → 64,954 (thiếu dữ kiện ho_so_tam_dung {where})",
        f"  3 Cải cách thủ tục hành chính: không tính được → 17,249 (thiếu dữ kiện ho_so_tam_dung {where})",
        "  3.5.3 Hồ sơ bị tạm dừng: không tính được → - (tiêu chí bị bỏ)",
        "  7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến (theo bậc): 2,292 → 2 "
        "(thay đổi công thức của chính tiêu chí này)",
        f"Thiếu dữ kiện {where} (tệp dữ kiện không ghi, không có mặc định):",
        "  - ho_so_tam_dung: Số hồ sơ bị tạm dừng giải quyết (dùng ở 3.5.3)",
    ):
        assert line in out.splitlines(), line


def test_what_can_be_scored_without_the_fact_is_exactly_the_rule_set_s_score(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = load(RULES_2023)
    side = score(old, read_facts(FACTS_2024), "2023.cchc")
    assert side.missing == {"ho_so_tam_dung": ("3.5.3",)}
    assert set(side.unknown) == {"3", "3.5", "3.5.3"} and side.total is None
    full = old.evaluate(FACTS_THANH_THUY)  # the same facts, with ho_so_tam_dung
    for node_id in old.checked.order:
        if node_id not in side.unknown:
            assert side.score(node_id) == full[node_id].score, node_id
    code, out, err = run(capsys, "diff", RULES_2023, RULES_2024, "--facts", FACTS_2024, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == {"old": None, "new": "64.954"}
    assert data["missing_facts"] == {"old": {"ho_so_tam_dung": ["3.5.3"]}, "new": {}}
    moved = {m["id"]: m for m in data["scores"]}
    assert set(moved) == {"3", "3.5", "3.5.3", "3.6", "7", "7.2", "7.2.2"}
    assert (moved["3.5"]["old"], moved["3.5"]["new"], moved["3.5"]["old_missing"]) == (
        None,
        "2.999",
        ["ho_so_tam_dung"],
    )
    assert moved["7.2.2"]["old_missing"] == [] and moved["7.2.2"]["old"] == "2.292"


def test_the_new_side_can_lack_a_fact_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", RULES_2024, RULES_2023, "--facts", FACTS_2024)
    assert code == 0, err
    assert f"  Tổng: 64,954 → không tính được (thiếu dữ kiện ho_so_tam_dung khi chấm theo {RULES_2023})" in out
    assert "  3.5.3 Hồ sơ bị tạm dừng: - → không tính được (tiêu chí mới)" in out
    assert f"Thiếu dữ kiện khi chấm theo {RULES_2023} (tệp dữ kiện không ghi, không có mặc định):" in out


UNKNOWN_REACHES = """ruleset "X"
  total 4
  rounding 3 half_up
{fact}fact k: count "K"
1 "Một": max 2
{na}1.1 "A": max 1
  score = if k >= 1 then max else 0
  reason "Thiếu"
1.2 "B": max 1
  score = if k >= 1 then max else 0
  reason "Thiếu"
2 "Hai": max 2
2.1 "Theo 1.1": max 1
  score = if [1.1] >= 1 then max else 0
  reason "Thiếu"
2.2 "D": max 1
  score = if k >= {k} then max else 0
  reason "Có {{k}}"
"""


def test_an_unknown_score_reaches_the_children_of_an_n_a_condition_and_what_refers_to_it(
    tmp_path: Path,
) -> None:
    # The old rule set says area 1 does not apply when `m`, which the file does not give.
    old = UNKNOWN_REACHES.format(fact='fact m: boolean "M"\n', na="  na when m: exclude\n", k=2)
    (tmp_path / "a.cchc").write_text(old, encoding="utf-8")
    (tmp_path / "b.cchc").write_text(UNKNOWN_REACHES.format(fact="", na="", k=3), encoding="utf-8")
    (tmp_path / "f.yaml").write_text("k: 2\n", encoding="utf-8")
    done = cchc("diff", "a.cchc", "b.cchc", "--facts", "f.yaml", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    moved = {m["id"]: (m["old"], m["new"], m["old_missing"]) for m in data["scores"]}
    assert moved == {
        "1": (None, "2", ["m"]),
        "1.1": (None, "1", ["m"]),
        "1.2": (None, "1", ["m"]),
        "2": (None, "1", ["m"]),
        "2.1": (None, "1", ["m"]),  # refers to 1.1
        "2.2": ("1", "0", []),  # needs only k: scored, and it moved
    }
    assert data["total"] == {"old": None, "new": "3"}
    assert data["missing_facts"]["old"] == {"m": ["1"]}


def test_a_facts_problem_names_the_rule_set_it_was_met_under(tmp_path: Path) -> None:
    facts = tmp_path / "f.yaml"
    facts.write_text(FACTS_2024.read_text(encoding="utf-8").replace("value: 1935", "value: nhiều", 1), encoding="utf-8")
    done = cchc("diff", RULES_2023, RULES_2024, "--facts", facts)
    assert done.returncode == 1
    assert f"{facts}:" in done.stderr and "^" in done.stderr and "gợi ý:" in done.stderr
    assert f"khi chấm theo {RULES_2023}: dữ kiện `ho_so_tiep_nhan`" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


# Last year's area 6 for the tests below: a criterion on a fact x of 10, and a yes/no fact for a market.
AREA_6 = (
    'ruleset "Gốc"\n  year 2023\n  total 7\n  rounding 2 half_up\nfact co_cho: boolean "Có chợ" default false\n'
    'fact x: count "X" max 10\n6 "Tài chính": max 7\n'
)


def moved(tmp_path: Path, old: str, new: str) -> str:
    """`cchc diff` of two years (this year's extends last year's) on a unit with x = 6: its text."""
    folder = tmp_path / "rules" / "t"
    folder.mkdir(parents=True)
    (folder / "2023.cchc").write_text(AREA_6 + old, encoding="utf-8")
    (folder / "2024.cchc").write_text('ruleset "Con"\n  extends "2023.cchc"\n  year 2024\n' + new, encoding="utf-8")
    facts = folder / "f.yaml"
    facts.write_text("x: 6\n", encoding="utf-8")
    return cchc("diff", folder / "2023.cchc", folder / "2024.cchc", "--facts", facts).stdout


def test_a_new_item_not_applicable_and_the_maximum_that_counts_are_said(tmp_path: Path) -> None:
    """6.4 new and not applicable read "- → 0 (tiêu chí mới)", area 6 lost a point of maximum unsaid, and a new
    bonus was called a criterion."""
    out = moved(
        tmp_path,
        '6.1 "Một": max 7\n  score = max * ratio(x, 10, zero: zero)\n  reason "r"\n',
        'override 6.1: max 6\n6.4 "Chợ": max 1\n  score = if co_cho then max else 0\n  reason "r"\n'
        '  na when not co_cho: exclude\nbonus b "Thưởng": max 1\n  score = if x > 5 then 1 else 0\n  reason "r"\n',
    )
    assert "  6 Tài chính: 4,2 → 3,6 (thay đổi ở 6.1; điểm tối đa 7 → 6)\n" in out
    assert "  6.4 Chợ: - → 0 (tiêu chí mới, không áp dụng với đơn vị này)\n" in out
    assert "  b Thưởng: - → 1 (mục điểm thưởng mới)\n" in out


def test_a_criterion_left_out_one_year_only_moves_the_maximum_and_the_percentage(tmp_path: Path) -> None:
    """The same points of a smaller maximum: "Không mục nào đổi điểm" hid a percentage 51,43% → 60%."""
    out = moved(
        tmp_path,
        '6.1 "Một": max 6\n  score = max * ratio(x, 10, zero: zero)\n  reason "r"\n'
        '6.2 "Chợ": max 1\n  score = if co_cho then max else 0\n  reason "r"\n',
        "override 6.2\n  na when not co_cho: exclude\n",
    )
    assert "  Tổng: 3,6 → 3,6 (điểm tối đa 7 → 6, tỷ lệ 51,43% → 60%)\n" in out
    assert "  6.2 Chợ: 0 → 0 (thay đổi không áp dụng của chính tiêu chí này; điểm tối đa 1 → 0)\n" in out
    assert "Không mục nào đổi điểm" not in out


def test_a_changed_tier_table_is_shown_row_by_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The table was one line of rule code on each side; now only the rows that moved, each old → new."""
    rows = "    when >= 100%: max\n    when from 80% to under 100%: 0.75\n    when from 50% to under 80%: 0.5\n"
    folder = beside_2023(tmp_path, f"override 3.3.3: max 1\n  score = tier ty_le_lien_thong\n{rows}    otherwise: 0\n")
    code = main(["diff", str(folder / "2023.cchc"), str(folder / "2024.cchc")])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "~ Sửa tiêu chí 3.3.3:\n"
        "    các bậc:\n"
        "      bậc 2: when from 75% to under 100%: 0.75\n"
        "           → when from 80% to under 100%: 0.75\n"
        "      bậc 3: when from 50% to under 75%: 0.5\n"
        "           → when from 50% to under 80%: 0.5\n"
    ) in out, out
    assert "bậc 1" not in out and "otherwise" not in out  # unchanged rows are not repeated
