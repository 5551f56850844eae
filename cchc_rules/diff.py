"""What changed between two rule sets (last year's and this year's), and how a unit's score moves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast, printer
from cchc_rules.checked import CheckedRules
from cchc_rules.numbers import vi
from cchc_rules.result import Result

ChangeKind = Literal["added", "removed", "changed"]


class Change(BaseModel):
    """One difference: a criterion, a fact or the header, and which of its fields changed."""

    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    what: Literal["criterion", "fact", "header"]
    id: str
    fields: tuple[str, ...] = ()
    old: dict[str, str] = {}
    new: dict[str, str] = {}


class Movement(BaseModel):
    """A node whose score differs between the two rule sets for one unit, and why."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    old: Decimal | None
    new: Decimal | None
    because: str
    # The node's maximum in each year, where it differs: a score can stay while its maximum moves.
    old_max: Decimal | None = None
    new_max: Decimal | None = None


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


# A criterion's fields that say what it is, why it loses points and where it comes from, never how it
# scores: not a cause of a move. And the header's fields that do move scores (a criterion's own rounding
# or n/a policy aside).
_NOT_SCORING = frozenset({"title", "reasons", "basis", "inferred"})
_HEADER_SCORING = ("rounding", "na_default")


def _crit_fields(c: ast.Criterion, tiers: bool) -> dict[str, str]:
    """A criterion's fields as text; `tiers` names the formula "tiers" when both sides are tier tables."""
    formula = printer.inline(c.formula.expr) if c.formula else ""
    return {
        "title": c.title,
        "max": printer.number(c.max) if c.max is not None else "",
        "tiers" if tiers else "formula": formula,
        "reasons": " | ".join(
            r.template if r.condition is None else f"khi {printer.expr(r.condition)}: {r.template}" for r in c.reasons
        ),
        "basis": " | ".join(c.basis),
        "rounding": f"{c.rounding.places} {c.rounding.mode}" if c.rounding else "",
        "not_applicable": " | ".join(f"{printer.expr(n.condition)}: {n.policy}" for n in c.not_applicable),
        "inferred": " | ".join(c.inferred),  # a method reconstructed, or no longer: the appraiser must know
    }


def _fact_fields(f: ast.FactDecl) -> dict[str, str]:
    line = printer.fact(f)
    return {
        "type": f.type.name + (f"({', '.join(f.type.choices)})" if f.type.choices else ""),
        "description": f.description,
        "unit": f.unit,
        "min": printer.expr(f.min) if f.min is not None else "",
        "max": printer.expr(f.max) if f.max is not None else "",
        "default": printer.expr(f.default) if f.default is not None else "",
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
        "rounding": f"{h.rounding.places} {h.rounding.mode}" if h.rounding else "",
        "percent_rounding": f"{h.percent_rounding.places} {h.percent_rounding.mode}" if h.percent_rounding else "",
        "na_default": h.na_default or "",
        "basis": " | ".join(h.basis),
        "groups": " | ".join(f"{g.name} {printer.group_range(g)}" for g in h.groups),
        "inferred": " | ".join(h.inferred),
    }


