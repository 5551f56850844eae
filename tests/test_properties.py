"""Property-based tests: the guarantees of an evaluation, on every shipped rule set.

They run as well on tests/fixtures/properties/thuong-tru.cchc, a small rule set with
what the shipped ones lack: a bonus and a penalty that depend on facts (so the total
is clamped at the maximum and at 0), and `not_applicable exclude` (zero denominators
and a `na when ...: exclude` parent remove their maxima). Hand-picked units there pin
the clamped and excluded cases with the expected numbers written out, and the facts
strategy is shown to reach each case.

Facts are drawn from each rule set's own `fact` declarations (types, bounds,
part <= whole constraints), weighted towards the values where scores change:
0, a part equal to its whole, values exactly at the tier thresholds written in
the rules, and just below them. Every drawn unit must then satisfy:

1. 0 <= score <= effective_max <= max at every node;
2. a node without its own formula is the exact sum of its children;
3. the losses add up exactly to max - base_score, and the total is
   clamp(base + bonus - penalty, 0, max);
4. an n/a node scores its full maximum, or is excluded (0 of 0);
5. evaluation is deterministic, and tracing does not change any score;
6. no score has more decimals than the rounding policies allow;
7. every percentage is the score over the effective maximum, rounded by the
   header's `percent rounding` policy (recomputed here with Fractions).

Profiles: "dev" (200 examples), "ci" (1000; loaded when CI is set) and
"thorough" (20000); HYPOTHESIS_PROFILE picks one explicitly.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, find, given, settings, target
from hypothesis import strategies as st

import cchc_rules
from cchc_rules import ast
from cchc_rules.checks import walk
from cchc_rules.facts import usage
from cchc_rules.result import NodeResult, Result
from cchc_rules.ruleset import RuleSet
from cchc_rules.testing import (
    allowed_places,
    check_bounds,
    check_invariants,
    check_not_applicable,
    check_percent,
    check_places,
    check_sums,
    check_total,
    facts_strategy,
)

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"
FACTS_THANH_THUY = ROOT / "examples" / "thanh-thuy-2023" / "facts.yaml"

# Profiles (dev 200, ci 1000, thorough 20000 examples) are registered in tests/conftest.py.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
MAX_EXAMPLES = settings.get_profile(PROFILE).max_examples
PROPERTY = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---- the shipped rule sets ---------------------------------------------------------

_HEADER = re.compile(r'^\s*ruleset\s+"', re.MULTILINE)


def shipped_rule_sets() -> list[Path]:
    """Every rule set under rules/: a file with its own `ruleset` header, or a folder of parts."""
    out: list[Path] = []
    folders: dict[Path, list[Path]] = {}
    for path in sorted(RULES_DIR.glob("**/*.cchc")):
        folders.setdefault(path.parent, []).append(path)
    for folder, files in sorted(folders.items()):
        with_header = [f for f in files if _HEADER.search(f.read_text(encoding="utf-8-sig"))]
        if len(with_header) == len(files):
            out.extend(files)  # each file is a complete rule set
        else:
            out.append(folder)  # one rule set split over several files
    return out


RULE_SETS = shipped_rule_sets()
RULE_IDS = [str(p.relative_to(ROOT)) for p in RULE_SETS]

# Bonus, penalty and excluded n/a nodes, which the shipped rule sets do not have.
THUONG_TRU = ROOT / "tests" / "fixtures" / "properties" / "thuong-tru.cchc"
# Criteria that `na when` makes not applicable, and facts only they read.
KHONG_AP_DUNG = ROOT / "tests" / "fixtures" / "properties" / "khong-ap-dung.cchc"
PROPERTY_SETS = [*RULE_SETS, THUONG_TRU, KHONG_AP_DUNG]
PROPERTY_IDS = [str(p.relative_to(ROOT)) for p in PROPERTY_SETS]


@functools.cache
def load(path: Path) -> RuleSet:
    return cchc_rules.load(path)


def test_rule_sets_are_shipped() -> None:
    assert RULE_SETS, f"no .cchc rule set under {RULES_DIR}"


# ---- the properties ----------------------------------------------------------------------

rule_sets = pytest.mark.parametrize("path", PROPERTY_SETS, ids=PROPERTY_IDS)


def _evaluate(path: Path, data: st.DataObject, trace: bool = False) -> tuple[RuleSet, Result]:
    rules = load(path)
    facts = data.draw(facts_strategy(rules), label="facts")
    return rules, rules.evaluate(facts, trace=trace)


@rule_sets
@PROPERTY
@given(data=st.data())
def test_scores_within_bounds(path: Path, data: st.DataObject) -> None:
    check_bounds(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_parent_is_sum_of_children(path: Path, data: st.DataObject) -> None:
    check_sums(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_losses_and_total(path: Path, data: st.DataObject) -> None:
    check_total(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_not_applicable_is_full_or_excluded(path: Path, data: st.DataObject) -> None:
    check_not_applicable(*_evaluate(path, data))


def _outcomes(result: Result) -> list[tuple[Any, ...]]:
    return [(n.id, n.status, n.score, n.effective_max, n.reasons) for n in result.nodes.values()] + [
        (result.score, result.max, result.percent)
    ]


@rule_sets
@PROPERTY
@given(data=st.data())
def test_facts_only_criteria_not_applicable_read_may_be_left_out(path: Path, data: st.DataObject) -> None:
    """Leaving out facts that only criteria not applicable to the unit read changes no score, status or
    reason, in the three engines, and they are listed as excused; leaving out a fact that is needed (one a
    `na when` reads, one that bounds a fact given, one that an applicable criterion reads, one that decides
    a `zero: na`) is reported missing, naming only facts left out."""
    rules = load(path)
    facts = data.draw(facts_strategy(rules), label="facts")
    whole = rules.evaluate(facts, trace=False)
    used = usage(rules.checked)
    # Only facts without a default: one with a default, left out, takes its default, which may score otherwise.
    required = sorted(n for n in facts if rules.checked.facts[n].default is None)
    # Those a `na when` reads are needed (they decide what applies): left out only now and then, below.
    guards = {
        e.name
        for crit in rules.checked.nodes.values()
        for clause in crit.not_applicable
        for e in walk(clause.condition)
        if isinstance(e, ast.NameRef)
    }
    idle = [n for n in required if n not in guards and used[n] and all(whole[i].status == "n_a" for i in used[n])]
    event(f"facts only n/a criteria read: {min(len(idle), 3)}{'+' if len(idle) > 3 else ''}")
    left_out = set(data.draw(st.sets(st.sampled_from(idle), min_size=1), label="left out") if idle else ())
    if required and data.draw(st.integers(0, 3), label="one more") == 0:
        left_out.add(data.draw(st.sampled_from(required), label="another"))
    given_ = {name: value for name, value in facts.items() if name not in left_out}
    try:
        valid = rules.facts(given_)
    except cchc_rules.FactsError as exc:
        said = "".join(d.message for d in exc.diagnostics)
        assert {d.code for d in exc.diagnostics} == {"F002"}, said
        assert set(re.findall(r"\n  - ([^:\s]+): ", said)) <= left_out, said
        event("left out a fact that is needed")
        return
    assert valid.excused == left_out
    event(f"excused: {min(len(valid.excused), 2)}{'+' if len(valid.excused) > 2 else ''}")
    for result in (
        rules.evaluate(given_),
        rules.interpret(valid),
        rules.evaluate_many([given_, facts], trace=True)[0],
    ):
        assert _outcomes(result) == _outcomes(whole)
        assert set(result.facts) == set(whole.facts) - valid.excused


@rule_sets
@PROPERTY
@given(data=st.data())
def test_deterministic_and_trace_neutral(path: Path, data: st.DataObject) -> None:
    rules = load(path)
    facts = data.draw(facts_strategy(rules), label="facts")
    first = rules.evaluate(facts)
    second = rules.evaluate(facts)
    untraced = rules.evaluate(facts, trace=False)
    assert first.to_json(trace=True) == second.to_json(trace=True)
    assert first.to_json() == second.to_json() == untraced.to_json()
    assert [(n.id, n.score, n.effective_max, n.status) for n in first.nodes.values()] == [
        (n.id, n.score, n.effective_max, n.status) for n in untraced.nodes.values()
    ]
    assert (first.score, first.max, first.percent) == (untraced.score, untraced.max, untraced.percent)


@rule_sets
@PROPERTY
@given(data=st.data())
def test_scores_respect_rounding(path: Path, data: st.DataObject) -> None:
    check_places(*_evaluate(path, data))


@rule_sets
@PROPERTY
@given(data=st.data())
def test_percent_is_rounded_ratio(path: Path, data: st.DataObject) -> None:
    check_percent(*_evaluate(path, data))


# ---- checks on the strategy and an example --------------------------------------------------


@rule_sets
@settings(max_examples=min(MAX_EXAMPLES, 200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_drawn_facts_are_valid(path: Path, data: st.DataObject) -> None:
    """The strategy only draws facts the rule set accepts, with every part within its whole."""
    rules = load(path)
    valid = rules.facts(data.draw(facts_strategy(rules), label="facts"))
    for name, decl in rules.checked.facts.items():
        if isinstance(decl.max, ast.NameRef):
            part: Any = valid.values[name]
            assert part <= valid.values[decl.max.name]


@settings(max_examples=min(MAX_EXAMPLES, 300), deadline=None)
@given(data=st.data())
def test_drawn_dates_respect_a_date_bound_drawn_first(data: st.DataObject) -> None:
    """A date whose lower bound is another date: the strategy never asks for an empty range of dates."""
    rules = load(ROOT / "tests" / "fixtures" / "evaluate" / "date_bounded_by_a_date.cchc")
    valid = rules.facts(data.draw(facts_strategy(rules), label="facts"))
    assert valid.values["han"] <= valid.values["nop"] <= datetime.date(2023, 12, 31)


def test_thanh_thuy_2023_invariants() -> None:
    path = ROOT / "rules" / "hai-duong" / "xa" / "2023.cchc"
    rules = load(path)
    result = rules.evaluate(FACTS_THANH_THUY)
    check_invariants(rules, result)
    assert allowed_places(rules)["3.5.2"] == 3
    assert rules.evaluate(FACTS_THANH_THUY).to_json(trace=True) == result.to_json(trace=True)
    assert rules.evaluate(FACTS_THANH_THUY, trace=False).to_json() == result.to_json()


# ---- bonus, penalty and exclusion: tests/fixtures/properties/thuong-tru.cchc ----------------------
#
# Maxima: area 1 = 1.1 (1) + 1.2 (1); area 2 = 2.1 (2) + 2.2 (1); area 3 = 3.1 (2) = 3.1.1 (1) + 3.1.2 (1);
# total 7. Bonus sang_kien = min(3, 1.5 x so_sang_kien); penalty ky_luat = min(10, 2.5 x so_vu_ky_luat).
# 1.2, 2.1 and 3.1.1 are n/a on a zero denominator, excluded by the header's `not_applicable exclude`;
# 3.1 (and so 3.1.1, 3.1.2) is excluded when tthc_truc_tuyen = 0; 2.2 is n/a full when ho_so_lien_thong = 0.

THUONG_TRU_TOTAL = 7
THUONG_TRU_FULL_NA = frozenset({"2.2"})  # every other n/a node of the fixture is excluded

# A unit with everything done but half its files online: base 6.5 of 7.
_GOOD = {
    "co_ke_hoach": True,
    "nhiem_vu": 4,
    "nhiem_vu_xong": 4,
    "tong_ho_so": 10,
    "ho_so_dung_han": 10,
    "tthc_truc_tuyen": 5,
    "tthc_co_ho_so": 5,
    "ho_so_truc_tuyen": 5,
}

# Each case: facts; (base, bonus, penalty, total, max, percent); node -> (status, score, effective_max);
# the losses (node -> lost points). Every number is worked out by hand from the fixture's formulas.
THUONG_TRU_CASES: dict[str, tuple[dict[str, Any], tuple[str, ...], dict[str, tuple[str, str, str]], dict[str, str]]] = {
    # 6.5 + 1.5 - 0 = 8 > 7: the total is kept at the maximum, 7 (100%).
    "clamped_at_the_maximum": (
        {**_GOOD, "so_sang_kien": 1},
        ("6.5", "1.5", "0", "7", "7", "100"),
        {"2.2": ("n_a", "1", "1"), "3.1.2": ("scored", "0.5", "1"), "sang_kien": ("scored", "1.5", "3")},
        {"3.1.2": "0.5"},
    ),
    # No plan tasks: 1.2 excluded, the maximum is 6 and the base 5.5; 5.5 + 3 - 0 = 8.5 > 6: total 6 (100%).
    "clamped_at_the_reduced_maximum": (
        {**_GOOD, "nhiem_vu": 0, "nhiem_vu_xong": 0, "so_sang_kien": 5},
        ("5.5", "3", "0", "6", "6", "100"),
        {"1.2": ("n_a", "0", "0"), "1": ("scored", "1", "1"), "sang_kien": ("scored", "3", "3")},
        {"3.1.2": "0.5"},
    ),
    # 6.5 + 1.5 - 2.5 = 5.5, within [0, 7]: not clamped; 5.5/7 = 78.5714...%.
    "bonus_and_penalty_within_bounds": (
        {**_GOOD, "so_sang_kien": 1, "so_vu_ky_luat": 1},
        ("6.5", "1.5", "2.5", "5.5", "7", "78.57"),
        {"ky_luat": ("scored", "2.5", "10")},
        {"3.1.2": "0.5"},
    ),
    # 1.1: 0; 1.2: 1/3 -> 0.33; 2.1: 2 x 1000/1935 = 1.0335... -> 1.03; 2.2: 3/4 -> 0.75;
    # 3.1.1: 19/139 = 0.1366... -> 0.14; 3.1.2: 0. Base 2.25; 2.25 + 1.5 - 5 = -1.25 < 0: total 0.
    "clamped_at_zero": (
        {
            "co_ke_hoach": False,
            "nhiem_vu": 3,
            "nhiem_vu_xong": 1,
            "tong_ho_so": 1935,
            "ho_so_dung_han": 1000,
            "ho_so_lien_thong": 4,
            "lien_thong_dung_han": 3,
            "tthc_truc_tuyen": 139,
            "tthc_co_ho_so": 19,
            "ho_so_truc_tuyen": 0,
            "so_sang_kien": 1,
            "so_vu_ky_luat": 2,
        },
        ("2.25", "1.5", "5", "0", "7", "0"),
        {
            "1": ("scored", "0.33", "2"),
            "2": ("scored", "1.78", "3"),
            "3": ("scored", "0.14", "2"),
            "ky_luat": ("scored", "5", "10"),
        },
        {"1.1": "1", "1.2": "0.67", "2.1": "0.97", "2.2": "0.25", "3.1.1": "0.86", "3.1.2": "1"},
    ),
    # 1.2 (0 tasks) and 3.1 (no online procedure, so 3.1.1 and 3.1.2 too) are excluded: 0 of 0, and the
    # maximum is 1 + 3 + 0 = 4. 2.2 (no inter-agency file) is n/a full: 1 of 1. 2.1: 2 x 15/20 = 1.5.
    # Base 1 + 2.5 + 0 = 3.5 of 4: 87.5%.
    "excluded": (
        {
            "co_ke_hoach": True,
            "nhiem_vu": 0,
            "nhiem_vu_xong": 0,
            "tong_ho_so": 20,
            "ho_so_dung_han": 15,
            "tthc_truc_tuyen": 0,
            "tthc_co_ho_so": 0,
            "ho_so_truc_tuyen": 20,
        },
        ("3.5", "0", "0", "3.5", "4", "87.5"),
        {
            "1": ("scored", "1", "1"),
            "1.2": ("n_a", "0", "0"),
            "2": ("scored", "2.5", "3"),
            "2.2": ("n_a", "1", "1"),
            "3": ("scored", "0", "0"),
            "3.1": ("n_a", "0", "0"),
            "3.1.1": ("n_a", "0", "0"),
            "3.1.2": ("n_a", "0", "0"),
        },
        {"2.1": "0.5"},
    ),
}


@pytest.mark.parametrize("case", list(THUONG_TRU_CASES))
def test_thuong_tru_hand_picked(case: str) -> None:
    """The clamped totals and the excluded maxima, against numbers worked out by hand."""
    facts, totals, nodes, losses = THUONG_TRU_CASES[case]
    rules = load(THUONG_TRU)
    for trace in (True, False):
        result = rules.evaluate(facts, trace=trace)
        got = (result.base_score, result.bonus, result.penalty, result.score, result.max, result.percent)
        assert got == tuple(Decimal(x) for x in totals), f"{case}: (base, bonus, penalty, total, max, percent)"
        for node_id, (status, score, effective_max) in nodes.items():
            node = result[node_id]
            assert (node.status, node.score, node.effective_max) == (status, Decimal(score), Decimal(effective_max)), (
                node_id
            )
        assert {n.id: n.lost for n in result.losses()} == {k: Decimal(v) for k, v in losses.items()}
        check_invariants(rules, result)


def _top_excluded(result: Result) -> list[NodeResult]:
    """The excluded n/a nodes whose parent is not n/a itself: the maxima taken out of the total."""
    parent = {kid: node.id for node in result.nodes.values() for kid in node.children}
    return [
        node
        for node in result.nodes.values()
        if node.status == "n_a"
        and node.effective_max == 0
        and (node.id not in parent or result[parent[node.id]].status != "n_a")
    ]


@PROPERTY
@given(data=st.data())
def test_thuong_tru_clamps_and_exclusions(data: st.DataObject) -> None:
    """On drawn facts: total = clamp(base + bonus - penalty, 0, max), each n/a node follows its own policy,
    and the maximum is the declared 7 less the maxima of the excluded nodes."""
    rules = load(THUONG_TRU)
    result = rules.evaluate(data.draw(facts_strategy(rules), label="facts"))
    check_invariants(rules, result)

    unclamped = result.base_score + result.bonus - result.penalty
    if unclamped > result.max:
        event("total clamped at the maximum")
        assert result.score == result.max
    elif unclamped < 0:
        event("total clamped at 0")
        assert result.score == 0
    else:
        event("total within [0, max]")
        assert result.score == unclamped
    target(float(unclamped - result.max), label="base + bonus - penalty above the maximum")
    target(float(-unclamped), label="base + bonus - penalty below 0")

    for node in result.nodes.values():
        if node.status != "n_a":
            continue
        if node.id in THUONG_TRU_FULL_NA:
            event("n/a full")
            assert (node.score, node.effective_max) == (node.max, node.max), node.id
        else:
            event("n/a excluded")
            assert (node.score, node.effective_max) == (0, 0), node.id
    excluded = _top_excluded(result)
    assert result.max == THUONG_TRU_TOTAL - sum((n.max for n in excluded), Decimal(0))


# What the property tests above must meet on the fixture: the strategy has to reach each case.
THUONG_TRU_REACHED: dict[str, Callable[[Result], bool]] = {
    "clamped_at_the_maximum": lambda r: r.base_score + r.bonus - r.penalty > r.max,
    "clamped_at_the_reduced_maximum": lambda r: r.base_score + r.bonus - r.penalty > r.max < THUONG_TRU_TOTAL,
    "clamped_at_zero": lambda r: r.base_score + r.bonus - r.penalty < 0,
    "excluded_leaf": lambda r: r["1.2"].status == "n_a",
    "excluded_parent": lambda r: r["3.1"].status == "n_a",
    "n_a_full": lambda r: r["2.2"].status == "n_a",
}


@pytest.mark.parametrize("case", list(THUONG_TRU_REACHED))
def test_thuong_tru_strategy_reaches(case: str) -> None:
    """facts_strategy draws, within the dev profile's 200 examples, a unit of each interesting kind."""
    rules = load(THUONG_TRU)
    condition = THUONG_TRU_REACHED[case]
    found = find(
        facts_strategy(rules),
        lambda facts: condition(rules.evaluate(facts, trace=False)),
        settings=settings(max_examples=200, derandomize=True, database=None, deadline=None),
    )
    assert condition(rules.evaluate(found, trace=False))
