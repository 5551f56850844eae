"""The typed syntax tree of a rule file: frozen pydantic models, one per construct.

Every node keeps its `span`; two nodes are equal when everything but their
spans is equal, so a file reformatted or moved compares equal to itself.

The models are declared with `defer_build`: pydantic builds a node class's
validator only when something validates one (`Number(value=...)`), never at
import. The parser, which builds nodes from values that already have the
right types, uses `model_construct`, so `cchc check` does not pay some 90 ms
for thirty validators at every start.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cchc_rules.source import Span
from cchc_rules.vocabulary import FactKind, RoundingMode

NaPolicy = Literal["full", "exclude"]
ZeroPolicy = Literal["full", "zero", "na"]
CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
ArithOp = Literal["+", "-", "*", "/"]
FUNCTIONS: tuple[str, ...] = ("min", "max", "clamp", "ratio")


# Fields that record how a node was written, not what it means; equality ignores them.
LAYOUT_FIELDS = frozenset({"span", "id_span", "name_span", "extends_span", "text"})


class Node(BaseModel):
    """Base of every syntax node: frozen, with a span; equality ignores layout (LAYOUT_FIELDS)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    span: Span

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in type(self).model_fields if name not in LAYOUT_FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Node)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))


# ---- expressions ----------------------------------------------------------


class Number(Node):
    """A decimal literal such as 0.25."""

    kind: Literal["number"] = "number"
    value: Decimal


class Percent(Node):
    """A percent literal such as 75%; `value` is the number written (75)."""

    kind: Literal["percent"] = "percent"
    value: Decimal


class String(Node):
    """A string literal, used for choice values."""

    kind: Literal["string"] = "string"
    value: str


class DateLit(Node):
    """A date literal, 2023-10-31."""

    kind: Literal["date"] = "date"
    value: str


class Bool(Node):
    """`true` or `false`."""

    kind: Literal["bool"] = "bool"
    value: bool


class NameRef(Node):
    """A reference to a declared fact."""

    kind: Literal["name"] = "name"
    name: str


class OwnMax(Node):
    """`max`: the maximum of the criterion the formula belongs to."""

    kind: Literal["own_max"] = "own_max"


class CritRef(Node):
    """`[7.2.1]`: the score of another criterion."""

    kind: Literal["crit_ref"] = "crit_ref"
    id: str


class Option(Node):
    """A named option of a call, such as `zero: full` in ratio()."""

    kind: Literal["option"] = "option"
    name: str
    value: str


class Call(Node):
    """A call of a built-in function: min, max, clamp, ratio."""

    kind: Literal["call"] = "call"
    func: str
    args: tuple[Expr, ...]
    options: tuple[Option, ...] = ()


class BinOp(Node):
    """Arithmetic: + - * /."""

    kind: Literal["binop"] = "binop"
    op: ArithOp
    left: Expr
    right: Expr


class Neg(Node):
    """Unary minus."""

    kind: Literal["neg"] = "neg"
    operand: Expr


class Compare(Node):
    """A comparison between two values."""

    kind: Literal["compare"] = "compare"
    op: CompareOp
    left: Expr
    right: Expr


class And(Node):
    """Both conditions hold."""

    kind: Literal["and"] = "and"
    left: Expr
    right: Expr


class Or(Node):
    """At least one condition holds."""

    kind: Literal["or"] = "or"
    left: Expr
    right: Expr


class Not(Node):
    """The condition does not hold."""

    kind: Literal["not"] = "not"
    operand: Expr


class If(Node):
    """`if C then A else B`."""

    kind: Literal["if"] = "if"
    condition: Expr
    then: Expr
    otherwise: Expr


class TierCmp(Node):
    """A tier row test such as `>= 75%`."""

    kind: Literal["tier_cmp"] = "tier_cmp"
    op: CompareOp
    bound: Expr


class TierRange(Node):
    """A tier row test `from A to B` (closed) or `from A to under B` (upper end open)."""

    kind: Literal["tier_range"] = "tier_range"
    low: Expr
    high: Expr
    high_open: bool


TierTest = Annotated[TierCmp | TierRange, Field(discriminator="kind")]


class TierRow(Node):
    """One row of a tier table: a test and the value it gives."""

    test: TierTest
    value: Expr


class Tier(Node):
    """A tier table (bậc): the first row whose test the subject passes gives the value."""

    kind: Literal["tier"] = "tier"
    subject: Expr
    rows: tuple[TierRow, ...]
    otherwise: Expr | None = None


