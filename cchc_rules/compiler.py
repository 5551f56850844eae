"""A checked rule set compiled once into Python closures, so scoring a unit never walks the AST.

The interpreter (`evaluator.Evaluator`) stays the reference: the compiled code
follows it step by step (same evaluation order, same trace records, same
scores, which the tests check with hypothesis on the shipped and on random rule
sets). What it does differently is cost:

- literals, `max`, tier bounds and texts are worked out once, at compile time;
- every score of a node is a terminating decimal (rounded, a declared maximum,
  or a sum of those), so node scores are whole numbers of 1/10**places and
  sums, comparisons and percentages are integer arithmetic; formulas still
  compute on exact `Fraction`s until their one rounding;
- trace steps are recorded as data and their Vietnamese text is written only
  when someone reads the trace.

A unit the compiled code cannot score (a plain division by zero, a tier that
no row matches, a score outside [0, max], a value of an unexpected kind)
raises `Fallback`; the caller then runs the interpreter, which raises the
`EvaluationError` with its message and line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from cchc_rules import ast
from cchc_rules.checked import CheckedRules
from cchc_rules.evaluator import (
    OPERATIONS,
    ZERO_MEANS,
    NodeOutcome,
    Outcome,
    ZeroDenominatorSignal,
    ancestors,
    arithmetic_text,
    literal_only,
    min_max_text,
    otherwise_text,
    percent_like,
    rounding_words,
    shown_kind,
    tier_text,
)
from cchc_rules.facts import (
    _PARSERS,
    Facts,
    Value,
    _boolean,
    _choice,
    _count,
    _percent,
    _to_number,
    groups_thousands,
    literal_value,
)
from cchc_rules.limits import MAX_FACT_DECIMALS, MAX_FACT_INTEGER_DIGITS
from cchc_rules.numbers import decimal_places, round_scaled, scaled_vi, show, to_fraction, vi
from cchc_rules.source import Span
from cchc_rules.trace import Tracer, built

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ZERO = Fraction(0)


class Fallback(Exception):
    """The compiled code cannot score this unit; the interpreter will say why."""


# ---- the compiled rule set ----------------------------------------------------------------


class Reasons:
    """The reason sentences of one node that lost points, written when first read."""

    __slots__ = ("_text", "declared", "parts", "penalty", "places", "score", "values")

    def __init__(
        self,
        parts: tuple[tuple[tuple[int, str, str], ...], ...],
        values: Mapping[str, Value],
        score: int,
        declared: int,
        places: int,
        penalty: bool = False,
    ):
        self.parts = parts
        self.penalty = penalty
        self.values = values
        self.score = score
        self.declared = declared
        self.places = places
        self._text: tuple[str, ...] | None = None

    def text(self) -> tuple[str, ...]:
        """The sentences, placeholders filled in (Evaluator.fill)."""
        if self._text is None:
            lost = self.score if self.penalty else self.declared - self.score
            builtins = {"score": self.score, "max": self.declared, "lost": lost}
            out = []
            for parts in self.parts:
                text = []
                for kind, name, fact_kind in parts:
                    if kind == 0:
                        text.append(name)
                    elif kind == 1:
                        text.append(scaled_vi(builtins[name], self.places))
                    else:
                        text.append(show(self.values[name], fact_kind))
                out.append("".join(text))
            self._text = tuple(out)
        return self._text


def reasons_text(reasons: tuple[str, ...] | Reasons) -> tuple[str, ...]:
    """Reasons as sentences, whether already written or not."""
    return reasons if isinstance(reasons, tuple) else reasons.text()


@dataclass(slots=True)
class Scores:
    """One unit's scores; node values are whole numbers of 1/10**places, indexed like `CompiledRules.ids`."""

    places: int
    status: list[str]
    score: list[int]
    effective: list[int]
    unrounded: list[Fraction | None]
    reasons: list[tuple[str, ...] | Reasons]
    na_policy: list[str | None]
    base: int
    base_max: int
    bonus: int
    penalty: int
    total: int


Expr = Callable[["_Run"], Any]


