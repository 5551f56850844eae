"""Proofs over a checked rule set: scores stay within [0, max], divisors are never 0.

Interval analysis (`checks.ranges`) proves what it can. Where it cannot, a
search over the declared fact bounds looks for a concrete counterexample and
confirms it with the real evaluator: an error then shows the facts that break
the rule; no counterexample found leaves a warning that the rule could not be
proved. Like the checker's passes, each proof is a function listed in PROOFS.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import TYPE_CHECKING

from cchc_rules import ast
from cchc_rules.checked import CheckedRules
from cchc_rules.checker import diagnose, index, merge
from cchc_rules.checks import expressions, walk
from cchc_rules.checks.ranges import Interval, RangeAnalysis, constant, refine
from cchc_rules.errors import Diagnostic, EvaluationError
from cchc_rules.evaluator import Evaluator, ZeroDenominatorSignal, ancestors, rounding_words
from cchc_rules.loader import RuleSource
from cchc_rules.numbers import plain, round_fraction, show, to_fraction, vi
from cchc_rules.source import Span

if TYPE_CHECKING:
    from cchc_rules.facts import Value

BIG = Fraction(10**6)
# Errors after which the proofs can still run (the tree and names are sound),
# so one `cchc check` reports them together with what the proofs find.
PROVABLE_DESPITE = frozenset({"E114", "E123", "E124", "E190", "E191", "E192", "E193"})
# How many fact combinations a search tries at most, per criterion.
SEARCH_LIMIT = 4000
# Evaluation steps all the searches of one rule set may take together: an attempt
# costs a fixed overhead plus one step per expression node it may evaluate. Each
# search gets a fair share of what is left, so a rule set of many unprovable
# formulas is still checked within seconds (and the same way every time).
SEARCH_BUDGET = 1_000_000
_ATTEMPT_OVERHEAD = 12


class SearchBudget:
    """What the counterexample searches of one rule set may still spend, in evaluation steps."""

    def __init__(self, steps: int = SEARCH_BUDGET):
        self.left = steps

    def attempts(self, searches_left: int, cost: int) -> int:
        """How many combinations the next of `searches_left` searches may try (at most SEARCH_LIMIT)."""
        return max(min(SEARCH_LIMIT, self.left // max(searches_left, 1) // max(cost, 1)), 0)

    def spend(self, attempts: int, cost: int) -> None:
        """Count what a search used."""
        self.left -= attempts * cost


def analysis_for(rules: CheckedRules) -> RangeAnalysis:
    """The range analysis of a checked rule set."""
    maxima = {i: to_fraction(c.max) for i, c in rules.nodes.items() if c.max is not None}
    return RangeAnalysis(rules.facts, maxima)


def ancestors_env(rules: CheckedRules, crit: ast.Criterion, ranges: RangeAnalysis) -> dict[str, Interval]:
    """Fact ranges under which a node is evaluated at all: no ancestor's `na when` holds."""
    env: dict[str, Interval] = {}
    for above in ancestors(crit.id) if crit.kind == "criterion" else ():
        env = _none_holds(rules.nodes[above], ranges, env)
    return env


def guarded_env(rules: CheckedRules, crit: ast.Criterion, ranges: RangeAnalysis) -> dict[str, Interval]:
    """Fact ranges under which the formula runs: no `na when` of the node or of an ancestor holds."""
    return _none_holds(crit, ranges, ancestors_env(rules, crit, ranges))


def _none_holds(crit: ast.Criterion, ranges: RangeAnalysis, env: dict[str, Interval]) -> dict[str, Interval]:
    for clause in crit.not_applicable:
        _, env = refine(clause.condition, ranges, env)
    return env


def _diag(
    rules: CheckedRules,
    code: str,
    severity: str,
    span: Span,
    message: str,
    hint: str = "",
    example: dict[str, Value] | None = None,
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity="error" if severity == "error" else "warning",
        message=message,
        span=span,
        line_text=rules.source_line(span.file, span.line),
        hint=hint,
        example={n: as_fact_text(v, rules.facts[n].type.name) for n, v in (example or {}).items()},
    )


