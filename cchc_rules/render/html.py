"""One self-contained HTML audit page: the criterion tree with every derivation, offline and printable.

No network: CSS and JavaScript are inline. Each node is a <details> element
(id "node-7.2.2") that opens to show its derivation: formula, facts with
their evidence, steps, rounding, rule-file line, legal basis and reasons.
Opening the page at #node-7.2.2 opens that node; printing opens them all.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from fractions import Fraction

from cchc_rules.numbers import vi
from cchc_rules.render.explain import formula_lines, step_place
from cchc_rules.render.text import cap_note, percent_text
from cchc_rules.result import NodeResult, Result
from cchc_rules.trace import FactUse
from cchc_rules.vocabulary import kind_titled

_CSS = """
:root{--lost:#b3261e;--ok:#1e6b34;--muted:#555;--line:#ddd}
body{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;margin:1.5rem auto;max-width:72rem;
  padding:0 1rem;color:#111}
h1{font-size:1.4rem;margin:0 0 .3rem}
.meta{color:var(--muted);margin:0 0 1rem}
.total{font-size:1.2rem;font-weight:600;margin:.5rem 0 1rem}
.tools button{margin-right:.5rem}
details{border-left:3px solid var(--line);margin:.25rem 0 .25rem .6rem;padding-left:.6rem}
details.lost{border-left-color:var(--lost)}
details.na{border-left-color:#888}
summary{cursor:pointer;padding:.15rem 0}
summary .id{font-weight:700;margin-right:.4rem}
summary .score{float:right;font-variant-numeric:tabular-nums}
.lost>summary .score{color:var(--lost);font-weight:600}
.badge{font-size:.75rem;background:#eee;border-radius:.3rem;padding:0 .3rem;margin-left:.3rem}
.derivation{background:#fafafa;border:1px solid var(--line);border-radius:.3rem;
  padding:.5rem .8rem;margin:.3rem 0 .6rem}
.derivation dt{font-weight:600;margin-top:.3rem}
.derivation dd{margin:0 0 0 1rem}
code{background:#f0f0f0;padding:0 .2rem;border-radius:.2rem}
code.formula{white-space:pre-wrap}
table.facts,table.rounds{border-collapse:collapse;margin:.2rem 0;font-size:.9rem}
table.facts td,table.facts th,table.rounds td,table.rounds th{border:1px solid var(--line);padding:.15rem .4rem;
  text-align:left;vertical-align:top}
table.rounds td.n{text-align:right}
.reason{color:var(--lost)}
.inferred{color:var(--muted);font-style:italic}
@media print{.tools{display:none}details{break-inside:avoid}body{max-width:none;margin:0}}
"""

_JS = """
function openPath(el){while(el){if(el.tagName==='DETAILS'){el.open=true;}el=el.parentElement;}}
function fromHash(){var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
var el=document.getElementById(id)||document.getElementById('node-'+id);if(el){openPath(el);el.scrollIntoView();}}
function setAll(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
window.addEventListener('hashchange',fromHash);window.addEventListener('beforeprint',function(){setAll(true);});
document.addEventListener('DOMContentLoaded',fromHash);
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _derivation(node: NodeResult) -> str:
    t = node.trace
    rows: list[str] = []
    if t is None:
        return '<div class="derivation">Không có dấu vết (đánh giá với trace=False).</div>'
    rows.append(f"<dt>Quy tắc</dt><dd><code>{_e(t.source.file)}:{t.source.line}</code></dd>")
    if t.formula is not None and t.formula_span is not None:
        formula = "\n  ".join(formula_lines(t.formula))  # a tier's rows on lines of their own (`pre-wrap`)
        rows.append(f"<dt>Công thức (dòng {t.formula_span.line})</dt>")
        rows.append(f'<dd><code class="formula">score = {_e(formula)}</code></dd>')
    if t.facts:
        body = "".join(
            f"<tr><td><code>{_e(f.name)}</code></td><td>{_e(f.shown)}{' ' + _e(f.unit) if f.unit else ''}"
            f"{' (mặc định)' if f.defaulted else ''}</td><td>{_e(f.description)}</td><td>{_e(_evidence(f))}</td></tr>"
            for f in t.facts
        )
        rows.append(
            '<dt>Dữ kiện</dt><dd><table class="facts"><tr><th>Tên</th><th>Giá trị</th><th>Mô tả</th>'
            f"<th>Tài liệu kiểm chứng</th></tr>{body}</table></dd>"
        )
    if t.refs:
        refs = ", ".join(f'<a href="#node-{_e(i)}">[{_e(i)}]</a> = {_e(s.replace(".", ","))}' for i, s in t.refs)
        rows.append(f"<dt>Tiêu chí được tham chiếu</dt><dd>{refs}</dd>")
    if t.steps:
        steps = "".join(f"<li>{_e(s.text)}{_e(step_place(s, t))}</li>" for s in t.steps)
        rows.append(f"<dt>Các bước</dt><dd><ol>{steps}</ol></dd>")
    if t.rounding and t.unrounded is not None:
        rows.append(f"<dt>Làm tròn</dt><dd>{_e(t.rounding)}</dd>")
    if t.reasons:
        rows.append(f'<dt>Lý do mất điểm</dt><dd class="reason">{_e("; ".join(t.reasons))}</dd>')
    for basis in t.basis:
        rows.append(f"<dt>Căn cứ</dt><dd>{_e(basis)}</dd>")
    for note in t.inferred:
        rows.append(f'<dt>Suy luận</dt><dd class="inferred">{_e(note)}</dd>')
    return f'<dl class="derivation">{"".join(rows)}</dl>'


def _node(result: Result, node_id: str) -> str:
    node = result[node_id]
    classes = []
    if node.lost > 0:
        classes.append("lost")
    if node.status == "n_a":
        classes.append("na")
    badge = '<span class="badge">không áp dụng</span>' if node.status == "n_a" else ""
    lost = f" (mất {vi(node.lost)})" if node.lost else ""
    summary = (
        f'<summary><span class="id">{_e(node.id)}</span>{_e(node.title)}{badge}'
        f'<span class="score">{vi(node.score)}/{vi(node.effective_max)}{lost}</span></summary>'
    )
    children = "".join(_node(result, child) for child in node.children)
    css = f' class="{" ".join(classes)}"' if classes else ""
    return f'<details id="node-{_e(node.id)}"{css}>{summary}{_derivation(node)}{children}</details>'


def _rounds_table(rounds: Sequence[tuple[str, Result]]) -> str:
    """Every round's areas, bonus and penalty and total side by side, as `cchc eval` prints them: the
    declared maxima (which add up), and each round's own maximum where a criterion is left out."""
    first = rounds[0][1]
    head = "".join(f"<th>{_e(name)}</th>" for name, _ in rounds)

    def cells(values: Sequence[str]) -> str:
        return "".join(f"<td class=n>{_e(v)}</td>" for v in values)

    rows = [
        f"<tr><td>{_e(a)} {_e(first[a].title)}</td><td class=n>{vi(first[a].max)}</td>"
        + cells([vi(r[a].score) for _, r in rounds])
        + "</tr>"
        for a in first.areas
    ]
    for a in first.adjustments:
        sign = "+" if first[a].kind == "bonus" else "−"
        rows.append(
            f"<tr><td>{_e(kind_titled(first[a].kind, first[a].title))}</td><td class=n>{vi(first[a].max)}</td>"
            + cells([(sign if r[a].score else "") + vi(r[a].score) for _, r in rounds])
            + "</tr>"
        )
    declared = sum((Fraction(first[a].max) for a in first.areas), Fraction(0))
    rows.append(f"<tr><th>Tổng</th><td class=n>{vi(declared)}</td>" + cells([vi(r.score) for _, r in rounds]) + "</tr>")
    if any(r.max != declared for _, r in rounds):
        rows.append(
            "<tr><td>Điểm tối đa, trừ các mục không áp dụng</td><td></td>"
            + cells([vi(r.max) for _, r in rounds])
            + "</tr>"
        )
    rows.append("<tr><td>Tỷ lệ đạt</td><td></td>" + cells([percent_text(r.percent) for _, r in rounds]) + "</tr>")
    return f'<table class="rounds"><tr><th>Mục</th><th>Tối đa</th>{head}</tr>{"".join(rows)}</table>'


def _rounds_notes(rounds: Sequence[tuple[str, Result]], notes: Sequence[Mapping[str, str]]) -> str:
    """Each round's notes per criterion (the appraisers' reasons), under the table."""
    items = [
        f"<li><b>{_e(name)}</b>, {_e(node_id)} {_e(result[node_id].title)}: {_e(text)}</li>"
        for (name, result), round_notes in zip(rounds, notes, strict=False)
        for node_id, text in round_notes.items()
        if node_id in result
    ]
    return f"<h3>Ghi chú của các vòng</h3><ul>{''.join(items)}</ul>" if items else ""


def render_html(
    result: Result, rounds: Sequence[tuple[str, Result]] = (), round_notes: Sequence[Mapping[str, str]] = ()
) -> str:
    """The audit page of one evaluation; given several rounds, `result` is the last one's, and the page
    names it, shows every round's areas and total side by side, and each round's notes per criterion (`round_notes`)."""
    title = f"{result.ruleset}" + (f" — {result.unit}" if result.unit else "")
    tree = "".join(_node(result, a) for a in (*result.areas, *result.adjustments))
    notes = "".join(f'<p class="meta">{_e(line)}</p>' for line in (cap_note(result),) if line)
    notes += "".join(f'<p class="meta inferred">Suy luận của bộ quy tắc: {_e(note)}</p>' for note in result.inferred)
    shown = ""
    if len(rounds) > 1:
        shown = (
            f"<h2>Các vòng</h2>{_rounds_table(rounds)}{_rounds_notes(rounds, round_notes)}"
            f'<p class="meta">Điểm và cách tính dưới đây là của vòng cuối: <b>{_e(rounds[-1][0])}</b>.</p>'
        )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="vi"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style>'
        f"<script>{_JS}</script></head><body>"
        f"<h1>{_e(result.ruleset)}</h1>"
        f'<p class="meta">{_e(result.unit)}</p>'
        f'<p class="total" id="total">Tổng điểm: {vi(result.score)} điểm/{vi(result.max)} điểm, '
        f"đạt {percent_text(result.percent)}</p>{notes}{shown}"
        '<p class="tools"><button type="button" onclick="setAll(true)">Mở tất cả</button>'
        '<button type="button" onclick="setAll(false)">Thu gọn</button></p>'
        f"<main>{tree}</main></body></html>\n"
    )


def _evidence(fact: FactUse) -> str:
    """The evidence cell: a note alone ("giả định: ...") is marked as a note, not taken for a document."""
    return fact.evidence if fact.documented or not fact.evidence else f"ghi chú: {fact.evidence}"
