"""Rule-set test cases (`*.tests.yaml`): `cchc test`, its coverage report, and the pytest plugin."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cchc_rules.cases import read_cases, run_file, tier_rows
from cchc_rules.cli import main
from cchc_rules.ruleset import load
from tests.conftest import FACTS_THANH_THUY, FIXTURES, ROOT, RULES_2023

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
    assert out.splitlines()[-1] == f"{cases} đạt, 0 không đạt"
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
    assert lines[-1] == "1 đạt, 1 không đạt"
    assert "Traceback" not in out + err


def test_a_case_naming_a_missing_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(
        tmp_path, "cases:\n  - name: mục lạ\n    facts: {co: true, ty_le: 90%}\n    expect: {'9.9': 1}\n"
    )
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert "      9.9: mong đợi 1, tính được (không có mục này)" in out.splitlines()


def test_a_case_naming_an_item_nearly_right_is_told_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`expect: {totl: 2}` or an id cut short: the mismatch names what was probably meant."""
    path = write_cases(
        tmp_path, "cases:\n  - name: gõ nhầm\n    facts: {co: true, ty_le: 90%}\n    expect: {totl: 2, '1.22': 1}\n"
    )
    code, out, _ = run(capsys, "test", path)
    lines = out.splitlines()
    assert code == 1
    assert "      totl: mong đợi 2, tính được (không có mục này; có phải ý bạn là `total`?)" in lines, out
    assert "      1.22: mong đợi 1, tính được (không có mục này; có phải ý bạn là `1.2`?)" in lines, out


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


def test_a_score_expected_as_a_percentage_is_a_bad_test_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`"1.2": "50%"` failed as "mong đợi 50%, tính được 1", read as 50 points: a score is never a percent."""
    case = "  - name: bậc\n    facts: {co: true, ty_le: 60%}\n    expect: {'1.2': 50%}\n"
    path = write_cases(tmp_path, "rules: nho.cchc\ncases:\n" + case)
    code, out, err = run(capsys, "test", path)
    assert (code, out) == (1, "")
    assert "lỗi [T001]: `expect` của `bậc`: `1.2: 50%`: điểm tính bằng điểm, không phải phần trăm" in err, err
    assert 'gợi ý: viết số điểm mong đợi, vd "0.75" cho 0,75 điểm' in err


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
    assert (
        f"  ✗ gõ nhầm tệp\n"
        f"      {path}:3:5: lỗi [T001]: không đọc được tệp dữ kiện `don-vii.yaml` của `gõ nhầm tệp`\n"
        "              facts: don-vii.yaml\n"
        "              ^^^^^\n"
        f"      lỗi [F001]: {tmp_path / 'don-vii.yaml'}: không đọc được tệp: không có tệp hay thư mục này\n"
    ) in out
    assert "  ✓ đủ" in out and "1 đạt, 1 không đạt" in out  # the other cases still run


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
    assert out.splitlines()[-1] == "2 đạt, 0 không đạt"


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
    rules = tmp_path / "nho.cchc"
    assert f"    bậc chưa kiểm tra: 1.2 ({rules}:12): when >= 80%: max" in lines
    assert f"    bậc chưa kiểm tra: 1.2 ({rules}:14): otherwise: 0" in lines
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
    ("text", "shown"),
    [
        ("cases: 3\n", "1:1: lỗi [T001]: `cases` phải là một danh sách các trường hợp\n    cases: 3\n    ^^^^^\n"),
        (
            "- a\n",
            "1:3: lỗi [T001]: tệp kiểm thử là một bảng có khoá `cases`, không phải một danh sách\n    - a\n      ^\n",
        ),
        (
            "cases:\n  - name: x\n    facts: {co: true}\n",
            "2:5: lỗi [T001]: `x` cần `expect`: các giá trị mong đợi\n      - name: x\n        ^\n",
        ),
        ("cases: [\n", "2:1: lỗi [T001]: tệp YAML sai cú pháp"),
        (
            "cases:\n  - name: x\n    expect: {}\n",
            "3:5: lỗi [T001]: `expect` của `x` phải là bảng `mã: giá trị mong đợi`",
        ),
        (
            "cases:\n  - name: x\n    facts: {co: true}\n    set: 5\n    expect: {total: 1}\n",
            "4:5: lỗi [T001]: `set` của `x`",
        ),
        ("cases:\n  - name: x\n    facts: [a]\n    expect: {total: 1}\n", "3:5: lỗi [T001]: `facts` của `x` phải là"),
        ("cases:\n  - chữ\n", "2:5: lỗi [T001]: trường hợp thứ 1 phải là một bảng các khoá `name`, `facts`"),
    ],
    ids=["cases-not-a-list", "not-a-mapping", "no-expect", "not-yaml", "empty-expect", "bad-set", "bad-facts", "text"],
)
def test_a_malformed_case_file_is_a_clean_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, shown: str
) -> None:
    path = write_cases(tmp_path, text)
    code, out, err = run(capsys, "test", path)
    assert code == 1 and out == ""
    assert err.startswith(f"{path}:{shown}"), err
    assert "Traceback" not in err and "expected" not in err


def test_a_case_file_without_cases_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for text in ("", "{}\n", "rules: nho.cchc\n"):
        path = write_cases(tmp_path, text)
        code, out, err = run(capsys, "test", path)
        assert (code, out) == (1, "")
        assert err.startswith(f"lỗi [T001]: {path}: tệp kiểm thử cần danh sách `cases`\n    gợi ý: vd: cases:"), err


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
    file = str(tmp_path / "nho.cchc")
    assert [sorted(o.tiers) for o in outcomes] == [[("1.2", file, 12)], [("1.2", file, 14)]]
    assert set(tier_rows(rules)) == {("1.2", file, 12), ("1.2", file, 13), ("1.2", file, 14)}


def test_a_misspelt_fact_in_set_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(
        tmp_path,
        "cases:\n  - name: gõ nhầm\n    facts: {co: false, ty_le: 90%}\n    set: {coo: true}\n    expect: {'1.2': 2}\n",
    )
    code, out, err = run(capsys, "test", path)
    assert code == 1
    assert "coo" in out + err


# ---- a rule set that extends last year's: which file each problem and each row is in -------


def extends_folder(tmp_path: Path, cases: str | None = None) -> Path:
    """A copy of tests/fixtures/cases (2024.cchc extends 2023.cchc; don-vi.yaml) in a `rules` folder,
    with `cases` as 2024.tests.yaml."""
    folder = tmp_path / "rules"
    shutil.copytree(FIXTURES / "cases", folder)
    if cases is not None:
        (folder / "2024.tests.yaml").write_text(cases, encoding="utf-8")
    return folder


def line_of(path: Path, text: str) -> int:
    """The number of the line of a file that holds `text`."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


