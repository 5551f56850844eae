"""Evaluation: a checked rule set and a unit's facts -> every node's exact score.

Arithmetic is on rationals; each scored node is rounded once, by its declared
policy. Scores are checked to stay within [0, max]; what cannot be evaluated
(a division by zero, a tier no row matches, a type mix-up) is an
`EvaluationError` that points at the rule's line.
"""

from __future__ import annotations

import contextlib
import datetime
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from cchc_rules import ast
from cchc_rules.checked import CheckedRules
from cchc_rules.errors import Diagnostic, EvaluationError
from cchc_rules.numbers import percent_vi, round_fraction, show, to_fraction, vi
from cchc_rules.source import Span

if TYPE_CHECKING:  # facts (YAML, pydantic models) and trace load only when a unit is scored, not for `cchc check`
    from cchc_rules.facts import Facts, Value
    from cchc_rules.trace import Tracer

ZERO = Fraction(0)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_MODE_WORDS = {
    "half_up": "làm tròn nửa lên",
    "half_down": "làm tròn nửa xuống",
    "half_even": "làm tròn nửa về số chẵn",
    "down": "cắt bỏ (làm tròn xuống về 0)",
    "up": "làm tròn lên (xa 0)",
    "floor": "làm tròn xuống",
    "ceiling": "làm tròn lên",
}


@dataclass(frozen=True, slots=True)
class NodeOutcome:
    """One node's evaluated score; `max` is declared, `effective_max` after n/a exclusion."""

    id: str
    status: str  # "scored" or "n_a"
    max: Fraction
    effective_max: Fraction
    score: Fraction
    unrounded: Fraction | None
    reasons: tuple[str, ...]
    na_policy: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """Every node's outcome, the areas' sum, the adjustments and the final total."""

    nodes: dict[str, NodeOutcome]
    base_score: Fraction
    base_max: Fraction
    bonus: Fraction
    penalty: Fraction
    score: Fraction


def min_max_text(text: str, func: str, result: Fraction, *values: Fraction) -> str:
    """A `min`/`max` step: the call as written, the values it compared (`;` apart, as decimals use the
    comma) and the one it took: "min(max, 0.5 * so_vu) = min(2; 3) = 2"."""
    return f"{text} = {func}({'; '.join(vi(v) for v in values)}) = {vi(result)}"


_SIGNS = {"+": "+", "-": "−", "*": "×", "/": ":"}
# What a zero denominator's policy does to the whole criterion, said with it in the trace: `zero: zero`
# alone left a commune asking why it got nothing.
ZERO_MEANS = {"full": "tiêu chí được đủ điểm", "zero": "tiêu chí được 0 điểm", "na": "tiêu chí không áp dụng"}
OPERATIONS: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


def literal_only(e: ast.Node) -> bool:
    """Whether an expression holds nothing but literals and `max` (`max * 0.5`): it reads as written,
    so the trace shows no step working it out."""
    if isinstance(e, (ast.Number, ast.Percent, ast.OwnMax)):
        return True
    if isinstance(e, ast.Neg):
        return literal_only(e.operand)
    if isinstance(e, ast.BinOp):
        return literal_only(e.left) and literal_only(e.right)
    return False


def percent_like(e: ast.Node, rules: CheckedRules) -> bool:
    """Whether a value is written as a percentage in an arithmetic step, as the rule file and the facts
    write it: a percent literal, a percent fact (`ty_le * 2` reads "40% × 2", as the facts list shows
    `ty_le = 40%`), a sum or difference of those. A ratio reads as the decimal its own step gives."""
    if isinstance(e, ast.Percent):
        return True
    if isinstance(e, ast.NameRef):
        decl = rules.facts.get(e.name)
        return decl is not None and decl.type.name == "percent"
    if isinstance(e, ast.Neg):
        return percent_like(e.operand, rules)
    if isinstance(e, ast.BinOp) and e.op in ("+", "-"):
        return percent_like(e.left, rules) and percent_like(e.right, rules)
    return False


