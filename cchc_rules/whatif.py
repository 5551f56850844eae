"""What-if: which fact changes recover the most points, and scenarios with changed facts.

For every criterion that lost points, the engine searches the facts it uses
(save those declared `given`: a budget allotted to the unit, the applications
citizens file) for the smallest change that recovers points: the thresholds written in its
formula (tier bounds, comparisons), the value at which a fact meets what it is
compared with (another fact, a sum, the point where a min, max or clamp tops
out), the dates a date is compared with, the part of a whole needed to reach
each ratio threshold, the whole itself, flipping a yes/no, another choice. It
reports the smallest change that recovers everything it can and, when a
smaller change already recovers some, that first step too. Nothing here is
written per criterion.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast
from cchc_rules.analysis import analysis_for, as_fact_text, candidates, facts_used, respects, thresholds
from cchc_rules.checked import CheckedRules
from cchc_rules.checks import expressions, walk
from cchc_rules.errors import CchcError, EvaluationError
from cchc_rules.evaluator import Evaluator, ZeroDenominatorSignal
from cchc_rules.facts import Facts, Value, literal_value
from cchc_rules.numbers import decimal_text, show, trimmed, vi
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet
from cchc_rules.trace import NullTracer

# Pairs of facts are tried only where no single change helps; this bounds that search.
PAIR_LIMIT = 2500
# The finest step tried for a decimal or a percent (0,1%), as in the checker's searches.
STEP = Fraction(1, 1000)
# How many secant steps look for where two sides meet (each an evaluation of both).
_SECANT_STEPS = 6


class Change(BaseModel):
    """One fact changed: from, to, said in Vietnamese."""

    model_config = ConfigDict(frozen=True)

    fact: str
    old: str
    new: str
    text: str


class Option(BaseModel):
    """A set of changes and the points they recover at the node."""

    model_config = ConfigDict(frozen=True)

    changes: tuple[Change, ...]
    recovered: Decimal
    score: Decimal

    def text(self) -> str:
        """'thêm 3 cuộc (2 → 5)', joined with 'và'."""
        return " và ".join(c.text for c in self.changes)


class Given(BaseModel):
    """A `given` fact a node reads, as it stands for the unit."""

    model_config = ConfigDict(frozen=True)

    fact: str
    value: str
    text: str


class Opportunity(BaseModel):
    """A node that lost points, and the options that recover them."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    lost: Decimal
    best: Option | None
    first_step: Option | None = None
    # The `given` facts the node reads, with their values: what its points depend on when no change is found.
    given: tuple[Given, ...] = ()


def _change_text(rules: CheckedRules, name: str, old: Value, new: Value) -> Change:
    decl = rules.facts[name]
    kind = decl.type.name
    unit = f" {decl.unit}" if decl.unit else ""
    old_s, new_s = show(old, kind), show(new, kind)
    if isinstance(old, Fraction) and isinstance(new, Fraction) and not isinstance(old, bool) and kind != "percent":
        delta = new - old
        word = "thêm" if delta > 0 else "bớt"
        text = f"{decl.description or name}: {word} {vi(abs(delta))}{unit} ({old_s} → {new_s})"
    else:
        text = f"{decl.description or name}: {old_s} → {new_s}"
    return Change(fact=name, old=as_fact_text(old, kind), new=as_fact_text(new, kind), text=text)


def _pool(
    rules: CheckedRules,
    name: str,
    values: Mapping[str, Value],
    crossings: Mapping[str, set[Value]],
    limits: Mapping[str, set[Fraction]],
    percents: set[Fraction],
) -> list[Value]:
    """Values worth trying for one fact at one node: `limits` are the literals facts are compared with there,
    `percents` the percentages written there (`_written_at`)."""
    decl = rules.facts[name]
    current = values[name]
    kind = decl.type.name
    if kind == "boolean":
        return [not current]
    if kind == "choice":
        return [c for c in decl.type.choices if c != current]
    if kind == "date":
        days = {d for d in crossings.get(name, set()) if isinstance(d, datetime.date)}
        return sorted(d for d in days if d != current and _date_allowed(rules, name, d, values))
    ranges = analysis_for(rules)
    pool = set(candidates(rules, ranges, name, limits.get(name, set())))
    # Where the fact meets what it is compared with (another fact, the top of a clamp), within its declared range.
    declared = ranges.fact(name)
    pool.update(v for v in crossings.get(name, set()) if isinstance(v, Fraction) and declared and declared.contains(v))
    integral = kind in ("count", "integer")
    # The part of a whole that reaches each ratio threshold written at this node, and the whole itself.
    if isinstance(decl.max, ast.NameRef) and decl.max.name in values:
        whole = values[decl.max.name]
        if isinstance(whole, Fraction):
            pool.add(whole)
            for percent in percents:
                need = percent * whole
                pool.add(Fraction(math.ceil(need)) if integral else need)
    # One more and one fewer: where a score grows with the fact (a rate), the smallest change that
    # recovers anything, which the first step must be, not one of the analysis's trial values (100).
    if integral and isinstance(current, Fraction):
        pool.update(v for v in (current - 1, current + 1) if declared is None or declared.contains(v))
    pool.discard(current)
    return sorted(v for v in pool if isinstance(v, Fraction))


