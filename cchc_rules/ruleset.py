"""The public face of a checked rule set: load it once, evaluate it on many units."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cchc_rules.analysis import check_and_prove
from cchc_rules.applicable import not_needed
from cchc_rules.checked import CheckedRules
from cchc_rules.columns import ColumnRules, Unsupported
from cchc_rules.compiler import CompiledRules
from cchc_rules.errors import CheckError, Diagnostic, EvaluationError, FactsError
from cchc_rules.evaluator import evaluate
from cchc_rules.facts import Facts, RawFacts, facts_model, raw_from_mapping, read_facts, validate
from cchc_rules.inherit import load_resolved
from cchc_rules.result import Layout, Result, build_result, result_from_scores
from cchc_rules.trace import NullTracer, Tracer


class RuleSet:
    """A checked rule set, ready to evaluate.

    >>> rules = load("rules/hai-duong/xa/2023.cchc")
    >>> rules.max
    Decimal('74')
    """

    def __init__(self, checked: CheckedRules):
        self.checked = checked
        self._facts_model: type[BaseModel] | None = None
        self._compiled: tuple[CompiledRules, Layout] | None = None
        self._columns: ColumnRules | bool | None = False

    @property
    def name(self) -> str:
        """The rule set's name from its header."""
        return self.checked.header.name

    @property
    def max(self) -> Decimal | None:
        """The declared total maximum (`total` in the header)."""
        return self.checked.header.total

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """What the checker found worth a warning."""
        return self.checked.warnings

    def facts(self, facts: Mapping[str, Any] | Path | str | RawFacts) -> Facts:
        """Read (if a path) and validate a unit's facts; raises `FactsError`."""
        if isinstance(facts, RawFacts):
            raw = facts
        elif isinstance(facts, (str, Path)):
            raw = read_facts(facts)
        else:
            if type(facts) is dict:
                fast = self.compiled[0].facts(facts)
                if fast is not None:
                    return fast
            raw = raw_from_mapping(facts)
        if self._facts_model is None:
            self._facts_model = facts_model(self.checked)
        return validate(self.checked, raw, self._facts_model, self._not_needed)

    def _not_needed(self, values: Mapping[str, Any], missing: Sequence[str]) -> frozenset[str]:
        return not_needed(self.checked, values, missing)

    def evaluate(self, facts: Mapping[str, Any] | Path | str | RawFacts | Facts, trace: bool = True) -> Result:
        """Score a unit. `facts` is a mapping, a facts file path, or already validated facts.

        With `trace=False` no derivation is recorded (faster, for batch runs).
        """
        valid = facts if isinstance(facts, Facts) else self.facts(facts)
        compiled, layout = self.compiled
        tracer = Tracer() if trace else None
        try:
            scores = compiled.run(valid.values, tracer)
        except Exception:  # whatever stops the compiled code, the interpreter explains it
            return self._interpreted_instead(valid, trace)
        return result_from_scores(layout, valid, scores, tracer)

    def _interpreted_instead(self, facts: Facts, trace: bool) -> Result:
        """A unit the compiled code stopped on, run by the interpreter, which raises the error a user sees (the
        tests fail when it scores the unit instead: the compiled code then has a bug)."""
        return self.interpret(facts, trace)

    def evaluate_many(
        self, units: Iterable[Mapping[str, Any]], names: Iterable[str] | None = None, trace: bool = False
    ) -> list[Result]:
        """Score many units at once, each given as `evaluate` takes a mapping: plain values, or
        `{"unit": ..., "facts": {...}}` as a JSON line holds it.

        The same results as `evaluate` on each unit, computed column by column
        (`cchc_rules.columns`); with `trace=True` each node's derivation is
        worked out when it is read. `names` name the units (else each its own
        `unit`, or ""). Raises one `FactsError` naming every unit whose facts are
        wrong (by its place and name), or the `EvaluationError` of the first unit a
        rule cannot score, named the same way.
        """
        units = list(units)
        given_names = list(names) if names is not None else None
        if given_names is not None and len(given_names) != len(units):
            raise ValueError(f"`names` có {len(given_names)} tên cho {len(units)} đơn vị: cần mỗi đơn vị một tên")
        plain_names = given_names if given_names is not None else [""] * len(units)
        batch = self.columns.run(units, plain_names, trace) if self.columns is not None and units else None
        out: list[Result] = []
        problems: list[Diagnostic] = []
        for r, given in enumerate(units):
            result = batch.result(r, trace) if batch is not None else None
            if result is None:
                result = self._one_of_many(r, given, given_names, trace, problems)
            if result is not None:
                out.append(result)
        if problems:
            raise FactsError(problems)
        return out

    def _one_of_many(
        self,
        r: int,
        given: Mapping[str, Any],
        names: list[str] | None,
        trace: bool,
        problems: list[Diagnostic],
    ) -> Result | None:
        """Unit `r` of `evaluate_many` scored alone; its facts' problems added to `problems`, named by the
        unit's place and name (None then)."""
        label = f"đơn vị thứ {r + 1}"
        try:
            raw = raw_from_mapping(given, label)
            unit = names[r] if names is not None else raw.unit
            label += f" (`{unit}`)" if unit else ""
            valid = self.facts(raw.model_copy(update={"name": label, "unit": unit}))
        except FactsError as exc:
            problems.extend(exc.diagnostics)
            return None
        if problems:  # the other units' facts are checked; no use scoring this one
            return None
        try:
            return self.evaluate(valid, trace=trace)
        except EvaluationError as exc:
            raise EvaluationError(
                [d.model_copy(update={"message": f"{label}: {d.message}"}) for d in exc.diagnostics]
            ) from None

    @property
    def columns(self) -> ColumnRules | None:
        """The rule set compiled for batches (once); None when its expressions are scored unit by unit."""
        if self._columns is False:
            compiled, layout = self.compiled
            try:
                self._columns = ColumnRules(compiled, layout)
            except Unsupported:
                self._columns = None
        assert self._columns is not True
        return self._columns

    def interpret(self, facts: Facts, trace: bool = True) -> Result:
        """Score validated facts with the interpreter, the reference the compiled code is tested against.

        Raises `EvaluationError` for a rule that cannot be evaluated on these facts.
        """
        tracer = Tracer() if trace else NullTracer()
        outcome = evaluate(self.checked, facts, tracer)
        return build_result(self.checked, facts, outcome, tracer)

    @property
    def compiled(self) -> tuple[CompiledRules, Layout]:
        """The rule set compiled to closures (once), and the layout its results share."""
        if self._compiled is None:
            self._compiled = (CompiledRules(self.checked), Layout(self.checked))
        return self._compiled


def load(path: Path | str) -> RuleSet:
    """Read, parse, check and prove a rule file or folder; raises a `CchcError` subclass on bad input."""
    found, checked = check_and_prove(load_resolved(path))
    if checked is None:
        raise CheckError([d for d in found if d.severity == "error"])
    return RuleSet(checked)
