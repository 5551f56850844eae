"""Ranking many units: each unit's total, percentage, areas, rank and group, streamed.

Units are read and scored one at a time; each unit's summary row is written
to a temporary file at once, and only its sort key (the percentage as a whole
number of 1/10**places percent), the row's offset and the unit's name (to
catch a unit given twice) stay in memory. Ranks follow the percentage as published (rounded by the rule set's
`percent rounding`), high to low; equal percentages share a rank (1, 1, 3), in
input order; a unit whose every criterion was excluded has no percentage and
comes last, without a rank. Groups come from the rule set's `group` lines.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any

from cchc_rules import ast
from cchc_rules.columns import BatchRow
from cchc_rules.errors import CchcError, Diagnostic, FactsError
from cchc_rules.numbers import decimal_text, vi
from cchc_rules.ooxml import stable_zip
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet
from cchc_rules.source import name_key
from cchc_rules.units import RANK_HEADING, UnitFacts, row_problems, validate_unit

FORMATS = ("csv", "xlsx", "json")
# How many problems a batch reports before it only counts them, shared out among the units that have some
# (a row left half blank has forty: it does not hide the others); how many units not shown are named.
MAX_PROBLEMS = 50
MAX_NAMED = 20


def in_group(group: ast.Group, percent: Decimal) -> bool:
    """Whether a percentage falls in a group's range."""
    above = group.low is None or percent >= group.low
    below = group.high is None or (percent < group.high if group.high_open else percent <= group.high)
    return above and below


def group_of(groups: Iterable[ast.Group], percent: Decimal | None) -> str:
    """The name of the group a percentage falls in ("" when none does, or there is no percentage)."""
    if percent is None:
        return ""
    for group in groups:
        if in_group(group, percent):
            return group.name
    return ""


def competition_ranks(keys: Sequence[int | Decimal | None]) -> list[int | None]:
    """Ranks high to low, equal keys sharing a rank (1, 1, 3); None keys get no rank."""
    order = sorted(range(len(keys)), key=lambda i: (keys[i] is None, -(keys[i] or 0), i))
    ranks: list[int | None] = [None] * len(keys)
    previous: int | Decimal | None = None
    rank = 0
    for position, i in enumerate(order, 1):
        key = keys[i]
        if key is None:
            continue
        if key != previous:
            rank = position
            previous = key
        ranks[i] = rank
    return ranks


@dataclass(frozen=True)
class Ranked:
    """One unit of a ranking made from results: its rank (None without a percentage, when every criterion
    was excluded), its group ("" when none takes its percentage) and its `Result`."""

    rank: int | None
    group: str
    result: Result


def rank(rules: RuleSet, results: Iterable[Result]) -> list[Ranked]:
    """Results ranked as `cchc rank` ranks them, for the Python API: by percentage high to low, equal
    percentages sharing a rank (1, 1, 3), each in the group its percentage falls in; in rank order, units
    of one rank (and those without a percentage, last) in the order given.

    The percentages are those the results hold, rounded as the rule set declares, so units that `cchc rank`
    puts level are level here too. Every result must be of this rule set (a `ValueError` otherwise).
    """
    given = list(results)
    for k, result in enumerate(given, 1):
        if result.ruleset != rules.name:
            raise ValueError(
                f"kết quả thứ {k} ({result.unit or 'không tên'}) là của bộ quy tắc `{result.ruleset}`, "
                f"không phải `{rules.name}`"
            )
    ranks = competition_ranks([r.percent for r in given])
    groups = rules.checked.header.groups
    order = sorted(range(len(given)), key=lambda i: (ranks[i] is None, ranks[i] or 0, i))
    return [Ranked(rank=ranks[i], group=group_of(groups, given[i].percent), result=given[i]) for i in order]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def summary(result: Result | BatchRow, trace: bool = False, losses: bool = True) -> dict[str, Any]:
    """One unit's row: total, percentage, adjustments, areas and the points lost (decimals as strings).

    With `losses=False` the points lost are left out (the CSV and the workbook have no place for them).
    """
    areas = {}
    for area_id in result.areas:
        node = result[area_id]
        areas[area_id] = {
            "score": decimal_text(node.score),
            "max": decimal_text(node.effective_max),
            "percent": _text(node.percent),
        }
    lost = []
    for node in result.losses() if losses else ():
        entry: dict[str, Any] = {"id": node.id, "lost": decimal_text(node.lost), "reasons": list(node.reasons)}
        derivation = node.derivation() if trace else None
        if derivation is not None:
            entry["facts"], steps = derivation
            entry["steps"] = list(steps)
        lost.append(entry)
    return {
        "unit": result.unit,
        "score": decimal_text(result.score),
        "max": decimal_text(result.max),
        "percent": _text(result.percent),
        "base_score": decimal_text(result.base_score),
        "bonus": decimal_text(result.bonus),
        "penalty": decimal_text(result.penalty),
        "areas": areas,
        "losses": lost,
    }


