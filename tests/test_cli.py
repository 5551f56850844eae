"""The `cchc` command as a user runs it: exit codes, Vietnamese output, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import FACTS_THANH_THUY, FIXTURES, ROOT, RULES_2023


def cchc(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CCHC_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "cchc_rules", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=60,
    )


def test_eval_text_is_the_seed_report_form() -> None:
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Tổng điểm tự đánh giá: 66,245 điểm/74 điểm, đạt 89,52%." in out
    assert "1. Công tác chỉ đạo, điều hành CCHC: 12,5 điểm/15 điểm; đạt tỷ lệ 83,33%." in out
    assert "- Mất 0,708 điểm tại mục 7.2.2: Tỷ lệ hồ sơ trực tuyến tính đến 31/10 chỉ đạt 1340/1754 hồ sơ" in out
    assert "- Mất 2 điểm tại mục 1.6.1: Không có sáng kiến kinh nghiệm CCHC" in out


def test_eval_json_follows_the_contract() -> None:
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["max"] == "74"
    assert {k: data["nodes"][k]["lost"] for k in ("1.6.1", "5.4.2", "6.1.1", "3.3.3", "3.5.2", "3.5.3")} == {
        "1.6.1": "2",
        "5.4.2": "2",
        "6.1.1": "1",
        "3.3.3": "0.25",
        "3.5.2": "0.001",
        "3.5.3": "0.001",
    }
    assert data["nodes"]["7.2.1"]["score"] == "0.205"
    assert data["nodes"]["7.2.2"]["score"] == "2.292"


def test_eval_json_with_trace() -> None:
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json", "--trace")
    trace = json.loads(run.stdout)["nodes"]["7.2.2"]["trace"]
    assert trace["formula"].startswith("max * ratio(")
    assert {f["name"] for f in trace["facts"]} == {"ho_so_truc_tuyen_den_31_10", "ho_so_tong_den_31_10"}


def test_output_is_byte_for_byte_deterministic() -> None:
    first = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json", "--trace").stdout
    second = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json", "--trace").stdout
    assert first == second


def test_explain_shows_formula_facts_line_and_reason() -> None:
    run = cchc("explain", RULES_2023, FACTS_THANH_THUY, "7.2.2")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "score = max * ratio(ho_so_truc_tuyen_den_31_10, ho_so_tong_den_31_10, zero: na)" in out
    assert "= 1340" in out and "= 1754" in out
    line = next(
        i for i, t in enumerate(RULES_2023.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("7.2.2 ")
    )
    assert f"2023.cchc:{line}" in out
    assert "Lý do mất điểm: Tỷ lệ hồ sơ trực tuyến tính đến 31/10 chỉ đạt 1340/1754 hồ sơ" in out
    assert "2,292" in out


def test_explain_says_which_way_each_if_went() -> None:
    """The values compared and the branch taken, not only the formula and the facts."""
    out = cchc("explain", RULES_2023, FACTS_THANH_THUY, "1.5.2").stdout
    assert "  Các bước:\n    - điều kiện `doi_thoai >= 5`: 2 ≥ 5 không đúng → lấy `0` (dòng" in out
    out = cchc("explain", RULES_2023, FACTS_THANH_THUY, "1.6.1").stdout
    assert "- điều kiện `co_sang_kien`: không → lấy `0`" in out  # a yes/no fact: its value says it


def test_a_ratio_whose_zero_policy_decides_inside_an_if_is_explained_not_a_crash(tmp_path: Path) -> None:
    """Found by `make fuzz`: the branches of an `if` whose condition's ratio met 0/0 crashed explain, the
    traced JSON and the HTML page (exit 70); the ratio's `zero:` decided the formula, and that is the step."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "T" total 2 rounding 3 half_up\nfact phan: count "Phần"\nfact tong: count "Tổng"\n'
        'fact co: boolean "Có"\n1 "A": max 2\n'
        '  1.1 "Một": max 1\n    score = if ratio(phan, tong, zero: full) >= 75% then max else 0\n    reason "r"\n'
        '  1.2 "Lồng": max 1\n    score = if co then (if ratio(phan, tong, zero: zero) >= 75% then max else 0) else 0\n'
        '    reason "r"\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("phan: 0\ntong: 0\nco: có\n", encoding="utf-8")
    out = cchc("explain", rules, facts, "1")
    assert out.returncode == 0, out.stderr
    zero = "- mẫu số bằng 0 trong ratio(phan, tong, zero: full): theo quy định `zero: full`, tiêu chí được đủ điểm"
    assert zero + " (dòng 7)" in out.stdout
    # the branch taken before the ratio stands
    assert "- điều kiện `co`: có → lấy `if ratio(phan, tong, zero: zero) >= 75% then max else 0`" in out.stdout
    for argv in (("--format", "json", "--trace"), ("--format", "html")):
        run = cchc("eval", rules, facts, *argv)
        assert run.returncode == 0, run.stderr