PASSING = "cases:\n  - name: như tệp\n    facts: don-vi.yaml\n    expect: {total: 4, '1.3': 1}\n"


def test_a_rule_file_runs_the_test_cases_beside_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = extends_folder(tmp_path, PASSING)
    code, out, err = run(capsys, "test", folder / "2024.cchc")
    assert code == 0, out + err
    rules, cases = folder / "2024.cchc", folder / "2024.tests.yaml"
    assert err == f"{rules} là tệp quy tắc: chạy các trường hợp kiểm thử của nó, trong {cases}\n"  # said so
    assert out.splitlines() == [
        f"{cases} ({rules}):",
        "  ✓ như tệp",
        "1 đạt, 0 không đạt",
    ]


def test_a_rule_file_without_test_cases_is_not_read_as_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = extends_folder(tmp_path)
    code, out, err = run(capsys, "test", folder / "2023.cchc")
    assert (code, out) == (1, "")  # a wrong input, as `cchc rank` answers an input of the wrong kind
    assert err.splitlines() == [
        f"lỗi [T001]: {folder / '2023.cchc'}: là tệp quy tắc, không phải tệp kiểm thử, và bên cạnh nó không có "
        f"tệp kiểm thử cùng tên `{folder / '2023.tests.yaml'}`",
        f"    gợi ý: PATH là một tệp .tests.yaml hoặc một thư mục chứa chúng: viết các trường hợp kiểm thử của bộ "
        f"quy tắc này vào `{folder / '2023.tests.yaml'}` (xem docs/tutorial.md, mục 5), hoặc chạy mọi tệp kiểm "
        f"thử của thư mục: `cchc test {folder}`",
    ]
    assert "YAML" not in err and "Traceback" not in err