def score_places(rules: CheckedRules) -> int:
    """Decimals enough for every node value: each is rounded, a declared maximum, or a sum of those."""
    places = 0
    for node_id, crit in rules.nodes.items():
        if crit.max is not None:
            places = max(places, decimal_places(crit.max))
        if crit.formula is not None:
            places = max(places, rules.rounding[node_id].places)
    return places


class _Plan:
    """What one node needs at run time, worked out at compile time."""

    __slots__ = (
        "declared",
        "factor",
        "formula",
        "id",
        "index",
        "kids",
        "kind",
        "na",
        "na_free",
        "na_text",
        "parent",
        "places",
        "pow10",
        "reasons",
        "rounding",
        "rounding_span",
        "rounding_words",
        "zero_na",
    )

    def __init__(self) -> None:
        self.id = ""
        self.index = 0
        self.kind = "criterion"
        self.declared = 0
        self.parent: int | None = None
        self.kids: tuple[int, ...] = ()
        self.formula: Expr | None = None
        self.na: tuple[tuple[Expr, str], ...] = ()
        self.na_free = True
        self.na_text = ""
        self.reasons: tuple[tuple[Expr | None, tuple[tuple[int, str, str], ...]], ...] = ()
        self.places = 0
        self.pow10 = 1
        self.factor = 1
        self.rounding = "half_up"
        self.rounding_span: Span | None = None
        self.rounding_words = ""
        self.zero_na: str | None = None


class _Run:
    """The state of one unit's evaluation."""

    __slots__ = ("done", "effective", "na", "raw", "reasons", "score", "status", "tr", "values", "zero_na")

    def __init__(self, values: dict[str, Value], tracer: Tracer | None, size: int):
        self.values = values
        self.tr = tracer
        self.done = [False] * size
        self.score = [0] * size
        self.effective = [0] * size
        self.status = ["scored"] * size
        self.raw: list[Fraction | None] = [None] * size
        self.reasons: list[tuple[str, ...] | Reasons] = [()] * size
        self.na: dict[int, str | None] = {}
        self.zero_na: list[str | None] = [None] * size


