"""What changed between two rule sets (last year's and this year's), and how a unit's score moves."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast, printer
from cchc_rules.checked import CheckedRules
from cchc_rules.checks import walk
from cchc_rules.errors import CchcError, EvaluationError, FactsError
from cchc_rules.evaluator import ancestors, rounding_words
from cchc_rules.facts import Facts, RawFacts, Value, literal_value, usage, validate
from cchc_rules.numbers import show, vi
from cchc_rules.ranking import group_words
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet
from cchc_rules.vocabulary import RoundingMode

ChangeKind = Literal["added", "removed", "changed"]


class Change(BaseModel):
    """One difference: a criterion, a fact or the header, and which of its fields changed.

    `old` and `new` hold each field as written in a rule file; keys starting with `_` are not fields
    but what the text output shows for one (`_show_max`: "3,5" for "3.5"; `_rows_tiers`: a tier table's
    subject and rows, one a line, which it compares row by row).
    """

    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    what: Literal["criterion", "fact", "header"]
    id: str
    fields: tuple[str, ...] = ()
    old: dict[str, str] = {}
    new: dict[str, str] = {}


class Movement(BaseModel):
    """A node whose score differs between the two rule sets for one unit, and why.

    `old_missing` (`new_missing`) names the facts the old (new) rule set needs for this node's score
    that the facts file does not give: that side's score is then not known (`old` is None).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    old: Decimal | None
    new: Decimal | None
    because: str
    # The node's maximum in each year, where it differs: a score can stay while its maximum moves.
    old_max: Decimal | None = None
    new_max: Decimal | None = None
    old_missing: tuple[str, ...] = ()
    new_missing: tuple[str, ...] = ()


_WORDS = {
    "title": "tên",
    "max": "điểm tối đa",
    "formula": "công thức",
    "tiers": "các bậc",
    "reasons": "lý do",
    "basis": "căn cứ",
    "rounding": "làm tròn",
    "not_applicable": "không áp dụng",
    "inferred": "ghi chú suy luận",
    "type": "kiểu",
    "description": "mô tả",
    "unit": "đơn vị",
    "min": "giới hạn dưới",
    "default": "mặc định",
    "name": "tên",
    "year": "năm",
    "total": "tổng điểm",
    "percent_rounding": "làm tròn tỷ lệ",
    "na_default": "mặc định không áp dụng",
    "groups": "nhóm xếp loại",
    "level": "cấp",
    "province": "tỉnh",
}
# A fact's `max` is a bound on its value, not a maximum score.
_FACT_WORDS = {**_WORDS, "max": "giới hạn trên", "given": "được giao"}
_NA_WORDS = {"full": "tính đủ điểm", "exclude": "loại khỏi điểm tối đa"}

# A criterion's fields that say what it is, why it loses points and where it comes from, never how it
# scores: not a cause of a move.
_NOT_SCORING = frozenset({"title", "reasons", "basis", "inferred"})
# What a side's score shows when the facts file lacks a fact it needs.
UNKNOWN = "không tính được"


def _rounding(r: ast.Rounding | None) -> str:
    return f"{r.places} {r.mode}" if r else ""


def _crit_fields(c: ast.Criterion, tiers: bool, rules: CheckedRules) -> dict[str, str]:
    """A criterion's fields as text; `tiers` names the formula "tiers" when both sides are tier tables.

    The rounding compared is the criterion's own; what is shown is the rounding that applies to it,
    saying where it comes from when it is not its own.
    """
    formula = printer.inline(c.formula.expr) if c.formula else ""
    applies = rules.rounding.get(c.id)
    shown_rounding = rounding_words(applies) if applies else ""
    if applies and c.rounding is None:
        source = _rounding_source(c, rules)
        shown_rounding += f" (theo {'phần đầu' if source is None else 'tiêu chí ' + source})"
    expr = c.formula.expr if c.formula else None
    return {
        "title": c.title,
        "max": printer.number(c.max) if c.max is not None else "",
        "_show_max": vi(c.max) if c.max is not None else "",
        "tiers" if tiers else "formula": formula,
        # A tier table is shown row by row (`_tier_lines`), not as one line of rule code.
        **(
            {"_rows_tiers": "\n".join([f"tier {printer.inline(expr.subject)}", *printer.tier_rows(expr)])}
            if tiers and isinstance(expr, ast.Tier)
            else {}
        ),
        "reasons": " | ".join(
            r.template if r.condition is None else f"khi {printer.expr(r.condition)}: {r.template}" for r in c.reasons
        ),
        "basis": " | ".join(c.basis),
        "rounding": _rounding(c.rounding),
        "_show_rounding": shown_rounding,
        "not_applicable": " | ".join(f"{printer.expr(n.condition)}: {n.policy}" for n in c.not_applicable),
        "_show_not_applicable": " | ".join(
            f"khi {printer.expr(n.condition)}: {_NA_WORDS[n.policy]}" for n in c.not_applicable
        ),
        "inferred": " | ".join(c.inferred),  # a method reconstructed, or no longer: the appraiser must know
    }