def _compare(
    kind: Literal["criterion", "fact", "header"], key: str, old: dict[str, str], new: dict[str, str]
) -> Change | None:
    names = [n for n in dict.fromkeys((*old, *new)) if not n.startswith("_") and old.get(n, "") != new.get(n, "")]
    if not names:
        return None
    return Change(
        kind="changed",
        what=kind,
        id=key,
        fields=tuple(names),
        old={n: old.get(n, "") for n in names},
        new={n: new.get(n, "") for n in names},
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
            out.append(Change(kind="added", what="criterion", id=node_id, new=_crit_fields(b, False)))
        elif b is None and a is not None:
            out.append(Change(kind="removed", what="criterion", id=node_id, old=_crit_fields(a, False)))
        elif a is not None and b is not None:
            tiers = all(c.formula is not None and isinstance(c.formula.expr, ast.Tier) for c in (a, b))
            change = _compare("criterion", node_id, _crit_fields(a, tiers), _crit_fields(b, tiers))
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


def movements(changes: list[Change], old: Result, new: Result) -> list[Movement]:
    """Nodes whose score moved for one unit, each with the change that moved it."""
    causes: dict[str, list[str]] = {}  # criteria added or removed (no fields), or changed in how they score
    for c in changes:
        scoring = [f for f in c.fields if f not in _NOT_SCORING]
        if c.what == "criterion" and (c.kind != "changed" or scoring):
            causes[c.id] = scoring
    header = [f for c in changes if c.what == "header" for f in c.fields if f in _HEADER_SCORING]
    out = []
    # In tree order, the criteria of both years together (a new one where it stands), then the adjustments.
    ids = sorted(dict.fromkeys((*old.nodes, *new.nodes)), key=_tree_position)
    for node_id in ids:
        a = old.nodes.get(node_id)
        b = new.nodes.get(node_id)
        if a is not None and b is not None and a.score == b.score and a.max == b.max:
            continue
        shown_node = b if b is not None else a
        title = shown_node.title if shown_node is not None else ""
        if a is None:
            because = "tiêu chí mới"
        elif b is None:
            because = "tiêu chí bị bỏ"
        elif causes.get(node_id) or [i for i in causes if i.startswith(node_id + ".")]:
            own = causes.get(node_id, [])
            below = [i for i in causes if i.startswith(node_id + ".")]
            parts = [
                *(["thay đổi " + ", ".join(_WORDS.get(f, f) for f in own) + " của chính tiêu chí này"] if own else []),
                *(["thay đổi ở " + ", ".join(below)] if below else []),
            ]
            if not b.has_formula:  # a sum of its children: what changed below moved it first
                parts.reverse()
            because = "; ".join(parts)
        elif header:
            because = "thay đổi " + ", ".join(_WORDS[f] for f in header) + " ở phần đầu"
        else:
            because = "dữ kiện hoặc tiêu chí được tham chiếu thay đổi"
        out.append(
            Movement(
                id=node_id,
                title=title,
                old=a.score if a else None,
                new=b.score if b else None,
                because=because,
                old_max=a.max if a and b and a.max != b.max else None,
                new_max=b.max if a and b and a.max != b.max else None,
            )
        )
    return out


def _tree_position(node_id: str) -> tuple[int, tuple[int, ...], str]:
    """Criteria by their numbers (1.10 after 1.9), then bonus and penalty items by name."""
    parts = node_id.split(".")
    if all(p.isdigit() for p in parts):
        return 0, tuple(int(p) for p in parts), ""
    return 1, (), node_id


def render_diff(
    old: CheckedRules,
    new: CheckedRules,
    changes: list[Change],
    moved: list[Movement] | None,
    totals: tuple[Decimal, Decimal] | None = None,
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
            for field in c.fields:
                lines.append(f"    {names.get(field, field)}: {c.old[field] or '(không có)'}")
                lines.append(f"    {' ' * len(names.get(field, field))}→ {c.new[field] or '(không có)'}")
    lines += ["", "Điểm tối đa các lĩnh vực:"]
    for area, title, a, b in area_maxima(old, new):
        mark = "" if a == b else "   (đổi)"
        lines.append(f"  {area}. {title}: {a} → {b}{mark}")
    if moved is not None:
        lines += ["", "Điểm của đơn vị thay đổi:"]
        if totals:
            lines.append(f"  Tổng: {vi(totals[0])} → {vi(totals[1])}")
        if not moved:
            lines.append("  Không mục nào đổi điểm.")
        for m in moved:
            a = vi(m.old) if m.old is not None else "-"
            b = vi(m.new) if m.new is not None else "-"
            top = "" if m.old_max is None or m.new_max is None else f"; điểm tối đa {vi(m.old_max)} → {vi(m.new_max)}"
            lines.append(f"  {m.id} {m.title}: {a} → {b} ({m.because}{top})")
    return "\n".join(lines) + "\n"


def diff_json(
    old: CheckedRules,
    new: CheckedRules,
    changes: list[Change],
    moved: list[Movement] | None,
    totals: tuple[Decimal, Decimal] | None = None,
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
        if totals:
            data["total"] = {"old": str(totals[0]), "new": str(totals[1])}
    return data
