"""Checker: each pass rejects its bad fixtures with the right code and place; shipped rules check clean."""

from __future__ import annotations

from pathlib import Path

import pytest

import cchc_rules
from cchc_rules import CheckError
from cchc_rules.analysis import PROOFS, check_and_prove
from cchc_rules.checker import PASSES
from cchc_rules.inherit import load_resolved
from cchc_rules.loader import load_source
from tests.conftest import FIXTURES, ROOT, golden

BAD = sorted((FIXTURES / "check" / "bad").glob("*.cchc"))
GOOD = sorted((FIXTURES / "check" / "good").glob("*.cchc"))
SHIPPED = sorted((ROOT / "rules").rglob("*.cchc"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixture_is_rejected_with_its_code(
    path: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(path.parent)
    expected_code = path.stem.split("_")[0]
    found, _ = check_and_prove(load_source(path.name))
    errors = [d for d in found if d.severity == "error"]
    assert errors, "the checker accepted a bad fixture"
    assert expected_code in {d.code for d in errors}
    with pytest.raises(CheckError):
        cchc_rules.load(path.name)
    rendered = "\n".join(d.render() for d in found) + "\n"
    for d in errors:
        if d.code != "E100":
            assert d.span is not None and d.span.file == path.name
    golden(path.with_suffix(".out"), rendered, update_golden)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_fixture_has_no_errors(path: Path) -> None:
    found, checked = check_and_prove(load_source(path))
    assert [d.render() for d in found if d.severity == "error"] == []
    assert checked is not None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_rule_sets_check_clean(path: Path) -> None:
    found, checked = check_and_prove(load_resolved(path))
    assert [d.render() for d in found] == []
    assert checked is not None


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "many.cchc"
    path.write_text(
        'ruleset "T" total 3 rounding 3 half_up\n'
        '1 "A": max 1\n  score = khong_co\n  reason "r"\n'
        '2 "B": max 1\n  score = [9]\n  reason "r"\n'
        '3.1 "C": max 1\n  score = 1\n  reason "r"\n',
        encoding="utf-8",
    )
    codes = [d.code for d in check_and_prove(load_source(path))[0]]
    assert {"E110", "E111", "E120"} <= set(codes)


def test_undefined_fact_suggests_the_close_name() -> None:
    found, _ = check_and_prove(load_source(FIXTURES / "check" / "bad" / "E110_undefined_fact.cchc"))
    e110 = next(d for d in found if d.code == "E110")
    assert "doi_thoai" in e110.hint
    assert e110.span is not None and (e110.span.line, e110.span.column) == (4, 14)


@pytest.mark.parametrize(
    ("name", "candidates", "expected"),
    [
        ("doi_thoia", ["doi_thoai", "co_sang_kien"], "doi_thoai"),  # two letters swapped
        ("cong_chu", ["cong_chuc", "cong_chuc_chua_dat_chuan"], "cong_chuc"),  # cut short, two candidates
        ("ho_so_truc_tuyen", ["ho_so_truc_tuyen_den_31_10", "ho_so_tong_den_31_10"], "ho_so_truc_tuyen_den_31_10"),
        ("Half_Up", ["half_up", "half_even"], "half_up"),
        ("1,5,2", ["1.5.1", "1.5.2"], "1.5.2"),  # a comma for each point
        ("chuc_cong", ["cong_chuc", "doi_thoai"], "cong_chuc"),  # words in another order
        ("7.2.3", ["7.2.2", "7.3.2"], "7.2.2"),  # numbers in another order are another criterion
        ("11", ["1", "1.1"], "1.1"),  # as few edits either way: the likelier-looking
        ("2025.cchc", ["2023.cchc", "2024.cchc"], "2024.cchc"),  # a tie: the last, as difflib ranks
        ("hồ_sơ_đúng_hạn", ["ho_so_dung_han", "ho_so_tra_lai"], "ho_so_dung_han"),  # a Vietnamese input method on
        ("ho_so_tuyen_den_31_10", ["ho_so_truc_tuyen_den_31_10", "ho_so_tong_den_31_10"], "ho_so_truc_tuyen_den_31_10"),
        ("nhiem_vu_thanh", ["nhiem_vu_hoan_thanh", "nhiem_vu_ke_hoach"], "nhiem_vu_hoan_thanh"),  # a word left out
        ("ap_dung_kien", ["ap_dung_sang_kien", "co_sang_kien"], "ap_dung_sang_kien"),
        ("round_half_up", ["half_up", "half_down", "up"], "half_up"),  # a word added
        ("7.2", ["7.2.2", "7.3", "7"], "7.3"),  # ids: no word left out, a digit changed
        ("8", ["1", "2", "7"], None),  # one character: any other would do as well
        ("", ["7", "1"], None),
        ("ghi_chu", ["cong_chuc", "doi_thoai"], None),  # a notes column: four edits from `cong_chuc`
        ("xyz", ["max", "min"], None),
        ("doi_thoai", ["doi_thoai"], None),  # the name itself is no suggestion
    ],
)
def test_suggestions_are_slips_of_the_keyboard_not_lookalikes(
    name: str, candidates: list[str], expected: str | None
) -> None:
    from cchc_rules.errors import suggest

    assert suggest(name, candidates) == expected


def test_an_undeclared_fact_gets_a_declaration_of_the_type_its_use_needs(tmp_path: Path) -> None:
    """Declared as the hint says, the fact must not make the next error (a count in a condition is E203)."""
    rules = tmp_path / "r.cchc"
    lines = {
        "co_sang_kien": "if co_sang_kien then max else 0",
        "trinh_do": 'if trinh_do = "đại học" or trinh_do = "cao đẳng" then max else 0',
        "ty_le": "if ty_le >= 75% then max else 0",
        "ngay": "if ngay <= 2024-01-31 then max else 0",
        "phan": "max * ratio(phan, n, zero: zero)",
        "muc": "tier muc\n      when >= 80%: max\n      otherwise: 0",
        "diem_tb": "if diem_tb >= 7.5 then max else 0",
    }
    body = "".join(
        f'  1.{k} "T{k}": max 1\n    score = {line}\n    reason "r"\n' for k, line in enumerate(lines.values(), 1)
    )
    header = f'ruleset "T" total {len(lines) + 1} rounding 2 half_up\nfact n: count "N"\n'
    rules.write_text(
        header + f'1 "A": max {len(lines) + 1}\n{body}  1.9 "U": max 1\n    score = max\n'
        "    na when not ap_dung: exclude\n",
        encoding="utf-8",
    )
    found, _ = check_and_prove(load_source(rules))
    hints = {d.message.split("`")[1]: d.hint for d in found if d.code == "E110"}
    assert hints == {
        "co_sang_kien": 'khai báo: fact co_sang_kien: boolean "..."',
        "trinh_do": 'khai báo: fact trinh_do: choice("đại học", "cao đẳng") "..."',
        "ty_le": 'khai báo: fact ty_le: percent "..."',
        "ngay": 'khai báo: fact ngay: date "..."',
        "phan": 'khai báo: fact phan: count "..."',
        "muc": 'khai báo: fact muc: percent "..."',
        "diem_tb": 'khai báo: fact diem_tb: decimal "..."',
        "ap_dung": 'khai báo: fact ap_dung: boolean "..."',
    }
    # declared as the hints say, no type error follows (E2xx; the ratio's part still needs its bound, E170)
    declared = "".join(h.removeprefix("khai báo: ").replace('"..."', f'"{name}"') + "\n" for name, h in hints.items())
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace('fact n: count "N"\n', 'fact n: count "N"\n' + declared), encoding="utf-8")
    found, _ = check_and_prove(load_source(rules))
    assert [d.code for d in found if d.severity == "error"] == ["E170"]


def test_sum_mismatch_names_every_child() -> None:
    found, _ = check_and_prove(load_source(FIXTURES / "check" / "bad" / "E123_children_do_not_add_up.cchc"))
    e123 = next(d for d in found if d.code == "E123")
    assert "cộng lại 1,5: 1.1 (1) + 1.2 (0,5)" in e123.message
    assert e123.span is not None and e123.span.line == 2


def test_a_fact_left_with_only_its_bound_is_unused(tmp_path: Path) -> None:
    """After `remove 3.5.3`, `ho_so_tam_dung` (max ho_so_tiep_nhan) is read by nothing: W115 says so.

    Its bound used to count as a use, `check` said the rule set was fine, and every commune's facts
    file was then refused for lacking it. The whole it is bounded by stays used through 3.5.2.
    """
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 3 half_up\n'
        'fact tiep_nhan: count "Hồ sơ tiếp nhận"\n'
        'fact tra_lai: count "Hồ sơ trả lại" max tiep_nhan\n'
        'fact tam_dung: count "Hồ sơ tạm dừng" max tiep_nhan\n'
        '1 "Trả lại": max 1\n  score = max * (1 - ratio(tra_lai, tiep_nhan, zero: full))\n'
        '  reason "Có {tra_lai} hồ sơ trả lại"\n',
        encoding="utf-8",
    )
    found, _ = check_and_prove(load_source(path))
    assert [(d.code, d.message) for d in found] == [("W115", "dữ kiện `tam_dung` không được tiêu chí nào dùng")]


@pytest.mark.parametrize(
    ("bound", "codes"),
    [(" max tong", ["E201"]), ("", [])],  # a share of its whole; a quotient that may run past 1 (per head)
)
def test_a_ratio_compared_with_a_bare_number_is_a_percent_only_when_it_is_a_share(
    tmp_path: Path, bound: str, codes: list[str]
) -> None:
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 3 half_up not_applicable full\n'
        f'fact tong: count "Tổng"\nfact xong: count "Xong"{bound}\n'
        '1 "A": max 1\n  score = if ratio(xong, tong, zero: na) >= 90 then max else 0\n  reason "r"\n'
        '2 "B": max 0\n  score = if 90% <= ratio(xong, tong, zero: na) then max else 0\n',
        encoding="utf-8",
    )
    found, _ = check_and_prove(load_source(path))
    assert [d.code for d in found if d.severity == "error"] == codes