class CompiledRules:
    """A checked rule set as closures; `run` scores one unit's validated fact values."""

    def __init__(self, rules: CheckedRules):
        self.rules = rules
        self.ids: tuple[str, ...] = (*rules.order, *rules.adjustments)
        self.index = {node_id: i for i, node_id in enumerate(self.ids)}
        self.places = score_places(rules)
        self.unit = 10**self.places
        self.areas = tuple(self.index[a] for a in rules.areas)
        self.bonuses = tuple(self.index[a] for a in rules.adjustments if rules.nodes[a].kind == "bonus")
        self.penalties = tuple(self.index[a] for a in rules.adjustments if rules.nodes[a].kind == "penalty")
        self._texts = {s.name: s for s in rules.sources}
        self.plans = [self._plan(node_id) for node_id in self.ids]
        self._fact_plans = [self._fact_plan(decl) for decl in rules.facts.values()]
        # Retired facts (`remove fact`) may be given, as last year's files do: never read, not refused.
        self._declared_facts = frozenset(rules.facts) | rules.retired_facts

    def scaled(self, value: Fraction) -> int:
        """A node value as a whole number of 1/10**places (it always is one)."""
        n = value * self.unit
        if n.denominator != 1:
            raise ValueError(f"{value} is not a multiple of 1/{self.unit}")
        whole: int = n.numerator
        return whole

    # ---- facts ---------------------------------------------------------------------------

    def _fact_plan(self, decl: ast.FactDecl) -> tuple[str, Callable[[Any], Any], Value | None, tuple[Any, ...]]:
        """Name, parser, default and bounds of one fact: (is_low, literal value or None, fact name)."""
        kind = decl.type.name
        parse = _choice(decl.type.choices) if kind == "choice" else _PARSERS[kind]
        default = literal_value(decl.default) if decl.default is not None else None
        bounds: list[tuple[bool, Any, str]] = []
        if kind == "count":
            bounds.append((True, ZERO, ""))
        if kind == "percent" and decl.min is None:
            bounds.append((True, ZERO, ""))
        if kind == "percent" and decl.max is None:
            bounds.append((False, Fraction(1), ""))
        for bound, is_low in ((decl.min, True), (decl.max, False)):
            if isinstance(bound, ast.NameRef):
                bounds.append((is_low, None, bound.name))
            elif bound is not None:
                bounds.append((is_low, literal_value(bound), ""))
        return decl.name, parse, default, tuple(bounds)

    def facts(self, given: dict[str, Any], unit: str = "") -> Facts | None:
        """Validated facts from a plain mapping of declared names to plain values, or None.

        The fast path of `facts.validate` for batches: None whenever anything is
        unusual (an undeclared or missing name, evidence, a value that does not
        parse or breaks a bound), and the caller then validates the usual way,
        which names every problem.
        """
        if not self._declared_facts.issuperset(given):
            return None
        values: dict[str, Value] = {}
        defaulted = []
        try:
            for name, parse, default, _ in self._fact_plans:
                if name in given:
                    raw = given[name]
                    kind = type(raw)
                    if kind is bool and parse is _boolean:
                        values[name] = raw
                    elif kind is dict:
                        return None
                    else:
                        quick = _plain_number(raw, kind, parse)
                        if quick is None and parse in (_to_number, _count, _percent) and groups_thousands(raw):
                            return None  # 12.500,5: the unit's 12.100 may mean 12 100; validation asks
                        values[name] = parse(raw) if quick is None else quick
                elif default is not None:
                    values[name] = default
                    defaulted.append(name)
                else:
                    return None
            for name, _, _, bounds in self._fact_plans:
                value: Any = values[name]
                if type(value) is bool:
                    continue
                for is_low, literal, other in bounds:
                    limit = values[other] if other else literal
                    if type(limit) is bool:
                        continue
                    if type(value) is Fraction and type(limit) is Fraction:
                        # value < limit, cross-multiplied on integers (what Fraction's comparison does, faster)
                        a = value.numerator * limit.denominator
                        b = limit.numerator * value.denominator
                        if (a < b) if is_low else (a > b):
                            return None
                    elif (value < limit) if is_low else (value > limit):
                        return None
        except (ValueError, TypeError, ArithmeticError):
            return None
        return built(Facts, unit=unit, values=values, evidence={}, defaulted=frozenset(defaulted), excused=frozenset())

    # ---- compile time ----------------------------------------------------------------

    def _text(self, span: Span) -> str:
        source = self._texts.get(span.file)
        return source.inline_excerpt(span) if source else ""

    def _plan(self, node_id: str) -> _Plan:
        rules = self.rules
        crit = rules.nodes[node_id]
        plan = _Plan()
        plan.id = node_id
        plan.index = self.index[node_id]
        plan.kind = crit.kind
        own_max = to_fraction(crit.max) if crit.max is not None else ZERO
        plan.declared = self.scaled(own_max)
        parent = crit.parent_id if crit.kind == "criterion" else None
        plan.parent = self.index[parent] if parent is not None else None
        plan.kids = tuple(self.index[k] for k in rules.children.get(node_id, ()))
        plan.na = tuple((self._expr(c.condition, crit, own_max), c.policy) for c in crit.not_applicable)
        lineage = [node_id, *(ancestors(node_id) if crit.kind == "criterion" else ())]
        plan.na_free = not any(rules.nodes[a].not_applicable for a in lineage)
        for clause in crit.not_applicable:
            plan.na_text = rules.source_line(clause.span.file, clause.span.line).strip()
            break
        plan.formula = self._expr(crit.formula.expr, crit, own_max) if crit.formula is not None else None
        plan.reasons = tuple(
            (
                self._expr(r.condition, crit, own_max) if r.condition is not None else None,
                self._template(r.template),
            )
            for r in crit.reasons
        )
        rounding = rules.rounding[node_id]
        plan.places = rounding.places
        plan.pow10 = 10**rounding.places
        plan.factor = 10 ** (self.places - rounding.places)
        plan.rounding = rounding.mode
        plan.rounding_span = rounding.span
        plan.rounding_words = rounding_words(rounding)
        plan.zero_na = (crit.not_applicable[0].policy if crit.not_applicable else None) or rules.header.na_default
        return plan

    def _template(self, template: str) -> tuple[tuple[int, str, str], ...]:
        """A reason template as parts: (0, text, ""), (1, builtin, ""), (2, fact, kind)."""
        parts: list[tuple[int, str, str]] = []
        at = 0
        for match in _PLACEHOLDER.finditer(template):
            if match.start() > at:
                parts.append((0, template[at : match.start()], ""))
            name = match.group(1).strip()
            if name in ("score", "max", "lost"):
                parts.append((1, name, ""))
            else:
                decl = self.rules.facts.get(name)
                parts.append((2, name, decl.type.name if decl else ""))
            at = match.end()
        if at < len(template):
            parts.append((0, template[at:], ""))
        return tuple(parts)

    def _expr(self, e: ast.Node, crit: ast.Criterion, own_max: Fraction) -> Expr:
        """The closure that evaluates `e` inside `crit` (whose `max` is `own_max`)."""

        def sub(x: ast.Node) -> Expr:
            return self._expr(x, crit, own_max)

        if isinstance(e, (ast.Number, ast.Percent, ast.String, ast.DateLit, ast.Bool, ast.OwnMax)):
            value = _literal(e, own_max)
            return lambda run: value
        if isinstance(e, ast.NameRef):
            name = e.name

            def fact(run: _Run) -> Any:
                if run.tr is not None:
                    run.tr.fact(name)
                return run.values[name]

            return fact
        if isinstance(e, ast.CritRef):
            target = self.index[e.id]
            ref_id = e.id
            unit = self.unit

            def ref(run: _Run) -> Any:
                if run.tr is not None:
                    run.tr.ref(ref_id)
                self.node(run, target)
                return Fraction(run.score[target], unit)

            return ref
        if isinstance(e, ast.Neg):
            operand = sub(e.operand)
            return lambda run: -_number(operand(run))
        if isinstance(e, ast.BinOp):
            percents = (percent_like(e.left, self.rules), percent_like(e.right, self.rules))
            shown = None if literal_only(e) else (self._text(e.span), e.span, percents)
            return _binop(e.op, sub(e.left), sub(e.right), shown)
        if isinstance(e, ast.Compare):
            return _compare(e.op, sub(e.left), sub(e.right))
        if isinstance(e, ast.And):
            left, right = sub(e.left), sub(e.right)
            return lambda run: _condition(left(run)) and _condition(right(run))
        if isinstance(e, ast.Or):
            left, right = sub(e.left), sub(e.right)
            return lambda run: _condition(left(run)) or _condition(right(run))
        if isinstance(e, ast.Not):
            operand = sub(e.operand)
            return lambda run: not _condition(operand(run))
        if isinstance(e, ast.If):
            cond, then, otherwise = sub(e.condition), sub(e.then), sub(e.otherwise)
            return lambda run: then(run) if _condition(cond(run)) else otherwise(run)
        if isinstance(e, ast.Call):
            return self._call(e, [sub(a) for a in e.args])
        if isinstance(e, ast.Tier):
            return self._tier(e, sub, crit)
        if isinstance(e, ast.Deduct):
            return self._deduct(e, sub, own_max)
        raise TypeError(f"cannot compile {type(e).__name__}")

    def _call(self, e: ast.Call, args: list[Expr]) -> Expr:
        if e.func == "ratio":
            num, den = args
            text = self._text(e.span)
            policy = e.options[0].value
            span = e.span

            def ratio(run: _Run) -> Any:
                a = _number(num(run))
                b = _number(den(run))
                if b == 0:
                    raise ZeroDenominatorSignal(policy, span, text)
                result = a / b
                if run.tr is not None:
                    run.tr.lazy("ratio", span, _ratio_text, (text, a, b, result))
                return result

            return ratio
        if e.func in ("min", "max"):
            pick = min if e.func == "min" else max
            func, call_text, call_span = e.func, self._text(e.span), e.span

            def min_max(run: _Run) -> Any:
                values = [_number(a(run)) for a in args]
                picked = pick(values)
                if run.tr is not None:
                    run.tr.lazy("min_max", call_span, min_max_text, (call_text, func, picked, *values))
                return picked

            return min_max
        value_, low_, high_ = args
        span = e.span

        def clamp(run: _Run) -> Any:
            value, low, high = _number(value_(run)), _number(low_(run)), _number(high_(run))
            if low > high:
                raise Fallback("clamp bounds")
            result = min(max(value, low), high)
            if result != value and run.tr is not None:
                run.tr.lazy("clamp", span, _clamp_text, (value, low, high, result))
            return result

        return clamp

    def _tier(self, e: ast.Tier, sub: Callable[[ast.Node], Expr], crit: ast.Criterion) -> Expr:
        subject_ = sub(e.subject)
        subject_text = self._text(e.subject.span)
        kind = shown_kind(e.subject, self.rules)
        rows: list[tuple[str, Expr, Expr | None, bool, Expr, str, Span]] = []
        for row in e.rows:
            test = row.test
            if isinstance(test, ast.TierCmp):
                rows.append((test.op, sub(test.bound), None, False, sub(row.value), self._text(test.span), row.span))
            else:
                rows.append(
                    (
                        "range",
                        sub(test.low),
                        sub(test.high),
                        test.high_open,
                        sub(row.value),
                        self._text(test.span),
                        row.span,
                    )
                )
        otherwise_ = sub(e.otherwise) if e.otherwise is not None else None
        otherwise_span = e.otherwise.span if e.otherwise is not None else None

        def shown(value: Any) -> str:
            return show(value, kind)

        def tier(run: _Run) -> Any:
            subject = subject_(run)
            for op, bound_, high_, high_open, value_, test_text, row_span in rows:
                if op == "range":
                    low = bound_(run)
                    assert high_ is not None
                    high = high_(run)
                    above = _cmp(">=", subject, low)
                    below = _cmp("<" if high_open else "<=", subject, high)
                    matched = above and below
                else:
                    matched = _cmp(op, subject, bound_(run))
                if matched:
                    value = value_(run)
                    if run.tr is not None:
                        run.tr.lazy("tier", row_span, tier_text, (test_text, subject_text, shown, subject, value))
                    return value
            if otherwise_ is not None:
                value = otherwise_(run)
                if run.tr is not None:
                    run.tr.lazy("tier", otherwise_span, otherwise_text, (subject_text, shown, subject, value))
                return value
            raise Fallback("no tier row matches")

        return tier

    def _deduct(self, e: ast.Deduct, sub: Callable[[ast.Node], Expr], own_max: Fraction) -> Expr:
        start_ = sub(e.start) if e.start is not None else None
        items = [(sub(d.amount), sub(d.count), self._text(d.count.span), d.span) for d in e.deductions]
        span = e.span

        def deduct(run: _Run) -> Any:
            start = _number(start_(run)) if start_ is not None else own_max
            total = ZERO
            for amount_, count_, count_text, d_span in items:
                amount = _number(amount_(run))
                count = _number(count_(run))
                if amount < 0 or count < 0:
                    raise Fallback("negative deduction")
                total += amount * count
                if run.tr is not None:
                    run.tr.lazy("deduction", d_span, _deduction_text, (amount, count, count_text))
            result = start - total
            if result < 0:
                if run.tr is not None:
                    run.tr.lazy("floor", span, _floor_text, (start, total))
                return ZERO
            return result

        return deduct

    # ---- run time ----------------------------------------------------------------------

    def run(self, values: dict[str, Value], tracer: Tracer | None = None) -> Scores:
        """Score every node on validated fact values; raises `Fallback` for the interpreter to explain."""
        run = _Run(values, tracer, len(self.ids))
        done = run.done
        node = self.node
        try:
            for i in range(len(done)):
                if not done[i]:
                    node(run, i)
        except (TypeError, KeyError, AttributeError, ZeroDivisionError) as exc:
            raise Fallback(str(exc)) from exc
        score = run.score
        base = sum(score[a] for a in self.areas)
        base_max = sum(run.effective[a] for a in self.areas)
        bonus = sum(score[a] for a in self.bonuses)
        penalty = sum(score[a] for a in self.penalties)
        total = min(max(base + bonus - penalty, 0), base_max)
        return Scores(
            places=self.places,
            status=run.status,
            score=score,
            effective=run.effective,
            unrounded=run.raw,
            reasons=run.reasons,
            na_policy=run.zero_na,
            base=base,
            base_max=base_max,
            bonus=bonus,
            penalty=penalty,
            total=total,
        )

    def node(self, run: _Run, i: int) -> None:
        """Evaluate node `i` once, its children first (Evaluator.node)."""
        if run.done[i]:
            return
        plan = self.plans[i]
        tr = run.tr
        if tr is not None:
            tr.begin(plan.id)
        self._evaluate(run, plan)
        if tr is not None:
            tr.end()
        run.done[i] = True

    def _inherited_na(self, run: _Run, plan: _Plan) -> str | None:
        parent = plan.parent
        if parent is None:
            return None
        na = run.na
        if parent not in na:
            parent_plan = self.plans[parent]
            na[parent] = self._inherited_na(run, parent_plan) or self._own_na(run, parent_plan)
        return na[parent]

    @staticmethod
    def _own_na(run: _Run, plan: _Plan) -> str | None:
        for cond, policy in plan.na:
            if _outside_formula(cond, run):
                return policy
        return None

    def _evaluate(self, run: _Run, plan: _Plan) -> None:
        i = plan.index
        tr = run.tr
        policy = None
        if not plan.na_free:  # no `na when` on this node or above it: never n/a by a condition
            policy = self._inherited_na(run, plan)
            if policy is not None:
                if tr is not None:
                    tr.lazy("not_applicable", None, str, (_INHERITED_NA,))
            else:
                policy = run.na[i] if i in run.na else self._own_na(run, plan)
                run.na[i] = policy
                if policy is not None and tr is not None:
                    tr.lazy("not_applicable", None, _own_na_text, (plan.na_text,))
        for k in plan.kids:
            self.node(run, k)
        if policy is not None:
            self._not_applicable(run, plan, policy)
            return
        formula = plan.formula
        if formula is None:
            score = run.score
            effective = run.effective
            total = 0
            eff = 0
            for k in plan.kids:
                total += score[k]
                eff += effective[k]
            score[i] = total
            effective[i] = eff
            if tr is not None and plan.kids:
                # `score` is this unit's list of scores, complete and unchanged once the run ends.
                tr.lazy("sum", None, _sum_text, (self, plan.kids, score, total))
            return
        try:
            raw = _number(formula(run))
        except ZeroDenominatorSignal as zero:
            if tr is not None:
                tr.lazy("zero_denominator", zero.span, _zero_text, (zero.text, zero.policy))
            if zero.policy == "na":
                na_policy = plan.zero_na
                if na_policy is None:
                    raise Fallback("no n/a policy") from None
                run.na[i] = na_policy
                self._not_applicable(run, plan, na_policy)
                return
            raw = Fraction(plan.declared, self.unit) if zero.policy == "full" else ZERO
        self._scored(run, plan, raw)

    def _not_applicable(self, run: _Run, plan: _Plan, policy: str) -> None:
        i = plan.index
        run.status[i] = "n_a"
        run.zero_na[i] = policy
        if policy == "full":
            if run.tr is not None:
                run.tr.lazy("not_applicable", None, str, (_NA_FULL,))
            run.score[i] = run.effective[i] = plan.declared
        else:
            if run.tr is not None:
                run.tr.lazy("not_applicable", None, str, (_NA_EXCLUDED,))
            run.score[i] = run.effective[i] = 0

    def _scored(self, run: _Run, plan: _Plan, raw: Fraction) -> None:
        i = plan.index
        scaled = raw.numerator * plan.pow10
        denominator = raw.denominator
        rounded, rest = divmod(scaled, denominator)
        if rest:  # not exact at the declared places: round by the declared mode
            rounded = round_scaled(scaled, denominator, plan.rounding)
            if run.tr is not None:
                run.tr.lazy(
                    "rounding", plan.rounding_span, _rounding_text, (raw, rounded, plan.places, plan.rounding_words)
                )
        score = rounded * plan.factor
        declared = plan.declared
        if score < 0 or score > declared:
            raise Fallback("score outside [0, max]")
        run.score[i] = score
        run.effective[i] = declared
        run.raw[i] = raw
        if (score > 0) if plan.kind == "penalty" else (score < declared):  # a penalty's reasons: when it applies
            run.reasons[i] = self._reasons(run, plan, score, declared)

    def _reasons(self, run: _Run, plan: _Plan, score: int, declared: int) -> Reasons:
        """The reasons that apply: conditions now (they may record facts), sentences when read."""
        chosen = []
        tr = run.tr
        for cond, parts in plan.reasons:
            if cond is not None and not _outside_formula(cond, run):
                continue
            if tr is not None:
                for kind, name, _ in parts:
                    if kind == 2:
                        tr.fact(name)
            chosen.append(parts)
        return Reasons(tuple(chosen), run.values, score, declared, self.places, plan.kind == "penalty")

    # ---- back to the interpreter's form -----------------------------------------------

    def outcome(self, scores: Scores) -> Outcome:
        """The scores as the interpreter's `Outcome` (Fractions), for renderers and tests."""
        unit = self.unit
        nodes = {}
        for i, node_id in enumerate(self.ids):
            plan = self.plans[i]
            nodes[node_id] = NodeOutcome(
                id=node_id,
                status=scores.status[i],
                max=Fraction(plan.declared, unit),
                effective_max=Fraction(scores.effective[i], unit),
                score=Fraction(scores.score[i], unit),
                unrounded=scores.unrounded[i],
                reasons=reasons_text(scores.reasons[i]),
                na_policy=scores.na_policy[i],
            )
        return Outcome(
            nodes=nodes,
            base_score=Fraction(scores.base, unit),
            base_max=Fraction(scores.base_max, unit),
            bonus=Fraction(scores.bonus, unit),
            penalty=Fraction(scores.penalty, unit),
            score=Fraction(scores.total, unit),
        )

    def scores(self, outcome: Outcome) -> Scores:
        """The interpreter's `Outcome` in the compiled form (every value is a whole number of 1/10**places)."""
        nodes = [outcome.nodes[node_id] for node_id in self.ids]
        return Scores(
            places=self.places,
            status=[n.status for n in nodes],
            score=[self.scaled(n.score) for n in nodes],
            effective=[self.scaled(n.effective_max) for n in nodes],
            unrounded=[n.unrounded for n in nodes],
            reasons=[n.reasons for n in nodes],
            na_policy=[n.na_policy for n in nodes],
            base=self.scaled(outcome.base_score),
            base_max=self.scaled(outcome.base_max),
            bonus=self.scaled(outcome.bonus),
            penalty=self.scaled(outcome.penalty),
            total=self.scaled(outcome.score),
        )


