"""A rule set that has passed the checker: the merged, indexed form the evaluator runs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast
from cchc_rules.errors import Diagnostic
from cchc_rules.source import SourceFile
from cchc_rules.vocabulary import RoundingMode

DEFAULT_PERCENT_ROUNDING: tuple[int, RoundingMode] = (2, "half_up")


class CheckedRules(BaseModel):
    """Header, facts and the criterion tree, indexed, in a stable order.

    `order` lists criterion ids depth-first in numeric order (1, 1.1, 1.1.1,
    1.2, ..., 1.10); `children` maps an id to its direct children; bonus and
    penalty items are kept apart in `adjustments`.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)  # holds syntax nodes: see ast.py

    header: ast.Header
    facts: dict[str, ast.FactDecl]
    nodes: dict[str, ast.Criterion]
    order: tuple[str, ...]
    children: dict[str, tuple[str, ...]]
    areas: tuple[str, ...]
    adjustments: tuple[str, ...]
    rounding: dict[str, ast.Rounding]
    sources: tuple[SourceFile, ...]
    warnings: tuple[Diagnostic, ...] = ()
    # Facts removed by `remove fact` in a later year: set aside when a facts file gives them.
    retired_facts: frozenset[str] = frozenset()

    def source_line(self, file: str, line: int) -> str:
        """The text of a line of one of the rule files."""
        for source in self.sources:
            if source.name == file:
                return source.line_text(line)
        return ""
