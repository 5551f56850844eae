"""The audit trail as data: what each node's score was derived from.

The evaluator records into a `Tracer` passed to it explicitly (never a
global); `NullTracer` records nothing, so untraced evaluation stays cheap.
Renderers only read these records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from cchc_rules.source import Span

ModelT = TypeVar("ModelT", bound=BaseModel)
StepT = TypeVar("StepT")

StepKind = Literal[
    "not_applicable",
    "ratio",
    "arithmetic",
    "zero_denominator",
    "tier",
    "deduction",
    "floor",
    "clamp",
    "min_max",
    "rounding",
    "sum",
    "adjustment",
    "condition",
]


class FactUse(BaseModel):
    """A fact a formula read: its value and where that value comes from."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: str
    shown: str
    type: str
    unit: str = ""
    description: str = ""
    evidence: str = ""
    # Whether `evidence` names a document; a note alone ("giả định: ...") is shown as a note, not as evidence.
    documented: bool = False
    defaulted: bool = False


class Step(BaseModel):
    """One intermediate step of a derivation, said in Vietnamese."""

    model_config = ConfigDict(frozen=True)

    kind: StepKind
    text: str
    span: Span | None = None


class NodeTrace(BaseModel):
    """Everything that explains one node's score."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    kind: str
    status: str
    max: str
    effective_max: str
    score: str
    lost: str
    source: Span
    formula: str | None = None
    formula_span: Span | None = None
    facts: tuple[FactUse, ...] = ()
    refs: tuple[tuple[str, str], ...] = ()
    steps: tuple[Step, ...] = ()
    unrounded: str | None = None
    rounding: str | None = None
    reasons: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    inferred: tuple[str, ...] = ()
    children: tuple[str, ...] = ()


def built(cls: type[ModelT], private: dict[str, Any] | None = None, /, **values: Any) -> ModelT:
    """A frozen model from values the engine made itself (already of the right types), without validation.

    `model_construct` does the same with more bookkeeping (it costs some 20 µs a model, as much as
    a unit's whole score in a batch); a trace holds thousands of these, a batch one result a unit.
    Every field must be given, and `private` holds every private attribute of a model that has any.
    """
    return built_from(cls, values, set(values), private)


def built_from(cls: type[ModelT], values: dict[str, Any], fields: set[str], private: dict[str, Any] | None) -> ModelT:
    """`built` from a dict of every field that becomes the model's own, and the set of their names.

    For the models made once a unit: passing the dict spares copying it into keywords, and `fields`
    may be one set shared by every model of a kind, since each has every field set (pydantic copies
    that set before it adds to it, in `model_copy`).
    """
    obj = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(obj, "__dict__", values)
    setattr_(obj, "__pydantic_fields_set__", fields)
    setattr_(obj, "__pydantic_extra__", None)
    setattr_(obj, "__pydantic_private__", private)
    return obj


class LazyStep:
    """A step recorded as data; its sentence is written only when the trace is read."""

    __slots__ = ("args", "kind", "render", "span")

    def __init__(self, kind: StepKind, span: Span | None, render: Callable[..., str], args: tuple[Any, ...]):
        self.kind = kind
        self.span = span
        self.render = render
        self.args = args

    def step(self) -> Step:
        """The step with its sentence."""
        return built(Step, kind=self.kind, text=self.render(*self.args), span=self.span)


class NodeRecord:
    """What is recorded while one node is evaluated (mutable, then frozen into a NodeTrace)."""

    __slots__ = ("facts", "quiet", "refs", "steps")

    def __init__(self) -> None:
        self.facts: dict[str, None] = {}
        self.refs: dict[str, None] = {}
        self.steps: list[Step | LazyStep] = []
        self.quiet = 0  # > 0 while a condition outside the formula is worked out: its steps are not the score's

    def materialised(self) -> tuple[Step, ...]:
        """Every step with its sentence written."""
        return tuple(s.step() if isinstance(s, LazyStep) else s for s in self.steps)

    def written(self) -> NodeRecord:
        """A copy with every sentence written: it keeps no function that writes one (it pickles)."""
        copy = NodeRecord()
        copy.facts = dict(self.facts)
        copy.refs = dict(self.refs)
        copy.steps = list(self.materialised())
        return copy


class Tracer:
    """Records facts read, criteria referenced and steps taken, node by node."""

    enabled = True

    def __init__(self) -> None:
        self.records: dict[str, NodeRecord] = {}
        self._stack: list[NodeRecord] = []

    def begin(self, node_id: str) -> None:
        """Start recording a node (nodes nest when one refers to another)."""
        record = NodeRecord()
        self.records[node_id] = record
        self._stack.append(record)

    def end(self) -> None:
        """Stop recording the current node."""
        self._stack.pop()

    def record(self, node_id: str) -> NodeRecord | None:
        """What was recorded for one node (None when it was never evaluated)."""
        return self.records.get(node_id)

    def fact(self, name: str) -> None:
        """The current node read a fact."""
        if self._stack:
            self._stack[-1].facts[name] = None

    def ref(self, node_id: str) -> None:
        """The current node used another node's score."""
        if self._stack:
            self._stack[-1].refs[node_id] = None

    def step(self, kind: StepKind, text: str, span: Span | None = None) -> None:
        """The current node took a step worth showing."""
        if self._stack and not self._stack[-1].quiet:
            self._stack[-1].steps.append(Step(kind=kind, text=text, span=span))

    def lazy(self, kind: StepKind, span: Span | None, render: Callable[..., str], args: tuple[Any, ...]) -> None:
        """A step whose sentence `render(*args)` is written when the trace is read (cheap to record)."""
        if self._stack and not self._stack[-1].quiet:
            self._stack[-1].steps.append(LazyStep(kind, span, render, args))

    def hush(self, by: int) -> None:
        """Stop (`by` = 1) or resume (-1) recording the current node's steps, for a `na when` or reason
        condition: its arithmetic is not part of the node's score, and an ancestor's `na when`, worked
        out while a child is evaluated, is not even the node's own. Facts read are still recorded, and a
        node evaluated inside the condition (`[id]`) records its own steps."""
        if self._stack:
            self._stack[-1].quiet += by


def with_branches(
    branches: Sequence[Step], steps: Sequence[StepT], spans: Sequence[Span | None], formula: Span | None
) -> list[Step | StepT]:
    """A node's recorded `steps` (whose `spans` are given) with `branches`, which way each `if` went,
    put where the evaluation decided them.

    Steps are recorded as each part of the formula is finished, left to right, so the steps of an
    `if`'s condition, and of what was worked out before it, are the first ones that end within the
    condition: its branch line comes right after them, before the steps of the branch it took and of
    the operations around the `if` (`a + b = 7`, then `điều kiện a + b >= 5: 7 ≥ 5 đúng`, then the
    branch's own steps). A step from outside the formula, such as its rounding, comes after every
    branch line.
    """
    if not branches:
        return list(steps)
    out: list[Step | StepT] = []
    k = 0
    for branch in branches:
        end = branch.span.end_pos if branch.span is not None else -1
        while k < len(steps):
            span = spans[k]
            if span is None or not _within(span, formula) or span.end_pos > end:
                break
            out.append(steps[k])
            k += 1
        out.append(branch)
    out.extend(steps[k:])
    return out


def _within(span: Span, formula: Span | None) -> bool:
    """Whether a step's span lies inside the formula's."""
    return (
        formula is not None
        and span.file == formula.file
        and formula.start_pos <= span.start_pos
        and span.end_pos <= formula.end_pos
    )


class NullTracer(Tracer):
    """Records nothing."""

    enabled = False

    def begin(self, node_id: str) -> None:
        pass

    def end(self) -> None:
        pass

    def fact(self, name: str) -> None:
        pass

    def ref(self, node_id: str) -> None:
        pass

    def step(self, kind: StepKind, text: str, span: Span | None = None) -> None:
        pass

    def lazy(self, kind: StepKind, span: Span | None, render: Callable[..., str], args: tuple[Any, ...]) -> None:
        pass

    def hush(self, by: int) -> None:
        pass