def _written_at(rules: CheckedRules, node_id: str) -> tuple[dict[str, set[Fraction]], set[Fraction]]:
    """The literals each fact is compared with, and the percentages written, in the node's formulas and in
    those of the criteria it names (`if ... then [4.3.1] else [4.3.2]`): where its score can change."""
    limits: dict[str, set[Fraction]] = {}
    percents: set[Fraction] = set()
    for reached in _referenced(rules, node_id):
        for fact, values_at in thresholds(rules, reached).items():
            limits.setdefault(fact, set()).update(values_at)
        written = (n for e in expressions(rules.nodes[reached]) for n in walk(e))
        percents.update(Fraction(n.value) / 100 for n in written if isinstance(n, ast.Percent))
    return limits, percents


def _referenced(rules: CheckedRules, node_id: str) -> list[str]:
    """The node and every criterion its formulas name (`[3.7]`), and theirs, and the criteria a named one
    sums: wherever the node's score can change."""
    out = [node_id]
    for current in out:  # grows while it is walked: each criterion is visited once
        crit = rules.nodes[current]
        named = [n.id for e in expressions(crit) for n in walk(e) if isinstance(n, ast.CritRef)]
        summed = rules.children.get(current, ()) if crit.formula is None and current != node_id else ()
        out += [k for k in (*named, *summed) if k not in out and k in rules.nodes]
    return out


def _compared(crit: ast.Criterion) -> Iterator[tuple[ast.Node, ast.Node, bool]]:
    """Pairs of expressions a node's score can change at where they meet, and whether meeting is not enough.

    Comparisons and tier bounds, and the arguments of min, max and clamp: a formula
    tops out where the larger argument takes over, a point no literal need name.
    """
    for expr in expressions(crit):
        for node in walk(expr):
            if isinstance(node, ast.Compare):
                yield node.left, node.right, node.op in ("<", ">", "!=")
            elif isinstance(node, ast.Tier):
                for row in node.rows:
                    test = row.test
                    if isinstance(test, ast.TierCmp):
                        yield node.subject, test.bound, test.op in ("<", ">", "!=")
                    else:
                        yield node.subject, test.low, False
                        yield node.subject, test.high, test.high_open
            elif isinstance(node, ast.Call) and node.func in ("min", "max"):
                yield from ((a, b, False) for a, b in itertools.combinations(node.args, 2))
            elif isinstance(node, ast.Call) and node.func == "clamp":
                yield from ((node.args[0], bound, False) for bound in node.args[1:])


def _crossings(rules: CheckedRules, node_id: str, values: Mapping[str, Value]) -> dict[str, set[Value]]:
    """For each fact, the values at which it meets what the node compares it with, the other facts as they are.

    A threshold need not be a literal: `so_cbcc <= bien_che_giao` is met at the other
    fact's value, `clamp(max * (x - 50%) / 40%, 0, max)` at 90%.
    """
    crit = rules.nodes[node_id]
    out: dict[str, set[Value]] = {}
    for left, right, strict in _compared(crit):
        for side, other in ((left, right), (right, left)):
            day = _date_of(other, values)
            if isinstance(side, ast.NameRef) and day is not None and rules.facts[side.name].type.name == "date":
                out.setdefault(side.name, set()).update(_days_around(day, strict))
        nodes = [n for side in (left, right) for n in walk(side)]
        names = {n.name for n in nodes if isinstance(n, ast.NameRef)}
        names.update(f for n in nodes if isinstance(n, ast.CritRef) for f in facts_used(rules, n.id))  # [1.1] >= 3
        for name in sorted(names):
            decl = rules.facts[name]
            if name not in values or decl.given or decl.type.name not in ("count", "integer", "decimal", "percent"):
                continue
            root = _root(rules, values, crit, left, right, name)
            if root is not None:
                out.setdefault(name, set()).update(_around(root, decl.type.name in ("count", "integer"), strict))
    return out