# ---- plain numbers, as JSON lines and workbooks hold them ----------------------------------------

_LIMIT = 10**MAX_FACT_INTEGER_DIGITS


def plain_decimal(text: str) -> tuple[int, int] | None:
    """A plain decimal text as (numerator, 10**decimals), or None: what facts.py reads it as, found directly.

    Plain means ASCII digits with at most one point and digits on both sides of it, no sign, no
    grouping, no spaces, within the sizes facts.py accepts; anything else goes to its parser.
    """
    head, dot, tail = text.partition(".")
    if not (head.isascii() and head.isdigit() and len(head) <= MAX_FACT_INTEGER_DIGITS):
        return None
    if not dot:
        return int(head), 1
    if not (tail.isascii() and tail.isdigit() and len(tail) <= MAX_FACT_DECIMALS):
        return None
    return int(head + tail), 10 ** len(tail)


def _plain_number(raw: Any, kind: type, parse: Callable[[Any], Any]) -> Fraction | None:
    """The value facts.py's parser gives a plain whole number or decimal text, worked out directly; else None.

    Only forms whose meaning is beyond doubt (digits, one point, no sign, no
    grouping, no spaces) and whose size the parser accepts; anything else goes
    to the parser itself.
    """
    if kind is int:
        if parse in (_count, _to_number) and -_LIMIT < raw < _LIMIT:
            return Fraction(raw)
        if parse is _percent and -_LIMIT < raw < _LIMIT and raw != 1:  # a bare 1: 1 % or 100 %? the parser asks
            return Fraction(raw, 100)
        return None
    if kind is not str or parse not in (_percent, _to_number):
        return None
    signed = parse is _percent and raw.endswith("%")
    read = plain_decimal(raw[:-1] if signed else raw)
    if read is None or (parse is _percent and not signed and 0 < read[0] <= read[1]):  # bare, in (0, 1]: ask
        return None
    return Fraction(read[0], read[1] * (100 if parse is _percent else 1))


