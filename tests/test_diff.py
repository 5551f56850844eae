"""`cchc diff OLD NEW`: exactly the changes 2024.cchc makes to 2023, and how Thanh Thủy's score moves."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cchc_rules.cli import main
from cchc_rules.diff import diff_rules
from cchc_rules.facts import read_facts
from cchc_rules.loader import load_source
from cchc_rules.ruleset import load
from tests.conftest import FACTS_THANH_THUY, RULES_2023

RULES_2024 = RULES_2023.with_name("2024.cchc")

# (kind, what, id, changed fields): what 2024.cchc changes, read off the file.
EXPECTED = {
    ("changed", "header", "ruleset", ("name", "year", "basis", "inferred")),
    ("changed", "criterion", "1.5.2", ("formula", "reasons", "inferred")),
    ("changed", "criterion", "3.5", ("max",)),
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
    assert (changes["3.5"]["old"], changes["3.5"]["new"]) == ({"max": "4"}, {"max": "3"})
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