def _date_of(expr: ast.Node, values: Mapping[str, Value]) -> datetime.date | None:
    """The day a date literal or a date fact stands for, as the facts are; None for anything else."""
    day: Value | None = None
    if isinstance(expr, ast.DateLit):
        day = literal_value(expr)
    elif isinstance(expr, ast.NameRef):
        day = values.get(expr.name)
    return day if isinstance(day, datetime.date) else None


def _days_around(day: datetime.date, strict: bool) -> set[Value]:
    """The day itself and, where reaching it is not enough, the days either side."""
    one = datetime.timedelta(days=1)
    return {day - one, day, day + one} if strict else {day}


def _around(root: Fraction, integral: bool, strict: bool) -> set[Value]:
    """The values a fact can take on either side of where it meets a threshold, and past it for a strict one.

    Kept on whole numbers for a count, on steps of 0,001 otherwise, so the change reads as a figure to aim for.
    """
    step = Fraction(1) if integral else STEP
    low, high = math.floor(root / step) * step, math.ceil(root / step) * step
    return {low - step, low, high, high + step} if strict else {low, high}


def _root(
    rules: CheckedRules, values: Mapping[str, Value], crit: ast.Criterion, left: ast.Node, right: ast.Node, name: str
) -> Fraction | None:
    """Where `left` meets `right` as one fact moves, when the gap between them is linear in it; else None.

    The gap is measured at the fact's value and one step above; secant steps from there are trusted
    only where the gap really is 0 (a ratio's whole, say, is not linear, and may never get there).
    """

    def gap(value: Fraction) -> Fraction | None:
        # None where a side has no number: the node is n/a, a divisor is 0
        evaluator = Evaluator(rules, Facts(values={**values, name: value}), NullTracer())
        try:
            a, b = evaluator.raw(crit, left), evaluator.raw(crit, right)
        except (EvaluationError, ZeroDenominatorSignal, KeyError, ArithmeticError):
            return None
        return None if a is None or b is None else a - b

    current = values[name]
    if not isinstance(current, Fraction):
        return None
    # Secant steps from the value and one step above it: exact on a line, and a few steps cross the bends
    # of min, max and clamp (a percent's step is 0,1 point, not 100).
    step = Fraction(1) if rules.facts[name].type.name in ("count", "integer") else STEP
    x0, x1 = current, current + step
    g0, g1 = gap(x0), gap(x1)
    for _ in range(_SECANT_STEPS):
        if g0 is None or g1 is None or g0 == g1:
            return None
        x0, x1 = x1, x1 - g1 * (x1 - x0) / (g1 - g0)
        g0, g1 = g1, gap(x1)
        if g1 == 0:
            return x1
    return None


def _date_allowed(rules: CheckedRules, name: str, day: datetime.date, values: Mapping[str, Value]) -> bool:
    """Whether a day keeps a date fact within its declared bounds (a literal day, or another date fact)."""
    decl = rules.facts[name]
    for bound, low in ((decl.min, True), (decl.max, False)):
        if bound is None:
            continue
        limit = values.get(bound.name) if isinstance(bound, ast.NameRef) else literal_value(bound)
        if isinstance(limit, datetime.date) and (day < limit if low else day > limit):
            return False
    return True


def _allowed(rules: CheckedRules, trial: dict[str, Value]) -> bool:
    """Whether trial facts keep every declared bound between facts, dates included."""
    return respects(rules, trial) and all(
        _date_allowed(rules, n, v, trial) for n, v in trial.items() if isinstance(v, datetime.date)
    )


def _score(rules: CheckedRules, values: dict[str, Value], node_id: str) -> Fraction | None:
    try:
        return Evaluator(rules, Facts(values=values), NullTracer()).node(node_id).score
    except (EvaluationError, KeyError, ArithmeticError):
        return None


def _size(rules: CheckedRules, name: str, old: Value, new: Value) -> Fraction:
    if isinstance(old, Fraction) and isinstance(new, Fraction):
        return abs(new - old)
    if isinstance(old, datetime.date) and isinstance(new, datetime.date):
        return Fraction(abs((new - old).days))  # the fewest days earlier or later
    return Fraction(1)