def test_warnings_do_not_stop_loading() -> None:
    rules = cchc_rules.load(FIXTURES / "check" / "good" / "warnings_only.cchc")
    assert {w.code for w in rules.warnings} == {"W115", "W150"}
    unproved = cchc_rules.load(FIXTURES / "check" / "good" / "unprovable_but_true.cchc")
    assert [w.code for w in unproved.warnings] == ["W171"]


def test_a_clamp_not_proved_is_said_and_one_its_facts_bound_is_not(tmp_path: Path) -> None:
    """`a - a` is always 0, which interval arithmetic cannot see and no search disproves: W175, as W171
    says it of a score; `san` declared `max tran` proves clamp(x, san, tran) and says nothing."""
    path = tmp_path / "kep.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 2 half_up\nfact a: decimal "a" min 0 max 10\n'
        '1 "A": max 1\n  score = clamp(0.5, a - a, max)\n  reason "r"\n',
        encoding="utf-8",
    )
    rules = cchc_rules.load(path)
    assert [(w.code, w.span.line if w.span else 0) for w in rules.warnings] == [("W175", 4)]
    assert "clamp ở tiêu chí 1" in rules.warnings[0].message
    declared = cchc_rules.load(FIXTURES / "check" / "good" / "clamp_between_declared_bounds.cchc")
    assert declared.warnings == ()


