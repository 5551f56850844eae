"""Shared test set-up: paths, the golden-file flag, hypothesis profiles."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from cchc_rules.facts import Facts
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RULES_2023 = ROOT / "rules" / "hai-duong" / "xa" / "2023.cchc"
FACTS_THANH_THUY = ROOT / "examples" / "thanh-thuy-2023" / "facts.yaml"

# CCHC_EVALUATOR=interpreter: every RuleSet.evaluate runs the reference interpreter (evaluator.py)
# instead of the compiled closures, so the evaluator's tests test it too (`make mutation` does this).
if os.environ.get("CCHC_EVALUATOR") == "interpreter":

    def _interpreted(self: RuleSet, facts: Any, trace: bool = True) -> Result:
        return self.interpret(facts if isinstance(facts, Facts) else self.facts(facts), trace)

    RuleSet.evaluate = _interpreted  # type: ignore[method-assign]
else:
    # RuleSet.evaluate hands a unit the compiled code cannot score to the interpreter, to raise the user's
    # error. Were the interpreter to score it instead, the compiled code has a bug that every test calling
    # evaluate would pass over: here that fails the test.

    def _never_scored_instead(self: RuleSet, facts: Facts, trace: bool) -> Result:
        self.interpret(facts, trace)
        raise AssertionError("the compiled code failed on facts the interpreter scores: a bug in compiler.py")

    RuleSet._interpreted_instead = _never_scored_instead  # type: ignore[method-assign]

# Under mutmut every call into a mutated module goes through a trampoline, which about triples the stack a
# nested expression takes: the deepest input the limits allow would overflow Python's default limit of 1,000.
if "mutmut" in sys.modules:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

settings.register_profile("dev", max_examples=200, deadline=None)
# CI draws the same examples every run (a seed per test): a landing is decided by the code, not by luck.
# The dev and thorough profiles keep drawing new ones, and that is where new counterexamples turn up.
settings.register_profile("ci", max_examples=1000, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=20000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected-output files of the fixtures instead of comparing with them",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def golden(path: Path, actual: str, update: bool) -> None:
    """Compare `actual` with the golden file `path`, or rewrite it with --update-golden."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"missing golden file {path}; run pytest --update-golden and review it")
        path.write_text(actual, encoding="utf-8")
        return
    assert actual == path.read_text(encoding="utf-8")


def beside_2023(tmp_path: Path, text: str) -> Path:
    """A rules folder holding the shipped 2023.cchc and a 2024.cchc with `text` after its header."""
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(RULES_2023, folder / "2023.cchc")
    header = 'ruleset "Năm 2024"\n  extends "2023.cchc"\n  year 2024\n'
    (folder / "2024.cchc").write_text(header + text, encoding="utf-8")
    return folder
