"""The self-assessment report (báo cáo tự đánh giá) in the layout communes write today.

`build_report` turns a result into a `Report` (data: headings, paragraphs,
bullets); `to_markdown`, `to_html` and `cchc_rules.render.docx.report_docx`
write it out. The sections the unit writes itself (shortcomings, solutions,
proposals, signature) come from the `report:` block of its facts file and are
left out when not given; nothing is invented.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cchc_rules.facts import RawFacts, read_date
from cchc_rules.numbers import vi
from cchc_rules.render.text import adjustment_named, area_line, cap_note, excluded_lines, percent_text
from cchc_rules.result import NodeResult, Result

Kind = Literal["text", "bullet", "area", "total"]


class Paragraph(BaseModel):
    """One paragraph of the report."""

    model_config = ConfigDict(frozen=True)

    kind: Kind = "text"
    text: str


class Section(BaseModel):
    """A numbered section (I, II, ...) with its paragraphs."""

    model_config = ConfigDict(frozen=True)

    heading: str
    paragraphs: tuple[Paragraph, ...]


class Report(BaseModel):
    """A whole report, ready to be written as Markdown, HTML or Word."""

    model_config = ConfigDict(frozen=True)

    title: tuple[str, ...]
    preamble: tuple[str, ...]
    sections: tuple[Section, ...]
    recipients: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    # "Thanh Thủy, ngày 20 tháng 10 năm 2023": the place and date line of an administrative document.
    place_date: str = ""


_ROMAN = ("I", "II", "III", "IV", "V", "VI")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def loss_line(node: NodeResult) -> str:
    """'Mất d điểm tại mục 7.2.2: reason', as the seed report writes a loss."""
    reason = "; ".join(node.reasons) if node.reasons else "(quy tắc không nêu lý do)"
    return f"Mất {vi(node.lost)} điểm tại mục {node.id}: {reason}"


def build_report(
    result: Result, raw: RawFacts, round_name: str, appraisal: bool, notes: Mapping[str, str] | None = None
) -> Report:
    """The report of one round of one unit; `notes` are that round's notes per criterion id."""
    word = f"thẩm định ({round_name})" if appraisal else "tự đánh giá"
    unit = result.unit or "đơn vị"
    year = f" năm {result.year}" if result.year else ""
    title = ("BÁO CÁO", f"Về {word}, chấm điểm", f"Chỉ số cải cách hành chính của {unit}{year}")
    preamble = tuple(f"Căn cứ {basis};" for basis in result.basis)
    losses = result.losses()

    results: list[Paragraph] = [
        Paragraph(
            kind="total",
            text=f"Tổng điểm {word}: {vi(result.score)} điểm/{vi(result.max)} điểm, "
            f"đạt {percent_text(result.percent)}.",
        ),
        Paragraph(text=f"Trong đó điểm {word} trên các lĩnh vực cụ thể như sau:"),
    ]
    for area_id in result.areas:
        area = result[area_id]
        results.append(Paragraph(kind="area", text=area_line(area)))
        results += [Paragraph(kind="bullet", text=loss_line(n)) for n in losses if n.id.split(".")[0] == area_id]
    for adj_id in result.adjustments:
        adj = result[adj_id]
        why = f" Lý do: {'; '.join(adj.reasons).rstrip('.')}." if adj.kind == "penalty" and adj.reasons else ""
        results.append(Paragraph(text=f"{adjustment_named(adj)}: {vi(adj.score)} điểm.{why}"))
    cap = cap_note(result)
    if cap:
        results.append(Paragraph(text=cap))
    excluded = excluded_lines(result)
    if excluded:
        results.append(Paragraph(text=excluded[0]))
        results += [Paragraph(kind="bullet", text=line.removeprefix("- ")) for line in excluded[1:]]

    shortcomings: list[Paragraph] = [Paragraph(text=t) for t in _lines(raw.report.get("ton_tai", ""))]
    if losses:
        shortcomings.append(Paragraph(text="Các tiêu chí, tiêu chí thành phần chưa đạt điểm tối đa:"))
        shortcomings += [
            Paragraph(kind="bullet", text=f"{n.id} {n.title}: {vi(n.score)}/{vi(n.max)} điểm. " + "; ".join(n.reasons))
            for n in losses
        ]
    else:
        shortcomings.append(Paragraph(text="Các tiêu chí đều đạt điểm tối đa."))
    shortcomings += [Paragraph(text=t) for t in _lines(raw.report.get("nguyen_nhan", ""))]
    evidence = _evidence(result, losses, documented=True)
    if evidence:
        shortcomings.append(Paragraph(text="Tài liệu kiểm chứng của các số liệu trên:"))
        shortcomings += [Paragraph(kind="bullet", text=e) for e in evidence]
    said = _evidence(result, losses, documented=False)  # a note alone ("giả định: ...") is no evidence
    if said:
        shortcomings.append(Paragraph(text="Ghi chú về các số liệu trên:"))
        shortcomings += [Paragraph(kind="bullet", text=e) for e in said]
    noted = [(node_id, text) for node_id, text in (notes or {}).items() if node_id in result]
    if noted:  # the appraisers' reasons (or the unit's own notes) belong where the scores are reported
        shortcomings.append(Paragraph(text="Ghi chú thẩm định:" if appraisal else "Ghi chú của đơn vị:"))
        shortcomings += [
            Paragraph(kind="bullet", text=f"{node_id} {result[node_id].title}: {text}") for node_id, text in noted
        ]

    # An appraisal reports the unit's shortcomings as the appraisal found them, not the appraisal's own.
    where = "qua kết quả thẩm định" if appraisal else f"trong việc {word}"
    sections = [
        Section(heading="Kết quả thực hiện", paragraphs=tuple(results)),
        Section(heading=f"Tồn tại, hạn chế, nguyên nhân {where}", paragraphs=tuple(shortcomings)),
    ]
    for key, heading in (("giai_phap", "Giải pháp thời gian tới"), ("kien_nghi", "Kiến nghị, đề xuất")):
        texts = _lines(raw.report.get(key, ""))
        if texts:
            sections.append(Section(heading=heading, paragraphs=tuple(Paragraph(text=t) for t in texts)))
    numbered = tuple(s.model_copy(update={"heading": f"{_ROMAN[i]}. {s.heading}"}) for i, s in enumerate(sections))
    signature = tuple(t for t in (raw.report.get("chuc_vu", ""), raw.report.get("nguoi_ky", "")) for t in _lines(t))
    return Report(
        title=title,
        preamble=preamble,
        sections=numbered,
        recipients=tuple(_lines(raw.report.get("noi_nhan", ""))),
        signature=signature,
        place_date=place_date(raw.report.get("dia_danh", ""), raw.report.get("ngay", "")),
    )