def test_a_divisor_is_tried_only_where_the_evaluator_reaches_it() -> None:
    """Refused by an early version of the condition proofs, though safe: a child's `na when` behind its
    parent's (no warning: the parent's guard narrows the ranges), a clause behind an earlier one and a
    `reason when` written only for points lost (W181: not proved, never an error). A count clamped
    from 0 is proved."""
    good = FIXTURES / "check" / "good"
    assert cchc_rules.load(good / "na_when_behind_a_parents_na_when.cchc").warnings == ()
    for name in ("na_when_behind_an_earlier_clause.cchc", "reason_when_only_where_points_are_lost.cchc"):
        assert [w.code for w in cchc_rules.load(good / name).warnings] == ["W181"], name
    assert cchc_rules.load(good / "clamp_up_to_a_count.cchc").warnings == ()


def test_full_marks_by_formula_need_no_reason(tmp_path: Path) -> None:
    """W150 asks a criterion that can lose points for its reason; `score = max` cannot."""
    path = tmp_path / "du.cchc"
    path.write_text(
        'ruleset "T" total 2 rounding 3 half_up\nfact co: boolean "Có"\n'
        '1 "A": max 1\n  score = max\n2 "B": max 1\n  score = if co then max else 0\n',
        encoding="utf-8",
    )
    warned = [(d.code, d.message) for d in check_and_prove(load_source(path))[0]]
    assert warned == [("W150", "tiêu chí 2 có thể mất điểm nhưng chưa có câu lý do")]


THREE_MISTAKES = [
    # two tiers that overlap
    (
        "    when from 75% to under 100%: 0.75\n    when from 50% to under 75%: 0.5",
        "    when from 75% to under 100%: 0.75\n    when from 50% to 80%: 0.5",
    ),
    # a maximum that breaks its parent's sum by 0.5
    (
        '1.5.2 "Người đứng đầu đối thoại với nhân dân": max 0.5',
        '1.5.2 "Người đứng đầu đối thoại với nhân dân": max 1',
    ),
    # a ratio with an unbounded numerator
    (
        'unit "thủ tục" max tthc_truc_tuyen\n',
        'unit "thủ tục"\n',
    ),
]