def _options(
    rules: CheckedRules, values: dict[str, Value], node_id: str, lost: Fraction
) -> list[tuple[Fraction, Fraction, dict[str, Value]]]:
    """(recovered, size of change, changes) for single changes, then pairs if no single change recovers `lost`.

    Points are recovered by raising a criterion's score, or by lowering a penalty's (`lost` is then
    the penalty itself).
    """
    base = _score(rules, values, node_id)
    if base is None:
        return []
    sign = -1 if rules.nodes[node_id].kind == "penalty" else 1
    # Alone, a whole (a denominator) is not something to shrink to raise a rate: change the parts.
    # With its part, it may change (nothing planned to disburse: plan some and disburse it). A fact is a
    # whole only where its part is used too: compared with a quota, it is a figure like any other.
    used = [n for n in facts_used(rules, node_id) if n in values]
    wholes = {bound.name for n in used if isinstance(bound := rules.facts[n].max, ast.NameRef)}
    names = [n for n in used if not rules.facts[n].given]
    crossings = _crossings(rules, node_id, values)
    limits, percents = _written_at(rules, node_id)
    pools = {n: _pool(rules, n, values, crossings, limits, percents) for n in names}
    found = []
    for name in (n for n in names if n not in wholes):
        for new in pools[name]:
            trial = {**values, name: new}
            if not _allowed(rules, trial):
                continue
            score = _score(rules, trial, node_id)
            if score is not None and sign * (score - base) > 0:
                found.append((sign * (score - base), _size(rules, name, values[name], new), {name: new}))
    if found and max(gain for gain, _, _ in found) >= lost:
        return found
    # No change alone recovers everything (a rate with two parts, a count and a deadline): try two at once.
    tried = 0
    for a, b in itertools.combinations(names, 2):
        for new_a in pools[a]:
            for new_b in pools[b]:
                tried += 1
                if tried > PAIR_LIMIT:
                    return found
                trial = {**values, a: new_a, b: new_b}
                if not _allowed(rules, trial):
                    continue
                score = _score(rules, trial, node_id)
                if score is not None and sign * (score - base) > 0:
                    size = _size(rules, a, values[a], new_a) + _size(rules, b, values[b], new_b)
                    found.append((sign * (score - base), size, {a: new_a, b: new_b}))
    return found


def _option(
    rules: CheckedRules, values: Mapping[str, Value], changes: dict[str, Value], recovered: Fraction, score: Fraction
) -> Option:
    return Option(
        changes=tuple(_change_text(rules, n, values[n], v) for n, v in changes.items()),
        recovered=trimmed(Decimal(recovered.numerator) / Decimal(recovered.denominator)),
        score=trimmed(Decimal(score.numerator) / Decimal(score.denominator)),
    )


def opportunities(rules: RuleSet, facts: Facts, result: Result) -> list[Opportunity]:
    """Every node that lost points (penalties that apply too), with the changes that recover them, most first."""
    checked = rules.checked
    values = dict(facts.values)
    penalties = [result[a] for a in result.adjustments if result[a].kind == "penalty" and result[a].score > 0]
    out = []
    for node in [*result.losses(), *penalties]:
        base = Fraction(node.score)
        found = _options(checked, values, node.id, base if node.kind == "penalty" else Fraction(node.lost))
        after: dict[tuple[tuple[str, Any], ...], Fraction] = {}  # the node's score after each change
        for gain, _, changes in found:
            after[tuple(sorted(changes.items()))] = base - gain if node.kind == "penalty" else base + gain
        if node.kind == "penalty" and found:
            # A penalty gives back only what reaches the total, which stays within 0 and the maximum.
            raw = Fraction(result.base_score) + Fraction(result.bonus) - Fraction(result.penalty)
            now = _within(raw, Fraction(result.max))
            found = [(_within(raw + gain, Fraction(result.max)) - now, size, c) for gain, size, c in found]
            found = [f for f in found if f[0] > 0]
            if not found:  # the total cannot move: lowering this penalty recovers nothing
                continue
        best = first = None
        if found:
            most = max(r for r, _, _ in found)
            recovered, _, changes = min((f for f in found if f[0] == most), key=lambda f: (f[1], sorted(f[2])))
            best = _option(checked, values, changes, recovered, after[tuple(sorted(changes.items()))])
            r1, _, c1 = min(found, key=lambda f: (f[1], -f[0], sorted(f[2])))
            if r1 < most:
                first = _option(checked, values, c1, r1, after[tuple(sorted(c1.items()))])
        given = tuple(_given(checked, name, values[name]) for name in _given_used(checked, node.id, values))
        out.append(Opportunity(id=node.id, title=node.title, lost=node.lost, best=best, first_step=first, given=given))
    order = {node_id: k for k, node_id in enumerate((*checked.order, *checked.adjustments))}
    out.sort(key=lambda o: (-(o.best.recovered if o.best else Decimal(0)), order[o.id]))
    return out