# ---- values -----------------------------------------------------------------------------------


def _literal(e: ast.Node, own_max: Fraction) -> Value:
    """A literal's value, or the criterion's own maximum for `max`."""
    return own_max if isinstance(e, ast.OwnMax) else literal_value(e)


def _number(value: Any) -> Fraction:
    if type(value) is not Fraction:
        raise Fallback("not a number")
    return value


def _condition(value: Any) -> bool:
    if type(value) is not bool:
        raise Fallback("not a condition")
    return value


def _outside_formula(cond: Expr, run: _Run) -> bool:
    """A `na when` or reason condition: a zero denominator there is refused, and its steps are not the
    score's (Evaluator.outside_formula)."""
    if run.tr is not None:
        run.tr.hush(1)
    try:
        return _condition(cond(run))
    except ZeroDenominatorSignal:
        raise Fallback("zero denominator in a condition") from None
    finally:
        if run.tr is not None:
            run.tr.hush(-1)


def _kind(value: Any) -> type:
    kind = type(value)
    return datetime.date if kind is datetime.datetime else kind


def _cmp(op: str, left: Any, right: Any) -> bool:
    if type(left) is Fraction and type(right) is Fraction:
        # Cross-multiplied on integers (denominators are positive): what Fraction's comparison does, faster.
        a = left.numerator * right.denominator
        b = right.numerator * left.denominator
        if op == ">=":
            return a >= b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == "=":
            return a == b
        return a != b
    if _kind(left) is not _kind(right):
        raise Fallback("unlike values")
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if isinstance(left, (bool, str)):
        raise Fallback("ordering of text or yes/no")
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _binop(op: str, left: Expr, right: Expr, shown: tuple[str, Span, tuple[bool, bool]] | None) -> Expr:
    """An operation; with `shown` (its text, span and which operands read as percentages: one not on
    literals alone), a traced run records the values it met (`arithmetic_text`)."""
    operation = OPERATIONS[op]

    def binop(run: _Run) -> Any:
        a = _number(left(run))
        b = _number(right(run))
        if op == "/" and b == 0:
            raise Fallback("division by zero")
        result = operation(a, b)
        if shown is not None and run.tr is not None:
            run.tr.lazy("arithmetic", shown[1], arithmetic_text, (shown[0], op, a, b, result, shown[2]))
        return result

    return binop