def as_fact_text(value: Value, kind: str) -> str:
    """A value written as a facts file holds it ("2", "75%", "có", "2023-10-31")."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Fraction):
        return f"{plain(value * 100)}%" if kind == "percent" else plain(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _show_range(r: Interval) -> str:
    lo = "-∞" if r.lo is None else vi(r.lo)
    hi = "+∞" if r.hi is None else vi(r.hi)
    return f"[{lo}; {hi}]"


# ---- the search for counterexamples -----------------------------------------------


def facts_used(rules: CheckedRules, node_id: str, seen: set[str] | None = None) -> list[str]:
    """Facts a node's score can depend on: its expressions, its children's, its references'."""
    seen = seen if seen is not None else set()
    if node_id in seen:
        return []
    seen.add(node_id)
    crit = rules.nodes[node_id]
    names: dict[str, None] = {}
    for expr in expressions(crit):
        for node in walk(expr):
            if isinstance(node, ast.NameRef):
                names[node.name] = None
            elif isinstance(node, ast.CritRef):
                names.update(dict.fromkeys(facts_used(rules, node.id, seen)))
    for child in rules.children.get(node_id, ()):
        names.update(dict.fromkeys(facts_used(rules, child, seen)))
    for ancestor in ancestors(node_id):
        for clause in rules.nodes[ancestor].not_applicable:
            names.update({n.name: None for n in walk(clause.condition) if isinstance(n, ast.NameRef)})
    return list(names)


def thresholds(rules: CheckedRules, node_id: str) -> dict[str, set[Fraction]]:
    """Literal values facts are compared with in a node's expressions (tier rows included)."""
    out: dict[str, set[Fraction]] = {}
    crit = rules.nodes[node_id]
    for expr in expressions(crit):
        for node in walk(expr):
            pairs: list[tuple[ast.Node, ast.Node]] = []
            if isinstance(node, ast.Compare):
                pairs = [(node.left, node.right), (node.right, node.left)]
            elif isinstance(node, ast.Tier):
                for row in node.rows:
                    test = row.test
                    bounds = [test.bound] if isinstance(test, ast.TierCmp) else [test.low, test.high]
                    pairs.extend((node.subject, b) for b in bounds)
            for side, other in pairs:
                value = constant(other)  # negative ones too: `na when d != -1.5`
                if isinstance(side, ast.NameRef) and value is not None:
                    out.setdefault(side.name, set()).add(value)
    return out


def candidates(rules: CheckedRules, ranges: RangeAnalysis, name: str, thresholds: set[Fraction]) -> list[Value]:
    """Values worth trying for one fact: its bounds, 0, 1, a large value, each threshold and its neighbours."""
    decl = rules.facts[name]
    kind = decl.type.name
    if kind == "boolean":
        return [False, True]
    if kind == "choice":
        return list(decl.type.choices)
    if kind == "date":
        # The days the rules compare with, each with the day before and after, within the fact's bounds.
        base = _literal_value(decl.default) if decl.default is not None else datetime.date(2000, 1, 1)
        one = datetime.timedelta(days=1)
        days: set[Value] = {base}
        for lit in _date_literals(rules):
            day = datetime.date.fromisoformat(lit)
            days.update({day - one, day, day + one})
        low = _literal_value(decl.min) if isinstance(decl.min, ast.DateLit) else None
        high = _literal_value(decl.max) if isinstance(decl.max, ast.DateLit) else None
        kept = [d for d in days if (low is None or d >= low) and (high is None or d <= high)]  # type: ignore[operator]
        return sorted(kept, key=lambda d: (d == base, str(d)))  # the rules' own days first: a natural example
    r = ranges.fact(name) or Interval(None, None)
    step = Fraction(1) if kind in ("count", "integer") else Fraction(1, 1000)
    pool = {Fraction(0), Fraction(1), Fraction(2), Fraction(10), Fraction(100), BIG, -BIG}
    for t in thresholds:
        pool.update({t - step, t, t + step})
    for end in (r.lo, r.hi):
        if end is not None:
            pool.update({end, end - step, end + step})
    if kind in ("count", "integer"):
        pool = {Fraction(int(v)) for v in pool}
    return sorted(v for v in pool if r.contains(v))