def test_explain_says_how_each_part_of_and_or_went(tmp_path: Path) -> None:
    """`a and b`: each part with its values, a part not looked at said so, then the whole."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "T" total 3 rounding 2 half_up\nfact co: boolean "Có kế hoạch"\nfact ngay: date "Ngày ban hành"\n'
        'fact n: count "Số cuộc"\n1 "A": max 3\n'
        '  1.1 "Và": max 1\n    score = if co and ngay <= 2024-01-31 then max else 0\n    reason "r"\n'
        '  1.2 "Hoặc": max 1\n    score = if n >= 4 or (co and not n = 0) then max else 0\n    reason "r"\n'
        '  1.3 "Dừng sớm": max 1\n    score = if not co and n > 1 then max else 0\n    reason "r"\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("co: có\nngay: 25/01/2024\nn: 2\n", encoding="utf-8")
    out = cchc("explain", rules, facts, "1").stdout
    assert (
        "điều kiện `co and ngay <= 2024-01-31`: co có; 25/01/2024 ≤ 31/01/2024 đúng: cả điều kiện đúng → lấy `max`"
    ) in out
    assert (
        "điều kiện `n >= 4 or (co and not n = 0)`: 2 ≥ 4 không đúng; (co có; `not n = 0` đúng): "
        "cả điều kiện đúng → lấy `max`"
    ) in out
    assert (
        "điều kiện `not co and n > 1`: `not co` không đúng; `n > 1` không cần xét: cả điều kiện không đúng → lấy `0`"
        in out
    )


def test_explain_with_an_appraisal_explains_the_round_in_force() -> None:
    """An appraiser gives the appraisal file: the last round is explained, and each round's figure,
    the changed fact's value in every round, and the appraisers' note are beside the derivation."""
    appraisal = FACTS_THANH_THUY.parent / "tham-dinh.yaml"
    run = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "7.2.2")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("Vòng: Thẩm định vòng 2 (vòng 3 trong 3; chọn vòng khác bằng --round)\n\n7.2.2 ")
    assert "  Điểm: 2,223/3 (mất 0,777)\n" in out  # 3 × 1300/1754, not the commune's 1340
    assert "  Các vòng: Tự đánh giá 2,292 → Thẩm định vòng 1 2,223 → Thẩm định vòng 2 2,223\n" in out
    assert "      các vòng: Tự đánh giá 1340 → Thẩm định vòng 1 1300 → Thẩm định vòng 2 1300\n" in out
    assert "kiểm chứng: Biên bản thẩm định số 12/BB-TĐ (minh hoạ)" in out  # the appraisers' evidence
    assert "  Ghi chú (Thẩm định vòng 1): Số liệu của xã chưa khớp" in out
    assert out.count("các vòng:") == 1  # the total of documents did not change: no line for it

    first = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "1.4.2", "--round", "1").stdout
    assert first.startswith("Vòng: Tự đánh giá (vòng 1 trong 3;")
    assert "Điểm: 1/1\n" in first and "Các vòng" not in first and "Ghi chú" not in first
    named = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "1.4.2", "--round", "thẩm định vòng 1").stdout
    assert "  Các vòng: Tự đánh giá 1 → Thẩm định vòng 1 0,5\n" in named
    assert "Thẩm định vòng 2" not in named.split("\n", 1)[1]  # later rounds are not the reader's question

    alone = cchc("explain", RULES_2023, FACTS_THANH_THUY, "7.2.2").stdout
    assert not alone.startswith("Vòng") and "Các vòng" not in alone  # one round: as before

    wrong = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "7.2.2", "--round", "7")
    assert wrong.returncode == 1 and "[F004]" in wrong.stderr and "3 (Thẩm định vòng 2)" in wrong.stderr


def test_explain_lays_a_tiers_rows_out_under_its_formula() -> None:
    run = cchc("explain", RULES_2023, FACTS_THANH_THUY, "3")  # 3.3.3, two levels down, is a tier
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith("score = tier ty_le_lien_thong"))
    formula_pad = len(lines[at]) - len(lines[at].lstrip())
    rows = lines[at + 1 : at + 5]
    assert [row.strip() for row in rows] == [
        "when >= 100%: max",
        "when from 75% to under 100%: 0.75",
        "when from 50% to under 75%: 0.5",
        "otherwise: 0",
    ]
    assert {len(row) - len(row.lstrip()) for row in rows} == {formula_pad + 4}
    assert lines[at + 5].strip() == "Dữ kiện:"


def test_a_step_shows_an_expression_written_over_several_lines_on_one(tmp_path: Path) -> None:
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "Thử"\n  total 1\n  rounding 3 half_up\nfact b: count "B"\nfact c: count "C"\n'
        '1 "Một": max 1\n1.1 "Hai": max 1\n  score = max *\n    ratio(b,   # "#" trong chuỗi của chú thích\n'
        "          b + c, zero: zero)\n",
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("b: 3\nc: 1\n", encoding="utf-8")
    run = cchc("explain", rules, facts, "1.1")
    assert run.returncode == 0, run.stderr
    assert "    - ratio(b, b + c, zero: zero) = 3/4 = 0,75 (dòng 9)\n" in run.stdout


def test_a_penalty_is_explained_and_reported_by_what_it_takes_off(tmp_path: Path) -> None:
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "Thử"\n  total 3\n  rounding 3 half_up\nfact k: count "Số vụ vi phạm" unit "vụ"\n'
        '1 "Một": max 3\n  score = max\npenalty vp "Vi phạm": max 2\n  score = min(max, 0.5 * k)\n'
        '  reason "Có {k} vụ"\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    for k, shown, summary in (
        (0, "Điểm trừ: 0/2\n", "Điểm trừ (Vi phạm): 0 điểm/2 điểm.\n"),
        (1, "Điểm trừ: 0,5/2 (mất 0,5)\n", "Điểm trừ (Vi phạm): 0,5 điểm/2 điểm. Lý do: Có 1 vụ.\n"),
    ):
        facts.write_text(f"k: {k}\n", encoding="utf-8")
        run = cchc("explain", rules, facts, "vp")
        assert run.returncode == 0, run.stderr
        assert f"  {shown}" in run.stdout
        assert ("Lý do mất điểm: Có 1 vụ" in run.stdout) == (k == 1)
        assert cchc("eval", rules, facts).stdout.endswith(summary)
        report = cchc("report", rules, facts).stdout
        assert ("Điểm trừ (Vi phạm): 0,5 điểm. Lý do: Có 1 vụ." in report) == (k == 1), report
    rules.write_text(rules.read_text(encoding="utf-8").replace('"Có {k} vụ"', '"Có {k} vụ."'), encoding="utf-8")
    assert cchc("eval", rules, facts).stdout.endswith("Lý do: Có 1 vụ.\n")  # one full stop, not two


def test_explain_says_a_referenced_criterion_does_not_apply(tmp_path: Path) -> None:
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "Thử"\n  total 3\n  rounding 3 half_up\nfact n: count "Số dự án"\nfact co: boolean "Có"\n'
        '1 "Một": max 3\n1.1 "Dự án": max 1\n  score = max\n  na when n = 0: exclude\n'
        '1.2 "Có": max 1\n  score = if co then max else 0\n  na when n = 0: full\n  reason "Không"\n'
        '1.3 "Theo 1.1 và 1.2": max 1\n  score = if [1.1] + [1.2] >= 2 then max else 0\n  reason "Chưa đủ"\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("n: 0\nco: không\n", encoding="utf-8")
    run = cchc("explain", rules, facts, "1.3")
    assert run.returncode == 0, run.stderr
    # [1.1] = 0 alone read as a score of 0; it is 0 because 1.1 does not apply
    assert (
        "Tiêu chí được tham chiếu: [1.1] = 0 (không áp dụng, loại khỏi điểm tối đa: tính 0), "
        "[1.2] = 1 (không áp dụng, tính đủ điểm)"
    ) in run.stdout


KHONG_AP_DUNG = FIXTURES / "properties" / "khong-ap-dung.cchc"
KHONG_AP_DUNG_FACTS = """unit: "Xã Thanh Thủy"
facts:
  co_von: không
  co_dat: có
  thu_dat: 900
  du_toan_dat: 1000
  co_cong_trinh: không
  can_bo: 20
  ho_so: 1935
  tra_lai: 2
  lien_thong: 0
  doi_thoai: 2