class Ranking:
    """Every unit's summary, ranked; rows are kept in a temporary file, not in memory."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.groups = rules.checked.header.groups
        policy = rules.checked.header.percent_rounding
        self._scale = 10 ** (policy.places if policy is not None else 2)
        self._spill: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._offsets = array("q")
        # Percentages as whole numbers of 1/10**places; 100% must fit a 64-bit slot (and Decimal's 28 digits),
        # else plain Python integers, exact however many places the rule set rounds percentages to.
        self._wide = 100 * self._scale >= 2**62
        self._keys: array[int] | list[int] = [] if self._wide else array("q")
        self.count = 0
        self.unranked = 0  # units without a percentage (every criterion left out of the maximum): no rank

    def add(self, row: dict[str, Any]) -> None:
        """Keep one unit's summary row."""
        percent = row["percent"]
        self._offsets.append(self._spill.tell())
        if percent is None:
            self._keys.append(-1)
            self.unranked += 1
        elif self._wide:
            self._keys.append(int(Fraction(percent) * self._scale))
        else:
            self._keys.append(int(Decimal(percent) * self._scale))
        self._spill.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        self.count += 1

    def ranked(self) -> Iterator[tuple[int | None, str, bytes]]:
        """(rank, group, the row as JSON) of every unit, in rank order."""
        self._spill.flush()
        keys: list[int | None] = [None if k < 0 else k for k in self._keys]
        ranks = competition_ranks(keys)
        order = sorted(range(self.count), key=lambda i: (keys[i] is None, -(keys[i] or 0), i))
        groups: dict[int | None, str] = {}
        for i in order:
            key = keys[i]
            if key not in groups:
                groups[key] = group_of(self.groups, None if key is None else self._percent(key))
            self._spill.seek(self._offsets[i])
            yield ranks[i], groups[key], self._spill.readline().rstrip(b"\n")

    def _percent(self, key: int) -> Decimal:
        """A key back as the percentage it was (exact: built from its digits, not divided in 28 digits)."""
        places = len(str(self._scale)) - 1
        digits = Decimal(key).as_tuple()
        return Decimal((digits.sign, digits.digits, -places))

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row in rank order, with `rank` and `group` added."""
        for rank, group, text in self.ranked():
            yield {"rank": rank, "group": group, **json.loads(text)}

    def close(self) -> None:
        """Drop the temporary file."""
        self._spill.close()


# Units scored together (`cchc_rules.columns`): large enough to pay for the columns, small enough to stay flat.
CHUNK = 1024


def rank_units(
    rules: RuleSet,
    units: Iterable[UnitFacts],
    trace: bool = False,
    progress: Callable[[UnitFacts], None] | None = None,
    losses: bool = True,
) -> Ranking:
    """Score every unit and keep its summary; raise one `CchcError` naming every bad unit (the first 50).

    Units are read in chunks and each chunk is scored column by column; a
    unit the columns leave (facts that are not plain, a rule the unit breaks)
    is validated and scored alone, which names its problem.
    """
    ranking = Ranking(rules)
    failed = 0
    seen: dict[str, tuple[str, str]] = {}  # unit id, as compared -> where it was first given, and how written

    # The first MAX_PROBLEMS units with problems, each with all of them; the later ones by name only. The
    # fifty shown are shared out at the end (`_shown`): one unit alone shows all it has.
    bad: list[tuple[UnitFacts, list[Diagnostic]]] = []
    unshown: list[str] = []

    def fail(unit: UnitFacts, exc: CchcError, named: bool = True) -> None:
        nonlocal failed
        failed += 1
        if len(bad) >= MAX_PROBLEMS:
            unshown.append(unit.where if not unit.id or unit.id in unit.where else f"{unit.id} ({unit.where})")
            return
        where = "" if isinstance(exc, FactsError) or not named else f"{unit.where} (đơn vị `{unit.id}`): "
        bad.append(
            (unit, [d.model_copy(update={"message": where + d.message}) if where else d for d in exc.diagnostics])
        )

    def score(chunk: list[tuple[UnitFacts, str]]) -> None:
        # Units given as plain mappings, by their place in the chunk; the rest are read alone.
        plain = {
            k: u.facts
            for k, (u, first) in enumerate(chunk)
            if not first and u.problem is None and isinstance(u.facts, dict) and not u.empty
        }
        columns = rules.columns if len(plain) > 1 else None
        names = [chunk[k][0].id for k in plain]
        batch = columns.run(list(plain.values()), names, trace) if columns is not None else None
        at = {k: r for r, k in enumerate(plain)}
        for k, (unit, first) in enumerate(chunk):
            shown = len(bad) < MAX_PROBLEMS  # past that, a unit's problems are counted, not worked out
            if unit.problem is not None:  # a unit that could not be read: its problem says where
                fail(unit, row_problems(rules, unit, unit.problem) if shown else unit.problem, named=False)
                continue
            if first:
                fail(unit, _twice(first))
                continue
            result: Result | BatchRow | None = batch.row(at[k], trace) if batch is not None and k in at else None
            if result is None:
                try:
                    result = rules.evaluate(validate_unit(rules, unit, placed=shown), trace=trace)
                except CchcError as exc:
                    fail(unit, exc)
                    continue
            row = summary(result, trace, losses)
            row["unit"] = unit.id
            ranking.add(row)

    try:
        chunk: list[tuple[UnitFacts, str]] = []  # each unit, and where it was given before ("" the first time)
        for unit in units:
            if progress is not None:
                progress(unit)
            first = ""
            if unit.problem is None:
                key = same_unit(unit.id)
                where, written = seen.setdefault(key, (unit.where, unit.id))
                if where != unit.where:  # written otherwise ("xã  a" after "Xã A"): both spellings are named
                    first = where if written == unit.id else f"{where} (viết `{written}`)"
            chunk.append((unit, first))
            if len(chunk) == CHUNK:
                score(chunk)
                chunk = []
        score(chunk)
    except BaseException:
        ranking.close()
        raise
    if bad:
        ranking.close()
        problems = _shown(bad)
        if failed > 1 or len(problems) >= MAX_PROBLEMS:
            named = ""
            if unshown:
                more = len(unshown) - MAX_NAMED
                named = f"; lỗi của {len(unshown)} đơn vị chưa hiện ở trên: " + "; ".join(unshown[:MAX_NAMED])
                named += f"; và {more} đơn vị khác" if more > 0 else ""
            problems.append(
                Diagnostic(
                    code="U003",
                    severity="error",
                    message=f"{failed} đơn vị có lỗi (hiện tối đa {MAX_PROBLEMS} lỗi){named}; chưa xếp hạng",
                    hint="sửa các lỗi trên rồi chạy lại",
                )
            )
        raise FactsError(problems)
    return ranking


def _shown(bad: list[tuple[UnitFacts, list[Diagnostic]]]) -> list[Diagnostic]:
    """The problems shown of each unit that has some, MAX_PROBLEMS in all: as many of each unit's as
    leave every other unit its share (all of them when they fit), and for a unit not shown in full a
    line counting the rest. More units than MAX_PROBLEMS: the first ones, one problem each."""
    sizes = [len(found) for _, found in bad]
    each = max(sizes)
    while each > 1 and sum(min(n, each) for n in sizes) > MAX_PROBLEMS:
        each -= 1
    out: list[Diagnostic] = []
    for unit, found in bad[:MAX_PROBLEMS]:
        out += found[:each]
        if len(found) > each:
            out.append(
                Diagnostic(
                    code="U003",
                    severity="error",
                    message=f"{unit.where}: và {len(found) - each} lỗi khác của đơn vị `{unit.id}`",
                    hint="sửa các lỗi trên rồi chạy lại: các lỗi còn lại sẽ hiện ra",
                )
            )
    return out


def same_unit(unit_id: str) -> str:
    """A unit's id as two are compared: "Xã  Thanh Thuỷ" and "xã thanh thủy" are the same unit."""
    return name_key(unit_id)