def arithmetic_text(
    text: str, op: str, left: Fraction, right: Fraction, result: Fraction, percents: Sequence[bool] = (False, False)
) -> str:
    """An operation as written, with the values it met and what it gave:
    "max * ratio(a, b, zero: na) = 3 × 0,76… = 2,29…" (a negative operand in brackets; an operand that
    is a percentage as one, `percents`, and a sum or difference of two of them too)."""

    def shown(value: Fraction, percent: bool) -> str:
        return percent_vi(value) if percent else vi(value)

    def operand(value: Fraction, percent: bool) -> str:
        return f"({shown(value, percent)})" if value < 0 else shown(value, percent)

    both = percents[0] and percents[1] and op in ("+", "-")
    return f"{text} = {operand(left, percents[0])} {_SIGNS[op]} {operand(right, percents[1])} = {shown(result, both)}"


def shown_kind(expr: ast.Node, rules: CheckedRules) -> str:
    """How a trace shows the value of `expr` (`numbers.show`'s kind): a fact as its type, a ratio or a
    percent literal as a percentage (`ty_le < 50%` reads "67% < 50%", as written, not "67% < 0,5")."""
    if isinstance(expr, ast.NameRef):
        return rules.facts[expr.name].type.name
    if isinstance(expr, ast.Percent) or (isinstance(expr, ast.Call) and expr.func == "ratio"):
        return "percent"
    return ""


def tier_text(test_text: str, subject_text: str, shown: Callable[[Any], str], subject: Any, value: Any) -> str:
    """The tier row that matched, the value it was tested on, and the row's value."""
    return f"bậc `{test_text}` khớp với {subject_text} = {shown(subject)} → {show(value)}"


def otherwise_text(subject_text: str, shown: Callable[[Any], str], subject: Any, value: Any) -> str:
    """No tier row matched: the value tested and what `otherwise` gave."""
    return f"không bậc nào khớp với {subject_text} = {shown(subject)}: dùng `otherwise` → {show(value)}"


class ZeroDenominatorSignal(Exception):
    """A ratio met a zero denominator: its declared policy decides the criterion's score."""

    def __init__(self, policy: str, span: Span, text: str):
        self.policy = policy
        self.span = span
        self.text = text


def rounding_words(rounding: ast.Rounding) -> str:
    """A rounding policy in Vietnamese: "3 chữ số thập phân, làm tròn nửa lên"."""
    return f"{rounding.places} chữ số thập phân, {_MODE_WORDS[rounding.mode]}"