def place_date(place: str, when: str) -> str:
    """The place and date line: a date given as 2023-10-20 or 20/10/2023 is written out the Vietnamese way."""
    place, when = place.strip(), when.strip()
    try:
        day = read_date(when)  # as the facts reader reads it, which refused an impossible one
    except ValueError:
        pass  # written out already ("ngày 5 tháng 1 năm 2024"): kept as it is
    else:
        # As Nghị định 30/2020/NĐ-CP writes dates: a day below 10 and the months 1 and 2 with a leading 0.
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        when = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return ", ".join(part for part in (place, when) if part)


def _evidence(result: Result, losses: list[NodeResult], documented: bool) -> list[str]:
    """The facts behind the points lost that name a document (or, `documented=False`, only a note)."""
    seen: dict[str, str] = {}
    for node in losses:
        if node.trace is None:
            continue
        for fact in node.trace.facts:
            if fact.evidence and fact.documented is documented and fact.name not in seen:
                unit = f" {fact.unit}" if fact.unit else ""
                seen[fact.name] = f"{fact.description} = {fact.shown}{unit} ({fact.evidence})"
    return list(seen.values())


def _md(text: str) -> str:
    """A unit's own words as Markdown text: no line of it (a note keeps its line breaks) begins a heading,
    and `<` is not HTML."""
    return "\n".join(
        "\\" + line if line.lstrip().startswith("#") else line for line in text.replace("<", "&lt;").split("\n")
    )


def to_markdown(report: Report) -> str:
    """The report as Markdown."""
    out = [f"# {_md(report.title[0])}", "", *(f"**{_md(t)}**  " for t in report.title[1:]), ""]
    out += [f"*{_md(report.place_date)}*", ""] if report.place_date else []
    out += [*map(_md, report.preamble), ""] if report.preamble else []
    for section in report.sections:
        out += [f"## {_md(section.heading)}", ""]
        previous = "text"
        for p in section.paragraphs:
            if p.kind == "bullet":
                out.append(f"- {_md(p.text)}")
            else:
                if previous == "bullet":
                    out.append("")  # a list ends with a blank line in Markdown
                out += [f"**{_md(p.text)}**" if p.kind in ("area", "total") else _md(p.text), ""]
            previous = p.kind
        out.append("")
    if report.recipients:
        out += ["**Nơi nhận:**", "", *(f"- {_md(r.lstrip('- '))}" for r in report.recipients), ""]
    if report.signature:
        out += [*(f"**{_md(s)}**  " for s in report.signature), ""]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


_CSS = """
body{font-family:"Times New Roman",Times,serif;max-width:48rem;margin:2rem auto;
  padding:0 1rem;line-height:1.5;color:#111}
header{text-align:center;margin-bottom:1.5rem}
header h1{font-size:1.3rem;margin:0}
header p{margin:.1rem 0;font-weight:bold}
h2{font-size:1.1rem;margin-top:1.5rem}
.area,.total{font-weight:bold;margin:.6rem 0 .2rem}
ul{margin:.2rem 0 .4rem 1.2rem;padding:0}
.sign{margin-top:2rem;text-align:right;font-weight:bold}
.place{text-align:right;font-style:italic}
.recipients{margin-top:2rem;font-size:.9rem}
@media print{body{margin:0;max-width:none}}
"""


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS, printable)."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        f"<title>{e(' '.join(report.title))}</title><style>{_CSS}</style></head><body>",
        "<header>",
        f"<h1>{e(report.title[0])}</h1>",
        *(f"<p>{e(t)}</p>" for t in report.title[1:]),
        "</header>",
        *([f'<p class="place">{e(report.place_date)}</p>'] if report.place_date else []),
        *(f"<p>{e(t)}</p>" for t in report.preamble),
    ]
    for section in report.sections:
        out.append(f"<h2>{e(section.heading)}</h2>")
        bullets: list[str] = []
        for p in section.paragraphs:
            if p.kind == "bullet":
                bullets.append(f"<li>{e(p.text)}</li>")
                continue
            if bullets:
                out += ["<ul>", *bullets, "</ul>"]
                bullets = []
            css = f' class="{p.kind}"' if p.kind in ("area", "total") else ""
            out.append(f"<p{css}>{e(p.text)}</p>")
        if bullets:
            out += ["<ul>", *bullets, "</ul>"]
    if report.recipients:
        out.append('<div class="recipients"><strong>Nơi nhận:</strong><ul>')
        out += [f"<li>{e(r.lstrip('- '))}</li>" for r in report.recipients]
        out.append("</ul></div>")
    if report.signature:
        out.append('<div class="sign">' + "<br>".join(e(s) for s in report.signature) + "</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
