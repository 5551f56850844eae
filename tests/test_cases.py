"""Rule-set test cases (`*.tests.yaml`): `cchc test`, its coverage report, and the pytest plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cchc_rules.cases import read_cases, run_file, tier_rows
from cchc_rules.cli import main
from cchc_rules.ruleset import load
from tests.conftest import FACTS_THANH_THUY, ROOT, RULES_2023

RULES_2024 = RULES_2023.with_name("2024.cchc")

SMALL = """\
ruleset "Nhỏ"
  total 3
  rounding 3 half_up
fact co: boolean "Có"
fact ty_le: percent "Tỷ lệ"
1 "Lĩnh vực": max 3
1.1 "Một": max 1
  score = if co then max else 0
  reason "Không có"
1.2 "Hai": max 2
  score = tier ty_le
    when >= 80%: max
    when from 50% to under 80%: 1
    otherwise: 0
  reason "Chỉ đạt {ty_le}"
"""


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def write_cases(folder: Path, cases: str, name: str = "nho.tests.yaml") -> Path:
    """nho.cchc (SMALL) and a case file beside it."""
    (folder / "nho.cchc").write_text(SMALL, encoding="utf-8")
    path = folder / name
    path.write_text(cases, encoding="utf-8")
    return path


def pytest_run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CCHC_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
    )


# ---- the shipped cases -------------------------------------------------------------------


def test_shipped_cases_pass_and_cover_every_tier_branch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", ROOT / "rules", "--coverage")
    assert code == 0, out + err
    branches_2023, branches_2024 = len(tier_rows(load(RULES_2023))), len(tier_rows(load(RULES_2024)))
    assert (branches_2023, branches_2024) == (26, 30)  # 7.2.2 became a table of 4 rows
    assert "  Độ phủ: 26/26 bậc; 64/64 mục có giá trị mong đợi" in out
    assert "  Độ phủ: 30/30 bậc; 64/64 mục có giá trị mong đợi" in out
    assert "bậc chưa kiểm tra" not in out and "mục chưa có giá trị mong đợi" not in out
    cases = sum(len(read_cases(p).cases) for p in (ROOT / "rules").rglob("*.tests.yaml"))
    assert cases == 12
    assert out.splitlines()[-1] == f"{cases} passed, 0 failed"
    assert "✗" not in out


def test_the_first_shipped_cases_match_the_seed_report() -> None:
    """Thanh Thủy as reported: 66,245 under 2023 and 64,954 under 2024 (the seed's figures, and diff's)."""
    for path, total in (
        (RULES_2023.with_suffix(".tests.yaml"), "66.245"),
        (RULES_2024.with_suffix(".tests.yaml"), "64.954"),
    ):
        cases = read_cases(path)
        assert Path(cases.rules).resolve() == path.with_suffix("").with_suffix(".cchc").resolve()
        assert cases.cases[0].expect["total"] == total
    assert load(RULES_2023).evaluate(FACTS_THANH_THUY).score == Decimal("66.245")


# ---- `cchc test` on cases of its own -----------------------------------------------------


def test_a_failing_case_shows_expected_against_computed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(
        tmp_path,
        "cases:\n"
        "  - name: đúng\n    facts: {co: true, ty_le: 90%}\n    expect: {total: 3, '1.1': 1, '1.2': '2'}\n"
        "  - name: sai\n    facts: {co: true, ty_le: 60%}\n    expect: {total: '2,5', '1.2': 2, '1.1': 1}\n",
    )
    code, out, err = run(capsys, "test", path)
    assert code == 1, err
    lines = out.splitlines()
    assert lines[0] == f"{path} ({tmp_path / 'nho.cchc'}):"
    assert "  ✓ đúng" in lines and "  ✗ sai" in lines
    assert "      total: mong đợi 2,5, tính được 2" in lines
    assert "      1.2: mong đợi 2, tính được 1" in lines
    assert not any(line.startswith("      1.1:") for line in lines)  # only what differs
    assert lines[-1] == "1 passed, 1 failed"
    assert "Traceback" not in out + err


def test_a_case_naming_a_missing_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(
        tmp_path, "cases:\n  - name: mục lạ\n    facts: {co: true, ty_le: 90%}\n    expect: {'9.9': 1}\n"
    )
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert "      9.9: mong đợi 1, tính được (không có mục này)" in out.splitlines()


def test_an_expected_value_that_is_no_number_is_a_bad_test_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_cases(tmp_path, "cases:\n  - name: chữ\n    facts: {co: true, ty_le: 90%}\n    expect: {total: ba}\n")
    code, out, err = run(capsys, "test", path)
    assert code == 1 and out == ""
    assert "[T001]" in err and "`expect` của `chữ`: `total: ba` không phải một số" in err
    ok = write_cases(
        tmp_path,
        "rules: nho.cchc\ncases:\n  - name: phần trăm\n    facts: {co: true, ty_le: 90%}\n"
        "    expect: {percent: '100%', total: '3,0'}\n",
        "ok.tests.yaml",
    )
    code, out, err = run(capsys, "test", ok)
    assert code == 0 and "  ✓ phần trăm" in out, out + err


def test_a_case_expects_the_group_rank_gives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nho.cchc").write_text(SMALL.replace("  total 3\n", '  total 3\n  group "A" from 90%\n'))
    path = tmp_path / "nhom.tests.yaml"
    path.write_text(
        "rules: nho.cchc\ncases:\n"
        "  - name: đủ\n    facts: {co: true, ty_le: 90%}\n    expect: {group: A}\n"
        "  - name: thiếu\n    facts: {co: false, ty_le: 90%}\n    expect: {group: A}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "test", path)
    assert code == 1, out + err
    assert "  ✓ đủ" in out
    assert "  ✗ thiếu" in out and "group: mong đợi A, tính được (không thuộc nhóm nào)" in out
    # the shipped 2023 groups, as `cchc rank` gives them: Thanh Thủy's 89,52% is in B
    base = (ROOT / "examples" / "thanh-thuy-2023" / "facts.yaml").as_posix()
    shipped = tmp_path / "hd.tests.yaml"
    rules_2023 = (ROOT / "rules" / "hai-duong" / "xa" / "2023.cchc").as_posix()
    cases = f'rules: "{rules_2023}"\ncases:\n  - name: TT\n    facts: "{base}"\n    expect: {{group: B}}\n'
    shipped.write_text(cases, encoding="utf-8")
    code, out, err = run(capsys, "test", shipped)
    assert code == 0 and "  ✓ TT" in out, out + err


def test_a_facts_file_that_cannot_be_read_fails_its_case_and_names_where_it_was_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_cases(
        tmp_path,
        "cases:\n  - name: gõ nhầm tệp\n    facts: don-vii.yaml\n    expect: {total: 3}\n"
        "  - name: đủ\n    facts: {co: true, ty_le: 90%}\n    expect: {total: 3}\n",
    )
    code, out, err = run(capsys, "test", path)
    assert code == 1 and "Traceback" not in out + err
    assert f"  ✗ gõ nhầm tệp\n      `facts: don-vii.yaml` (trong {path}): lỗi [F001]: " in out
    assert "  ✓ đủ" in out and "1 passed, 1 failed" in out  # the other cases still run


def test_facts_inline_as_a_mapping_and_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "don-vi.yaml").write_text("facts:\n  co: có\n  ty_le: 55%\n", encoding="utf-8")
    path = write_cases(
        tmp_path,
        "cases:\n"
        "  - name: bảng\n    facts: {co: không, ty_le: '80%'}\n    expect: {total: 2, '1.1': 0, '1.2': 2}\n"
        "  - name: tệp\n    facts: don-vi.yaml\n    expect: {total: 2, '1.1': 1, '1.2': 1}\n",
    )
    code, out, err = run(capsys, "test", path)
    assert code == 0, out + err
    assert out.splitlines()[-1] == "2 passed, 0 failed"


def test_set_changes_facts_of_the_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = load(RULES_2023)
    changed = rules.evaluate({**_thanh_thuy(), "doi_thoai": 5, "ty_le_lien_thong": "100%"})
    assert changed["1.5.2"].score != rules.evaluate(FACTS_THANH_THUY)["1.5.2"].score  # the set matters
    path = tmp_path / "2023.tests.yaml"
    path.write_text(
        f"rules: {RULES_2023}\n"
        "cases:\n"
        f"  - name: năm cuộc đối thoại\n    facts: {FACTS_THANH_THUY}\n"
        "    set: {doi_thoai: 5, ty_le_lien_thong: 100%}\n"
        f"    expect: {{total: '{changed.score}', '1.5.2': '{changed['1.5.2'].score}', '3.3.3': '1'}}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "test", path)
    assert code == 0, out + err


def _thanh_thuy() -> dict[str, object]:
    from cchc_rules.facts import read_facts

    return {name: fact.value for name, fact in read_facts(FACTS_THANH_THUY).facts.items()}


def test_coverage_lists_the_branches_and_nodes_no_case_reaches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_cases(tmp_path, "cases:\n  - name: một\n    facts: {co: true, ty_le: 60%}\n    expect: {'1.2': 1}\n")
    code, out, err = run(capsys, "test", path, "--coverage")
    assert code == 0, out + err
    lines = out.splitlines()
    assert "  Độ phủ: 1/3 bậc; 1/3 mục có giá trị mong đợi" in lines
    assert "    bậc chưa kiểm tra: 1.2 dòng 12: when >= 80%: max" in lines
    assert "    bậc chưa kiểm tra: 1.2 dòng 14: otherwise: 0" in lines
    assert "    mục chưa có giá trị mong đợi: 1, 1.1" in lines


def test_a_case_that_cannot_be_evaluated_fails_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_cases(tmp_path, "cases:\n  - name: thiếu\n    facts: {co: true}\n    expect: {total: 3}\n")
    code, out, err = run(capsys, "test", path)
    assert code == 1
    assert "  ✗ thiếu" in out and "[F002]" in out and "ty_le" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "text",
    ["cases: 3\n", "- a\n", "cases:\n  - name: x\n    facts: {co: true}\n", "cases: [\n"],
    ids=["cases-not-a-list", "not-a-mapping", "no-expect", "not-yaml"],
)
def test_a_malformed_case_file_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = write_cases(tmp_path, text)
    code, _, err = run(capsys, "test", path)
    assert code == 1
    assert f"[T001]: {path}:" in err or f"{path}:2:1: lỗi [T001]: tệp YAML sai cú pháp" in err, err
    assert "Traceback" not in err and "expected" not in err


def test_a_folder_without_case_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "test", tmp_path)
    assert code == 1 and "không có tệp *.tests.yaml nào" in err


def test_run_file_reports_which_tier_rows_each_case_went_through(tmp_path: Path) -> None:
    path = write_cases(
        tmp_path,
        "cases:\n"
        "  - name: cao\n    facts: {co: true, ty_le: 90%}\n    expect: {'1.2': 2}\n"
        "  - name: thấp\n    facts: {co: true, ty_le: 10%}\n    expect: {'1.2': 0}\n",
    )
    _, rules, outcomes = run_file(path)
    assert [o.passed for o in outcomes] == [True, True]
    assert [sorted(o.tiers) for o in outcomes] == [[("1.2", 12)], [("1.2", 14)]]
    assert set(tier_rows(rules)) == {("1.2", 12), ("1.2", 13), ("1.2", 14)}


def test_a_misspelt_fact_in_set_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(
        tmp_path,
        "cases:\n  - name: gõ nhầm\n    facts: {co: false, ty_le: 90%}\n    set: {coo: true}\n    expect: {'1.2': 2}\n",
    )
    code, out, err = run(capsys, "test", path)
    assert code == 1
    assert "coo" in out + err


# ---- the pytest plugin -------------------------------------------------------------------


def test_pytest_collects_and_runs_the_shipped_cases() -> None:
    done = pytest_run("rules", cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "12 passed" in done.stdout


def test_pytest_reports_a_failing_case_with_the_diff_and_no_traceback(tmp_path: Path) -> None:
    path = write_cases(
        tmp_path,
        "cases:\n"
        "  - name: đúng\n    facts: {co: true, ty_le: 90%}\n    expect: {total: 3}\n"
        "  - name: sai\n    facts: {co: true, ty_le: 60%}\n    expect: {total: '2,5', '1.2': 2}\n"
        "  - name: thiếu dữ kiện\n    facts: {co: true}\n    expect: {total: 3}\n",
    )
    done = pytest_run(path.name, cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "2 failed, 1 passed" in out
    assert "total: mong đợi 2,5, tính được 2" in out
    assert "1.2: mong đợi 2, tính được 1" in out
    assert "nho.tests.yaml::sai" in out
    assert "[F002]" in out
    for python in ("Traceback", "pytest_plugin.py", "cases.py", "raise CaseFailure", "CaseFailure:"):
        assert python not in out, python


def test_pytest_reports_a_broken_rule_set_without_a_traceback(tmp_path: Path) -> None:
    path = write_cases(tmp_path, "cases:\n  - name: x\n    facts: {co: true}\n    expect: {total: 3}\n")
    (tmp_path / "nho.cchc").write_text('ruleset "Hỏng"\n  total 1\n1 "A" max = 1\n', encoding="utf-8")
    done = pytest_run(path.name, cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode != 0
    assert "nho.cchc:3:" in out
    assert "pytest_plugin.py" not in out and "loader.py" not in out


def test_a_case_may_still_give_a_fact_a_later_year_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2024 removes ho_so_tam_dung: a case written with it, inline, runs; a misspelt name still fails."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for year in ("2023", "2024"):
        (folder / f"{year}.cchc").write_bytes((RULES_2023.parent / f"{year}.cchc").read_bytes())
    base = str(FACTS_THANH_THUY).replace("\\", "/")
    path = folder / "2024.tests.yaml"
    path.write_text(
        f'cases:\n  - name: cũ\n    facts: "{base}"\n    set: {{ho_so_tam_dung: 3}}\n    expect: {{total: "64.954"}}\n'
        f'  - name: sai tên\n    facts: "{base}"\n    set: {{ho_so_tam_dug: 3}}\n    expect: {{total: "64.954"}}\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert "  ✓ cũ" in out.splitlines() and "  ✗ sai tên" in out.splitlines()
    assert "`ho_so_tam_dug`" in out
