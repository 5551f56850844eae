"""A pytest plugin: rule-set test cases (`*.tests.yaml`) run as ordinary pytest tests.

Installed with the package (entry point `pytest11`), so `pytest rules/` (or a
`testpaths` that includes the rules folder) collects every case.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cchc_rules.cases import SUFFIX, Case, read_cases, render_outcome, run_case


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect `*.tests.yaml` files."""
    if file_path.name.endswith(SUFFIX):
        return CaseFileItem.from_parent(parent, path=file_path)
    return None


class CaseFailure(Exception):
    """A case whose expectations do not hold."""


class CaseFileItem(pytest.File):
    """One `.tests.yaml` file: one test per case."""

    def collect(self) -> Iterator[pytest.Item]:
        """Every case of the file."""
        from cchc_rules.errors import CchcError
        from cchc_rules.ruleset import load

        try:
            cases = read_cases(self.path)
            rules = load(cases.rules)
        except CchcError as exc:  # a broken case file or rule set: its message, not Python frames
            raise self.CollectError(exc.render()) from None
        for case in cases.cases:
            yield CaseItem.from_parent(self, name=case.name, case=case, rules=rules)


class CaseItem(pytest.Item):
    """One rule-set test case."""

    def __init__(self, *, case: Case, rules: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case
        self.rules = rules

    def runtest(self) -> None:
        """Evaluate the case; fail with every mismatching value."""
        outcome = run_case(self.rules, self.case)
        if not outcome.passed:
            raise CaseFailure(render_outcome(outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The case's diff, without a Python traceback."""
        if isinstance(excinfo.value, CaseFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the case is, for pytest's report."""
        return self.path, None, f"{self.path.name}::{self.name}"