"""


def test_facts_only_a_criterion_that_does_not_apply_reads_may_be_left_out(tmp_path: Path) -> None:
    """No public investment (`co_von: không`): 1.1 does not apply, and its two figures are not asked for;
    neither are the delayed works of 1.3 nor the on-time files of 2.2 (no inter-agency files)."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(KHONG_AP_DUNG_FACTS, encoding="utf-8")
    done = cchc("eval", KHONG_AP_DUNG, facts)
    assert (done.returncode, done.stderr) == (0, "")
    assert "Tổng điểm tự đánh giá: 9,497 điểm/16 điểm, đạt 59,36%."  # 3 + 1,5 + 2 + 2,997 + 0 in done.stdout
    explained = cchc("explain", KHONG_AP_DUNG, facts, "1.1")
    assert explained.returncode == 0, explained.stderr
    assert "Điểm: 3/3 [không áp dụng]" in explained.stdout
    assert "điều kiện không áp dụng thoả mãn: na when not co_von: full" in explained.stdout
    as_json = json.loads(cchc("eval", "--format", "json", KHONG_AP_DUNG, facts).stdout)
    assert as_json["nodes"]["1.1"]["status"] == "n_a"
    assert not {"ke_hoach", "giai_ngan", "cong_trinh_cham", "lien_thong_dung_han"} & set(as_json["facts"])
    # Ranked from JSON lines, beside a commune that gives them: the same score.
    given = yaml.safe_load(KHONG_AP_DUNG_FACTS)["facts"]
    other = {**given, "co_von": True, "ke_hoach": 100, "giai_ngan": 100}
    lines = tmp_path / "units.jsonl"
    units = (("A", given), ("B", other))
    lines.write_text("".join(json.dumps({"unit": u, "facts": f}) + "\n" for u, f in units), encoding="utf-8")
    ranked = cchc("rank", KHONG_AP_DUNG, lines, "-o", tmp_path / "rank.csv")
    assert ranked.returncode == 0, ranked.stderr
    rows = (tmp_path / "rank.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[1:4] for row in rows[1:]] == [["A", "", "9.497"], ["B", "", "9.497"]]


def test_a_fact_left_out_of_a_criterion_that_applies_is_still_missing(tmp_path: Path) -> None:
    """With public investment the figures of 1.1 are needed: named, and only they (1.3 still does not apply)."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(KHONG_AP_DUNG_FACTS.replace("co_von: không", "co_von: có"), encoding="utf-8")
    done = cchc("eval", KHONG_AP_DUNG, facts)
    assert done.returncode == 1
    assert "lỗi [F002]: " in done.stderr and "thiếu 2 dữ kiện:" in done.stderr
    assert "  - ke_hoach: Vốn đầu tư công giao trong kế hoạch năm (dùng ở 1.1)" in done.stderr
    assert "  - giai_ngan: Vốn đầu tư công đã giải ngân (dùng ở 1.1)" in done.stderr
    assert "cong_trinh_cham" not in done.stderr and "Traceback" not in done.stderr
    # A `na when` condition's own fact is always needed: it decides what applies.
    facts.write_text(KHONG_AP_DUNG_FACTS.replace("  co_von: không\n", ""), encoding="utf-8")
    done = cchc("eval", KHONG_AP_DUNG, facts)
    assert done.returncode == 1
    assert "thiếu 3 dữ kiện:" in done.stderr and "  - co_von: " in done.stderr


def test_explain_unknown_id_suggests() -> None:
    run = cchc("explain", RULES_2023, FACTS_THANH_THUY, "7.2.9")
    assert run.returncode == 1
    assert "7.2.9" in run.stderr and "có phải" in run.stderr
    assert "Traceback" not in run.stderr


def test_check_clean_rule_set() -> None:
    run = cchc("check", RULES_2023)
    assert run.returncode == 0, run.stderr
    assert "hợp lệ" in run.stdout


def test_check_bad_rule_set_exits_1_with_position() -> None:
    bad = FIXTURES / "check" / "bad" / "E110_undefined_fact.cchc"
    run = cchc("check", bad)
    assert run.returncode == 1
    assert "E110_undefined_fact.cchc:4:14" in run.stderr
    assert "^" in run.stderr and "doi_thoai" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_check_json_format() -> None:
    bad = FIXTURES / "check" / "bad" / "E123_children_do_not_add_up.cchc"
    run = cchc("check", bad, "--format", "json")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert data["ok"] is False
    assert data["diagnostics"][0]["code"] == "E123"


def test_check_several_rule_sets_each_on_its_own() -> None:
    """`cchc check rules/*/*.cchc`: every rule set checked, each as if alone; one bad one fails the run."""
    bad = FIXTURES / "check" / "bad" / "E110_undefined_fact.cchc"
    rules_2024 = RULES_2023.with_name("2024.cchc")
    run = cchc("check", RULES_2023, rules_2024)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith(f"{RULES_2023}: hợp lệ") and lines[1].startswith(f"{rules_2024}: hợp lệ")
    assert lines[2] == "2 bộ quy tắc: 2 hợp lệ, 0 không đạt"
    run = cchc("check", bad, RULES_2023)
    assert run.returncode == 1
    assert "E110_undefined_fact.cchc:4:14" in run.stderr and f"{bad}: không đạt (1 lỗi, 0 cảnh báo)" in run.stderr
    assert f"{RULES_2023}: hợp lệ" in run.stdout  # the bad one first does not stop the good one
    assert run.stderr.endswith("2 bộ quy tắc: 1 hợp lệ, 1 không đạt\n")
    run = cchc("check", RULES_2023, bad, "--format", "json")
    assert run.returncode == 1 and run.stderr == ""
    data = json.loads(run.stdout)
    assert data["ok"] is False
    assert [(s["rules"], s["ok"]) for s in data["rule_sets"]] == [(str(RULES_2023), True), (str(bad), False)]
    assert [d["code"] for d in data["rule_sets"][1]["diagnostics"]] == ["E110"]


@pytest.mark.parametrize(("text", "code"), [('ruleset "T\n', "E001"), (None, "E000")])
def test_check_json_reports_unreadable_and_unparsable_files_too(tmp_path: Path, text: str | None, code: str) -> None:
    path = tmp_path / "r.cchc"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    run = cchc("check", path, "--format", "json")
    assert run.returncode == 1 and run.stderr == ""
    data = json.loads(run.stdout)
    assert data["ok"] is False and [d["code"] for d in data["diagnostics"]] == [code]
    plain = cchc("check", path)
    assert plain.stderr.endswith(f"{path}: không đạt (1 lỗi, 0 cảnh báo)\n")


def test_check_strict_fails_on_warnings() -> None:
    path = FIXTURES / "check" / "good" / "warnings_only.cchc"
    assert cchc("check", path).returncode == 0
    assert cchc("check", path, "--strict").returncode == 1


@pytest.mark.parametrize("path", sorted((FIXTURES / "parse" / "bad").glob("*.cchc")), ids=lambda p: p.stem)
def test_syntax_errors_exit_1_without_traceback(path: Path) -> None:
    run = cchc("check", path)
    assert run.returncode == 1
    assert f"{path.name}:" in run.stderr and "^" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_bad_facts_exit_1_with_position(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    text = FACTS_THANH_THUY.read_text(encoding="utf-8").replace("value: 1340", "value: 1340.5")
    facts.write_text(text, encoding="utf-8")
    run = cchc("eval", RULES_2023, facts)
    assert run.returncode == 1
    assert "ho_so_truc_tuyen_den_31_10" in run.stderr
    assert "facts.yaml:" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_facts_are_all_named_at_once(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("doi_thoai: 2\n", encoding="utf-8")
    run = cchc("eval", RULES_2023, facts)
    assert run.returncode == 1
    assert "thiếu 44 dữ kiện" in run.stderr
    assert "co_sang_kien" in run.stderr and "ho_so_tong_den_31_10" in run.stderr


def test_missing_files_exit_1() -> None:
    run = cchc("eval", "khong-co.cchc", FACTS_THANH_THUY)
    assert run.returncode == 1 and "khong-co.cchc" in run.stderr
    run = cchc("eval", RULES_2023, "khong-co.yaml")
    assert run.returncode == 1 and "khong-co.yaml: không đọc được tệp: không có tệp hay thư mục này" in run.stderr
    assert "No such file" not in run.stderr  # the system's words, said in Vietnamese


def test_a_mistyped_path_is_told_what_is_there(tmp_path: Path) -> None:
    """A name typed from memory (`.yml`, `fact.yaml`, a folder without its year) gets the closest one that
    exists, the whole path mended; a folder that is not there at all is named."""
    (tmp_path / "cac-xa-2023").mkdir()
    (tmp_path / "cac-xa-2023" / "facts.yaml").write_text(FACTS_THANH_THUY.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "cac-xa-2023" / "cac-xa.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "2023.cchc").write_text(RULES_2023.read_text(encoding="utf-8"), encoding="utf-8")
    cases = [
        (("eval", RULES_2023, tmp_path / "cac-xa-2023" / "fact.yml"), tmp_path / "cac-xa-2023" / "facts.yaml"),
        (("eval", RULES_2023, tmp_path / "cac-xa" / "facts.yaml"), tmp_path / "cac-xa-2023" / "facts.yaml"),
        (("eval", tmp_path / "2023.ccch", tmp_path / "cac-xa-2023" / "facts.yaml"), tmp_path / "2023.cchc"),
        (("rank", RULES_2023, tmp_path / "cac-xa-2023" / "cac-xa.json", "-o", tmp_path / "r.csv"), None),
        (("fmt", "--check", tmp_path / "2023.ccch"), tmp_path / "2023.cchc"),
    ]
    for args, meant in cases:
        run = cchc(*args)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
        said = meant if meant is not None else tmp_path / "cac-xa-2023" / "cac-xa.jsonl"
        assert f"    gợi ý: có phải ý bạn là `{said}`?" in run.stderr, run.stderr
    run = cchc("eval", RULES_2023, tmp_path / "khong-co" / "x" / "facts.yaml")
    assert f"    gợi ý: không có thư mục `{tmp_path / 'khong-co'}`" in run.stderr, run.stderr
    run = cchc("eval", RULES_2023, tmp_path / "hoan-toan-khac.yaml")
    assert "gợi ý" not in run.stderr, run.stderr  # nothing close: no guess


@pytest.mark.parametrize(
    ("given", "said"),
    [
        # slips: suffix, case, a letter or two, a swap, a name cut short at a separator, folder and file at once
        ("cac-xa-2023/facts.yml", "có phải ý bạn là `cac-xa-2023/facts.yaml`?"),
        ("cac-xa-2023/Facts.yaml", "có phải ý bạn là `cac-xa-2023/facts.yaml`?"),
        ("cac-xa-2023/xa-an-lap.yaml", "có phải ý bạn là `cac-xa-2023/xa-an-lac.yaml`?"),
        ("cac-xa/fact.yml", "có phải ý bạn là `cac-xa-2023/facts.yaml`?"),
        # another commune's file is not a slip; nor is a file named like several others
        ("cac-xa-2023/xa-thanh-binh.yaml", ""),
        ("cac-xa-2023/bao-cao-3.yaml", ""),
        # another year: said as such, not as "did you mean"
        ("cac-xa-2024/facts.yaml", "tên gần nhất là `cac-xa-2023/facts.yaml`, khác ở phần số: kiểm tra lại năm"),
        ("cac-xa-2023/thanh-thuy-2024.yaml", "tên gần nhất là `cac-xa-2023/thanh-thuy-2023.yaml`, khác ở phần số"),
        # a facts file is a file: a folder of a close name is not offered; a broken link is not offered as itself
        ("facts", ""),
        ("lien-ket.yaml", ""),
        # the folder meant is there, the file is not
        (
            "cac-xa/khong-co.yaml",
            "không có thư mục `cac-xa`; có `cac-xa-2023`, nhưng trong đó không có `khong-co.yaml`",
        ),
        ("khong-co/x.yaml", "không có thư mục `khong-co`"),
        # paths written for another shell or system
        ("cac-xa-2023\\facts.yaml", "đường dẫn dùng `/`, không dùng `\\`: viết `cac-xa-2023/facts.yaml`"),
        ("cac-xa-2023\\fact.yaml", "đường dẫn dùng `/`, không dùng `\\`; có phải ý bạn là `cac-xa-2023/facts.yaml`?"),
        ("~/cac-xa-2023/facts.yaml", "`~` chỉ được hiểu là thư mục nhà khi không nằm trong dấu nháy; viết `/"),
        ("~/cac-xa-2023/fact.yml", "`~` chỉ được hiểu là thư mục nhà khi không nằm trong dấu nháy; có phải ý bạn là"),
        ("~/khong-co-dau.yaml", ""),  # not there either way: no path is offered that is not there
        ("~khong-ai/x.yaml", ""),  # another user's home, who does not exist: no hint, no crash
        # another year whatever the case; the same name with its tone marks stored apart (a Mac's NFD)
        ("Cac-xa-2024/facts.yaml", "tên gần nhất là `cac-xa-2023/facts.yaml`, khác ở phần số"),
        ("Thủy-2023/facts.yaml", "có `Thủy-2023/facts.yaml`, nhưng tên trên đĩa lưu dấu tiếng Việt theo cách khác"),
        # a name of one letter is no slip of another; a link looping on itself spoils no other candidate
        ("a/c/facts.yaml", "không có thư mục `a/c`"),
    ],
)
def test_a_missing_facts_path_gets_a_hint_only_for_a_slip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, said: str
) -> None:
    from cchc_rules.facts import FACTS_SUFFIXES
    from cchc_rules.paths import missing_path_hint

    folder = tmp_path / "cac-xa-2023"
    folder.mkdir()
    for name in (
        "facts.yaml",
        "xa-an-lac.yaml",
        "xa-thanh-son.yaml",
        "thanh-thuy-2023.yaml",
        "bao-cao-1.yaml",
        "bao-cao-2.yaml",
    ):
        (folder / name).write_text("", encoding="utf-8")
    (tmp_path / "facts.d").mkdir()
    (tmp_path / "lien-ket.yaml").symlink_to(tmp_path / "da-xoa.yaml")
    (tmp_path / "vong").symlink_to(tmp_path / "vong")
    (tmp_path / unicodedata.normalize("NFD", "Thủy-2023")).mkdir()
    (tmp_path / unicodedata.normalize("NFD", "Thủy-2023") / "facts.yaml").write_text("", encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    hint = unicodedata.normalize("NFC", missing_path_hint(given, FACTS_SUFFIXES, files_only=True))
    assert hint.startswith(said) if said else hint == "", hint


def test_a_path_hint_never_fails_and_never_takes_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hint is an extra: a folder that cannot be read, or one too big to look through, gives none."""
    import cchc_rules.paths as paths

    for n in range(11):
        (tmp_path / f"{n}.json").write_text("", encoding="utf-8")
    (tmp_path / "facts.yaml").write_text("", encoding="utf-8")
    assert paths.missing_path_hint(tmp_path / "fact.yaml", (".yaml",)) == f"có phải ý bạn là `{tmp_path}/facts.yaml`?"
    monkeypatch.setattr(paths, "MAX_ENTRIES", 10)
    assert paths.missing_path_hint(tmp_path / "fact.yaml", (".yaml",)) == ""

    def refused(path: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", refused)
    assert paths.missing_path_hint(tmp_path / "khong-co" / "x.yaml", (".yaml",)) == ""
    assert paths.missing_path_hint(tmp_path / ("a" * 300) / "x.yaml") == ""


@pytest.mark.parametrize(
    "args",
    [(), ("eval",), ("eval", "a.cchc"), ("bogus",), ("eval", "a", "b", "--format", "xml")],
    ids=["no-command", "eval-no-args", "eval-one-arg", "unknown-command", "bad-format"],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    run = cchc(*args)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("evl",), "tham số LỆNH: không có `evl`; chọn một trong: `check`, `eval`,"),
        (("evl",), "gợi ý: có phải ý bạn là `eval`?"),
        (("eval", "a.cchc"), "cchc eval: lỗi cách dùng: thiếu tham số bắt buộc: FACTS"),
        # An unknown option is said by the command, under its own usage line (`cách dùng: cchc check ...`).
        (("check", "a.cchc", "--formt", "json"), "\ncchc check: lỗi cách dùng: không hiểu tham số: --formt json"),
        (("check", "a.cchc", "--formt"), "cách dùng: cchc check [-h]"),
        (("--bogus",), "cchc: lỗi cách dùng: không hiểu tham số: --bogus"),
        # a command's option put before the command: said by the top parser, with where it goes
        (
            ("--strict", "check", "a.cchc"),
            "\ncchc: lỗi cách dùng: không hiểu tham số: --strict\n"
            "    gợi ý: tuỳ chọn của lệnh phải đặt sau tên lệnh: `cchc check --strict …`\n",
        ),
        (("--strict=1", "check", "a.cchc"), "gợi ý: tuỳ chọn của lệnh phải đặt sau tên lệnh: `cchc check --strict …`"),
        (("--format=json", "check", "a"), "đặt sau tên lệnh: `cchc check --format=json …`"),
        (("--bogus", "check", "a.cchc"), "\ncchc: lỗi cách dùng: không hiểu tham số: --bogus\n"),
        # an option with its value: argparse took `json` for the command
        (
            ("--format", "json", "check", "a.cchc"),
            "    gợi ý: tuỳ chọn của lệnh phải đặt sau tên lệnh: `cchc check --format json …`\n",
        ),
        (("-o", "x.json", "eval", "a", "b"), "gợi ý: tuỳ chọn của lệnh phải đặt sau tên lệnh: `cchc eval -o x.json …`"),
        (("eval", "a.cchc", "b.yaml", "-o", ""), "cchc eval: lỗi cách dùng: tham số -o/--output: tên tệp trống"),
        (("docs", "a.cchc", "-o", ""), "cchc docs: lỗi cách dùng: tham số -o/--output: tên thư mục trống"),
        (
            ("table", "a.cchc", "b.yaml", "-o", " "),
            "cchc table: lỗi cách dùng: tham số -o/--output: tên tệp chỉ có dấu cách",
        ),
        (("eval", "a.cchc", "b.yaml", "-o", "-"), "`-` không phải màn hình ở đây mà sẽ là một tệp tên `-`"),
        (("eval", "a.cchc", "b.yaml", "-o", "-"), "gợi ý: để in ra màn hình, bỏ `-o`"),
        (("rank", "a.cchc", "b.jsonl", "-o", "-"), "gợi ý: để in ra màn hình, dùng `-o /dev/stdout`"),
        (("check", "a.cchc", "--format"), "tham số --format cần một giá trị"),
        (("show", "a.cchc", "invalid choice"), "không hiểu tham số: invalid choice"),  # argparse's words, typed
        (("check", "a.cchc", "--strict=1"), "tham số --strict không nhận giá trị: bỏ `=1`"),
        # a misspelt option of the command: the closest of its own
        (("check", "--strcit", "a.cchc"), "không hiểu tham số: --strcit\n    gợi ý: có phải ý bạn là `--strict`?\n"),
        (("eval", "a.cchc", "b.yaml", "--fromat", "json"), "gợi ý: có phải ý bạn là `--format`?"),
    ],
)
def test_usage_errors_are_in_vietnamese(args: tuple[str, ...], said: str) -> None:
    run = cchc(*args)
    assert run.returncode == 2 and run.stderr.startswith("cách dùng: cchc")
    assert said in run.stderr, run.stderr