def _rounding_source(c: ast.Criterion, rules: CheckedRules) -> str | None:
    """The nearest criterion above `c` whose own rounding applies to it; None for the header's."""
    if c.kind != "criterion":
        return None
    for above in reversed(ancestors(c.id)):
        node = rules.nodes.get(above)
        if node is not None and node.rounding is not None:
            return above
    return None


def _bound(value: ast.Node | None, f: ast.FactDecl) -> tuple[str, str]:
    """A fact's bound or default as written, and as a reader sees it (a literal the Vietnamese way)."""
    if value is None:
        return "", ""
    written = printer.expr(value)
    if isinstance(value, (ast.Number, ast.Percent, ast.Bool, ast.DateLit, ast.String)):
        shown = show(literal_value(value), f.type.name)
        return written, shown
    return written, written


def _fact_fields(f: ast.FactDecl) -> dict[str, str]:
    line = printer.fact(f)
    low, high, default = _bound(f.min, f), _bound(f.max, f), _bound(f.default, f)
    return {
        "type": f.type.name + (f"({', '.join(f.type.choices)})" if f.type.choices else ""),
        "description": f.description,
        "unit": f.unit,
        "min": low[0],
        "_show_min": low[1],
        "max": high[0],
        "_show_max": high[1],
        "default": default[0],
        "_show_default": default[1],
        "given": "có" if f.given else "",
        "_line": line,
    }


def _header_fields(h: ast.Header) -> dict[str, str]:
    return {
        "name": h.name,
        "level": h.level,
        "province": h.province,
        "year": str(h.year or ""),
        "total": printer.number(h.total) if h.total is not None else "",
        "_show_total": vi(h.total) if h.total is not None else "",
        "rounding": _rounding(h.rounding),
        "_show_rounding": rounding_words(h.rounding) if h.rounding else "",
        "percent_rounding": _rounding(h.percent_rounding),
        "_show_percent_rounding": rounding_words(h.percent_rounding) if h.percent_rounding else "",
        "na_default": h.na_default or "",
        "_show_na_default": _NA_WORDS[h.na_default] if h.na_default else "",
        "basis": " | ".join(h.basis),
        "groups": " | ".join(f"{g.name} {printer.group_range(g)}" for g in h.groups),
        "_show_groups": " | ".join(f"{g.name} {group_words(g)}" for g in h.groups),
        "inferred": " | ".join(h.inferred),
    }


def _compare(
    kind: Literal["criterion", "fact", "header"], key: str, old: dict[str, str], new: dict[str, str]
) -> Change | None:
    names = [n for n in dict.fromkeys((*old, *new)) if not n.startswith("_") and old.get(n, "") != new.get(n, "")]
    if not names:
        return None
    shown = [f"_{way}_{n}" for n in names for way in ("show", "rows")]
    return Change(
        kind="changed",
        what=kind,
        id=key,
        fields=tuple(names),
        old={n: old.get(n, "") for n in (*names, *shown) if n in old},
        new={n: new.get(n, "") for n in (*names, *shown) if n in new},
    )