def test_three_deliberate_mistakes_give_three_precise_diagnostics(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "hai-duong" / "xa" / "2023.cchc").read_text(encoding="utf-8")
    for old, new in THREE_MISTAKES:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "2023-with-mistakes.cchc"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def line_of(prefix: str) -> int:
        return next(i for i, t in enumerate(lines, 1) if t.startswith(prefix))

    found, checked = check_and_prove(load_source(path))
    assert checked is None
    errors = sorted((d for d in found if d.severity == "error"), key=lambda d: d.code)
    assert [d.code for d in errors] == ["E123", "E170", "E191"]
    e123, e170, e191 = errors
    assert e123.span is not None and e123.span.line == line_of('1.5 "')
    assert "1.5" in e123.message and "cộng lại 2,5" in e123.message and "1.5.2 (1)" in e123.message
    assert e170.span is not None and e170.span.line == line_of('7.2.1 "') + 1
    assert "7.2.1" in e170.message and "tthc_co_ho_so_truc_tuyen" in e170.message
    assert e191.span is not None and e191.span.line == line_of("    when from 50% to 80%")
    assert "3.3.3" in e191.message and "75%" in e191.message
    assert [w.code for w in found if w.severity == "warning"] == []


def test_passes_are_pure_functions_listed_once() -> None:
    names = [p.__name__ for p in (*PASSES, *PROOFS)]
    assert len(names) == len(set(names))
    for path in BAD:
        assert check_and_prove(load_source(path))[0] == check_and_prove(load_source(path))[0]


@pytest.mark.parametrize(
    ("condition", "hint", "fixed"),
    [
        ("co_cho = không", "gợi ý: viết `false` (`co_cho = false`; gọn hơn: `not co_cho`)", "co_cho = false"),
        ("có = co_cho", "gợi ý: viết `true` (`co_cho = true`; gọn hơn: `co_cho`)", "co_cho = true"),
        (
            'co_cho = "không"',
            "gợi ý: có/không viết là `true`/`false`, không trong ngoặc kép: `co_cho = false`",
            "co_cho = false",
        ),
        # `!=` kept: `co_cho != không` is "has a market", and the shorter form must say so too
        ("co_cho != không", "gợi ý: viết `false` (`co_cho != false`; gọn hơn: `co_cho`)", "co_cho"),
        ('co_cho != "có"', "`co_cho != true` (gọn hơn: `not co_cho`)", "not co_cho"),
        ("co_cho = Chưa", "gợi ý: viết `false` (`co_cho = false`; gọn hơn: `not co_cho`)", "not co_cho"),
    ],
)
def test_yes_or_no_written_in_vietnamese_as_a_value_gets_true_or_false(
    tmp_path: Path, condition: str, hint: str, fixed: str
) -> None:
    """`co_cho = không` was an undeclared fact `không`, whose hint `fact không: count` led to E201."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        f'ruleset "T" total 1 rounding 2 half_up\nfact co_cho: boolean "Có chợ"\n1 "A": max 1\n'
        f"  score = max\n  na when {condition}: exclude\n",
        encoding="utf-8",
    )
    found, _ = check_and_prove(load_source(rules))
    (problem,) = [d for d in found if d.severity == "error"]
    assert hint in problem.render()
    rules.write_text(rules.read_text(encoding="utf-8").replace(condition, fixed), encoding="utf-8")
    found, _ = check_and_prove(load_source(rules))
    assert [d for d in found if d.severity == "error"] == []  # the hint, followed, checks clean


def test_sum_hints_never_lead_from_one_error_into_the_other(tmp_path: Path) -> None:
    """E123 on an area whose maximum already makes `total` add up points at the children (changing the area
    would break `total`, E124); E124 caused by an area's wrong maximum says so instead of "fix total"."""
    rules = tmp_path / "r.cchc"
    body = (
        'fact co: boolean "Có"\n1 "A": max 2\n'
        + "".join(f'  1.{k} "a{k}": max 1\n    score = if co then max else 0\n    reason "r"\n' for k in (1, 2, 3))
        + '2 "B": max 1\n  score = if co then max else 0\n  reason "r"\n'
    )
    rules.write_text('ruleset "T" total 3 rounding 2 half_up\n' + body, encoding="utf-8")
    found, _ = check_and_prove(load_source(rules))
    (e123,) = [d for d in found if d.severity == "error"]
    assert e123.code == "E123" and "giữ điểm tối đa 2 của lĩnh vực 1, sửa điểm tối đa các tiêu chí con" in e123.hint
    rules.write_text('ruleset "T" total 4 rounding 2 half_up\n' + body, encoding="utf-8")
    found, _ = check_and_prove(load_source(rules))
    hints = {d.code: d.hint for d in found if d.severity == "error"}
    assert (
        hints["E124"]
        == "giữ `total`; sửa điểm tối đa của lĩnh vực 1 thành 3 (tổng các tiêu chí con, xem lỗi E123) là khớp"
    )
    rules.write_text(
        'ruleset "T" total 4 rounding 2 half_up\n' + body.replace('1 "A": max 2', '1 "A": max 3'), encoding="utf-8"
    )
    assert [d for d in check_and_prove(load_source(rules))[0] if d.severity == "error"] == []  # followed: clean
