"""Checker passes: each a small pure function from the merged rule set to diagnostics.

`cchc_rules.checker.PASSES` lists them in the order they run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast
from cchc_rules.errors import Diagnostic, Severity
from cchc_rules.source import SourceFile, Span


class Merged(BaseModel):
    """All modules of a rule set put side by side, before any check."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # holds syntax nodes: see ast.py

    headers: tuple[ast.Header, ...]
    facts: tuple[ast.FactDecl, ...]
    criteria: tuple[ast.Criterion, ...]
    sources: tuple[SourceFile, ...]
    inherited_files: frozenset[str] = frozenset()  # earlier years' files (see `RuleSource`)
    retired_facts: frozenset[str] = frozenset()  # facts a `remove fact` of this or an earlier year removed

    def line(self, span: Span) -> str:
        """The source line a span starts on."""
        for source in self.sources:
            if source.name == span.file:
                return source.line_text(span.line)
        return ""

    def diag(self, code: str, severity: Severity, span: Span | None, message: str, hint: str = "") -> Diagnostic:
        """A diagnostic with the line it points at."""
        return Diagnostic(
            code=code,
            severity=severity,
            message=message,
            span=span,
            line_text=self.line(span) if span else "",
            hint=hint,
        )

    def fact_names(self) -> tuple[str, ...]:
        """Every declared fact's name."""
        return tuple(f.name for f in self.facts)

    def criterion_ids(self) -> tuple[str, ...]:
        """Every declared criterion's id (bonus and penalty items included)."""
        return tuple(c.id for c in self.criteria)


@functools.cache
def _fields(cls: type[ast.Node]) -> tuple[str, ...]:
    return tuple(cls.model_fields)


def walk(expr: ast.Node) -> Iterator[ast.Node]:
    """Every node of an expression, the expression itself first (depth first, in source order).

    Uses a stack, not nested generators: a sum of many terms is as deep as it is
    long, and each level of `yield from` would cost every node below it.
    """
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        children: list[ast.Node] = []
        for name in _fields(type(node)):
            value = getattr(node, name)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, ast.Node) and not isinstance(item, ast.Option):
                    children.append(item)
        stack.extend(reversed(children))


def expressions(criterion: ast.Criterion) -> Iterator[ast.Node]:
    """Every expression a criterion evaluates: formula, n/a conditions, reason conditions."""
    if criterion.formula:
        yield criterion.formula.expr
    for na in criterion.not_applicable:
        yield na.condition
    for reason in criterion.reasons:
        if reason.condition is not None:
            yield reason.condition