def diff_rules(old: CheckedRules, new: CheckedRules) -> list[Change]:
    """Every criterion, fact and header field added, removed or changed, in tree order."""
    out: list[Change] = []
    header = _compare("header", "ruleset", _header_fields(old.header), _header_fields(new.header))
    if header:
        out.append(header)
    ids = list(dict.fromkeys((*old.order, *old.adjustments, *new.order, *new.adjustments)))
    ids.sort(key=lambda i: (0, [int(p) for p in i.split(".")]) if i[0].isdigit() else (1, [0]))
    for node_id in ids:
        a, b = old.nodes.get(node_id), new.nodes.get(node_id)
        if a is None and b is not None:
            out.append(Change(kind="added", what="criterion", id=node_id, new=_crit_fields(b, False, new)))
        elif b is None and a is not None:
            out.append(Change(kind="removed", what="criterion", id=node_id, old=_crit_fields(a, False, old)))
        elif a is not None and b is not None:
            tiers = all(c.formula is not None and isinstance(c.formula.expr, ast.Tier) for c in (a, b))
            change = _compare("criterion", node_id, _crit_fields(a, tiers, old), _crit_fields(b, tiers, new))
            if change:
                out.append(change)
    for name in dict.fromkeys((*old.facts, *new.facts)):
        fa, fb = old.facts.get(name), new.facts.get(name)
        if fa is None and fb is not None:
            out.append(Change(kind="added", what="fact", id=name, new=_fact_fields(fb)))
        elif fb is None and fa is not None:
            out.append(Change(kind="removed", what="fact", id=name, old=_fact_fields(fa)))
        elif fa is not None and fb is not None:
            change = _compare("fact", name, _fact_fields(fa), _fact_fields(fb))
            if change:
                out.append(change)
    return out


def area_maxima(old: CheckedRules, new: CheckedRules) -> list[tuple[str, str, str, str]]:
    """(area id, title, old max, new max) for every area of either rule set."""
    rows = []
    for area in dict.fromkeys((*old.areas, *new.areas)):
        a, b = old.nodes.get(area), new.nodes.get(area)
        shown = b if b is not None else a
        title = shown.title if shown is not None else ""
        rows.append(
            (area, title, vi(a.max) if a and a.max is not None else "-", vi(b.max) if b and b.max is not None else "-")
        )
    return rows


# ---- one unit under one rule set -------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """One unit scored under one rule set, as far as its facts file allows.

    `label` names the rule set as the user gave it; `missing` maps each fact the rule set needs that
    the file does not give (and that has no default) to the criteria using it; `unknown` maps each
    node whose score needs one of them, through its formula, its `na when`, a criterion it refers to,
    a child or an ancestor, to those facts. Every other score is exactly the rule set's.
    """

    label: str
    result: Result
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unknown: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def total(self) -> Decimal | None:
        """The total, or None when a missing fact leaves it unknown."""
        return None if self.total_missing else self.result.score

    @property
    def total_missing(self) -> tuple[str, ...]:
        """The missing facts the total needs."""
        tops = (*self.result.areas, *self.result.adjustments)
        return tuple(n for n in self.missing if any(n in self.unknown.get(top, ()) for top in tops))

    def score(self, node_id: str) -> Decimal | None:
        """A node's score; None when it is unknown or the rule set has no such node."""
        if node_id in self.unknown or node_id not in self.result.nodes:
            return None
        return self.result.nodes[node_id].score


def score(rules: RuleSet, raw: RawFacts, label: str) -> Scored:
    """Score the unit of `raw` under `rules`, reading only the facts `rules` declares.

    A fact the rule set needs that the file does not give (one of last year's facts, in this year's
    file) leaves the scores that depend on it unknown; the others are computed. A facts problem or
    an evaluation error names the rule set it was met under.
    """
    checked = rules.checked
    own = raw.model_copy(update={"facts": {k: v for k, v in raw.facts.items() if k in checked.facts}})
    missing = [n for n, d in checked.facts.items() if n not in own.facts and d.default is None]
    try:
        if not missing:
            return Scored(label, rules.evaluate(own, trace=False))
        reduced = checked.model_copy(update={"facts": {n: d for n, d in checked.facts.items() if n not in missing}})
        facts = validate(reduced, own)  # a bound naming a missing fact cannot be checked: it is skipped
        unknown = _needing(checked, set(missing))
        values = {**facts.values, **{n: _placeholder(checked.facts[n]) for n in missing}}
        partial = Facts(
            unit=facts.unit, values=values, evidence=facts.evidence, defaulted=facts.defaulted | set(missing)
        )
        result = RuleSet(_without(checked, set(unknown))).evaluate(partial, trace=False)
    except (FactsError, EvaluationError) as error:
        raise _under(error, label) from None
    used = usage(checked)
    return Scored(label, result, {n: tuple(used[n]) for n in missing}, unknown)