def test_help_is_in_vietnamese() -> None:
    run = cchc("check", "--help")
    assert run.returncode == 0
    assert run.stdout.startswith("cách dùng: cchc check")
    assert "\ntham số:\n" in run.stdout and "\ntuỳ chọn:\n" in run.stdout
    assert "-h, --help            in hướng dẫn này rồi thoát" in run.stdout
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in run.stdout


def test_the_output_file_name_sets_the_format(tmp_path: Path) -> None:
    """`-o bang.docx` writes Word, `-o ket-qua.json` JSON: the file is what its name says."""
    table = tmp_path / "bang.docx"
    assert cchc("table", RULES_2023, FACTS_THANH_THUY, "-o", table).returncode == 0
    assert zipfile.ZipFile(table).namelist().count("word/document.xml") == 1
    result = tmp_path / "ket-qua.json"
    assert cchc("eval", RULES_2023, FACTS_THANH_THUY, "-o", result).returncode == 0
    assert json.loads(result.read_text(encoding="utf-8"))["score"] == "66.245"
    page = tmp_path / "bao-cao.html"
    assert cchc("report", RULES_2023, FACTS_THANH_THUY, "-o", page).returncode == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    text = tmp_path / "ket-qua.txt"  # a name the command has no format for: the default
    assert cchc("eval", RULES_2023, FACTS_THANH_THUY, "-o", text).returncode == 0
    assert text.read_text(encoding="utf-8").startswith("Chỉ số")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("report", "--format", "md", "-o", "bao-cao.docx"), "--format md nhưng tệp `bao-cao.docx` có đuôi .docx"),
        (("table", "-o", "bang.csv"), "không ghi được tệp .csv (`bang.csv`); dùng .xlsx, .docx"),
        (("eval", "-o", "ket-qua.docx"), "không ghi được tệp .docx (`ket-qua.docx`); dùng .txt, .json, .html"),
    ],
)
def test_a_format_the_file_name_contradicts_is_a_usage_error(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    command, *options = args
    run = cchc(command, RULES_2023, FACTS_THANH_THUY, *options, cwd=tmp_path)
    assert run.returncode == 2 and f"cchc {command}: lỗi cách dùng: {said}" in run.stderr, run.stderr
    assert run.stderr.startswith(f"cách dùng: cchc {command} [-h]")  # under the command's usage line
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("table", RULES_2023, FACTS_THANH_THUY), "thiếu tham số bắt buộc: -o/--output"),
        (("report", RULES_2023, FACTS_THANH_THUY, "--format", "docx"), "định dạng docx cần tệp ghi ra"),
        (("rank", RULES_2023, FACTS_THANH_THUY, "-o", "xep-hang.txt"), "không ghi được tệp .txt"),
        (("template", RULES_2023, "-o", "du-kien.xls"), "không ghi được tệp .xls (`du-kien.xls`); dùng .xlsx"),
    ],
)
def test_usage_errors_found_after_reading_the_arguments_are_said_like_argparse_s(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    """A missing `-o` or a suffix the command cannot write: said by the command, under its usage line."""
    run = cchc(*args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"cách dùng: cchc {args[0]} [-h]"), run.stderr
    assert f"\ncchc {args[0]}: lỗi cách dùng: {said}" in run.stderr, run.stderr
    assert list(tmp_path.iterdir()) == []


# ---- a file in the wrong slot ----------------------------------------------------------------------------

CLAIMS = FACTS_THANH_THUY.parent / "claims.yaml"
APPRAISAL = FACTS_THANH_THUY.parent / "tham-dinh.yaml"


@pytest.mark.parametrize(
    ("args", "more"),
    [
        (("eval", FACTS_THANH_THUY, RULES_2023), ""),
        (("explain", FACTS_THANH_THUY, RULES_2023, "1.1"), " 1.1"),
        (("report", FACTS_THANH_THUY, RULES_2023), ""),
        (("table", FACTS_THANH_THUY, RULES_2023, "-o", "bang.xlsx"), " -o bang.xlsx"),
        (("whatif", FACTS_THANH_THUY, RULES_2023), ""),
        (("audit", FACTS_THANH_THUY, RULES_2023, CLAIMS), f" {CLAIMS}"),
        (("rank", FACTS_THANH_THUY, RULES_2023, "-o", "xep-hang.csv", "--trace"), " -o xep-hang.csv --trace"),
        (("eval", FACTS_THANH_THUY, RULES_2023.parent), ""),  # a folder of rule files, as RULES takes
    ],
)
def test_rules_and_facts_swapped_is_a_usage_error_saying_so(
    tmp_path: Path, args: tuple[str | Path, ...], more: str
) -> None:
    """`cchc eval FACTS RULES`: not an E001 on the facts file's first line, but the two named, and the whole
    line as it should be typed, options included, ready to paste."""
    command, data, rules, *rest = args
    run = cchc(command, data, rules, *rest, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"cách dùng: cchc {command} [-h]"), run.stderr
    slot = "INPUT" if command == "rank" else "FACTS"
    said = f"lỗi cách dùng: có vẻ RULES và {slot} bị đổi chỗ: RULES là `{data}` (tệp dữ liệu YAML), {slot} là `{rules}`"
    assert said in run.stderr, run.stderr
    assert "gợi ý: tệp quy tắc (.cchc) đứng trước, " in run.stderr, run.stderr
    assert f"`cchc {command} {rules} {data}{more}`\n" in run.stderr, run.stderr
    assert "E001" not in run.stderr and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("check", FACTS_THANH_THUY), f"RULES là `{FACTS_THANH_THUY}`, một tệp dữ liệu YAML"),
        (("show", CLAIMS), f"RULES là `{CLAIMS}`, một tệp dữ liệu YAML"),
        (("eval", FACTS_THANH_THUY, FACTS_THANH_THUY), f"RULES là `{FACTS_THANH_THUY}`, một tệp dữ liệu YAML"),
        (("diff", FACTS_THANH_THUY, RULES_2023), f"OLD là `{FACTS_THANH_THUY}`, một tệp dữ liệu YAML"),
        (("eval", RULES_2023, RULES_2023), f"FACTS là `{RULES_2023}`, một tệp quy tắc, không phải tệp dữ kiện"),
        (
            ("audit", RULES_2023, FACTS_THANH_THUY, RULES_2023),
            f"CLAIMS là `{RULES_2023}`, một tệp quy tắc, không phải tệp điểm tự khai",
        ),
        (
            ("diff", RULES_2023, RULES_2023, "--facts", RULES_2023),
            f"--facts là `{RULES_2023}`, một tệp quy tắc, không phải tệp dữ kiện",
        ),
    ],
)
def test_a_file_in_the_wrong_slot_is_a_usage_error_naming_what_it_is(
    tmp_path: Path, args: tuple[str | Path, ...], said: str
) -> None:
    run = cchc(*args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"cách dùng: cchc {args[0]} [-h]"), run.stderr
    assert f"\ncchc {args[0]}: lỗi cách dùng: {said}" in run.stderr, run.stderr
    assert "\n    gợi ý: " in run.stderr and "F001" not in run.stderr and "E001" not in run.stderr