def _twice(first: str) -> CchcError:
    return CchcError(
        [
            Diagnostic(
                code="U002",
                severity="error",
                message=f"đơn vị này đã có ở {first}",
                hint="mỗi đơn vị chỉ một lần trong một lần xếp hạng; hai xã cùng tên ở hai huyện thì ghi kèm "
                "tên huyện, vd `Xã Tân Việt, huyện Bình Giang`",
            )
        ]
    )


# ---- writing --------------------------------------------------------------------------------------


def columns(rules: RuleSet) -> list[str]:
    """The header of the CSV and workbook: rank first, then one score, maximum and percentage per area."""
    head = ["rank", "unit", "group", "score", "max", "percent", "base_score", "bonus", "penalty"]
    for area_id in rules.checked.areas:
        head += [f"area_{area_id}_score", f"area_{area_id}_max", f"area_{area_id}_percent"]
    return head


def flat(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the CSV and the workbook hold it: one column per area figure."""
    out = {k: v for k, v in row.items() if k not in ("areas", "losses")}
    for area_id, area in row["areas"].items():
        for key, value in area.items():
            out[f"area_{area_id}_{key}"] = value
    return out


def write_csv(ranking: Ranking, handle: IO[bytes]) -> None:
    """The ranking as CSV (UTF-8, a header row, decimals with a point)."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
    head = columns(ranking.rules)
    writer = csv.DictWriter(text, fieldnames=head, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in ranking.rows():
        cells = {k: "" if v is None else v for k, v in flat(row).items()}
        cells["unit"], cells["group"] = _inert(cells["unit"]), _inert(cells["group"])
        writer.writerow(cells)
    text.flush()
    text.detach()


# A CSV opened in Excel or LibreOffice runs a cell that starts with one of these as a formula
# (`=HYPERLINK(...)` in a unit's name): such a text is written after an apostrophe, as OWASP advises.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """A text cell of the CSV that a spreadsheet shows as text (apostrophe included) instead of running it."""
    return "'" + text if text.startswith(_FORMULA_LEADS) else text


def write_json(ranking: Ranking, handle: IO[bytes]) -> None:
    """The ranking as JSON: the rule set, its groups, and one object per unit in rank order."""
    header = ranking.rules.checked.header
    head = {
        "ruleset": header.name,
        "level": header.level,
        "province": header.province,
        "year": header.year,
        "groups": [
            {
                "name": g.name,
                "from": None if g.low is None else str(g.low),
                "to": None if g.high is None else str(g.high),
                "to_included": not g.high_open,
            }
            for g in header.groups
        ],
        "count": ranking.count,
    }
    opening = json.dumps(head, ensure_ascii=False, indent=2)[:-2]  # reopen the object for "units"
    handle.write((opening + ',\n  "units": [').encode("utf-8"))
    for n, (rank, group, text) in enumerate(ranking.ranked()):
        # The stored row is a JSON object: rank and group go in front of its first key, no re-encoding.
        lead = json.dumps({"rank": rank, "group": group}, ensure_ascii=False)[:-1].encode("utf-8")
        handle.write((b",\n    " if n else b"\n    ") + lead + b", " + text[1:])
    handle.write(("\n  ]\n}\n" if ranking.count else "]\n}\n").encode("utf-8"))


# The workbook's headings: it is read by people in Excel, where the CSV's keys would be code.
_HEADINGS = {
    "rank": (RANK_HEADING, "thứ hạng theo tỷ lệ đạt, cao xuống thấp; bằng tỷ lệ thì cùng hạng (1, 1, 3)"),
    "unit": ("Đơn vị", "đơn vị được chấm"),
    "group": ("Nhóm", "nhóm theo tỷ lệ đạt, như bộ quy tắc quy định"),
    "score": ("Tổng điểm", "tổng điểm, kể cả điểm thưởng và điểm trừ"),
    "max": ("Điểm tối đa", "điểm tối đa, trừ các mục không áp dụng được loại khỏi điểm tối đa"),
    "percent": ("Tỷ lệ đạt (%)", "tổng điểm trên điểm tối đa, làm tròn như bộ quy tắc quy định"),
    "base_score": ("Điểm các lĩnh vực", "tổng điểm các lĩnh vực, trước điểm thưởng và điểm trừ"),
    "bonus": ("Điểm thưởng", "điểm thưởng, đã cộng vào tổng điểm"),
    "penalty": ("Điểm trừ", "điểm trừ, đã trừ khỏi tổng điểm"),
}
_AREA = {"score": ("điểm", "điểm"), "max": ("tối đa", "điểm tối đa"), "percent": ("tỷ lệ (%)", "tỷ lệ đạt (%)")}


def headings(rules: RuleSet) -> list[tuple[str, str, str]]:
    """The workbook's columns as (Vietnamese heading, what it holds, the CSV's key), in the CSV's order."""
    out = [(*_HEADINGS[key], key) for key in columns(rules)[: len(_HEADINGS)]]
    for area_id in rules.checked.areas:
        title = rules.checked.nodes[area_id].title
        for part, (short, long) in _AREA.items():
            meaning = f"{long} của lĩnh vực {area_id} ({title})"
            out.append((f"Lĩnh vực {area_id}: {short}", meaning, f"area_{area_id}_{part}"))
    return out


def group_words(group: ast.Group) -> str:
    """A group's range as a reader says it: "từ 80% đến dưới 90%"."""
    low = f"từ {vi(Fraction(group.low))}%" if group.low is not None else ""
    high = ""
    if group.high is not None:
        high = f"{'đến dưới' if group.high_open else 'đến'} {vi(Fraction(group.high))}%"
        if group.low is None:
            high = f"{'dưới' if group.high_open else 'đến'} {vi(Fraction(group.high))}%"
    return " ".join(p for p in (low, high) if p)


def group_label(group: ast.Group) -> str:
    """A group as a reader names it: "Nhóm A", "Nhóm Khá"; a name of several words or signs in quotes,
    so that it does not run into the word before it (Nhóm “Dưới 80%”, not "Nhóm Dưới 80%")."""
    name = group.name
    return f"Nhóm {name}" if name.isalnum() else f"Nhóm “{name}”"


def write_xlsx(ranking: Ranking, handle: IO[bytes]) -> None:
    """The ranking as a workbook for people: Vietnamese headings, numbers as numbers, the heading row and
    the units frozen, a filter on every column; a second sheet says what each column holds and the groups."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from cchc_rules.ooxml import CREATOR, xml_text

    book = Workbook(write_only=True)
    book.properties.creator = CREATOR
    book.properties.title = xml_text(f"Xếp hạng: {ranking.rules.checked.header.name}")
    sheet = book.create_sheet("Xếp hạng")
    head = headings(ranking.rules)
    keys = [key for _, _, key in head]
    numeric = {key for key in keys if key not in ("unit", "group")}
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for n, key in enumerate(keys, 1):
        sheet.column_dimensions[get_column_letter(n)].width = 28 if key == "unit" else 12
    sheet.freeze_panes = "C2"  # the heading row and the rank and unit stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(head))}{ranking.count + 1}"
    cells = []
    for heading, _, _ in head:
        cell = WriteOnlyCell(sheet, value=xml_text(heading))  # an area's title, as the rule file writes it
        cell.font, cell.alignment = bold, wrap
        cells.append(cell)
    sheet.append(cells)
    for row in ranking.rows():
        values = flat(row)
        sheet.append([_cell(sheet, values.get(key), key in numeric) for key in keys])
    legend = book.create_sheet("Chú thích")
    legend.column_dimensions["A"].width = 28
    legend.column_dimensions["B"].width = 80
    legend.column_dimensions["C"].width = 22
    header = ranking.rules.checked.header
    about = [("Bộ quy tắc", header.name), ("Cấp", header.level), ("Tỉnh", header.province), ("Năm", header.year)]
    for label, value in about:
        if value:
            legend.append([label, _cell(legend, value, False)])
    for group in header.groups:
        legend.append([_cell(legend, group_label(group), False), _cell(legend, group_words(group), False)])
    legend.append([])
    titles = []
    for text in ("Cột", "Nội dung", "Tên cột trong CSV, JSON"):
        cell = WriteOnlyCell(legend, value=text)
        cell.font = bold
        titles.append(cell)
    legend.append(titles)
    for heading, meaning, key in head:
        legend.append([_cell(legend, heading, False), _cell(legend, meaning, False), key])
    buffer = io.BytesIO()
    book.save(buffer)
    handle.write(stable_zip(buffer.getvalue()))  # the same units, the same bytes: no save time inside


def _cell(sheet: Any, value: Any, numeric: bool) -> Any:
    if value is None:
        return None
    if numeric and isinstance(value, str):
        return Decimal(value)
    if isinstance(value, str):
        from openpyxl.cell import WriteOnlyCell

        from cchc_rules.ooxml import xml_text

        cell = WriteOnlyCell(sheet, value=xml_text(value))
        cell.data_type = "s"  # a unit named "=1+2" is a name, never a formula
        return cell
    return value