def _compare(op: str, left: Expr, right: Expr) -> Expr:
    return lambda run: _cmp(op, left(run), right(run))


# ---- the sentences of trace steps (evaluator.Evaluator writes the same) -----------------------

_INHERITED_NA = "tiêu chí cha không áp dụng nên tiêu chí này cũng không áp dụng"
_NA_FULL = "không áp dụng: tính đủ điểm tối đa"
_NA_EXCLUDED = "không áp dụng: loại khỏi điểm tối đa"


def _own_na_text(na_text: str) -> str:
    return f"điều kiện không áp dụng thoả mãn: {na_text}"


def _zero_text(text: str, policy: str) -> str:
    return f"mẫu số bằng 0 trong {text}: theo quy định `zero: {policy}`, {ZERO_MEANS[policy]}"


def _ratio_text(text: str, a: Fraction, b: Fraction, result: Fraction) -> str:
    return f"{text} = {vi(a)}/{vi(b)} = {vi(result)}"


def _clamp_text(value: Fraction, low: Fraction, high: Fraction, result: Fraction) -> str:
    return f"{vi(value)} giới hạn trong [{vi(low)}, {vi(high)}] → {vi(result)}"


def _deduction_text(amount: Fraction, count: Fraction, count_text: str) -> str:
    return f"trừ {vi(amount)} × {vi(count)} ({count_text}) = {vi(amount * count)}"


def _floor_text(start: Fraction, total: Fraction) -> str:
    return f"{vi(start)} − {vi(total)} < 0: lấy 0"


def _rounding_text(raw: Fraction, rounded: int, places: int, words: str) -> str:
    return f"{vi(raw)} → {scaled_vi(rounded, places)} ({words})"


def _sum_text(compiled: CompiledRules, kids: Sequence[int], scores: Sequence[int], total: int) -> str:
    k = compiled.places
    parts = " + ".join(f"{compiled.ids[kid]} ({scaled_vi(scores[kid], k)})" for kid in kids)
    return f"tổng các tiêu chí con: {parts} = {scaled_vi(total, k)}"
