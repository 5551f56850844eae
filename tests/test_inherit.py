"""Rule sets across years: `extends`, `override` and `remove` resolved into one rule set.

The shipped 2024 rule set extends 2023 with a handful of changes; the error
cases each get a small rule tree of their own under tmp_path.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from cchc_rules import ast, printer
from cchc_rules.cli import main
from cchc_rules.errors import CchcError
from cchc_rules.inherit import load_resolved, rules_root
from cchc_rules.loader import load_source, parse_source
from cchc_rules.ruleset import load
from cchc_rules.source import SourceFile
from tests.conftest import FIXTURES, RULES_2023, beside_2023, golden

RULES_2024 = RULES_2023.with_name("2024.cchc")
# Broken 2024 files beside the 2023 file they extend, each with its golden output (.out).
BAD_YEARS = sorted(p for p in (FIXTURES / "inherit" / "bad").glob("*.cchc") if p.name != "2023.cchc")
# What 2024.cchc touches; every other criterion of 2023 must come through as it was.
TOUCHED = {"1.5.2", "3.5", "3.5.3", "3.6", "7.2.2"}


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """`cchc args` in this process: exit code, stdout, stderr."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def by_id(module: ast.Module) -> dict[str, ast.Criterion]:
    return {c.id: c for c in module.criteria}


def by_name(module: ast.Module) -> dict[str, ast.FactDecl]:
    return {f.name: f for f in module.facts}


@pytest.fixture(scope="module")
def old() -> ast.Module:
    return load_source(RULES_2023).modules[0]


@pytest.fixture(scope="module")
def own() -> ast.Module:
    """2024.cchc as written: only its changes."""
    return load_source(RULES_2024).modules[0]


@pytest.fixture(scope="module")
def new() -> ast.Module:
    """2024 resolved: one plain module."""
    source = load_resolved(RULES_2024)
    assert len(source.modules) == 1
    return source.modules[0]


# ---- the shipped 2024 rule set ----------------------------------------------------------


def test_the_2024_file_is_written_as_changes(own: ast.Module) -> None:
    assert own.header is not None and own.header.extends == "2023.cchc"
    assert {r.id for r in own.removals} == {"3.5.3", "ho_so_tam_dung"}
    assert {c.id for c in own.overrides} == {"3.5", "1.5.2", "7.2.2"}
    assert [c.id for c in own.criteria] == ["3.6"]


def test_resolved_module_has_no_pending_changes(new: ast.Module) -> None:
    assert new.overrides == () and new.removals == ()
    assert new.header is not None and new.header.extends is None


def test_3_5_3_and_its_fact_are_gone(old: ast.Module, new: ast.Module) -> None:
    assert "3.5.3" in by_id(old) and "ho_so_tam_dung" in by_name(old)
    assert "3.5.3" not in by_id(new)
    assert "ho_so_tam_dung" not in by_name(new)


def test_3_5_keeps_its_title_with_max_3(old: ast.Module, new: ast.Module) -> None:
    before, after = by_id(old)["3.5"], by_id(new)["3.5"]
    assert (before.max, after.max) == (Decimal(4), Decimal(3))
    assert after.title == before.title
    assert after.basis == before.basis  # the override gave only `max` and a note of its own
    assert after.inferred != before.inferred and after.inferred[0].startswith("Minh hoạ: năm 2024 bỏ 3.5.3")


def test_3_6_is_added_with_its_fact(new: ast.Module) -> None:
    crit = by_id(new)["3.6"]
    assert crit.title == "Đánh giá tác động thủ tục hành chính"
    assert crit.max == Decimal(1)
    assert crit.formula is not None
    assert printer.inline(crit.formula.expr) == "if danh_gia_tac_dong then max else 0"
    fact = by_name(new)["danh_gia_tac_dong"]
    assert fact.type.name == "boolean" and fact.default == ast.Bool(span=fact.span, value=False)


def test_1_5_2_is_overridden_with_its_new_formula(old: ast.Module, new: ast.Module) -> None:
    before, after = by_id(old)["1.5.2"], by_id(new)["1.5.2"]
    assert before.formula is not None and after.formula is not None
    assert printer.inline(before.formula.expr) == "if doi_thoai >= 5 then max else 0"
    assert printer.inline(after.formula.expr) == "if doi_thoai >= 4 then max else 0"
    assert [r.template for r in after.reasons] == ["Không đủ 4 cuộc đối thoại/năm (chỉ có {doi_thoai} cuộc)"]
    assert after.title == before.title  # no title given: last year's stays
    assert after.max == before.max == Decimal("0.5")