def _under(error: CchcError, label: str) -> CchcError:
    """The same error, each message saying which rule set the facts were being scored against."""
    diagnostics = [d.model_copy(update={"message": f"khi chấm theo {label}: {d.message}"}) for d in error.diagnostics]
    return type(error)(diagnostics)


def _needing(rules: CheckedRules, missing: set[str]) -> dict[str, tuple[str, ...]]:
    """Each node whose score needs one of the `missing` facts, with those facts."""

    def reads(exprs: list[ast.Node]) -> tuple[set[str], set[str]]:
        found = [n for e in exprs for n in walk(e)]
        return {n.name for n in found if isinstance(n, ast.NameRef) and n.name in missing}, {
            n.id for n in found if isinstance(n, ast.CritRef)
        }

    formula = {i: reads([c.formula.expr] if c.formula else []) for i, c in rules.nodes.items()}
    na = {i: reads([n.condition for n in c.not_applicable]) for i, c in rules.nodes.items()}
    need: dict[str, set[str]] = {i: set() for i in rules.nodes}
    changed = True
    while changed:  # grows until nothing more is learnt: a reference or a parent can come later in the order
        changed = False
        for node_id, crit in rules.nodes.items():
            facts, refs = na[node_id]
            found = set(facts).union(*(need.get(r, set()) for r in refs))
            if crit.formula is not None:
                facts, refs = formula[node_id]
                found |= set(facts).union(*(need.get(r, set()) for r in refs))
            else:
                found = found.union(*(need[k] for k in rules.children.get(node_id, ())))
            if crit.kind == "criterion":
                for above in ancestors(node_id):  # an ancestor's n/a, or its own outcome, reaches down
                    facts, refs = na[above]
                    found |= set(facts).union(*(need.get(r, set()) for r in refs))
                    if rules.nodes[above].formula is not None:
                        found |= need[above]
            if not found <= need[node_id]:
                need[node_id] |= found
                changed = True
    order = list(rules.facts)
    return {i: tuple(sorted(s, key=order.index)) for i, s in need.items() if s}


def _without(rules: CheckedRules, unknown: set[str]) -> CheckedRules:
    """The rule set with the `unknown` nodes scoring 0 and never n/a, and no reasons anywhere.

    Scores nothing the diff shows for those nodes: it lets the others be evaluated without the
    missing facts (reasons are never shown by the diff, and some read facts).
    """
    nodes = {}
    for node_id, crit in rules.nodes.items():
        update: dict[str, Any] = {"reasons": ()}
        if node_id in unknown:
            update["not_applicable"] = ()
            if crit.formula is not None:
                zero = ast.Number.model_construct(span=crit.formula.span, value=Decimal(0))
                update["formula"] = ast.Formula.model_construct(span=crit.formula.span, expr=zero, text="0")
        nodes[node_id] = crit.model_copy(update=update)
    return rules.model_copy(update={"nodes": nodes})


def _placeholder(decl: ast.FactDecl) -> Value:
    """A value of a missing fact's type: only the nodes set aside read it."""
    kind = decl.type.name
    if kind == "boolean":
        return False
    if kind == "date":
        return datetime.date(2000, 1, 1)
    if kind == "choice":
        return decl.type.choices[0]
    return Fraction(0)


# ---- how the scores move ---------------------------------------------------------------------


def _rounding_key(r: ast.Rounding | None) -> tuple[int, RoundingMode] | None:
    return (r.places, r.mode) if r else None