def _given_used(rules: CheckedRules, node_id: str, values: Mapping[str, Value]) -> list[str]:
    return [n for n in facts_used(rules, node_id) if n in values and rules.facts[n].given]


def _given(rules: CheckedRules, name: str, value: Value) -> Given:
    """A `given` fact as it stands: 'Vốn đầu tư công giao trong kế hoạch năm = 0 triệu đồng'."""
    decl = rules.facts[name]
    kind = decl.type.name
    unit = f" {decl.unit}" if decl.unit else ""
    text = f"{decl.description or name} = {show(value, kind)}{unit}"
    return Given(fact=name, value=as_fact_text(value, kind), text=text)


def _within(total: Fraction, top: Fraction) -> Fraction:
    """A total as the rules keep it: between 0 and the maximum."""
    return min(max(total, Fraction(0)), top)


def render_opportunities(result: Result, items: list[Opportunity]) -> str:
    """The opportunities as text, most points first."""
    lines = [f"Cơ hội gỡ điểm: {result.ruleset}"]
    if result.unit:
        lines.append(f"Đơn vị: {result.unit}")
    lines.append(f"Hiện đạt {vi(result.score)} điểm/{vi(result.max)} điểm.")
    lines.append("")
    if not items:
        lines.append("Không mục nào mất điểm.")
    for o in items:
        if o.best is None and o.given:
            lines.append(
                f"- {o.id} {o.title} (mất {vi(o.lost)}): không có thay đổi nào trong tầm của đơn vị "
                "gỡ lại được điểm; điểm còn phụ thuộc dữ kiện được giao: " + "; ".join(g.text for g in o.given)
            )
            continue
        if o.best is None:
            lines.append(f"- {o.id} {o.title} (mất {vi(o.lost)}): không tìm thấy thay đổi dữ kiện nào gỡ lại điểm")
            continue
        lines.append(f"- {o.id}: {o.best.text()} gỡ lại {vi(o.best.recovered)} điểm (mất {vi(o.lost)})")
        if o.first_step is not None:
            lines.append(f"    bước đầu: {o.first_step.text()} gỡ lại {vi(o.first_step.recovered)} điểm")
    return "\n".join(lines) + "\n"


def opportunities_json(result: Result, items: list[Opportunity]) -> dict[str, Any]:
    """The opportunities as JSON (decimals as strings)."""
    return {
        "score": decimal_text(result.score),
        "max": decimal_text(result.max),
        "opportunities": [o.model_dump(mode="json") for o in items],
    }


# ---- scenarios -------------------------------------------------------------------------------


def setting(pair: str) -> tuple[str, str]:
    """One `fact=value` of the command line (`--set`); a ValueError when it is not of that form."""
    name, sep, value = pair.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"`{pair}` cần dạng tên=giá_trị, vd --set doi_thoai=5")
    return name.strip(), value.strip()


def check_settings(rules: CheckedRules, settings: Mapping[str, str]) -> None:
    """Every `--set` names a declared fact; an F005 error, with a suggestion, for one that does not."""
    from cchc_rules.errors import Diagnostic, did_you_mean

    unknown = [name for name in settings if name not in rules.facts]
    if unknown:
        raise CchcError(
            [
                Diagnostic(
                    code="F005",
                    severity="error",
                    message=f"`--set {name}={settings[name]}`: bộ quy tắc không có dữ kiện `{name}`",
                    hint=did_you_mean(name, list(rules.facts)),
                )
                for name in unknown
            ]
        )


def scenario_text(before: Result, after: Result, settings: Mapping[str, str]) -> str:
    """What changes per node when some facts are set to other values."""
    lines = ["Kịch bản: " + ", ".join(f"{k} = {v}" for k, v in settings.items())]
    delta = after.score - before.score
    sign = "+" if delta > 0 else ""
    lines.append(f"Tổng điểm: {vi(before.score)} → {vi(after.score)} ({sign}{vi(delta)})")
    changed = [n for n in before.nodes if before[n].score != after[n].score]
    if not changed:
        lines.append("Không mục nào đổi điểm.")
    for node_id in changed:
        a, b = before[node_id], after[node_id]
        d = b.score - a.score
        lines.append(f"- {node_id} {a.title}: {vi(a.score)} → {vi(b.score)} ({'+' if d > 0 else ''}{vi(d)})")
    return "\n".join(lines) + "\n"