def _date_literals(rules: CheckedRules) -> set[str]:
    """Every date written in the rules' formulas and conditions (a few: the deadlines)."""
    return {
        node.value
        for crit in rules.nodes.values()
        for expr in expressions(crit)
        for node in walk(expr)
        if isinstance(node, ast.DateLit)
    }


def respects(rules: CheckedRules, values: dict[str, Value]) -> bool:
    """Whether the chosen values keep every constraint between facts (part <= whole)."""
    for name, value in values.items():
        decl = rules.facts[name]
        for bound, low in ((decl.min, True), (decl.max, False)):
            if isinstance(bound, ast.NameRef) and bound.name in values:
                other = values[bound.name]
                if (
                    isinstance(value, Fraction)
                    and isinstance(other, Fraction)
                    and (value < other if low else value > other)
                ):
                    return False
    return True


def assignments(
    rules: CheckedRules, ranges: RangeAnalysis, node_id: str, limit: int = SEARCH_LIMIT
) -> Iterator[dict[str, Value]]:
    """Fact combinations to try for a node, deterministic, at most `limit`."""
    names = facts_used(rules, node_id)
    thresholds_ = thresholds(rules, node_id)
    pools = [candidates(rules, ranges, n, thresholds_.get(n, set())) for n in names]
    if not all(pools):  # a fact no value fits (min above max): nothing to try
        return
    total = 1
    for pool in pools:
        total *= len(pool)
        if total > limit:
            break
    if total <= limit:
        combos: Iterator[tuple[Value, ...]] = itertools.product(*pools)
    else:
        rng = random.Random(0)  # same rule set, same search, same diagnostics
        combos = (tuple(rng.choice(pool) for pool in pools) for _ in range(limit))
    for combo in combos:
        values = dict(zip(names, combo, strict=True))
        if respects(rules, values):
            yield values


def _literal_value(lit: ast.Node) -> Value:
    from cchc_rules.facts import literal_value

    return literal_value(lit)


def _evaluator(rules: CheckedRules, values: dict[str, Value]) -> Evaluator:
    from cchc_rules.facts import Facts  # only a search for counterexamples needs facts: `cchc check` starts faster
    from cchc_rules.trace import NullTracer

    return Evaluator(rules, Facts(values=values), NullTracer())


def _describe(rules: CheckedRules, values: dict[str, Value]) -> str:
    if not values:
        return "mọi dữ kiện"
    return ", ".join(f"{n} = {show(v, rules.facts[n].type.name)}" for n, v in values.items())


# ---- proofs ---------------------------------------------------------------------------


