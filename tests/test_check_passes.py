"""The checker's passes one by one: groups, the criterion tree and tier tables, called on a merged
rule set and held to the exact diagnostics they give (code, place, text) at the edges of their domains.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from cchc_rules.checker import merge
from cchc_rules.checks import Merged
from cchc_rules.checks.groups import check_groups, group_region
from cchc_rules.checks.regions import Piece
from cchc_rules.checks.tiers import check_tiers
from cchc_rules.checks.tree import check_tree
from cchc_rules.loader import load_source
from tests.conftest import FIXTURES

GOOD = FIXTURES / "check" / "good"
BODY = 'fact co: boolean "Có"\n1 "Lĩnh vực": max 1\n  score = if co then max else 0\n  reason "Không có"\n'


def merged(tmp_path: Path, text: str) -> Merged:
    path = tmp_path / "r.cchc"
    path.write_text(text, encoding="utf-8")
    return merge(load_source(path))


def with_groups(tmp_path: Path, *groups: str, percent_rounding: str = "") -> Merged:
    header = 'ruleset "Nhóm"\n  total 1\n  rounding 2 half_up\n' + percent_rounding
    return merged(tmp_path, header + "".join(f"  group {g}\n" for g in groups) + BODY)


# ---- groups -----------------------------------------------------------------------------


def test_a_group_is_the_whole_steps_of_the_percent_grid_it_holds(tmp_path: Path) -> None:
    b, a = with_groups(tmp_path, '"B" from 80% to under 90%', '"A" from 90%').headers[0].groups
    assert group_region(b, 100).pieces == [Piece(Fraction(8000), True, Fraction(8999), True)]
    assert group_region(a, 10).pieces == [Piece(Fraction(900), True, None, False)]


def test_groups_adjacent_on_the_declared_one_decimal_grid_give_no_warning() -> None:
    # 89.9% and 90% are neighbours with 1 decimal, not with 2: the header's `percent rounding` decides.
    assert check_groups(merge(load_source(GOOD / "groups_cover_on_the_percent_grid.cchc"))) == []


def test_a_group_of_four_hundredths_is_not_empty_on_the_default_two_decimal_grid(tmp_path: Path) -> None:
    rules = with_groups(tmp_path, '"A" from 90%', '"B" from 89.96% to under 90%', '"C" under 89.96%')
    assert rules.headers[0].percent_rounding is None
    assert check_groups(rules) == []


def test_groups_may_hold_exactly_0_and_exactly_100_percent(tmp_path: Path) -> None:
    rules = with_groups(
        tmp_path, '"Không đạt" from 0% to 0%', '"Đạt" from 0.01% to under 100%', '"Tuyệt đối" from 100% to 100%'
    )
    assert check_groups(rules) == []


def test_a_gap_below_the_groups_is_one_warning_at_the_group_above_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOOD)
    found = check_groups(merge(load_source("groups_gap_is_a_warning.cchc")))
    assert [d.render() for d in found] == [
        "groups_gap_is_a_warning.cchc:6:3: cảnh báo [W195]: không nhóm nào nhận đơn vị có tỷ lệ đạt "
        "từ 0% đến 79,99%\n"
        '      group "B" from 80% to under 90%\n'
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        '    gợi ý: thêm nhóm cho khoảng còn thiếu: `group "..." under 80%`'
    ]


def test_a_gap_at_exactly_100_percent_is_named(tmp_path: Path) -> None:
    found = check_groups(with_groups(tmp_path, '"B" under 50%', '"A" from 50% to under 100%'))
    assert [(d.code, d.severity, d.message) for d in found] == [
        ("W195", "warning", "không nhóm nào nhận đơn vị có tỷ lệ đạt đúng 100%")
    ]


def test_a_group_named_twice_or_empty_does_not_stop_the_check_of_the_groups_after_it(tmp_path: Path) -> None:
    found = check_groups(with_groups(tmp_path, '"A" from 90%', '"A" from 80%', '"Xuất sắc" from 101%', '"B" from 85%'))
    assert [(d.code, d.span and d.span.line) for d in found] == [("E196", 5), ("E196", 6), ("E194", 7)]
    assert found[2].message == "nhóm `B` trùng với nhóm `A` (dòng 4) ở khoảng từ 90% đến 100%"


# ---- the criterion tree -----------------------------------------------------------------


def test_a_maximum_of_zero_is_allowed(tmp_path: Path) -> None:
    rules = merged(
        tmp_path,
        'ruleset "T" total 1 rounding 3 half_up\n' + BODY + '1.1 "Con": max 1\n  score = 1\n  reason "r"\n'
        '1.2 "Không chấm": max 0\n  score = 0\n  reason "r"\n',
    )
    assert check_tree(rules) == []


def test_a_negative_maximum_is_e122_at_the_criterion_id(tmp_path: Path) -> None:
    # The grammar has no negative maximum; a rule set built another way (an AST) may.
    rules = merged(tmp_path, 'ruleset "T" total 1 rounding 3 half_up\n' + BODY)
    (crit,) = rules.criteria
    rules = rules.model_copy(update={"criteria": (crit.model_copy(update={"max": Decimal(-1)}),)})
    (found,) = check_tree(rules)
    assert (found.code, found.severity, found.span) == ("E122", "error", crit.head)
    assert found.message == "điểm tối đa của 1 không được âm"


# ---- tier tables ------------------------------------------------------------------------


def test_a_percent_gap_example_is_the_first_missing_percentage(tmp_path: Path) -> None:
    rules = merged(
        tmp_path,
        'ruleset "T" total 1 rounding 3 half_up\nfact r: percent "R"\n1 "A": max 1\n'
        '  score = tier r\n    when < 50%: 0\n  reason "r"\n',
    )
    (gap,) = check_tiers(rules)
    assert gap.code == "E193" and gap.example == {"r": "50%"}
    assert gap.message == "tiêu chí 1: không bậc nào khớp khi giá trị từ 50% đến 100% (vd 50%)"
