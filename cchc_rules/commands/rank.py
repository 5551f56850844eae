"""`cchc rank RULES INPUT -o FILE`: every unit's total, percentage, areas, rank and group."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_rules.commands.common import EXIT_OK, inputs_of, load, output_format, usage_error, warn

if TYPE_CHECKING:
    from cchc_rules.checked import CheckedRules
    from cchc_rules.errors import Diagnostic
    from cchc_rules.units import UnitFacts

# Below this many units a run is over before a progress bar would help.
PROGRESS_FROM = 200


def register(sub: Any) -> None:
    """Add the `rank` parser."""
    p = sub.add_parser(
        "rank",
        help="chấm điểm và xếp hạng nhiều đơn vị, chia nhóm theo bộ quy tắc",
        description="Chấm điểm mọi đơn vị trong INPUT (thư mục tệp dữ kiện, tệp JSON lines hoặc bảng tính .xlsx), "
        "xếp hạng theo tỷ lệ đạt từ cao xuống thấp (bằng nhau thì cùng hạng) và chia nhóm theo các dòng `group`.",
    )
    p.add_argument("rules", metavar="RULES", help="tệp .cchc hoặc thư mục chứa các tệp .cchc")
    p.add_argument("input", metavar="INPUT", help="thư mục tệp dữ kiện, tệp .jsonl hoặc bảng tính .xlsx")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="tệp kết quả: .csv, .xlsx hoặc .json")
    p.add_argument("--format", choices=("csv", "xlsx", "json"), help="định dạng (mặc định: theo đuôi tệp)")
    p.add_argument("--trace", action="store_true", help="ghi dấu vết tính điểm; (JSON) kèm cách tính từng mục mất điểm")
    p.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến độ")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Score every unit, rank, and write the ranking atomically."""
    fmt = output_format(args, ("csv", "xlsx", "json"), None)
    if fmt is None:
        usage_error(args, f"không biết định dạng của `{args.output}`; dùng .csv, .xlsx, .json hoặc --format")
    from cchc_rules.errors import Diagnostic
    from cchc_rules.output import atomic_writer, refuse_data, refuse_inputs
    from cchc_rules.ranking import rank_units, write_csv, write_json, write_xlsx
    from cchc_rules.units import read_units

    rules = load(args.rules, args)
    inputs = inputs_of(rules, args.rules, args.input)
    refuse_inputs(Path(args.output), inputs)
    refuse_data(Path(args.output))  # before scoring: another district's figures are not written over
    warn(*_other_templates(args.input, rules.checked))
    said = _UnitNotes(rules.checked)
    units = said.watch(read_units(args.input, rules.checked))
    try:
        if not args.no_progress and sys.stderr.isatty():
            ranking = _with_progress(rules, units, args, losses=fmt == "json")
        else:
            ranking = rank_units(rules, units, trace=args.trace, losses=fmt == "json")
    except Exception:  # the years said even when the ranking is refused: a file of last year may be why
        said.say(ranked=False)
        raise
    said.say(ranked=True)
    if not ranking.count:
        ranking.close()
        from cchc_rules.units import UnitsError

        raise UnitsError(
            [
                Diagnostic(
                    code="U001",
                    severity="error",
                    message=f"{args.input}: không có đơn vị nào để xếp hạng",
                    hint="mỗi đơn vị một dòng (bảng tính, JSON lines) hoặc một tệp dữ kiện (thư mục)",
                )
            ]
        )
    try:
        writer = {"csv": write_csv, "json": write_json, "xlsx": write_xlsx}[fmt]
        with atomic_writer(args.output, inputs) as handle:
            writer(ranking, handle)
    finally:
        ranking.close()
    ranked = ranking.count - ranking.unranked
    without = f"; {ranking.unranked} đơn vị không có hạng (mọi tiêu chí đều không áp dụng)" if ranking.unranked else ""
    sys.stderr.write(f"{args.output}: đã xếp hạng {ranked} đơn vị{without}\n")
    return EXIT_OK