@pytest.mark.parametrize("command", ["eval", "whatif", "explain"])
def test_a_claims_file_given_as_facts_is_said_to_be_one(command: str) -> None:
    """The claims file where the facts go: said where its first score is, with the command it is for."""
    run = cchc(command, RULES_2023, CLAIMS, *(["1.1"] if command == "explain" else []))
    assert run.returncode == 1, run.stderr
    assert (
        f"{CLAIMS}:7:1: lỗi [F001]: tệp này là tệp điểm tự khai (claims: có `total`, `areas`, `deductions`), "
        "không phải tệp dữ kiện\n    total:" in run.stderr
    ), run.stderr
    assert "gợi ý: tệp điểm tự khai dùng với `cchc audit RULES FACTS CLAIMS`, đặt sau tệp dữ kiện" in run.stderr


def test_claims_and_facts_swapped_in_audit_are_said_so(tmp_path: Path) -> None:
    """Read as claims, the facts file only had a key the claims do not know (`facts`); the facts slot is read
    first and says what it holds. A JSON claims file is told apart the same way."""
    run = cchc("audit", RULES_2023, CLAIMS, FACTS_THANH_THUY)
    assert run.returncode == 1
    assert f"{CLAIMS}:7:1: lỗi [F001]: tệp này là tệp điểm tự khai" in run.stderr, run.stderr
    assert "khoá lạ `facts`" not in run.stderr
    claims = tmp_path / "khai.json"
    claims.write_text('{\n  "unit": "X",\n  "deductions": [{"node": "1.1", "lost": 1}]\n}\n', encoding="utf-8")
    run = cchc("eval", RULES_2023, claims)
    assert run.returncode == 1
    assert f"{claims}:3:3: lỗi [F001]: tệp này là tệp điểm tự khai (claims: có `deductions`)" in run.stderr


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("eval", f"đặt nó sau tệp dữ kiện đủ của đơn vị (tệp tự đánh giá): `cchc eval RULES FACTS {APPRAISAL}`"),
        ("explain", f"(tệp tự đánh giá): `cchc explain RULES FACTS {APPRAISAL} ID`"),
        ("whatif", f"(tệp tự đánh giá): `cchc whatif RULES FACTS {APPRAISAL}`"),
        ("audit", "`cchc audit` cần tệp dữ kiện đủ của đơn vị (tệp tự đánh giá)"),
    ],
)
def test_an_appraisal_file_given_alone_is_said_to_be_one(command: str, said: str) -> None:
    """It names its round and writes only the facts it changes: the hint says where it goes, not "add these
    43 facts"."""
    rest = {"explain": ["1.1"], "audit": [CLAIMS]}.get(command, [])
    run = cchc(command, RULES_2023, APPRAISAL, *rest)
    assert run.returncode == 1, run.stderr
    assert "lỗi [F002]" in run.stderr and "thiếu 43 dữ kiện" in run.stderr, run.stderr
    hint = run.stderr.split("\n    gợi ý: ")[-1]
    assert hint.startswith("tệp có `round: Thẩm định vòng 1`: có vẻ là tệp thẩm định, chỉ ghi các dữ kiện được sửa")
    assert said in hint, hint
    assert "nếu đúng là tệp tự đánh giá: thêm các dữ kiện này vào tệp" in hint