def search_cost(rules: CheckedRules, node_id: str) -> int:
    """What one attempt of a search on a node costs: an overhead, plus every expression node it may evaluate."""
    cost = _ATTEMPT_OVERHEAD
    seen = {node_id}
    todo = [node_id]
    while todo:
        crit = rules.nodes[todo.pop()]
        for expr in expressions(crit):
            for node in walk(expr):
                cost += 1
                if isinstance(node, ast.CritRef) and node.id in rules.nodes and node.id not in seen:
                    seen.add(node.id)
                    todo.append(node.id)
        for child in rules.children.get(crit.id, ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return cost


def _decimals(value: Fraction) -> int:
    """How many decimals a terminating value needs (0,125: 3)."""
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    return places


_CUT_SHORT = "; việc tìm phản ví dụ bị rút ngắn vì bộ quy tắc có quá nhiều công thức cần tìm"


def prove_bounds(rules: CheckedRules, ranges: RangeAnalysis, budget: SearchBudget | None = None) -> list[Diagnostic]:
    """Every formula's value stays within [0, max] for all facts the declarations allow."""
    budget = budget or SearchBudget()
    out: list[Diagnostic] = []
    unproved: list[tuple[str, ast.Criterion, Fraction, Interval]] = []
    for node_id, crit in rules.nodes.items():
        if crit.formula is None or crit.max is None:
            continue
        maximum = to_fraction(crit.max)
        rounding = rules.rounding[node_id]
        written = round_fraction(maximum, rounding.places, rounding.mode)
        if written != maximum:  # full marks cannot be written at the declared precision
            out.append(
                _diag(
                    rules,
                    "E173",
                    "error",
                    crit.span,
                    f"điểm tối đa {vi(maximum)} của tiêu chí {node_id} có nhiều chữ số thập phân hơn cách làm tròn "
                    f"({rounding_words(rounding)}): đủ điểm sẽ thành {vi(written)}",
                    f"làm tròn với ít nhất {_decimals(maximum)} chữ số thập phân "
                    f"(`rounding {_decimals(maximum)} {rounding.mode}`)",
                    {},
                )
            )
            continue
        found = ranges.range(crit.formula.expr, maximum, guarded_env(rules, crit, ranges))
        if found is None:
            continue
        if _gives_full_marks_on_zero(crit.formula.expr):
            found = found.union(Interval.point(maximum))
        # Rounding is monotone, so the rounded scores lie between the rounded ends.
        found = _rounded(found, rules.rounding[node_id])
        if not found.within(Fraction(0), maximum):
            unproved.append((node_id, crit, maximum, found))
    for number, (node_id, crit, maximum, found) in enumerate(unproved):
        assert crit.formula is not None
        cost = search_cost(rules, node_id)
        limit = budget.attempts(len(unproved) - number, cost)
        example, tried = _bounds_counterexample(rules, ranges, node_id, maximum, limit)
        budget.spend(tried, cost)
        if example is not None:
            values, raw, score = example
            where = "âm" if score < 0 else f"lớn hơn điểm tối đa {vi(maximum)}"
            # The maximum is written exactly at the node's rounding (E173 otherwise), and rounding is
            # monotone: a rounded score leaves [0, max] only when the formula's value does.
            gives = f"công thức cho {vi(raw)}" + (f", làm tròn thành {vi(score)}" if raw != score else "")
            hint = (
                "giới hạn công thức (clamp(..., 0, max), min(max, ...)), hoặc khai báo giới hạn cho dữ kiện "
                "(vd `max tong_so` cho phần không vượt tổng)"
            )
            out.append(
                _diag(
                    rules,
                    "E170",
                    "error",
                    crit.formula.span,
                    f"điểm của tiêu chí {node_id} có thể {where}: với {_describe(rules, values)}, {gives}",
                    hint,
                    values,
                )
            )
        else:
            out.append(
                _diag(
                    rules,
                    "W171",
                    "warning",
                    crit.formula.span,
                    f"không chứng minh được điểm của tiêu chí {node_id} luôn trong [0; {vi(maximum)}] "
                    f"(phân tích cho khoảng {_show_range(found)}), dù không tìm thấy phản ví dụ"
                    + (_CUT_SHORT if limit < SEARCH_LIMIT and tried == limit else ""),
                    "thêm giới hạn cho dữ kiện, hoặc bọc công thức bằng clamp(..., 0, max)",
                )
            )
    return out


def _gives_full_marks_on_zero(expr: ast.Node) -> bool:
    return any(
        isinstance(n, ast.Call) and any(o.name == "zero" and o.value == "full" for o in n.options) for n in walk(expr)
    )


def _rounded(found: Interval, rounding: ast.Rounding) -> Interval:
    def end(value: Fraction | None) -> Fraction | None:
        return None if value is None else round_fraction(value, rounding.places, rounding.mode)

    return Interval(end(found.lo), end(found.hi))


def _bounds_counterexample(
    rules: CheckedRules, ranges: RangeAnalysis, node_id: str, maximum: Fraction, limit: int = SEARCH_LIMIT
) -> tuple[tuple[dict[str, Value], Fraction, Fraction] | None, int]:
    """The first facts that take a node's score out of [0, max], and how many combinations were tried."""
    crit = rules.nodes[node_id]
    assert crit.formula is not None
    tried = 0
    for values in assignments(rules, ranges, node_id, limit):
        tried += 1
        try:
            found = _trial_score(rules, _evaluator(rules, values), crit, maximum)
        except (EvaluationError, KeyError):
            continue
        if found is None:
            continue
        raw, score = found
        if score < 0 or score > maximum:
            return (values, raw, score), tried
    return None, tried


def _trial_score(
    rules: CheckedRules, evaluator: Evaluator, crit: ast.Criterion, maximum: Fraction
) -> tuple[Fraction, Fraction] | None:
    """A node's formula on trial facts, before and after its rounding (a zero denominator as its `zero:`
    policy says); None where the node does not apply."""
    assert crit.formula is not None
    try:
        raw = evaluator.raw(crit, crit.formula.expr)
    except ZeroDenominatorSignal as zero:
        if zero.policy == "na":
            return None
        raw = maximum if zero.policy == "full" else Fraction(0)
    if raw is None:
        return None
    rounding = rules.rounding[crit.id]
    return raw, round_fraction(raw, rounding.places, rounding.mode)


def prove_divisions(rules: CheckedRules, ranges: RangeAnalysis, budget: SearchBudget | None = None) -> list[Diagnostic]:
    """No plain division `/` can divide by zero under the declared bounds, nor a ratio in a condition."""
    budget = budget or SearchBudget()
    out: list[Diagnostic] = []
    # Each divisor with where it is: ("na", k) in the k-th `na when`, ("reason", 0) or ("formula", 0).
    risky: list[tuple[str, ast.Node, Interval, tuple[str, int]]] = []
    for node_id, crit in rules.nodes.items():
        maximum = to_fraction(crit.max) if crit.max is not None else Fraction(0)
        env = ancestors_env(rules, crit, ranges)  # a node is evaluated only where no ancestor is n/a
        ranges.ratios_fail = True  # outside the formula a ratio's `zero:` decides nothing: 0 fails there
        for k, clause in enumerate(crit.not_applicable):  # each runs where the ones before it did not hold
            ranges.risky_divisions.clear()
            ranges.condition(clause.condition, maximum, env)
            risky.extend((node_id, divisor, found, ("na", k)) for divisor, found in ranges.risky_divisions)
            _, env = refine(clause.condition, ranges, env)
        ranges.risky_divisions.clear()
        for reason in crit.reasons:
            if reason.condition is not None:
                ranges.condition(reason.condition, maximum, env)
        risky.extend((node_id, divisor, found, ("reason", 0)) for divisor, found in ranges.risky_divisions)
        ranges.ratios_fail = False
        ranges.risky_divisions.clear()
        if crit.formula is not None:
            ranges.range(crit.formula.expr, maximum, env)
        risky.extend((node_id, divisor, found, ("formula", 0)) for divisor, found in ranges.risky_divisions)
    for number, (node_id, divisor_expr, divisor, where) in enumerate(risky):
        cost = search_cost(rules, node_id)
        limit = budget.attempts(len(risky) - number, cost)
        example, tried = _division_counterexample(rules, ranges, node_id, divisor_expr, limit, where)
        budget.spend(tried, cost)
        span = divisor_expr.span
        text = rules.source_line(span.file, span.line)[span.column - 1 : span.end_column - 1]
        hint = (
            f"dùng ratio(..., {text}, zero: full|zero|na) để quy định nghĩa của mẫu số bằng 0, "
            f"hoặc `na when {text} = 0: full`"
        )
        if where[0] != "formula":  # in an `na when` or a `reason when`: a `zero:` policy decides nothing there
            hint = "`zero:` chỉ áp dụng trong công thức tính điểm; trong điều kiện, xét mẫu số trước: "
            hint += f"`{text} > 0 and ...`"
        if example is not None:
            out.append(
                _diag(
                    rules,
                    "E180",
                    "error",
                    span,
                    f"tiêu chí {node_id} có thể chia cho 0: với {_describe(rules, example)}, mẫu số `{text}` bằng 0",
                    hint,
                    example,
                )
            )
        else:
            out.append(
                _diag(
                    rules,
                    "W181",
                    "warning",
                    span,
                    f"không chứng minh được mẫu số `{text}` của tiêu chí {node_id} khác 0 "
                    f"(khoảng {_show_range(divisor)})"
                    + (_CUT_SHORT if limit < SEARCH_LIMIT and tried == limit else ""),
                    hint,
                )
            )
    return out


def _division_counterexample(
    rules: CheckedRules,
    ranges: RangeAnalysis,
    node_id: str,
    divisor: ast.Node,
    limit: int = SEARCH_LIMIT,
    where: tuple[str, int] = ("formula", 0),
) -> tuple[dict[str, Value] | None, int]:
    """The first facts that make a divisor 0 where the evaluator works it out, and how many combinations
    were tried. `where` says when that is: the k-th `na when` (`("na", k)`) when no ancestor is n/a and
    no clause before it holds; a `reason when` when the node applies and loses points; the formula when
    the node applies."""
    crit = rules.nodes[node_id]
    tried = 0
    for values in assignments(rules, ranges, node_id, limit):
        tried += 1
        evaluator = _evaluator(rules, values)
        try:
            if where[0] == "na":
                if not evaluator.reaches(crit, where[1]):
                    continue
                found = evaluator.raw(crit, divisor, applicable=False)
            else:
                if where[0] == "reason" and not _loses_points(rules, evaluator, crit):
                    continue  # reasons are written only for points lost
                found = evaluator.raw(crit, divisor)
            if found == 0:
                return values, tried
        except (EvaluationError, ZeroDenominatorSignal, KeyError):
            continue
    return None, tried


def _loses_points(rules: CheckedRules, evaluator: Evaluator, crit: ast.Criterion) -> bool:
    """Whether the node, applicable, scores below its maximum on the evaluator's facts (a node without a
    formula of its own is taken to: its children decide, and this search does not follow them)."""
    if crit.formula is None or crit.max is None:
        return True
    maximum = to_fraction(crit.max)
    found = _trial_score(rules, evaluator, crit, maximum)
    return found is not None and found[1] < maximum


def prove_clamps(rules: CheckedRules, ranges: RangeAnalysis, budget: SearchBudget | None = None) -> list[Diagnostic]:
    """No `clamp(value, low, high)` can have its lower bound above its upper one, which the evaluator refuses."""
    budget = budget or SearchBudget()
    out: list[Diagnostic] = []
    possible: list[tuple[str, ast.Call]] = []
    for node_id, crit in rules.nodes.items():
        if crit.max is None:
            continue
        maximum, env = to_fraction(crit.max), guarded_env(rules, crit, ranges)
        calls = [n for e in expressions(crit) for n in walk(e) if isinstance(n, ast.Call) and n.func == "clamp"]
        for call in calls:  # in the formula, an `na when` or a `reason when` condition alike
            if _declared_below(rules, call.args[1], call.args[2]):
                continue  # proved by the declarations: `fact san: decimal max tran`, clamp(x, san, tran)
            low, high = (ranges.range(a, maximum, env) for a in call.args[1:])
            if low is not None and high is not None:
                if low.lo is not None and high.hi is not None and low.lo > high.hi:  # for every unit
                    out.append(
                        _clamp_diag(
                            rules,
                            node_id,
                            call,
                            f"cận dưới {_shown(low)} luôn lớn hơn cận trên {_shown(high)}: "
                            "đơn vị nào tính đến đây cũng không chấm được",
                        )
                    )
                    continue
                # proved: low <= high whatever the facts (an upper bound unbounded above, a count, is fine)
                if low.hi is not None and high.lo is not None and low.hi <= high.lo:
                    continue
            possible.append((node_id, call))
    for number, (node_id, call) in enumerate(possible):
        cost = search_cost(rules, node_id)
        limit = budget.attempts(len(possible) - number, cost)
        example, tried = _clamp_counterexample(rules, ranges, node_id, call, limit)
        budget.spend(tried, cost)
        if example is not None:
            out.append(
                _clamp_diag(
                    rules,
                    node_id,
                    call,
                    f"với {_describe(rules, example)}, cận dưới lớn hơn cận trên, đơn vị như vậy không chấm được",
                    example,
                )
            )
        else:  # as for a score's bounds (W171) and a divisor (W181): what is not proved is said
            out.append(
                _diag(
                    rules,
                    "W175",
                    "warning",
                    call.span,
                    f"không chứng minh được cận dưới của clamp ở tiêu chí {node_id} luôn nhỏ hơn hoặc bằng cận trên, "
                    "dù không tìm thấy phản ví dụ" + (_CUT_SHORT if limit < SEARCH_LIMIT and tried == limit else ""),
                    "thêm giới hạn cho các dữ kiện trong hai cận, vd `max` cho dữ kiện ở cận dưới",
                )
            )
    return out


def _declared_below(rules: CheckedRules, low: ast.Node, high: ast.Node) -> bool:
    """Whether fact `low` is declared never above fact `high` (`max high` on one, or `min low` on the other)."""
    if not isinstance(low, ast.NameRef) or not isinstance(high, ast.NameRef):
        return False
    below, above = rules.facts.get(low.name), rules.facts.get(high.name)
    return (below is not None and isinstance(below.max, ast.NameRef) and below.max.name == high.name) or (
        above is not None and isinstance(above.min, ast.NameRef) and above.min.name == low.name
    )


def _clamp_diag(
    rules: CheckedRules, node_id: str, call: ast.Call, what: str, example: dict[str, Value] | None = None
) -> Diagnostic:
    return _diag(
        rules,
        "E172",
        "error",
        call.span,
        f"clamp của tiêu chí {node_id}: {what}",
        "viết clamp(giá_trị, cận_dưới, cận_trên), cận dưới trước, vd clamp(..., 0, max)",
        example,
    )


def _shown(r: Interval) -> str:
    """A range as a value when it is one ("1"), else as a range ("[0; 5]")."""
    return vi(r.lo) if r.lo is not None and r.lo == r.hi else _show_range(r)


def _clamp_counterexample(
    rules: CheckedRules, ranges: RangeAnalysis, node_id: str, call: ast.Call, limit: int = SEARCH_LIMIT
) -> tuple[dict[str, Value] | None, int]:
    """The first facts for which evaluating the node stops at this clamp, and how many were tried."""
    crit = rules.nodes[node_id]
    # The expression the clamp is in: the formula is evaluated as the node is (its `na when` first), a
    # condition of `reason when` or `na when` on its own.
    within = next(e for e in expressions(crit) if any(n is call for n in walk(e)))
    in_formula = crit.formula is not None and within is crit.formula.expr
    tried = 0
    for values in assignments(rules, ranges, node_id, limit):
        tried += 1
        try:
            evaluator = _evaluator(rules, values)
            if in_formula:
                evaluator.node(node_id)
            else:
                evaluator.raw(crit, within)
        except EvaluationError as exc:  # only a clamp the evaluation reaches counts, not one in a branch not taken
            if any(d.span == call.span for d in exc.diagnostics):
                return values, tried
        except (ZeroDenominatorSignal, KeyError):
            continue
    return None, tried


Proof = Callable[[CheckedRules, RangeAnalysis, SearchBudget], list[Diagnostic]]

PROOFS: tuple[Proof, ...] = (prove_bounds, prove_divisions, prove_clamps)


def prove(rules: CheckedRules) -> list[Diagnostic]:
    """Run every proof; errors come with counterexamples, warnings where nothing was proved.

    The proofs share one `SearchBudget`, each taking a fair part of what is left.
    """
    ranges = analysis_for(rules)
    budget = SearchBudget()
    found: list[Diagnostic] = []
    for number, proof in enumerate(PROOFS):
        share = budget.left // (len(PROOFS) - number)
        part = SearchBudget(share)
        found.extend(proof(rules, ranges, part))
        budget.left -= share - part.left
    return found


def check_and_prove(source: RuleSource) -> tuple[list[Diagnostic], CheckedRules | None]:
    """Every diagnostic of the checker's passes and, when they found no error, of the proofs.

    Returns the checked rule set too when nothing is an error.
    """
    found = diagnose(source)
    if any(d.severity == "error" and d.code not in PROVABLE_DESPITE for d in found):
        return found, None
    checked = index(merge(source), tuple(d for d in found if d.severity == "warning"), source.retired_facts)
    found.extend(prove(checked))
    if any(d.severity == "error" for d in found):
        return found, None
    return found, checked.model_copy(update={"warnings": tuple(found)})