def test_7_2_2_is_overridden_with_tiers_and_a_new_title(old: ast.Module, new: ast.Module) -> None:
    before, after = by_id(old)["7.2.2"], by_id(new)["7.2.2"]
    assert before.title == "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến"
    assert after.title == "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến (theo bậc)"
    assert after.max == before.max == Decimal(3)
    assert after.formula is not None and isinstance(after.formula.expr, ast.Tier)
    tier = after.formula.expr
    assert [printer.inline(r.value) for r in tier.rows] == ["max", "2", "1"]
    first, second, third = (r.test for r in tier.rows)
    assert isinstance(first, ast.TierCmp) and (first.op, printer.inline(first.bound)) == (">=", "80%")
    assert isinstance(second, ast.TierRange) and isinstance(third, ast.TierRange)
    assert [(printer.inline(t.low), printer.inline(t.high), t.high_open) for t in (second, third)] == [
        ("50%", "80%", True),
        ("20%", "50%", True),
    ]
    assert tier.otherwise is not None and printer.inline(tier.otherwise) == "0"
    assert printer.inline(tier.subject) == "ratio(ho_so_truc_tuyen_den_31_10, ho_so_tong_den_31_10, zero: na)"


def test_overridden_criteria_point_into_2024(new: ast.Module, own: ast.Module) -> None:
    written = {c.id: c for c in own.overrides}
    for node_id in ("1.5.2", "3.5", "7.2.2"):
        crit = by_id(new)[node_id]
        assert Path(crit.head.file).resolve() == RULES_2024
        assert crit.head.line == written[node_id].head.line


def test_unchanged_criteria_are_2023s_own_with_spans_into_2023(old: ast.Module, new: ast.Module) -> None:
    assert set(by_id(new)) == set(by_id(old)) - {"3.5.3"} | {"3.6"}
    after = by_id(new)
    kept = [c for c in old.criteria if c.id not in TOUCHED]
    assert len(kept) == 60
    for crit in kept:
        assert after[crit.id] == crit
        span, was = after[crit.id].span, crit.span
        assert Path(span.file).resolve() == RULES_2023
        assert (span.line, span.column, span.end_line, span.end_column) == (
            was.line,
            was.column,
            was.end_line,
            was.end_column,
        )


def test_unchanged_facts_are_2023s_own(old: ast.Module, new: ast.Module) -> None:
    after = by_name(new)
    assert set(after) == set(by_name(old)) - {"ho_so_tam_dung"} | {"danh_gia_tac_dong"}
    for fact in old.facts:
        if fact.name != "ho_so_tam_dung":
            assert after[fact.name] == fact
            assert Path(after[fact.name].span.file).resolve() == RULES_2023


def test_header_fields_are_inherited_or_overridden(old: ast.Module, own: ast.Module, new: ast.Module) -> None:
    base, mine, merged = old.header, own.header, new.header
    assert base is not None and mine is not None and merged is not None
    # Given in 2024.cchc: replaced.
    assert merged.name == mine.name and merged.name.endswith("năm 2024 (minh hoạ)")
    assert (base.year, merged.year) == (2023, 2024)
    assert merged.basis == mine.basis != base.basis
    assert merged.inferred == mine.inferred != base.inferred
    # Not given in 2024.cchc: last year's.
    for field in ("level", "province", "total", "rounding", "percent_rounding", "na_default", "groups"):
        assert getattr(mine, field) in (None, "", ()), field
        assert getattr(merged, field) == getattr(base, field), field
    assert merged.total == Decimal(74) and len(merged.groups) == 3


def test_2024_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", RULES_2024)
    assert code == 0, err
    assert "hợp lệ (0 lỗi, 0 cảnh báo)" in out
    assert "64 mục" in out
    rules = load(RULES_2024)
    assert rules.checked.nodes["3.5"].max == Decimal(3)
    assert rules.checked.nodes["3"].max == Decimal("18.5")  # 3.5 gave a point to 3.6: the area is unchanged


def test_rules_root_is_the_nearest_rules_folder(tmp_path: Path) -> None:
    deep = tmp_path / "rules" / "a" / "rules" / "b"
    deep.mkdir(parents=True)
    (deep / "x.cchc").write_text("", encoding="utf-8")
    assert rules_root(deep / "x.cchc") == (tmp_path / "rules" / "a" / "rules").resolve()
    (tmp_path / "loose.cchc").write_text("", encoding="utf-8")
    assert rules_root(tmp_path / "loose.cchc") == tmp_path.resolve()
    assert rules_root(RULES_2024) == RULES_2024.parents[2]


# ---- `cchc show` -------------------------------------------------------------------------


def test_show_prints_a_resolved_set_that_parses_and_checks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "show", RULES_2024)
    assert code == 0, err
    assert "extends" not in out and "override" not in out and "remove" not in out
    shown = tmp_path / "shown.cchc"
    shown.write_text(out, encoding="utf-8")
    code, _, err = run(capsys, "check", shown)
    assert code == 0, err
    again, expected = load(shown).checked, load(RULES_2024).checked
    assert again.nodes == expected.nodes
    assert again.facts == expected.facts
    assert again.header == expected.header