def _rounding_change(node_id: str, old: CheckedRules, new: CheckedRules) -> str | None:
    """Where the change of the rounding that applies to a node was made: the node itself, the nearest
    criterion above it whose own rounding changed, or "" for the header's; None when the rounding that
    applies is the same."""
    a, b = old.rounding.get(node_id), new.rounding.get(node_id)
    if a is None or b is None or _rounding_key(a) == _rounding_key(b):
        return None
    crit = new.nodes[node_id]
    path = [node_id, *reversed(ancestors(node_id))] if crit.kind == "criterion" else [node_id]
    for step in path:
        x, y = old.nodes.get(step), new.nodes.get(step)
        if _rounding_key(x.rounding if x else None) != _rounding_key(y.rounding if y else None):
            return step
    return ""


def _has_formula(node_id: str, old: CheckedRules, new: CheckedRules) -> bool:
    return any(r.nodes[node_id].formula is not None for r in (old, new) if node_id in r.nodes)


def _below(node_id: str, other: str) -> bool:
    return other.startswith(node_id + ".")


def movements(
    changes: list[Change], old: CheckedRules, new: CheckedRules, before: Scored, after: Scored
) -> list[Movement]:
    """Nodes whose score moved for one unit, each with the changes that moved it.

    A node whose score is not known on one side (a fact missing) is listed too: nothing says it
    stayed.
    """
    causes: dict[str, list[str]] = {}  # criteria added or removed (no fields), or changed in how they score
    for c in changes:
        scoring = [f for f in c.fields if f not in _NOT_SCORING]
        if c.what == "criterion" and (c.kind != "changed" or scoring):
            causes[c.id] = scoring
    na_default = any(c.what == "header" and "na_default" in c.fields for c in changes)
    ids = sorted(dict.fromkeys((*before.result.nodes, *after.result.nodes)), key=_tree_position)
    present_a, present_b = before.result.nodes, after.result.nodes
    known = [i for i in ids if i not in before.unknown and i not in after.unknown]

    def points(side: Scored, node_id: str) -> Decimal:
        found = side.score(node_id)
        return found if found is not None else Decimal(0)

    # Nodes that moved points: a score that differs (a node on one side only counts as 0 on the other).
    moved = {i for i in known if points(before, i) != points(after, i)}
    # Where each moved node with a formula had the rounding that applies to it changed.
    rounded = {}
    for i in moved:
        if i in present_a and i in present_b and (present_a[i].has_formula or present_b[i].has_formula):
            where = _rounding_change(i, old, new)
            if where is not None:
                rounded[i] = where

    # The changed criteria whose own change can move their score, rounding aside (counted where it applies).
    moving = {
        i
        for i, fields in causes.items()
        if any(f != "rounding" and not (f == "max" and not _has_formula(i, old, new)) for f in fields)
    }
    out = []
    for node_id in ids:
        a = present_a.get(node_id)
        b = present_b.get(node_id)
        old_missing, new_missing = before.unknown.get(node_id, ()), after.unknown.get(node_id, ())
        stayed = (
            a is not None
            and b is not None
            and a.score == b.score
            and a.max == b.max
            and a.effective_max == b.effective_max  # left out as not applicable one year only: it moved
        )
        if stayed and not old_missing and not new_missing:
            continue
        shown_node = b if b is not None else a
        title = shown_node.title if shown_node is not None else ""
        kind = shown_node.kind if shown_node is not None else "criterion"
        noun = {"bonus": "mục điểm thưởng", "penalty": "mục điểm trừ"}.get(kind, "tiêu chí")
        if a is None:
            because = f"{noun} mới" + (", không áp dụng với đơn vị này" if b is not None and b.status == "n_a" else "")
        elif b is None:
            because = f"{noun} bị bỏ"
        elif old_missing or new_missing:
            because = "; ".join(
                f"thiếu dữ kiện {', '.join(facts)} khi chấm theo {side.label}"
                for side, facts in ((before, old_missing), (after, new_missing))
                if facts
            )
        else:
            because = _because(node_id, b.has_formula, causes, moving, moved, rounded, na_default)
        out.append(
            Movement(
                id=node_id,
                title=title,
                old=before.score(node_id),
                new=after.score(node_id),
                because=because,
                # The maximum that counts: after criteria not applicable to the unit are left out (7 → 6).
                old_max=a.effective_max if a and b and a.effective_max != b.effective_max else None,
                new_max=b.effective_max if a and b and a.effective_max != b.effective_max else None,
                old_missing=old_missing,
                new_missing=new_missing,
            )
        )
    return out