def _other_templates(path: str, rules: CheckedRules) -> list[Diagnostic]:
    """W010 for each workbook made by `cchc template` from another rule set than the one ranking it (last
    year's template filled in, say): its columns may still fit, so it is ranked, and said."""
    from cchc_rules.errors import Diagnostic
    from cchc_rules.units import templates_of

    name = rules.header.name
    return [
        Diagnostic(
            code="W010",
            severity="warning",
            message=f"{book}: bảng tính là mẫu dữ kiện của bộ quy tắc `{made_for}`, nhưng đang chấm theo `{name}`",
            hint="chọn đúng bộ quy tắc, hoặc tạo mẫu mới bằng `cchc template`; cố ý chấm theo bộ quy tắc này thì "
            "bỏ qua cảnh báo này",
        )
        for book, made_for in templates_of(path)
        if made_for != name and not made_for.startswith(name + " ")  # words added to the title: the same
    ]


def _with_progress(rules: Any, units: Any, args: argparse.Namespace, losses: bool) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cchc_rules.ranking import rank_units
    from cchc_rules.units import count_units

    total = count_units(args.input)
    with Progress(
        TextColumn("[bold]Chấm điểm"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),  # standard output may be a file; the bar belongs on the terminal
        transient=True,
        disable=total is not None and total < PROGRESS_FROM,
    ) as progress:
        task = progress.add_task("rank", total=total)
        return rank_units(rules, units, trace=args.trace, progress=lambda _: progress.advance(task), losses=losses)


class _UnitNotes:
    """What the units read make worth saying: W008 for a folder's facts files that give another year than the
    rules' (the first few, then a count), which were ranked by an appraisal round written in them, and W004
    for a workbook's units on rows Excel hides (a filter left on shows some units only; all are ranked)."""

    SHOWN = 10

    def __init__(self, rules: CheckedRules):
        self._rules = rules
        self._found: list[Diagnostic] = []
        self._more = 0
        self._appraised: list[str] = []
        self._hidden: dict[str, list[str]] = {}  # "book.xlsx: trang tính `Xã`" -> its hidden rows with units

    def watch(self, units: Iterable[UnitFacts]) -> Iterator[UnitFacts]:
        """The units, unchanged, each facts file's year and round looked at on the way."""
        from cchc_rules.facts import RawFacts, year_warning

        for unit in units:
            if isinstance(unit.facts, RawFacts):
                found = year_warning(unit.facts, self._rules)
                if found is not None:
                    if len(self._found) < self.SHOWN:
                        self._found.append(found)
                    else:
                        self._more += 1
                if unit.round:
                    self._appraised.append(f"{unit.where} ({unit.round})")
            elif unit.hidden:
                sheet, _, row = unit.where.rpartition(", dòng ")
                self._hidden.setdefault(sheet, []).append(row)
            yield unit

    def say(self, ranked: bool) -> None:
        """Print what was found to standard error (the rounds ranked by, only when units were ranked)."""
        warn(*self._found[:1], *(d.model_copy(update={"hint": ""}) for d in self._found[1:]))  # the hint once
        if self._more:
            year = self._rules.header.year
            sys.stderr.write(f"cảnh báo [W008]: và {self._more} tệp dữ kiện khác cũng ghi năm khác {year}\n")
        if self._appraised and ranked:
            shown = self._appraised[: self.SHOWN]
            more = len(self._appraised) - len(shown)
            sys.stderr.write(
                f"{len(self._appraised)} đơn vị xếp hạng theo vòng thẩm định cuối ghi trong tệp của mình: "
                + "; ".join(shown)
                + (f"; và {more} tệp khác" if more else "")
                + "\n"
            )
        if self._hidden:
            from cchc_rules.errors import Diagnostic

            sheets = []
            for sheet, rows in self._hidden.items():
                others = f" và {len(rows) - self.SHOWN} dòng khác" if len(rows) > self.SHOWN else ""
                sheets.append(f"{sheet}, dòng {', '.join(rows[: self.SHOWN])}{others}")
            count = sum(len(rows) for rows in self._hidden.values())
            warn(
                Diagnostic(
                    code="W004",
                    severity="warning",
                    message=f"{count} đơn vị nằm ở dòng đang bị ẩn trong bảng tính "
                    + ("và vẫn được xếp hạng: " if ranked else "(đã được kiểm tra như các dòng khác): ")
                    + "; ".join(sheets),
                    hint="bảng tính có thể đang lọc: bỏ lọc (Dữ liệu > Bộ lọc) hoặc bỏ ẩn dòng để thấy các đơn vị "
                    "này; xoá các dòng đó nếu không cần xếp hạng các đơn vị ấy",
                )
            )