def test_show_tree_lists_every_node(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", RULES_2024, "--tree")
    assert code == 0, err
    header, *lines = out.splitlines()
    assert header == load(RULES_2024).name
    assert len(lines) == 64
    ids = [line.split()[0] for line in lines]
    assert ids == list(load(RULES_2024).checked.order)
    assert "  3.6 Đánh giá tác động thủ tục hành chính (1)" in lines
    assert "  3.5 Hồ sơ trả lại, tạm dừng (3)" in lines
    assert not any(i == "3.5.3" for i in ids)


def test_show_prints_facts_then_criteria_in_tree_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", RULES_2024)
    assert code == 0
    heads = [line.split()[0] for line in out.splitlines() if re.match(r"(fact |\d)", line)]
    first_criterion = next(i for i, word in enumerate(heads) if word != "fact")
    assert all(word == "fact" for word in heads[:first_criterion])
    assert heads[first_criterion:] == list(load(RULES_2024).checked.order)


# ---- errors, each with a small rule tree of its own ---------------------------------------

BASE = """\
ruleset "Gốc"
  level "xã"
  year 2023
  basis "Quyết định gốc"
  total 3
  rounding 3 half_up
fact co: boolean "Có"
fact so: count "Số lần" unit "lần"
1 "Lĩnh vực": max 3
1.1 "Một": max 1
  score = if co then max else 0
  reason "Không có"
1.2 "Hai": max 2
  score = deduct 1 per so
  reason "Có {so} lần"
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp/rules/tinh/2023.cchc (a valid rule set), and a file outside the rules folder."""
    folder = tmp_path / "rules" / "tinh"
    folder.mkdir(parents=True)
    (folder / "2023.cchc").write_text(BASE, encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.cchc").write_text(BASE, encoding="utf-8")
    return folder


def child(folder: Path, body: str, name: str = "2024.cchc", extends: str | None = "2023.cchc") -> Path:
    head = 'ruleset "Con"\n' + (f'  extends "{extends}"\n' if extends is not None else "")
    path = folder / name
    path.write_text(head + body, encoding="utf-8")
    return path


def errors_of(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    """Check `path` from the CLI: it must fail with exit 1 and a message, never a traceback."""
    code, _, err = run(capsys, "check", path)
    assert code == 1, err
    assert "Traceback" not in err and "lỗi nội bộ" not in err
    return err


def test_a_plain_child_resolves(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, '  year 2024\noverride 1.2 "Hai (mới)": max 2\n  score = deduct 0.5 per so\n')
    merged = load_resolved(path).modules[0]
    assert merged.header is not None and (merged.header.year, merged.header.level) == (2024, "xã")
    assert by_id(merged)["1.2"].title == "Hai (mới)"
    assert [r.template for r in by_id(merged)["1.2"].reasons] == ["Có {so} lần"]  # not given: kept
    code, _, err = run(capsys, "check", path)
    assert code == 0, err


def test_a_child_s_empty_inferred_or_basis_in_the_header_drops_last_year_s(tree: Path) -> None:
    """`inferred ""` in the header, as for a criterion: last year's notes gone, no empty note left behind."""
    base = tree / "2023.cchc"
    base.write_text(
        base.read_text(encoding="utf-8").replace(
            "  rounding", '  inferred "Suy ra từ báo cáo năm trước"\n  basis "QĐ cũ"\n  rounding', 1
        ),
        encoding="utf-8",
    )
    kept = load_resolved(child(tree, "  year 2024\n", name="giu.cchc")).modules[0].header
    assert kept is not None and kept.inferred == ("Suy ra từ báo cáo năm trước",)
    assert kept.basis == ("Quyết định gốc", "QĐ cũ")
    dropped = load_resolved(child(tree, '  year 2024\n  inferred ""\n  basis ""\n')).modules[0].header
    assert dropped is not None and (dropped.inferred, dropped.basis) == ((), ())


def test_extends_may_reach_a_sibling_folder_inside_rules(tree: Path) -> None:
    other = tree.parent / "khac"
    other.mkdir()
    path = child(other, "  year 2024\n", extends="../tinh/2023.cchc")
    assert by_id(load_resolved(path).modules[0]) == by_id(load_source(tree / "2023.cchc").modules[0])


def test_last_years_file_is_named_by_the_path_the_users_own_leads_to(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tree / "2023.cchc").write_text(BASE + 'fact thua: count "Không dùng"\n', encoding="utf-8")  # W115 there
    other = tree.parent / "khac"
    other.mkdir()
    child(other, "  year 2024\n", extends="../tinh/2023.cchc")
    monkeypatch.chdir(tree.parent.parent)
    code, out, err = run(capsys, "check", Path("rules", "khac", "2024.cchc"))
    assert code == 0, err
    assert f"{Path('rules', 'tinh', '2023.cchc')}:16:6: cảnh báo [W115]" in out + err  # not ../, not absolute
    assert str(tree.parent.parent) not in out + err


def test_a_chain_of_three_years_resolves(tree: Path) -> None:
    child(tree, "  year 2024\noverride 1.1: max 1\n  score = 1\n")
    path = child(tree, "  year 2025\nremove 1.2\noverride 1: max 1\n", name="2025.cchc", extends="2024.cchc")
    merged = load_resolved(path).modules[0]
    assert merged.header is not None and merged.header.year == 2025
    assert set(by_id(merged)) == {"1", "1.1"}
    formula = by_id(merged)["1.1"].formula
    assert formula is not None and printer.inline(formula.expr) == "1"


def test_e210_override_without_extends(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = '  total 1\n  rounding 3 half_up\nfact co: boolean "Có"\n1 "A": max 1\n  score = 1\noverride 1: max 2\n'
    path = child(tree, body, extends=None)
    err = errors_of(capsys, path)
    assert f"{path}:7:10: lỗi [E210]" in err
    assert "extends" in err  # the hint says what to add


def test_e210_remove_without_extends(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = '  total 1\n  rounding 3 half_up\nfact co: boolean "Có"\n1 "A": max 1\n  score = 1\nremove fact co\n'
    path = child(tree, body, extends=None)
    assert f"{path}:7:1: lỗi [E210]" in errors_of(capsys, path)


def test_e211_remove_of_a_missing_criterion_suggests_one(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, "remove 11\n")
    err = errors_of(capsys, path)
    assert f"{path}:3:1: lỗi [E211]: không có tiêu chí 11 để bỏ" in err
    assert "gợi ý: có phải ý bạn là `1.1`?" in err


def test_e211_remove_of_a_missing_fact_suggests_one(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, "remove fact coo\n")
    err = errors_of(capsys, path)
    assert f"{path}:3:1: lỗi [E211]: không có dữ kiện `coo` để bỏ" in err
    assert "gợi ý: có phải ý bạn là `co`?" in err


def test_e212_override_of_a_missing_criterion_suggests_one(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, "override 12: max 2\n")
    err = errors_of(capsys, path)
    assert f"{path}:3:10: lỗi [E212]: không có tiêu chí 12 để sửa (override)" in err
    assert "gợi ý: có phải ý bạn là `1.2`?" in err


def test_e213_adding_an_id_that_exists(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, '1.1 "Một lần nữa": max 1\n  score = 1\n')
    err = errors_of(capsys, path)
    assert f"{path}:3:1: lỗi [E213]: tiêu chí 1.1 đã có trong bộ quy tắc được kế thừa" in err
    assert "override 1.1" in err


def test_an_id_removed_first_may_be_declared_again(tree: Path) -> None:
    path = child(tree, 'remove 1.1\n1.1 "Một lần nữa": max 1\n  score = 1\n  reason "x"\n')
    assert by_id(load_resolved(path).modules[0])["1.1"].title == "Một lần nữa"


def test_every_problem_of_a_file_is_reported_together(tree: Path) -> None:
    path = child(tree, "remove 11\noverride 12: max 2\nremove fact coo\n")
    with pytest.raises(CchcError) as caught:
        load_resolved(path)
    assert sorted((d.code, d.span.line if d.span else 0) for d in caught.value.diagnostics) == [
        ("E211", 3),
        ("E211", 5),
        ("E212", 4),
    ]


def test_e220_extends_a_missing_file_with_a_suggestion(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, "", extends="2023.chc")
    err = errors_of(capsys, path)
    # at the `extends` line, where the fix goes, not at `ruleset`
    assert f"{path}:2:3: lỗi [E220]: không có bộ quy tắc để kế thừa: 2023.chc\n" in err
    assert '      extends "2023.chc"\n      ^^^^^^^^^^^^^^^^^^\n' in err
    assert "gợi ý: có phải ý bạn là `2023.cchc`?" in err


def test_e220_never_suggests_the_extending_file_itself(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, "", extends="2022.cchc")
    err = errors_of(capsys, path)
    assert "[E220]" in err
    assert "`2024.cchc`" not in err
    assert "gợi ý: có phải ý bạn là `2023.cchc`?" in err


@pytest.mark.parametrize(
    "target",
    ["../../etc/x.cchc", "../../outside/secret.cchc", "/etc/passwd", "ABSOLUTE"],
    ids=["dotdot-missing", "dotdot-existing", "absolute-system-file", "absolute-rule-file"],
)
def test_e221_extends_outside_the_rules_folder(tree: Path, capsys: pytest.CaptureFixture[str], target: str) -> None:
    if target == "ABSOLUTE":
        target = str(tree.parent.parent / "outside" / "secret.cchc")
    path = child(tree, "", extends=target)
    err = errors_of(capsys, path)
    assert re.search(re.escape(str(path)) + r":\d+:\d+: lỗi \[E221\]", err)
    assert "root:" not in err  # nothing of /etc/passwd is shown


def test_e221_extends_through_a_symlink_pointing_outside(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "link.cchc").symlink_to(tree.parent.parent / "outside" / "secret.cchc")
    path = child(tree, "", extends="link.cchc")
    assert re.search(re.escape(str(path)) + r":\d+:\d+: lỗi \[E221\]", errors_of(capsys, path))


def test_e221_extends_through_a_linked_folder_pointing_outside(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "cu").symlink_to(tree.parent.parent / "outside", target_is_directory=True)
    path = child(tree, "", extends="cu/secret.cchc")
    assert "[E221]" in errors_of(capsys, path)


def test_e221_without_a_rules_folder_the_files_own_folder_is_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "2023.cchc").write_text(BASE, encoding="utf-8")
    inner = tmp_path / "nam-2024"
    inner.mkdir()
    path = child(inner, "", extends="../2023.cchc")
    err = errors_of(capsys, path)
    assert f"{path}:2:3: lỗi [E221]" in err
    # the hint speaks of the folder this file is in, not of a rules/ folder there is none of
    assert f"tệp này không nằm trong thư mục `rules/` nào nên chỉ kế thừa được tệp trong {inner}" in err


def test_e222_a_cycle(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = child(tree, "", name="a.cchc", extends="b.cchc")
    child(tree, "", name="b.cchc", extends="a.cchc")
    err = errors_of(capsys, a)
    assert re.search(r"b\.cchc:\d+:\d+: lỗi \[E222\]", err)
    assert "a.cchc → b.cchc → a.cchc" in err


def test_e222_a_cycle_of_folder_rule_sets(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, other in (("fa", "fb"), ("fb", "fa")):
        (tree.parent / name).mkdir()
        child(tree.parent / name, "  year 2024\n", name="h.cchc", extends=f"../{other}")
    err = errors_of(capsys, tree.parent / "fa")
    assert "lỗi [E222]" in err and "fa → fb → fa" in err


def test_e222_a_file_extending_itself(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, "", name="a.cchc", extends="a.cchc")
    assert re.search(re.escape(str(path)) + r":\d+:\d+: lỗi \[E222\]", errors_of(capsys, path))


def test_e222_a_chain_too_long(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    previous = "2023.cchc"
    for year in range(2024, 2044):
        child(tree, f"  year {year}\n", name=f"{year}.cchc", extends=previous)
        previous = f"{year}.cchc"
    assert "[E222]" in errors_of(capsys, tree / previous)


def test_extends_of_a_folder_rule_set_is_resolved_or_refused(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    split = tree.parent / "tach"
    split.mkdir()
    head, _, rest = BASE.partition("fact co")
    (split / "dau.cchc").write_text(head, encoding="utf-8")
    (split / "cay.cchc").write_text("fact co" + rest, encoding="utf-8")
    assert main(["check", str(split)]) == 0
    path = child(tree, "  year 2024\n", extends="../tach")
    code, _, err = run(capsys, "check", path)
    assert code in (0, 1)
    assert "lỗi nội bộ" not in err


def test_inheritance_error_spans_parse_back_to_their_lines(tree: Path) -> None:
    """A diagnostic's line text is the line it names (what the caret is drawn under)."""
    path = child(tree, "  year 2024\nremove 11\n")
    with pytest.raises(CchcError) as caught:
        load_resolved(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.line_text == "remove 11"
    assert parse_source(SourceFile(name="x.cchc", text=diagnostic.line_text)).removals[0].id == "11"


def test_last_years_facts_still_work_when_a_fact_is_removed(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tree, "  year 2024\n  total 1\nremove 1.2\nremove fact so\noverride 1: max 1\n")
    facts = tree / "f.yaml"
    facts.write_text("co: có\nso: 2\n", encoding="utf-8")  # a 2023 file: `so` is no longer declared
    rules = load(path)
    assert rules.checked.retired_facts == frozenset({"so"})
    assert str(rules.evaluate(facts).score) == "1"
    assert [str(r.score) for r in rules.evaluate_many([{"co": True, "so": 2}] * 2)] == ["1", "1"]
    code, out, err = run(capsys, "eval", path, facts)
    assert code == 0 and "1 điểm/1 điểm" in out, err
    # Only what a later year removed is set aside: a misspelt name is still refused, with a suggestion.
    facts.write_text("co: có\nsso: 2\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", path, facts)
    assert code == 1 and "`sso` không được khai báo" in err
    # Declared again a year later, it is read again (and required).
    again = child(tree, '  year 2025\nfact so: count "Số lần" unit "lần"\n', name="2025.cchc", extends="2024.cchc")
    assert load(again).checked.retired_facts == frozenset()


def test_a_forgotten_override_is_fixed_in_this_years_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2024 without `override 3.5: max 3`: the sums break in lines of 2023, but the fix is 2024's."""
    folder = tmp_path / "rules" / "x"
    folder.mkdir(parents=True)
    (folder / "2023.cchc").write_text(RULES_2023.read_text(encoding="utf-8"), encoding="utf-8")
    text = RULES_2024.read_text(encoding="utf-8")
    written = re.search(r"override 3\.5: max 3\n  inferred .*\n", text)
    assert written is not None
    (folder / "2024.cchc").write_text(text.replace(written.group(0), ""), encoding="utf-8")
    err = errors_of(capsys, folder / "2024.cchc")
    hints = [line.strip() for line in err.splitlines() if "gợi ý" in line]
    assert hints == [
        "gợi ý: sửa trước tiêu chí con 3.5, cũng không khớp; có thể chỉ cần vậy",  # area 3: its child is the cause
        f"gợi ý: 3.5 lấy từ năm trước ({folder / '2023.cchc'}); sửa trong bộ quy tắc năm nay, vd `override 3.5: max 3`",
    ], err


def test_a_year_folder_given_as_rules_is_one_clear_error(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Last year's and this year's files side by side are two rule sets, not one split over files."""
    child(tree, "")
    err = errors_of(capsys, tree)
    assert err.count("lỗi [") == 1 and "[E213]" not in err
    assert f"lỗi [E100]: thư mục {tree} chứa 2 bộ quy tắc (2023.cchc, 2024.cchc)" in err
    assert f"gợi ý: chọn một tệp, vd `{tree / '2024.cchc'}`" in err


# ---- an item given twice in this year's file (fixtures with golden output) -----------------


@pytest.mark.parametrize("path", BAD_YEARS, ids=lambda p: p.stem)
def test_bad_year_is_refused_with_its_code(
    path: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(path.parent)
    with pytest.raises(CchcError) as caught:
        load_resolved(path.name)
    found = caught.value.diagnostics
    assert path.stem.split("_")[0] in {d.code for d in found}
    for d in found:
        assert d.span is not None and d.span.file == path.name and d.line_text
    golden(path.with_suffix(".out"), "\n".join(d.render() for d in found) + "\n", update_golden)
    assert "Traceback" not in errors_of(capsys, Path(path.name))


def test_the_bad_years_are_right_but_for_their_one_mistake(tmp_path: Path) -> None:
    """Each fixture, with the item its error names taken out, checks clean: the error is the only one."""
    (tmp_path / "2023.cchc").write_text((FIXTURES / "inherit" / "bad" / "2023.cchc").read_text(encoding="utf-8"))
    for path in BAD_YEARS:
        with pytest.raises(CchcError) as caught:
            load_resolved(path)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for d in caught.value.diagnostics:  # the item named: its lines up to the next blank one
            assert d.span is not None
            line = d.span.line - 1
            while line < len(lines) and lines[line].strip():
                lines[line] = "# " + lines[line]
                line += 1
        fixed = tmp_path / path.name
        fixed.write_text("".join(lines), encoding="utf-8")
        assert main(["check", str(fixed)]) == 0, path.name


def test_a_fact_of_last_year_declared_again_once_replaces_it(tree: Path) -> None:
    path = child(tree, 'fact so: decimal "Số lần (mới)"\n')
    assert by_name(load_resolved(path).modules[0])["so"].description == "Số lần (mới)"


def test_a_criterion_declared_twice_is_e112_not_e213(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = '1.3 "Ba": max 1\n  score = 1\n1.3 "Ba": max 1\n  score = 1\n'
    err = errors_of(capsys, child(tree, body))
    assert "[E213]" not in err
    assert "lỗi [E112]: mã tiêu chí 1.3 được khai báo hai lần" in err and "lần đầu ở dòng 3" in err


def test_a_criterion_of_last_year_declared_twice_is_e213_then_e112(tree: Path) -> None:
    path = child(tree, '1.1 "Một": max 1\n  score = 1\n1.1 "Một": max 1\n  score = 1\n')
    with pytest.raises(CchcError) as caught:
        load_resolved(path)
    assert [(d.code, d.span.line if d.span else 0) for d in caught.value.diagnostics] == [("E213", 3), ("E112", 5)]


def test_an_override_written_before_the_remove_of_its_criterion(tree: Path) -> None:
    """Removals apply first, whatever the order written: the override names the removal below it."""
    path = child(tree, "override 1.2: max 2\nremove 1.2\n")
    with pytest.raises(CchcError) as caught:
        load_resolved(path)
    (d,) = caught.value.diagnostics
    assert (d.code, d.message) == ("E212", "không có tiêu chí 1.2 để sửa (override): đã bỏ ở dòng 4")


def test_a_fact_removed_in_an_earlier_year_is_said_so(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    child(tree, "  year 2024\n  total 1\nremove 1.2\nremove fact so\noverride 1: max 1\n")
    path = child(tree, "  year 2025\nremove fact so\n", name="2025.cchc", extends="2024.cchc")
    err = errors_of(capsys, path)
    assert "lỗi [E211]: không có dữ kiện `so` để bỏ: đã bỏ trong bộ quy tắc được kế thừa" in err


def test_a_typo_of_a_fact_an_earlier_year_removed_is_not_taken_for_a_live_one(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`remove fact soo` in 2025, with `so` dropped in 2024: the fact meant is `so`, already gone, not `co`."""
    child(tree, "  year 2024\n  total 1\nremove 1.2\nremove fact so\noverride 1: max 1\n")
    path = child(tree, "  year 2025\nremove fact soo\n", name="2025.cchc", extends="2024.cchc")
    err = errors_of(capsys, path)
    assert "lỗi [E211]: không có dữ kiện `soo` để bỏ" in err
    assert "có phải ý bạn là `so`? dữ kiện đó đã bỏ trong bộ quy tắc được kế thừa; xoá dòng này" in err
    assert "`co`" not in err


def test_a_year_that_extends_last_year_without_its_own_year_is_warned(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without `year`, the 2025 file was still 2023: its rulebook said `Năm: 2023` under a 2025 title."""
    change = 'override 1.2 "Hai (mới)": max 2\n  score = deduct 0.5 per so\n'
    path = child(tree, change, name="2025.cchc")
    code, _, err = run(capsys, "check", path)
    assert code == 0, err
    assert f"{path}:1:1: cảnh báo [W216]: bộ quy tắc kế thừa `2023.cchc` mà không ghi `year`" in err, err
    assert "gợi ý: ghi năm của bộ quy tắc này ở phần đầu" in err
    written = child(tree, "  year 2025\n" + change, name="2025.cchc")
    assert "W216" not in run(capsys, "check", written)[2]


def test_a_fact_bounded_by_a_removed_fact_is_told_to_go_too(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`remove fact tong` while `phan: count ... max tong` stays: the hint was the part itself, as a
    look-alike of the missing name; it is to remove the part too, or keep the whole."""
    (tree / "2023.cchc").write_text(
        BASE + 'fact tong: count "Tổng"\nfact phan: count "Phần" max tong\n'
        '2 "Hai": max 0\n  score = max * ratio(phan, tong, zero: full)\n',
        encoding="utf-8",
    )
    err = errors_of(capsys, child(tree, "  year 2024\nremove 2\nremove fact tong\n"))
    assert "lỗi [E110]: giới hạn của `phan` dùng dữ kiện `tong`, đã bỏ bằng `remove fact tong`" in err, err
    assert "gợi ý: bỏ cả `phan`: `remove fact phan`; hoặc giữ `tong`: xoá `remove fact tong`" in err


def test_a_new_child_that_tips_last_years_sum_is_said_at_the_new_child(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sum was said at last year's area line, with `override` of one of last year's children as the
    fix; the officer had touched neither. It is said at this year's new criterion, with both ways out."""
    path = child(tree, '  year 2024\n1.3 "Ba": max 1\n  score = max\n')
    err = errors_of(capsys, path)
    assert f"{path}:4:1: lỗi [E123]: điểm tối đa của 1 là 3" in err, err
    assert "(có tiêu chí con mới của năm nay: 1.3)" in err
    assert "gợi ý: bớt điểm tối đa của các tiêu chí con khác (`override ID: max ...`) cho cộng lại 3" in err
    assert "hoặc nâng điểm tối đa của 1: `override 1: max 4` và `total` ở phần đầu" in err


def test_a_remove_of_this_years_own_item_says_where_it_is(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = 'fact moi: count "Mới"\nremove fact moi\n1.3 "Ba": max 1\n  score = 1\nremove 1.3\n'
    err = errors_of(capsys, child(tree, body))
    assert "`moi` được khai báo ở dòng 3; xoá khai báo đó thay vì `remove fact`" in err
    assert "1.3 được khai báo ở dòng 5 của chính bộ quy tắc này; xoá khai báo đó thay vì `remove`" in err


def test_items_given_twice_across_the_files_of_a_folder_name_the_other_file(tree: Path) -> None:
    folder = tree.parent / "nam-2024"
    folder.mkdir()
    child(folder, "override 1.1: max 1\n", name="a.cchc", extends="../tinh/2023.cchc")
    (folder / "b.cchc").write_text("override 1.1\n  score = 1\n", encoding="utf-8")
    with pytest.raises(CchcError) as caught:
        load_resolved(folder)
    (d,) = caught.value.diagnostics
    assert d.code == "E214" and d.span is not None and d.span.file == str(folder / "b.cchc")
    assert d.hint.startswith(f"lần đầu ở {folder / 'a.cchc'}:3:10;")


def test_an_override_that_changes_the_score_but_keeps_last_years_notes_is_warned(tmp_path: Path) -> None:
    """W215: 7.2.2's 2023 note explains 3 × 1340/1754; with max 2.5 it would mislead. `inferred ""` drops it."""
    kept = beside_2023(tmp_path, "  total 73.5\n\noverride 7.2.2: max 2.5\noverride 7.2: max 4\noverride 7: max 11\n")
    kept = kept / "2024.cchc"
    rules = load(kept)
    w215 = [w for w in rules.warnings if w.code == "W215"]
    assert [(w.span.line if w.span else 0) for w in w215] == [6]  # 7.2 and 7 have no notes of their own
    assert w215[0].message.startswith("`override 7.2.2` đổi điểm tối đa nhưng vẫn giữ ghi chú suy luận của năm trước")
    assert w215[0].line_text == "override 7.2.2: max 2.5"
    dropped = kept.with_name("2024b.cchc")
    dropped.write_text(kept.read_text(encoding="utf-8").replace(": max 2.5\n", ': max 2.5\n  inferred ""\n', 1))
    rules = load(dropped)
    assert not [w for w in rules.warnings if w.code == "W215"]
    assert rules.checked.nodes["7.2.2"].inferred == ()
    same = kept.with_name("2024c.cchc")  # the maximum and the formula written again as they were: nothing changed
    same.write_text(
        'ruleset "R 2024"\n  extends "2023.cchc"\n  year 2024\n\noverride 7.2.2: max 3\n'
        "  score = max * ratio(ho_so_truc_tuyen_den_31_10,  ho_so_tong_den_31_10, zero: na)\n",
        encoding="utf-8",
    )
    assert not [w for w in load(same).warnings if w.code == "W215"]


def test_a_criterion_removed_in_an_earlier_year_is_said_so_not_taken_for_its_sibling(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`remove 1.2` in 2025 after 2024 removed it: "did you mean 1.1" would remove the wrong criterion."""
    child(tree, "  year 2024\nremove 1.2\noverride 1: max 1\n")
    path = child(tree, "  year 2025\nremove 1.2\noverride 1.2: max 1\n", name="2025.cchc", extends="2024.cchc")
    err = errors_of(capsys, path)
    assert f"{path}:4:1: lỗi [E211]: không có tiêu chí 1.2 để bỏ: đã bỏ trong bộ quy tắc được kế thừa" in err
    assert (
        f"{path}:5:10: lỗi [E212]: không có tiêu chí 1.2 để sửa (override): đã bỏ trong bộ quy tắc được kế thừa" in err
    )
    assert "1.1" not in err


def test_a_fact_removed_but_still_used_is_said_removed(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Not "did you mean" another fact: the `remove fact` is named, with the two ways out."""
    path = child(tree, "  year 2024\nremove fact so\n")
    err = errors_of(capsys, path)
    assert "lỗi [E110]: tiêu chí 1.2 dùng dữ kiện `so`, đã bỏ bằng `remove fact so`" in err
    assert (
        "gợi ý: giữ dữ kiện: xoá `remove fact so`; hoặc sửa 1.2 cho không dùng nó (`override 1.2` hoặc `remove 1.2`)"
        in err
    )
    assert "lỗi [E114]: lý do của tiêu chí 1.2 dùng `{so}`, dữ kiện đã bỏ bằng `remove fact so`" in err


def test_a_step_written_in_this_years_file_is_named_with_its_file(tree: Path) -> None:
    """Last year's criterion rounded by this year's header: "(dòng 4)" pointed into last year's file."""
    from tests.test_cli import cchc

    (tree / "2023.cchc").write_text(
        'ruleset "Gốc"\n  year 2023\n  total 1\n  rounding 3 half_up\nfact a: count "A"\nfact b: count "B" max a\n'
        '1 "L": max 1\n1.1 "Một": max 1\n  score = max * ratio(b, a, zero: zero)\n  reason "r"\n',
        encoding="utf-8",
    )
    path = child(tree, "  year 2024\n  rounding 2 half_up\n")
    facts = tree / "f.yaml"
    facts.write_text("a: 3\nb: 1\n", encoding="utf-8")
    out = cchc("explain", path, facts, "1.1").stdout
    assert "- ratio(b, a, zero: zero) = 1/3 = 0,333333333333… (dòng 9)\n" in out  # in the rule's own file
    assert f"- 0,333333333333… → 0,33 (2 chữ số thập phân, làm tròn nửa lên) ({path}:4)\n" in out