def _because(
    node_id: str,
    has_formula: bool,
    causes: dict[str, list[str]],
    moving: set[str],
    moved: set[str],
    rounded: dict[str, str],
    na_default: bool,
) -> str:
    """Why a node present and scored in both years moved: its own changes, the rounding that applies
    to it changed above it, changes below it that moved points; else the header's n/a policy, else
    the facts or the criteria it refers to."""
    own = [f for f in causes.get(node_id, []) if f != "rounding"]
    # The rounding changes behind this move: its own if it has a formula, else those of what moved below.
    if has_formula:
        wheres = {rounded[node_id]} if node_id in rounded else set()
    else:
        wheres = {w for i, w in rounded.items() if _below(node_id, i)}
    if node_id in wheres:
        own.append("rounding")
    # Made above it: the criteria from the top down, then the header ("").
    above = [w for w in wheres if w and w != node_id and not _below(node_id, w)]
    inherited = [*sorted(above, key=_tree_position), *([""] if "" in wheres else [])]
    # Below: what moved points there by a change of its own (added, removed, or changed in how it
    # scores; a rounding change counts where it applies, and a sum's maximum never moves its score).
    below = {i for i in causes if _below(node_id, i) and i in moved and (i in moving or not causes[i])}
    below |= {w for w in wheres if w and _below(node_id, w)}
    parts = [
        *(["thay đổi " + ", ".join(_WORDS.get(f, f) for f in own) + " của chính tiêu chí này"] if own else []),
        *(["thay đổi làm tròn ở " + ", ".join(w or "phần đầu" for w in inherited)] if inherited else []),
    ]
    if below:
        found = "thay đổi ở " + ", ".join(sorted(below, key=_tree_position))
        # a sum of its children: what changed below moved it first
        parts = [*parts, found] if has_formula else [found, *parts]
    if parts:
        return "; ".join(parts)
    if na_default:
        return "thay đổi " + _WORDS["na_default"] + " ở phần đầu"
    return "dữ kiện hoặc tiêu chí được tham chiếu thay đổi"


def _tree_position(node_id: str) -> tuple[int, tuple[int, ...], str]:
    """Criteria by their numbers (1.10 after 1.9), then bonus and penalty items by name."""
    parts = node_id.split(".")
    if all(p.isdigit() for p in parts):
        return 0, tuple(int(p) for p in parts), ""
    return 1, (), node_id


# ---- output ----------------------------------------------------------------------------------


def _shown(values: dict[str, str], name: str) -> str:
    """A field's value as the text output shows it."""
    return values.get(f"_show_{name}", values.get(name, "")) or "(không có)"


def _number(value: Decimal | None) -> str:
    return vi(value) if value is not None else UNKNOWN


def _row_lines(word: str, old: str, new: str) -> list[str]:
    """A tier table changed, row by row: only the rows that differ, each old → new; its subject first."""
    a, b = old.split("\n"), new.split("\n")
    out = [f"    {word}:"]
    if a[0] != b[0]:
        out += [f"      {a[0]}", f"      → {b[0]}"]
    for k, (x, y) in enumerate(itertools.zip_longest(a[1:], b[1:], fillvalue="(không có)"), 1):
        if x != y:
            out += [f"      bậc {k}: {x}", f"      {' ' * len(f'bậc {k}')}→ {y}"]
    return out