class Evaluator:
    """Evaluates one unit; create one per evaluation."""

    def __init__(self, rules: CheckedRules, facts: Facts, tracer: Tracer):
        self.rules = rules
        self.facts = facts.values
        self.tracer = tracer
        self.done: dict[str, NodeOutcome] = {}
        self._na: dict[str, str | None] = {}
        self._current: ast.Criterion | None = None

    # ---- errors ----------------------------------------------------------------

    def fail(self, span: Span, message: str, hint: str = "") -> EvaluationError:
        where = f"tiêu chí {self._current.id}: " if self._current else ""
        return EvaluationError(
            [
                Diagnostic(
                    code="R001",
                    severity="error",
                    message=where + message,
                    span=span,
                    line_text=self.rules.source_line(span.file, span.line),
                    hint=hint,
                )
            ]
        )

    # ---- the tree --------------------------------------------------------------

    def run(self) -> Outcome:
        """Evaluate every node, then the total with bonus and penalty."""
        for node_id in self.rules.order:
            self.node(node_id)
        for node_id in self.rules.adjustments:
            self.node(node_id)
        areas = [self.done[a] for a in self.rules.areas]
        base = sum((a.score for a in areas), ZERO)
        base_max = sum((a.effective_max for a in areas), ZERO)
        bonus = sum((self.done[a].score for a in self.rules.adjustments if self.rules.nodes[a].kind == "bonus"), ZERO)
        penalty = sum(
            (self.done[a].score for a in self.rules.adjustments if self.rules.nodes[a].kind == "penalty"), ZERO
        )
        total = min(max(base + bonus - penalty, ZERO), base_max)
        outcome = Outcome(
            nodes=self.done, base_score=base, base_max=base_max, bonus=bonus, penalty=penalty, score=total
        )
        check_invariants(self.rules, outcome)
        return outcome

    def inherited_na(self, node_id: str) -> str | None:
        """The n/a policy an ancestor imposes on this node, if any ancestor is n/a."""
        crit = self.rules.nodes[node_id]
        parent = crit.parent_id if crit.kind == "criterion" else None
        if parent is None:
            return None
        if parent not in self._na:
            self._na[parent] = self.inherited_na(parent) or self.own_na(self.rules.nodes[parent])
        return self._na[parent]

    def reaches(self, crit: ast.Criterion, clause: int) -> bool:
        """Whether evaluating `crit` comes to its `na when` number `clause` (from 0): no ancestor is n/a
        and no clause before it holds. Lets the checker try a divisor written in that clause."""
        if self.inherited_na(crit.id) is not None:
            return False
        saved, self._current = self._current, crit
        try:
            return not any(self.outside_formula(c.condition) for c in crit.not_applicable[:clause])
        finally:
            self._current = saved

    def own_na(self, crit: ast.Criterion) -> str | None:
        """The policy of the first `na when` clause whose condition holds."""
        saved, self._current = self._current, crit
        try:
            for clause in crit.not_applicable:
                if self.outside_formula(clause.condition):
                    return clause.policy
            return None
        finally:
            self._current = saved

    def outside_formula(self, condition: ast.Node) -> bool:
        """A `na when` or reason condition: a ratio's zero policy decides a formula, never a condition.
        Its steps are not the score's (`Tracer.hush`)."""
        self.tracer.hush(1)
        try:
            return self.condition(condition)
        except ZeroDenominatorSignal as zero:
            raise self.fail(
                zero.span,
                f"mẫu số bằng 0 trong {zero.text}, trong một điều kiện: `zero: {zero.policy}` chỉ áp dụng cho "
                "công thức tính điểm",
                "kiểm tra mẫu số trong điều kiện, vd `... and b > 0`",
            ) from None
        finally:
            self.tracer.hush(-1)

    def raw(self, crit: ast.Criterion, expr: ast.Node, applicable: bool = True) -> Fraction | None:
        """The value of a numeric `expr` inside `crit`, or None when `crit` is not applicable (asked only
        when `applicable`: an expression of its `na when` is worked out before that is known).

        Lets the checker's proofs evaluate one formula or divisor on trial facts.
        """
        if applicable and (self.inherited_na(crit.id) is not None or self.own_na(crit) is not None):
            return None
        saved, self._current = self._current, crit
        try:
            return self.number(expr, "công thức tính điểm")
        finally:
            self._current = saved

    def node(self, node_id: str) -> NodeOutcome:
        """Evaluate one node (once), its children first."""
        if node_id in self.done:
            return self.done[node_id]
        crit = self.rules.nodes[node_id]
        saved, self._current = self._current, crit
        self.tracer.begin(node_id)
        try:
            outcome = self._evaluate(crit)
        finally:
            self.tracer.end()
            self._current = saved
        self.done[node_id] = outcome
        return outcome

    def _evaluate(self, crit: ast.Criterion) -> NodeOutcome:
        declared = to_fraction(crit.max) if crit.max is not None else ZERO
        policy = self.inherited_na(crit.id)
        if policy is not None:
            self.tracer.step("not_applicable", "tiêu chí cha không áp dụng nên tiêu chí này cũng không áp dụng")
        else:
            policy = self._na.get(crit.id) if crit.id in self._na else self.own_na(crit)
            self._na[crit.id] = policy
            if policy is not None:
                self.tracer.step("not_applicable", f"điều kiện không áp dụng thoả mãn: {self._na_text(crit)}")
        kids = [self.node(k) for k in self.rules.children.get(crit.id, ())]
        if policy is not None:
            return self._not_applicable(crit, declared, policy)
        if crit.formula is None:
            score = sum((k.score for k in kids), ZERO)
            eff = sum((k.effective_max for k in kids), ZERO)
            if self.tracer.enabled and kids:
                parts = " + ".join(f"{k.id} ({vi(k.score)})" for k in kids)
                self.tracer.step("sum", f"tổng các tiêu chí con: {parts} = {vi(score)}")
            return NodeOutcome(crit.id, "scored", declared, eff, score, None, ())
        try:
            raw = self.number(crit.formula.expr, "công thức tính điểm")
        except ZeroDenominatorSignal as zero:
            self.tracer.step(
                "zero_denominator",
                f"mẫu số bằng 0 trong {zero.text}: theo quy định `zero: {zero.policy}`, {ZERO_MEANS[zero.policy]}",
                zero.span,
            )
            if zero.policy == "na":
                na_policy = (
                    crit.not_applicable[0].policy if crit.not_applicable else None
                ) or self.rules.header.na_default
                assert na_policy is not None  # the checker requires a declared policy
                self._na[crit.id] = na_policy
                return self._not_applicable(crit, declared, na_policy)
            raw = declared if zero.policy == "full" else ZERO
        return self._scored(crit, declared, raw)

    def _na_text(self, crit: ast.Criterion) -> str:
        for clause in crit.not_applicable:
            return self.rules.source_line(clause.span.file, clause.span.line).strip()
        return ""

    def _not_applicable(self, crit: ast.Criterion, declared: Fraction, policy: str) -> NodeOutcome:
        if policy == "full":
            self.tracer.step("not_applicable", "không áp dụng: tính đủ điểm tối đa")
            return NodeOutcome(crit.id, "n_a", declared, declared, declared, None, (), policy)
        self.tracer.step("not_applicable", "không áp dụng: loại khỏi điểm tối đa")
        return NodeOutcome(crit.id, "n_a", declared, ZERO, ZERO, None, (), policy)

    def _scored(self, crit: ast.Criterion, declared: Fraction, raw: Fraction) -> NodeOutcome:
        rounding = self.rules.rounding[crit.id]
        score = round_fraction(raw, rounding.places, rounding.mode)
        if score != raw:
            self.tracer.step("rounding", f"{vi(raw)} → {vi(score)} ({rounding_words(rounding)})", rounding.span)
        assert crit.formula is not None
        if score < 0 or score > declared:
            where = "âm" if score < 0 else f"vượt điểm tối đa {vi(declared)}"
            raise self.fail(
                crit.formula.span,
                f"điểm tính được là {vi(score)}, {where}",
                "giới hạn công thức bằng clamp(..., 0, max) hoặc min(max, ...), hoặc sửa công thức",
            )
        lost = (score > 0) if crit.kind == "penalty" else (score < declared)  # a penalty's reasons: when it applies
        reasons = self.reasons(crit, score, declared) if lost else ()
        return NodeOutcome(crit.id, "scored", declared, declared, score, raw, reasons)

    def reasons(self, crit: ast.Criterion, score: Fraction, declared: Fraction) -> tuple[str, ...]:
        """The reason sentences that apply, with their placeholders filled in."""
        out = []
        for reason in crit.reasons:
            if reason.condition is not None and not self.outside_formula(reason.condition):
                continue
            out.append(self.fill(reason.template, score, declared, crit.kind == "penalty"))
        return tuple(out)

    def fill(self, template: str, score: Fraction, declared: Fraction, penalty: bool = False) -> str:
        """Fill `{fact}`, `{score}`, `{max}` and `{lost}` (a penalty's: its score) in a reason template."""
        builtins = {"score": score, "max": declared, "lost": score if penalty else declared - score}

        def one(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in builtins:
                return vi(builtins[name])
            self.tracer.fact(name)
            return show(self.facts[name], self.rules.facts[name].type.name)

        return _PLACEHOLDER.sub(one, template)

    # ---- expressions ----------------------------------------------------------

    def number(self, expr: ast.Node, what: str) -> Fraction:
        """Evaluate an expression that must give a number."""
        value = self.value(expr)
        if isinstance(value, bool) or not isinstance(value, Fraction):
            raise self.fail(expr.span, f"{what} cần một số nhưng nhận {_kind(value)} ({show(value)})")
        return value

    def condition(self, expr: ast.Node) -> bool:
        """Evaluate an expression that must give có/không."""
        value = self.value(expr)
        if not isinstance(value, bool):
            raise self.fail(
                expr.span,
                f"điều kiện cần có/không nhưng nhận {_kind(value)} ({show(value)})",
                "so sánh giá trị, vd `so_ho_so > 0`",
            )
        return value

    def value(self, expr: ast.Node) -> Value:
        """Evaluate any expression."""
        method = getattr(self, "_" + type(expr).__name__.lower())
        result: Value = method(expr)
        return result

    def _number(self, e: ast.Number) -> Value:
        return to_fraction(e.value)

    def _percent(self, e: ast.Percent) -> Value:
        return to_fraction(e.value) / 100

    def _string(self, e: ast.String) -> Value:
        return e.value

    def _datelit(self, e: ast.DateLit) -> Value:
        return datetime.date.fromisoformat(e.value)

    def _bool(self, e: ast.Bool) -> Value:
        return e.value

    def _nameref(self, e: ast.NameRef) -> Value:
        self.tracer.fact(e.name)
        return self.facts[e.name]

    def _ownmax(self, e: ast.OwnMax) -> Value:
        assert self._current is not None and self._current.max is not None
        return to_fraction(self._current.max)

    def _critref(self, e: ast.CritRef) -> Value:
        self.tracer.ref(e.id)
        return self.node(e.id).score

    def _neg(self, e: ast.Neg) -> Value:
        return -self.number(e.operand, "dấu trừ")

    def _binop(self, e: ast.BinOp) -> Value:
        left = self.number(e.left, f"phép `{e.op}`")
        right = self.number(e.right, f"phép `{e.op}`")
        if e.op == "/" and right == 0:
            raise self.fail(
                e.right.span, "chia cho 0", "dùng ratio(a, b, zero: full|zero|na) để quy định nghĩa của mẫu số bằng 0"
            )
        result: Fraction = OPERATIONS[e.op](left, right)
        if self.tracer.enabled and not literal_only(e):
            percents = (percent_like(e.left, self.rules), percent_like(e.right, self.rules))
            self.tracer.step("arithmetic", arithmetic_text(self._text(e), e.op, left, right, result, percents), e.span)
        return result

    def _compare(self, e: ast.Compare) -> Value:
        return self.compare(e.op, self.value(e.left), self.value(e.right), e.span)

    def compare(self, op: str, left: Value, right: Value, span: Span) -> bool:
        """Compare two values of the same kind; strings and booleans only for (in)equality."""
        if _kind(left) != _kind(right):
            raise self.fail(span, f"không so sánh được {_kind(left)} ({show(left)}) với {_kind(right)} ({show(right)})")
        if op == "=":
            return left == right
        if op == "!=":
            return left != right
        if isinstance(left, (bool, str)):
            raise self.fail(span, f"phép `{op}` không dùng được cho {_kind(left)}", "chỉ dùng `=` hoặc `!=`")
        a: Any = left
        b: Any = right
        if op == "<":
            return bool(a < b)
        if op == "<=":
            return bool(a <= b)
        if op == ">":
            return bool(a > b)
        return bool(a >= b)

    def _and(self, e: ast.And) -> Value:
        return self.condition(e.left) and self.condition(e.right)

    def _or(self, e: ast.Or) -> Value:
        return self.condition(e.left) or self.condition(e.right)

    def _not(self, e: ast.Not) -> Value:
        return not self.condition(e.operand)

    def _if(self, e: ast.If) -> Value:
        return self.value(e.then) if self.condition(e.condition) else self.value(e.otherwise)

    def _call(self, e: ast.Call) -> Value:
        if e.func == "ratio":
            num = self.number(e.args[0], "tử số của ratio")
            den = self.number(e.args[1], "mẫu số của ratio")
            text = self._text(e)
            if den == 0:
                raise ZeroDenominatorSignal(e.options[0].value, e.span, text)
            result = num / den
            self.tracer.step("ratio", f"{text} = {vi(num)}/{vi(den)} = {vi(result)}", e.span)
            return result
        args = [self.number(a, f"hàm {e.func}") for a in e.args]
        if e.func in ("min", "max"):
            picked = min(args) if e.func == "min" else max(args)
            self.tracer.step("min_max", min_max_text(self._text(e), e.func, picked, *args), e.span)
            return picked
        value, low, high = args
        if low > high:
            raise self.fail(e.span, f"clamp có cận dưới {vi(low)} lớn hơn cận trên {vi(high)}")
        result = min(max(value, low), high)
        if result != value:
            self.tracer.step("clamp", f"{vi(value)} giới hạn trong [{vi(low)}, {vi(high)}] → {vi(result)}", e.span)
        return result

    def _text(self, e: ast.Node) -> str:
        for source in self.rules.sources:
            if source.name == e.span.file:
                return source.inline_excerpt(e.span)
        return ""

    def _tier(self, e: ast.Tier) -> Value:
        subject = self.value(e.subject)

        def shown(value: Any) -> str:
            return self._show_subject(e.subject, value)

        for row in e.rows:
            if self._row_matches(row.test, subject):
                value = self.value(row.value)
                if self.tracer.enabled:
                    text = tier_text(self._text(row.test), self._text(e.subject), shown, subject, value)
                    self.tracer.step("tier", text, row.span)
                return value
        if e.otherwise is not None:
            value = self.value(e.otherwise)
            if self.tracer.enabled:
                text = otherwise_text(self._text(e.subject), shown, subject, value)
                self.tracer.step("tier", text, e.otherwise.span)
            return value
        raise self.fail(
            e.span,
            f"không bậc nào khớp với giá trị {show(subject)}",
            "thêm một dòng `otherwise: ...` hoặc bậc còn thiếu",
        )

    # ---- which way each `if` went, for a trace read later ----------------------------

    def branches(self, crit: ast.Criterion) -> list[tuple[str, Span]]:
        """Each `if` of a criterion's formula tested, with the values compared and the branch taken,
        outermost first.

        Worked out when a trace is read, from the same facts, so that every engine's trace says it the
        same way: "điều kiện `doi_thoai >= 5`: 2 ≥ 5 không đúng → lấy `0`". Inside the criterion, as
        its formula was: `max` in a condition is its own maximum.
        """
        assert crit.formula is not None
        out: list[tuple[str, Span]] = []
        saved, self._current = self._current, crit
        try:
            with contextlib.suppress(ZeroDenominatorSignal):  # a ratio's `zero:` decided the formula there
                self._branches(crit.formula.expr, out)
        finally:
            self._current = saved
        return out

    def _branches(self, e: ast.Node, out: list[tuple[str, Span]]) -> None:
        if isinstance(e, ast.If):
            taken = bool(self.condition(e.condition))
            branch = e.then if taken else e.otherwise
            said = self._said(e.condition, taken)
            if isinstance(e.condition, (ast.And, ast.Or)):  # each part as it was found, then the whole
                said += f": cả điều kiện {'đúng' if taken else 'không đúng'}"
            text = f"điều kiện `{self._text(e.condition)}`: {said} → lấy `{self._text(branch)}`"
            out.append((text, e.condition.span))
            self._branches(branch, out)
            return
        for name in type(e).model_fields:
            value = getattr(e, name)
            for child in value if isinstance(value, tuple) else (value,):
                if isinstance(child, ast.Node) and not isinstance(child, ast.Criterion):
                    self._branches(child, out)

    def _said(self, condition: ast.Node, holds: bool) -> str:
        """A condition as found: `2 ≥ 5 không đúng`, a yes/no fact by its value, the parts of `and`/`or`
        each so (those the evaluator did not need to look at: `không cần xét`)."""
        if isinstance(condition, ast.Compare):
            left, right = self.value(condition.left), self.value(condition.right)
            op = {">=": "≥", "<=": "≤", "!=": "≠"}.get(condition.op, condition.op)
            compared = f"{self._quoted(condition.left, left)} {op} {self._quoted(condition.right, right)}"
            return f"{compared} {'đúng' if holds else 'không đúng'}"
        if isinstance(condition, ast.NameRef):  # a yes/no fact: its value says it
            return self._show_subject(condition, self.value(condition))
        if isinstance(condition, (ast.And, ast.Or)):
            left = bool(self.condition(condition.left))
            parts = [self._part(condition.left, left)]
            decided = left is (isinstance(condition, ast.Or))  # `and` stops at a false left side, `or` at a true
            if decided:
                parts.append(f"`{self._text(condition.right)}` không cần xét")
            else:
                parts.append(self._part(condition.right, bool(self.condition(condition.right))))
            return "; ".join(parts)
        if isinstance(condition, ast.Not):
            return f"`{self._text(condition)}` {'đúng' if holds else 'không đúng'}"
        return "đúng" if holds else "không đúng"

    def _part(self, condition: ast.Node, holds: bool) -> str:
        """A part of `and`/`or`: named by its own text when it is not one comparison or one fact."""
        said = self._said(condition, holds)
        if isinstance(condition, ast.NameRef):
            return f"{condition.name} {said}"
        if isinstance(condition, (ast.And, ast.Or)):
            return f"({said})"
        return said

    def _quoted(self, expr: ast.Node, value: Value) -> str:
        """A value in a sentence: a choice or a text in quotes (“khá”), others as `_show_subject` shows them."""
        return f"“{value}”" if isinstance(value, str) else self._show_subject(expr, value)

    def _show_subject(self, expr: ast.Node, value: Value) -> str:
        return show(value, shown_kind(expr, self.rules))

    def _row_matches(self, test: ast.TierCmp | ast.TierRange, subject: Value) -> bool:
        if isinstance(test, ast.TierCmp):
            return self.compare(test.op, subject, self.value(test.bound), test.span)
        low = self.value(test.low)
        high = self.value(test.high)
        above = self.compare(">=", subject, low, test.span)
        below = self.compare("<" if test.high_open else "<=", subject, high, test.span)
        return above and below

    def _deduct(self, e: ast.Deduct) -> Value:
        start = (
            self.number(e.start, "điểm bắt đầu của deduct")
            if e.start is not None
            else self._ownmax(ast.OwnMax.model_construct(span=e.span))
        )
        assert isinstance(start, Fraction)
        total = ZERO
        for d in e.deductions:
            amount = self.number(d.amount, "mức trừ")
            count = self.number(d.count, "số lần trừ")
            if amount < 0 or count < 0:
                raise self.fail(d.span, f"mức trừ ({vi(amount)}) và số lần ({vi(count)}) không được âm")
            total += amount * count
            if self.tracer.enabled:
                self.tracer.step(
                    "deduction",
                    f"trừ {vi(amount)} × {vi(count)} ({self._text(d.count)}) = {vi(amount * count)}",
                    d.span,
                )
        result = start - total
        if result < 0:
            self.tracer.step("floor", f"{vi(start)} − {vi(total)} < 0: lấy 0", e.span)
            return ZERO
        return result


class InvariantError(AssertionError):
    """A guarantee of the engine does not hold: a bug in cchc, never a user's mistake."""


def check_invariants(rules: CheckedRules, outcome: Outcome) -> None:
    """The guarantees every evaluation keeps, verified on each one.

    0 <= score <= effective max <= max for every node; a node without its own
    formula equals the sum of its children; the losses of the top-most scored
    nodes add up exactly to the maximum minus the areas' sum.
    """
    nodes = outcome.nodes
    for node in nodes.values():
        if not ZERO <= node.score <= node.effective_max <= node.max:
            raise InvariantError(f"{node.id}: 0 <= {node.score} <= {node.effective_max} <= {node.max} does not hold")
        kids = rules.children.get(node.id, ())
        own_formula = rules.nodes[node.id].formula is not None
        if (
            kids
            and not own_formula
            and node.status == "scored"
            and node.score != sum((nodes[k].score for k in kids), ZERO)
        ):
            raise InvariantError(f"{node.id}: score is not the sum of its children")
    lost = ZERO
    for node_id in rules.order:
        crit = rules.nodes[node_id]
        owners = [a for a in ancestors(node_id) if rules.nodes[a].formula is not None or nodes[a].status == "n_a"]
        if (crit.formula is not None or nodes[node_id].status == "n_a") and not owners:
            lost += nodes[node_id].effective_max - nodes[node_id].score
    if lost != outcome.base_max - outcome.base_score:
        raise InvariantError(f"losses {lost} do not add up to {outcome.base_max - outcome.base_score}")


def ancestors(node_id: str) -> list[str]:
    """The ids above a node, from its area down: 7.2.2 -> [7, 7.2]."""
    parts = node_id.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _kind(value: Value) -> str:
    if isinstance(value, bool):
        return "có/không"
    if isinstance(value, Fraction):
        return "số"
    if isinstance(value, datetime.date):
        return "ngày"
    return "chuỗi"


def evaluate(rules: CheckedRules, facts: Facts, tracer: Tracer) -> Outcome:
    """Evaluate every node of a checked rule set on one unit's facts."""
    return Evaluator(rules, facts, tracer).run()