def test_a_whole_facts_file_that_names_its_round_is_read_as_before(tmp_path: Path) -> None:
    """`round:` alone does not make an appraisal file: a file with every fact is evaluated; one that lacks a
    fact without naming a round keeps the plain hint."""
    named = tmp_path / "vong-1.yaml"
    named.write_text(
        FACTS_THANH_THUY.read_text(encoding="utf-8").replace("year: 2023\n", 'year: 2023\nround: "Vòng 1"\n', 1),
        encoding="utf-8",
    )
    assert cchc("eval", RULES_2023, named).returncode == 0
    lacking = tmp_path / "thieu.yaml"
    lacking.write_text("facts:\n  doi_thoai: 2\n", encoding="utf-8")
    run = cchc("eval", RULES_2023, lacking)
    assert run.returncode == 1 and "lỗi [F002]" in run.stderr and "tệp thẩm định" not in run.stderr


def test_output_file_is_written_and_inputs_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "ket-qua.json"
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json", "-o", out)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["score"] == "66.245"
    facts = tmp_path / "facts.yaml"
    facts.write_bytes(FACTS_THANH_THUY.read_bytes())
    run = cchc("eval", RULES_2023, facts, "-o", facts)
    assert run.returncode == 1
    assert facts.read_bytes() == FACTS_THANH_THUY.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_no_command_overwrites_a_file_the_rule_set_extends_or_a_unit_of_an_input_folder(tmp_path: Path) -> None:
    rules = tmp_path / "rules" / "x"
    rules.mkdir(parents=True)
    for year in ("2023", "2024"):
        (rules / f"{year}.cchc").write_bytes((RULES_2023.parent / f"{year}.cchc").read_bytes())
    last_year = rules / "2023.cchc"
    before = last_year.read_bytes()
    for args in (
        ("eval", rules / "2024.cchc", FACTS_THANH_THUY),
        ("report", rules / "2024.cchc", FACTS_THANH_THUY),
        ("template", rules / "2024.cchc"),
    ):
        run = cchc(*args, "-o", last_year)
        assert run.returncode == 1 and "không ghi đè lên tệp đầu vào" in run.stderr, (args, run.stderr)
    assert last_year.read_bytes() == before
    units = tmp_path / "xa"
    units.mkdir()
    commune = units / "thanh-thuy.yaml"
    commune.write_bytes(FACTS_THANH_THUY.read_bytes())
    run = cchc("rank", RULES_2023, units, "-o", commune, "--format", "csv")
    assert run.returncode == 1 and "không ghi đè lên tệp đầu vào" in run.stderr
    assert commune.read_bytes() == FACTS_THANH_THUY.read_bytes()
    run = cchc("rank", RULES_2023, units, "-o", units / "xep-hang.json")  # would be read as a unit next time
    assert run.returncode == 1 and "sẽ bị đọc như dữ liệu vào" in run.stderr
    assert sorted(p.name for p in units.iterdir()) == ["thanh-thuy.yaml"]
    assert cchc("rank", RULES_2023, units, "-o", units / "xep-hang.csv").returncode == 0  # never read: fine