class Deduction(Node):
    """`0.25 per late_reports`: an amount lost per incident."""

    amount: Expr
    count: Expr


class Deduct(Node):
    """Per-incident deductions from a starting value (the maximum by default), floored at 0."""

    kind: Literal["deduct"] = "deduct"
    deductions: tuple[Deduction, ...]
    start: Expr | None = None


Expr = Annotated[
    Number
    | Percent
    | String
    | DateLit
    | Bool
    | NameRef
    | OwnMax
    | CritRef
    | Call
    | BinOp
    | Neg
    | Compare
    | And
    | Or
    | Not
    | If
    | Tier
    | Deduct,
    Field(discriminator="kind"),
]

Literal_ = Number | Percent | String | DateLit | Bool

# ---- statements and items ---------------------------------------------------


class Rounding(Node):
    """A rounding policy: decimal places and mode."""

    places: int
    mode: RoundingMode


class Formula(Node):
    """`score = ...`, with the formula's source text as written (layout: equality ignores it)."""

    expr: Expr
    text: str


class Reason(Node):
    """A lost-point reason template, optionally only when a condition holds."""

    template: str
    condition: Expr | None = None


class NotApplicable(Node):
    """`na when COND: full|exclude`."""

    condition: Expr
    policy: NaPolicy


class Criterion(Node):
    """A node of the criterion tree (area, criterion, sub-criterion), or a bonus/penalty item."""

    kind: Literal["criterion", "bonus", "penalty"] = "criterion"
    id: str
    id_span: Span | None = None
    title: str
    max: Decimal | None = None
    formula: Formula | None = None
    reasons: tuple[Reason, ...] = ()
    basis: tuple[str, ...] = ()
    rounding: Rounding | None = None
    not_applicable: tuple[NotApplicable, ...] = ()
    inferred: tuple[str, ...] = ()
    # An `override` item: only the statements it gives replace those of the rule set it extends.
    override: bool = False

    @property
    def head(self) -> Span:
        """Where the id is written: what diagnostics about the whole criterion point at."""
        return self.id_span or self.span

    @property
    def path(self) -> tuple[int, ...]:
        """The numeric id as a tuple, for ordering (1.10 after 1.9)."""
        return tuple(int(part) for part in self.id.split("."))

    @property
    def parent_id(self) -> str | None:
        """The id of the parent node, or None for an area."""
        return self.id.rsplit(".", 1)[0] if "." in self.id else None


class FactType(Node):
    """A fact's type; `choices` holds the options of a choice."""

    name: FactKind
    choices: tuple[str, ...] = ()


Bound = Number | Percent | DateLit | NameRef


class FactDecl(Node):
    """A declared fact: what a unit reports, with type, unit, bounds and default."""

    name: str
    name_span: Span | None = None
    type: FactType
    description: str = ""
    unit: str = ""
    min: Bound | None = None
    max: Bound | None = None
    default: Literal_ | None = None
    # Given to the unit (a budget it is allotted, the applications citizens file), not acted on by it:
    # `cchc whatif` never proposes changing it.
    given: bool = False


class Group(Node):
    """`group "A" from 90%`: the units whose percentage lies in [low, high) (or [low, high]) form a group.

    Bounds are the percentages as written (90 for 90%); None is an open end (0% or 100%).
    """

    name: str
    low: Decimal | None = None
    high: Decimal | None = None
    high_open: bool = True


class Header(Node):
    """The rule set's header: what it is, its legal basis, total and rounding policy."""

    name: str
    level: str = ""
    province: str = ""
    year: int | None = None
    basis: tuple[str, ...] = ()
    total: Decimal | None = None
    rounding: Rounding | None = None
    percent_rounding: Rounding | None = None
    na_default: NaPolicy | None = None
    inferred: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    # The rule set this one changes (`extends "2023.cchc"`), relative to this file.
    extends: str | None = None
    extends_span: Span | None = None


class Removal(Node):
    """`remove 3.5.3` or `remove fact ten`: take a criterion (and its subtree) or a fact away."""

    target: Literal["criterion", "fact"]
    id: str


class Module(Node):
    """One parsed rule file; `overrides` and `removals` only in a rule set that extends another."""

    file: str
    header: Header | None = None
    facts: tuple[FactDecl, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    overrides: tuple[Criterion, ...] = ()
    removals: tuple[Removal, ...] = ()
