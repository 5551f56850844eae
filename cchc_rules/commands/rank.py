"""`cchc rank RULES INPUT -o FILE`: every unit's total, percentage, areas, rank and group."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cchc_rules.commands.common import EXIT_OK, inputs_of, load, output_format

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
        sys.stderr.write(
            f"cchc rank: lỗi cách dùng: không biết định dạng của `{args.output}`; "
            "dùng .csv, .xlsx, .json hoặc --format\n"
        )
        return 2
    from cchc_rules.errors import Diagnostic
    from cchc_rules.output import atomic_writer, refuse_inputs
    from cchc_rules.ranking import rank_units, write_csv, write_json, write_xlsx
    from cchc_rules.units import read_units

    rules = load(args.rules)
    inputs = inputs_of(rules, args.rules, args.input)
    refuse_inputs(Path(args.output), inputs)
    units = read_units(args.input, rules.checked)
    if not args.no_progress and sys.stderr.isatty():
        ranking = _with_progress(rules, units, args, losses=fmt == "json")
    else:
        ranking = rank_units(rules, units, trace=args.trace, losses=fmt == "json")
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
    sys.stderr.write(f"{args.output}: đã xếp hạng {ranking.count} đơn vị\n")
    return EXIT_OK


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