def test_help_is_vietnamese() -> None:
    run = cchc("--help")
    assert run.returncode == 0
    assert "Chấm điểm" in run.stdout


def test_a_reader_that_stops_early_is_not_an_internal_error() -> None:
    """`cchc eval ... | head`: the pipe closes before the 130 KB of JSON are written (it was exit 70, a "bug")."""
    env = {k: v for k, v in os.environ.items() if k != "CCHC_DEBUG"}
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cchc_rules",
            "eval",
            str(RULES_2023),
            str(FACTS_THANH_THUY),
            "--format",
            "json",
            "--trace",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.close()  # as `head` does once it has its lines: here before the first, so that it always fails
    errors = writer.stderr.read().decode("utf-8")
    assert writer.wait(timeout=60) == 141, errors  # not 0: under pipefail a failing `cchc test` must not pass
    assert errors == ""


def test_explain_says_what_min_and_max_compared_and_took(tmp_path: Path) -> None:
    """`max(0.5, deduct 0.25 per x)` showed the deduction and then 0,5 with nothing between; `min(max, ...)`
    showed no step at all."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        'ruleset "T" total 4 rounding 2 half_up\nfact x: count "X"\n1 "A": max 2\n'
        '  score = max(0.5, deduct 0.25 per x)\n  reason "r"\n2 "B": max 2\n  score = 2 - min(max, 0.5 * x)\n'
        '  reason "r"\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.yaml"
    facts.write_text("x: 7\n", encoding="utf-8")
    out = cchc("explain", rules, facts, "1").stdout
    assert (
        "- trừ 0,25 × 7 (x) = 1,75 (dòng 4)\n    - max(0.5, deduct 0.25 per x) = max(0,5; 0,25) = 0,5 (dòng 4)" in out
    )
    assert "- min(max, 0.5 * x) = min(2; 3,5) = 2 (dòng 7)" in cchc("explain", rules, facts, "2").stdout


def test_explain_across_rounds_says_a_round_left_the_criterion_out(tmp_path: Path) -> None:
    """ "Tự đánh giá 2,292 → Thẩm định vòng 1 3" hid that the round found it not applicable."""
    appraisal = tmp_path / "tham-dinh.yaml"
    appraisal.write_text("facts:\n  ho_so_truc_tuyen_den_31_10: 0\n  ho_so_tong_den_31_10: 0\n", encoding="utf-8")
    out = cchc("explain", RULES_2023, FACTS_THANH_THUY, appraisal, "7.2.2").stdout
    assert "  Các vòng: Tự đánh giá 2,292 → Thẩm định vòng 1 không áp dụng, tính đủ 3\n" in out


def test_a_file_name_that_is_not_utf8_is_shown_never_a_crash(tmp_path: Path) -> None:
    """Names unpacked from a Windows-1258 zip are not UTF-8 (Python holds them as lone surrogates): messages
    give the name's bytes back, outputs hold U+FFFD, usage errors still exit 2."""
    rules = tmp_path / os.fsdecode(b"v\xe0.cchc")
    rules.write_bytes(RULES_2023.read_bytes())
    bad = tmp_path / os.fsdecode(b"Th\xe0nh.yaml")
    bad.write_text(FACTS_THANH_THUY.read_text(encoding="utf-8").replace("value: 2\n", "value: hai\n", 1))
    good = tmp_path / os.fsdecode(b"g\xe0.yaml")
    good.write_bytes(FACTS_THANH_THUY.read_bytes())

    def run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
        env = {k: v for k, v in os.environ.items() if k != "CCHC_DEBUG"}
        argv = [sys.executable, "-m", "cchc_rules", *map(str, args)]
        return subprocess.run(argv, capture_output=True, cwd=tmp_path, env=env, timeout=60)

    checked = run("check", rules)
    assert checked.returncode == 0 and b"v?.cchc: h" in checked.stdout, checked.stderr  # stdout stays UTF-8
    refused = run("eval", rules, bad)
    assert refused.returncode == 1 and b"Traceback" not in refused.stderr
    assert b"Th\xe0nh.yaml:" in refused.stderr and "`hai` không phải một số".encode() in refused.stderr
    page = run("eval", rules, good, "--format", "html", "-o", tmp_path / "trang.html")
    assert page.returncode == 0, page.stderr
    assert "v\ufffd.cchc" in (tmp_path / "trang.html").read_text(encoding="utf-8")
    assert run("check", rules, "--bogus").returncode == 2


def test_options_may_come_between_the_files(tmp_path: Path) -> None:
    """argparse reads a command's files in runs between its options: `--round 2` typed among them left
    the criterion over as "not understood". Each line here means what it would with the options last."""
    table = tmp_path / "bang.xlsx"
    for mixed, last in (
        (
            ("explain", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "--round", "2", "7.2.2"),
            ("explain", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "7.2.2", "--round", "2"),
        ),
        (
            ("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json", APPRAISAL),
            ("eval", RULES_2023, FACTS_THANH_THUY, APPRAISAL, "--format", "json"),
        ),
        (("table", RULES_2023, FACTS_THANH_THUY, "-o", table, APPRAISAL), None),
    ):
        run = cchc(*mixed)
        assert run.returncode == 0, run.stderr
        if last is not None:
            assert run.stdout == cchc(*last).stdout
    assert table.exists()
    # A word too many is said as it is with the options last.
    run = cchc("explain", RULES_2023, FACTS_THANH_THUY, "--round", "1", "7.2.2", "thừa")
    same = cchc("explain", RULES_2023, FACTS_THANH_THUY, "7.2.2", "thừa", "--round", "1")
    assert (run.returncode, run.stderr) == (same.returncode, same.stderr) and run.returncode == 1