def render_diff(
    old: CheckedRules,
    new: CheckedRules,
    changes: list[Change],
    moved: list[Movement] | None,
    sides: tuple[Scored, Scored] | None = None,
) -> str:
    """The differences as text, in Vietnamese."""
    lines = [f"So sánh: {old.header.name}", f"     với: {new.header.name}", ""]
    words = {"added": "Thêm", "removed": "Bỏ", "changed": "Sửa"}
    what = {"criterion": "tiêu chí", "fact": "dữ kiện", "header": "phần đầu"}
    if not changes:
        lines.append("Hai bộ quy tắc như nhau.")
    for c in changes:
        label = f"{words[c.kind]} {what[c.what]} {c.id}"
        if c.kind == "added":
            lines.append(f"+ {label}: {c.new.get('title') or c.new.get('_line') or ''}".rstrip())
        elif c.kind == "removed":
            lines.append(f"- {label}: {c.old.get('title') or c.old.get('_line') or ''}".rstrip())
        else:
            lines.append(f"~ {label}:")
            names = _FACT_WORDS if c.what == "fact" else _WORDS
            for name in c.fields:
                if f"_rows_{name}" in c.old and f"_rows_{name}" in c.new:
                    lines += _row_lines(names.get(name, name), c.old[f"_rows_{name}"], c.new[f"_rows_{name}"])
                    continue
                lines.append(f"    {names.get(name, name)}: {_shown(c.old, name)}")
                lines.append(f"    {' ' * len(names.get(name, name))}→ {_shown(c.new, name)}")
    if changes:  # the same rule sets: their areas' maxima are the same too, and said so above
        lines += ["", "Điểm tối đa các lĩnh vực:"]
        for area, title, a, b in area_maxima(old, new):
            mark = "" if a == b else "   (đổi)"
            lines.append(f"  {area}. {title}: {a} → {b}{mark}")
    if moved is not None:
        lines += ["", "Điểm của đơn vị thay đổi:"]
        if sides:
            before, after = sides
            why = "; ".join(
                f"thiếu dữ kiện {', '.join(s.total_missing)} khi chấm theo {s.label}" for s in sides if s.total_missing
            )
            top_a, top_b = before.result.max, after.result.max
            if top_a != top_b and not why:  # the same points of a smaller maximum are a higher percentage
                share_a, share_b = before.result.percent, after.result.percent
                shares = "" if share_a is None or share_b is None else f", tỷ lệ {vi(share_a)}% → {vi(share_b)}%"
                why = f"điểm tối đa {vi(top_a)} → {vi(top_b)}{shares}"
            lines.append(f"  Tổng: {_number(before.total)} → {_number(after.total)}" + (f" ({why})" if why else ""))
        if not moved:
            lines.append("  Không mục nào đổi điểm.")
        for m in moved:
            a = _number(m.old) if m.old is not None or m.old_missing else "-"
            b = _number(m.new) if m.new is not None or m.new_missing else "-"
            top = "" if m.old_max is None or m.new_max is None else f"; điểm tối đa {vi(m.old_max)} → {vi(m.new_max)}"
            lines.append(f"  {m.id} {m.title}: {a} → {b} ({m.because}{top})")
        for side, rules in zip(sides or (), (old, new), strict=False):
            if side.missing:
                lines += ["", f"Thiếu dữ kiện khi chấm theo {side.label} (tệp dữ kiện không ghi, không có mặc định):"]
                for name, where in side.missing.items():
                    decl = rules.facts[name]
                    used = ", ".join(where) or "không tiêu chí nào"
                    lines.append(f"  - {name}: {decl.description or decl.type.name} (dùng ở {used})")
                lines.append(f"  Điểm cần các dữ kiện này ghi “{UNKNOWN}”; thêm chúng vào tệp dữ kiện để so sánh đủ.")
    return "\n".join(lines) + "\n"


def diff_json(
    old: CheckedRules,
    new: CheckedRules,
    changes: list[Change],
    moved: list[Movement] | None,
    sides: tuple[Scored, Scored] | None = None,
) -> dict[str, Any]:
    """The differences as JSON."""
    data: dict[str, Any] = {
        "old": old.header.name,
        "new": new.header.name,
        "changes": [
            {
                **c.model_dump(mode="json"),
                "old": {k: v for k, v in c.old.items() if not k.startswith("_")},
                "new": {k: v for k, v in c.new.items() if not k.startswith("_")},
            }
            for c in changes
        ],
        "areas": [{"id": a, "title": t, "old_max": o, "new_max": n} for a, t, o, n in area_maxima(old, new)],
    }
    if moved is not None:
        data["scores"] = [m.model_dump(mode="json") for m in moved]
        if sides:
            before, after = sides
            data["total"] = {
                "old": None if before.total is None else str(before.total),
                "new": None if after.total is None else str(after.total),
            }
            data["missing_facts"] = {
                "old": {n: list(w) for n, w in before.missing.items()},
                "new": {n: list(w) for n, w in after.missing.items()},
            }
    return data