def test_a_missing_path_is_named_with_the_file_meant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = extends_folder(tmp_path, PASSING)
    for given, meant in (("2024.test.yaml", "2024.tests.yaml"), ("2025.cchc", "2024.cchc")):
        code, out, err = run(capsys, "test", folder / given)
        assert (code, out) == (1, "")
        assert (
            err
            == f"lỗi [T001]: {folder / given}: không có tệp hay thư mục này\n    gợi ý: có phải ý bạn là `{meant}`?\n"
        )
    code, _, err = run(capsys, "test", folder / ("a" * 300))  # a name the system refuses: said so, no traceback
    assert code == 1 and "tên tệp quá dài" in err and "lỗi nội bộ" not in err


def test_a_bad_value_in_set_is_named_where_set_writes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`set` breaks a bound the facts file sets (so_thon_co_loa <= so_thon): shown in the test file, where `set`
    writes it, not in the facts file."""
    folder = extends_folder(
        tmp_path,
        "cases:\n"
        "  - name: loa quá số thôn\n    facts: don-vi.yaml\n    set: {so_thon_co_loa: 9}\n    expect: {'1.3': 1}\n"
        "  - name: thôn ít hơn loa\n    facts: don-vi.yaml\n    set: {so_thon: 5}\n    expect: {'1.3': 1}\n"
        "  - name: bảng\n    facts: {co: có lẽ, ty_le: 90%, so_thon: 2, so_thon_co_loa: 1}\n    expect: {total: 4}\n",
    )
    path, facts = folder / "2024.tests.yaml", folder / "don-vi.yaml"
    code, out, err = run(capsys, "test", path)
    assert code == 1 and err == "", err
    lines = out.splitlines()
    assert lines[1:6] == [
        "  ✗ loa quá số thôn",
        f"      {path}:4:27: lỗi [F003]: dữ kiện `so_thon_co_loa` (Số thôn có loa truyền thanh) = 9 lớn hơn giới hạn "
        "so_thon = 8",
        "              set: {so_thon_co_loa: 9}",
        "                                    ^",
        f"          gợi ý: kiểm tra lại số liệu: `so_thon_co_loa` ghi ở {path}:4:27, `so_thon` ghi ở "
        f"{facts}:{line_of(facts, 'so_thon:')}:12",
    ]
    # the other way round: the fact `set` writes is the bound, and the caret is under it
    assert lines[6:9] == [
        "  ✗ thôn ít hơn loa",
        f"      {path}:8:20: lỗi [F003]: dữ kiện `so_thon_co_loa` (Số thôn có loa truyền thanh) = 7 lớn hơn giới hạn "
        "so_thon = 5",
        "              set: {so_thon: 5}",
    ]
    # facts written in the case itself: each at its line
    assert f"      {path}:11:17: lỗi [F003]: dữ kiện `co` (Có; kiểu có/không): " in out
    assert str(facts) + ":" not in "\n".join(lines[1:5]) and "[F003]: " + str(facts) not in out


def test_facts_missing_from_a_case_are_named_at_its_facts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(tmp_path, "cases:\n  - name: thiếu\n    facts: {co: true}\n    expect: {total: 3}\n")
    code, out, _ = run(capsys, "test", path)
    assert code == 1
    assert f"      {path}:3:5: lỗi [F002]: thiếu 1 dữ kiện:\n        - ty_le: Tỷ lệ (dùng ở 1.2)\n" in out
    assert "              facts: {co: true}\n              ^^^^^\n" in out


def test_every_problem_of_a_case_file_is_named_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cases(
        tmp_path,
        "rule: nho.cchc\n"
        "cases:\n"
        "  - name: chữ\n    facts: {co: true, ty_le: 90%}\n    expect: {'1.2': một, total: }\n"
        "  - name: gõ nhầm\n    facts: {co: true, ty_le: 90%}\n    expext: {total: 3}\n"
        "  - name: thừa\n    facts: {co: true, ty_le: 90%}\n    sett: {co: false}\n    expect: {total: 3}\n"
        "  - facts: {co: true, ty_le: 90%}\n",
    )
    code, out, err = run(capsys, "test", path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{path}:1:1: lỗi [T001]: khoá lạ `rule` ở đầu tệp kiểm thử",
        "    rule: nho.cchc",
        "    ^^^^",
        "    gợi ý: có phải ý bạn là `rules`?",
        f"{path}:5:14: lỗi [T001]: `expect` của `chữ`: `1.2: một` không phải một số",
        "        expect: {'1.2': một, total: }",
        "                 ^^^^^",
        '    gợi ý: viết số trong ngoặc kép, dấu chấm hoặc dấu phẩy thập phân, vd "2.292" hoặc "2,292"',
        f"{path}:5:26: lỗi [T001]: `expect` của `chữ`: `total` chưa có giá trị",
        "        expect: {'1.2': một, total: }",
        "                             ^^^^^",
        '    gợi ý: viết số trong ngoặc kép, dấu chấm hoặc dấu phẩy thập phân, vd "2.292" hoặc "2,292"',
        # a misspelt `expect`: named with the key meant, and not reported missing as well
        f"{path}:8:5: lỗi [T001]: `gõ nhầm`: khoá lạ `expext`",
        "        expext: {total: 3}",
        "        ^^^^^^",
        "    gợi ý: có phải ý bạn là `expect`?",
        # a key no case has is an error even beside `expect`: it would be ignored, and the case pass untested
        f"{path}:11:5: lỗi [T001]: `thừa`: khoá lạ `sett`",
        "        sett: {co: false}",
        "        ^^^^",
        "    gợi ý: có phải ý bạn là `set`?",
        f"{path}:13:5: lỗi [T001]: trường hợp thứ 4 cần `expect`: các giá trị mong đợi",
        "      - facts: {co: true, ty_le: 90%}",
        "        ^",
        '    gợi ý: vd: expect: {total: "66.245", "7.2.2": "2.292"}',
    ]


def test_a_rule_set_that_is_not_there_is_named_in_the_case_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_cases(tmp_path, "rules: nhoo.cchc\ncases:\n  - name: x\n    facts: {}\n    expect: {total: 1}\n")
    code, out, err = run(capsys, "test", path)
    assert (code, out) == (1, "")
    assert err.startswith(f"{path}:1:1: lỗi [T001]: không có bộ quy tắc `nhoo.cchc` (tìm ở {tmp_path / 'nhoo.cchc'})")
    assert "    gợi ý: có phải ý bạn là `nho.cchc`?" in err
    alone = tmp_path / "khac.tests.yaml"
    alone.write_text("cases:\n  - name: x\n    facts: {}\n    expect: {total: 1}\n", encoding="utf-8")
    code, _, err = run(capsys, "test", alone)
    assert code == 1
    assert err.startswith(f"lỗi [T001]: {alone}: không có bộ quy tắc cùng tên `khac.cchc` bên cạnh tệp kiểm thử\n")
    assert "thêm dòng `rules: TỆP.cchc`" in err


def test_coverage_names_the_file_of_each_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2024.cchc extends 2023.cchc: the rows of 1.2 are in last year's file, those of 1.3 in this year's."""
    folder = extends_folder(tmp_path, PASSING)
    code, out, err = run(capsys, "test", folder / "2024.tests.yaml", "--coverage")
    assert code == 0, out + err
    old, new = folder / "2023.cchc", folder / "2024.cchc"
    assert "  Độ phủ: 2/6 bậc; 1/4 mục có giá trị mong đợi" in out
    assert [line for line in out.splitlines() if "bậc chưa kiểm tra" in line] == [
        f"    bậc chưa kiểm tra: 1.2 ({old}:{line_of(old, 'from 50%')}): when from 50% to under 80%: 1",
        f"    bậc chưa kiểm tra: 1.2 ({old}:{line_of(old, 'otherwise')}): otherwise: 0",
        f"    bậc chưa kiểm tra: 1.3 ({new}:{line_of(new, 'from 50%')}): when from 50% to under 80%: 0.5",
        f"    bậc chưa kiểm tra: 1.3 ({new}:{line_of(new, 'otherwise')}): otherwise: 0",
    ]
    assert line_of(old, "otherwise") == line_of(new, "otherwise")  # the same line number in both files


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
