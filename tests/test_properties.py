"""Property-based tests: the guarantees of an evaluation, on every shipped rule set.

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
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cchc_rules
from cchc_rules import ast
from cchc_rules.result import Result
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


@functools.cache
def load(path: Path) -> RuleSet:
    return cchc_rules.load(path)


def test_rule_sets_are_shipped() -> None:
    assert RULE_SETS, f"no .cchc rule set under {RULES_DIR}"


# ---- the properties ----------------------------------------------------------------------

rule_sets = pytest.mark.parametrize("path", RULE_SETS, ids=RULE_IDS)


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
