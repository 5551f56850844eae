"""The benchmark: how fast cchc scores communes, against a hand-written baseline, in one run.

    python bench/run.py            # 10,600 communes (every commune of the country before 2025)
    python bench/run.py --quick    # 2,000 communes, streams of 1,000 and 10,000; about a minute

Everything is measured in this one process, on the same synthetic communes
(bench/generate.py), each phase three times, keeping the fastest, so that the
ratios compare like with like on whatever machine runs it. Printed as
`name: value` lines; the two ratio lines are engine time / baseline time:

    ratio_untraced_vs_baseline: X      (target X <= 2)
    ratio_traced_vs_baseline: Y        (target Y <= 5)

X and Y score one unit at a time (`RuleSet.evaluate`); `ratio_columns_vs_baseline`
scores chunks of units column by column (`RuleSet.evaluate_many`), as `cchc rank`
does without traces.

Every unit's result is also checked against the exact-fraction oracle
(bench/oracle.py). With openfisca-core installed (`pip install -e '.[bench]'`)
the nine seed sub-criteria are scored in OpenFisca too, vectorised, and
compared for time and exactness.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cchc_rules  # noqa: E402
from bench import baseline, generate, oracle  # noqa: E402
from cchc_rules.render.explain import explain  # noqa: E402
from cchc_rules.result import Result  # noqa: E402

RULES_2023 = ROOT / "rules" / "hai-duong" / "xa" / "2023.cchc"
SEED9 = ROOT / "bench" / "seed9.cchc"


def say(name: str, value: object) -> None:
    """One result line."""
    print(f"{name}: {value}", flush=True)


def fastest(phase: Callable[[], object], rounds: int = 3) -> float:
    """The fastest of `rounds` runs of `phase`, in seconds (garbage collected before each)."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        phase()
        best = min(best, time.perf_counter() - start)
    return best


def once(phase: Callable[[], object]) -> Callable[[], float]:
    """A timer of one run of `phase` (garbage collected first), in seconds."""
    return lambda: fastest(phase, 1)


def interleaved(*timers: Callable[[], float], rounds: int = 3) -> list[float]:
    """Each timer's fastest of `rounds`, the timers taken in turn, so that a busy moment of the machine hits
    every phase it compares alike."""
    best = [float("inf")] * len(timers)
    for _ in range(rounds):
        best = [min(b, timer()) for b, timer in zip(best, timers, strict=True)]
    return best


def engine_row(result: Result) -> tuple[str, ...]:
    """The row `cchc rank` writes, as baseline.row gives it."""
    out = [str(result.score), str(result.max), str(result.percent)]
    for area in result.areas:
        node = result[area]
        out += [str(node.score), str(node.effective_max), str(node.percent)]
    return tuple(out)


def parse_check_ms(path: Path, rounds: int = 20) -> tuple[float, float]:
    """Cold (first in this process) and warm (fastest of `rounds`) parse + check + proofs of a rule set, in ms."""
    from cchc_rules.analysis import check_and_prove
    from cchc_rules.loader import load_source

    start = time.perf_counter()
    check_and_prove(load_source(path))
    cold = time.perf_counter() - start
    warm = fastest(lambda: check_and_prove(load_source(path)), rounds)
    return cold * 1000, warm * 1000


def scaled_rule_set(copies: int, folder: Path) -> Path:
    """The 2023 rule set with its seven areas repeated `copies` times (areas 8-14 copy 1-7, ...)."""
    text = RULES_2023.read_text(encoding="utf-8")
    start = re.search(r"^1 \"", text, re.MULTILINE)
    assert start is not None
    head, tree = text[: start.start()], text[start.start() :]
    head = head.replace("total 74", f"total {74 * copies}")
    parts = [head]
    for c in range(copies):
        shift = 7 * c
        parts.append(re.sub(r"^(\d+)(?=[. ])", lambda m, s=shift: str(int(m.group(1)) + s), tree, flags=re.MULTILINE))
    path = folder / f"scaled_{copies}.cchc"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def startup_s(*args: str) -> float:
    """Wall time of `cchc ARGS` in a fresh process, fastest of 5, with its bytecode compiled.

    An installed cchc has its bytecode (pip compiles it on install); run from this checkout with
    PYTHONDONTWRITEBYTECODE set, as some environments do, every start would compile the whole package
    again. So the bytecode goes to a temporary folder (PYTHONPYCACHEPREFIX), written by a first run.
    """
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        command = [sys.executable, "-m", "cchc_rules", *args]
        subprocess.run(command, capture_output=True, check=False, cwd=ROOT, env=env)  # writes the bytecode
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, cwd=ROOT, env=env)
            best = min(best, time.perf_counter() - start)
    return best


_STREAM = """
import json, resource, sys
sys.path.insert(0, {root!r})
import cchc_rules
from bench import generate
from cchc_rules.ranking import rank_units
from cchc_rules.units import UnitFacts
rules = cchc_rules.load({rules!r})
units = (UnitFacts(id=u["unit"], where="<stream>", facts=u["facts"]) for u in generate.communes({n}))
ranking = rank_units(rules, units, trace={trace})
ranking.close()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def stream_peak_mb(sizes: tuple[int, ...], trace: bool) -> list[int]:
    """Peak resident memory (MB) of fresh processes, one per size `n`, that each score and rank a stream of `n`
    communes. They run side by side (nothing here is timed), each its own process with its own peak."""
    codes = [_STREAM.format(root=str(ROOT), rules=str(RULES_2023), n=n, trace=trace) for n in sizes]
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for code in codes]
    peaks: list[int] = []
    for run in runs:
        out, _ = run.communicate()
        if run.returncode:
            raise SystemExit(f"the stream of {sizes[len(peaks)]} communes failed (exit {run.returncode})")
        peaks.append(int(out.strip()))
    return peaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 communes, smaller streams: about a minute")
    parser.add_argument("--units", type=int, help="how many communes (default 10,600; 2,000 with --quick)")
    parser.add_argument("--no-openfisca", action="store_true", help="skip the OpenFisca comparison")
    args = parser.parse_args(argv)
    n = args.units or (2000 if args.quick else 10_600)
    say("python", sys.version.split()[0])
    say("cpu_count", os.cpu_count())
    say("units", n)

    lines = [json.dumps(u, ensure_ascii=False) for u in generate.communes(n)]

    # ---- parse + check ----------------------------------------------------------------------
    cold, warm = parse_check_ms(RULES_2023)
    say("parse_check_2023_cold_ms", f"{cold:.1f}")
    say("parse_check_2023_warm_ms", f"{warm:.1f}")
    rules = cchc_rules.load(RULES_2023)

    # ---- baseline, engine untraced, engine traced: JSON line in, rank row out --------------------
    def run_baseline() -> list[tuple[str, ...]]:
        return [baseline.row(json.loads(line)["facts"]) for line in lines]

    def run_engine(trace: bool) -> Callable[[], list[tuple[str, ...]]]:
        def phase() -> list[tuple[str, ...]]:
            return [engine_row(rules.evaluate(json.loads(line)["facts"], trace=trace)) for line in lines]

        return phase

    def run_columns() -> list[tuple[str, ...]]:
        from cchc_rules.ranking import CHUNK

        rows = []
        for start in range(0, n, CHUNK):
            items = [json.loads(line) for line in lines[start : start + CHUNK]]
            facts = [item["facts"] for item in items]
            results = rules.evaluate_many(facts, [item["unit"] for item in items], trace=False)
            rows += [engine_row(result) for result in results]
        return rows

    rules.evaluate(json.loads(lines[0])["facts"])  # compile once, outside the timings
    rules.evaluate_many([json.loads(lines[0])["facts"]])
    rows: dict[str, list[tuple[str, ...]]] = {}  # each phase's rows from its last timed run, checked below

    def kept(name: str, phase: Callable[[], list[tuple[str, ...]]]) -> Callable[[], float]:
        def run() -> None:
            rows[name] = phase()

        return once(run)

    timers = {
        "baseline": kept("baseline", run_baseline),
        "untraced": kept("untraced", run_engine(False)),
        "traced": kept("traced", run_engine(True)),
        "columns": kept("columns", run_columns),
    }
    times = dict(zip(timers, interleaved(*timers.values()), strict=True))
    say("baseline_units_per_s", round(n / times["baseline"]))
    say("engine_untraced_units_per_s", round(n / times["untraced"]))
    say("engine_traced_units_per_s", round(n / times["traced"]))
    say("engine_columns_units_per_s", round(n / times["columns"]))
    say("baseline_us_per_unit", f"{times['baseline'] / n * 1e6:.0f}")
    say("engine_untraced_us_per_unit", f"{times['untraced'] / n * 1e6:.0f}")
    say("engine_traced_us_per_unit", f"{times['traced'] / n * 1e6:.0f}")
    say("engine_columns_us_per_unit", f"{times['columns'] / n * 1e6:.0f}")

    # The columns' own part: JSON lines read and scored in chunks, traced or not, no unit's `Result` made
    # (`cchc rank` reads its rows straight from the columns).
    def columns_only(trace: bool) -> Callable[[], None]:
        from cchc_rules.ranking import CHUNK

        columns = rules.columns
        assert columns is not None

        def phase() -> None:
            for start in range(0, n, CHUNK):
                items = [json.loads(line) for line in lines[start : start + CHUNK]]
                columns.run([item["facts"] for item in items], [item["unit"] for item in items], trace=trace)

        return phase

    for trace, label in ((False, "untraced"), (True, "traced")):
        say(f"engine_columns_{label}_no_result_us_per_unit", f"{fastest(columns_only(trace)) / n * 1e6:.0f}")

    # Reading every trace back as text (what `cchc explain` prints), for the record: traces are
    # recorded as data during evaluation and written out only when read.
    sample = lines[: min(n, 200 if args.quick else 500)]

    def explain_all() -> None:
        for line in sample:
            result = rules.evaluate(json.loads(line)["facts"], trace=True)
            for area in result.areas:
                explain(result, area)

    say("engine_traced_and_explained_us_per_unit", f"{fastest(explain_all, 1) / len(sample) * 1e6:.0f}")

    # ---- exactness -----------------------------------------------------------------------------
    rows_engine = rows["traced"]
    same_baseline = sum(a == b for a, b in zip(rows_engine, rows["baseline"], strict=True))
    same_columns = sum(a == b for a, b in zip(rows_engine, rows["columns"], strict=True))
    same_untraced = sum(a == b for a, b in zip(rows_engine, rows["untraced"], strict=True))
    same_oracle = 0
    for line, row in zip(lines, rows_engine, strict=True):
        facts = json.loads(line)["facts"]
        areas = oracle.areas(facts)
        expected = [oracle.total(facts)] + [areas[a] for a in sorted(areas)]
        got = [Fraction(row[0])] + [Fraction(row[3 + 3 * i]) for i in range(7)]
        same_oracle += expected == got
    say("engine_equal_to_oracle", f"{same_oracle}/{n}")
    say("engine_equal_to_baseline", f"{same_baseline}/{n}")
    say("engine_columns_equal_to_one_by_one", f"{same_columns}/{n}")
    say("engine_untraced_equal_to_traced", f"{same_untraced}/{n}")

    say("ratio_untraced_vs_baseline", f"{times['untraced'] / times['baseline']:.2f}")
    say("ratio_traced_vs_baseline", f"{times['traced'] / times['baseline']:.2f}")
    say("ratio_columns_vs_baseline", f"{times['columns'] / times['baseline']:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # ---- cchc rank of 10,600 communes with traces, end to end (file in, file out) -------------
        from cchc_rules.ranking import rank_units, write_json
        from cchc_rules.units import read_units

        country = folder / "country.jsonl"
        generate.write_jsonl(country, 10_600)

        def rank_country(trace: bool) -> Callable[[], None]:
            def phase() -> None:
                ranking = rank_units(rules, read_units(country), trace=trace)
                with (folder / "ranking.json").open("wb") as handle:
                    write_json(ranking, handle)
                ranking.close()

            return phase

        # The target is the traced ranking; --quick skips the untraced one, which takes half as long again.
        for trace, label in ((True, "traced"), (False, "untraced"))[: 1 if args.quick else 2]:
            say(f"rank_10600_{label}_json_s", f"{fastest(rank_country(trace), 1 if args.quick else 2):.2f}")

        # ---- how cost grows with the rule set ------------------------------------------------------
        for copies in (1, 2, 4):
            path = scaled_rule_set(copies, folder)
            cold, warm = parse_check_ms(path, 3 if args.quick else 5)
            big = cchc_rules.load(path)
            nodes = len(big.checked.order)
            few = [json.loads(line)["facts"] for line in lines[:300]]
            big.evaluate(few[0])
            per = fastest(lambda b=big, f=few: [b.evaluate(x, trace=False) for x in f], 1 if args.quick else 2)
            per /= len(few)
            say(f"scaled_x{copies}_nodes", nodes)
            say(f"scaled_x{copies}_parse_check_warm_ms", f"{warm:.1f}")
            say(f"scaled_x{copies}_engine_untraced_us_per_unit", f"{per * 1e6:.0f}")

    # ---- memory on a stream ---------------------------------------------------------------------------
    small, large = (1_000, 10_000) if args.quick else (10_000, 100_000)
    for size, peak in zip((small, large), stream_peak_mb((small, large), trace=True), strict=True):
        say(f"stream_{size}_peak_rss_mb", peak)

    # ---- start-up ------------------------------------------------------------------------------------
    say("startup_help_s", f"{startup_s('--help'):.3f}")
    say("startup_check_2023_s", f"{startup_s('check', str(RULES_2023)):.3f}")

    if not args.no_openfisca:
        compare_openfisca(lines[: min(n, 10_600)])
    return 0


# ---- OpenFisca ---------------------------------------------------------------------------------------------


def compare_openfisca(lines: list[str]) -> None:
    """The nine seed sub-criteria, batch and traced, in OpenFisca and in cchc, from the same JSON lines."""
    try:
        from bench import openfisca_model as model
    except ImportError as exc:
        missing = "openfisca-core"
        if exc.name is not None and not exc.name.startswith("openfisca"):  # numpy, which it brings
            missing = f"{exc.name}, which openfisca-core needs"
        say("openfisca", f"not installed ({missing}); pip install -e '.[bench]'")
        return
    import numpy as np

    say("openfisca", "openfisca-core " + _version("openfisca-core"))
    rules = cchc_rules.load(SEED9)
    wanted = tuple(rules.checked.facts)
    tbs = model.system()
    n = len(lines)
    # The rubric's input, read by both engines: each commune with the facts of the nine sub-criteria.
    full = lines  # the oracle reads a whole commune
    lines = [
        json.dumps({"unit": item["unit"], "facts": {k: item["facts"][k] for k in wanted}}, ensure_ascii=False)
        for item in map(json.loads, lines)
    ]

    def pct(value: Any) -> float:  # as one would write it for OpenFisca: floats are what it stores
        text = str(value).strip()
        return float(text[:-1] if text.endswith("%") else text) / 100

    def yes(value: Any) -> bool:
        return value is True or str(value).strip().lower() in oracle.YES

    parse: dict[str, Any] = {
        name: int if kind is int else yes if kind is bool else float for name, kind in model.INPUTS.items()
    }
    parse["ty_le_lien_thong"] = pct

    def ours_one_by_one() -> list[str]:
        out = []
        for line in lines:
            item = json.loads(line)
            result = rules.evaluate(item["facts"], trace=False)
            out.append(json.dumps({"unit": item["unit"], "score": str(result.score)}, ensure_ascii=False))
        return out

    def ours() -> list[str]:
        """In columns, as `cchc rank` scores: chunks of units, each expression once per chunk."""
        items = [json.loads(line) for line in lines]
        out = []
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            facts = [item["facts"] for item in chunk]
            batch = columns.run(facts, [item["unit"] for item in chunk])
            for r, item in enumerate(chunk):
                score = batch.total(r) if batch.scored(r) else rules.evaluate(facts[r], trace=False).score
                out.append(json.dumps({"unit": item["unit"], "score": str(score)}, ensure_ascii=False))
        return out

    def theirs() -> list[str]:
        items = [json.loads(line) for line in lines]
        arrays = model.columns([i["facts"] for i in items], parse)
        totals = model.simulate(tbs, arrays).calculate("total", model.PERIOD)
        return [
            json.dumps({"unit": i["unit"], "score": f"{float(t):.3f}"}, ensure_ascii=False)
            for i, t in zip(items, totals, strict=True)
        ]

    columns = rules.columns
    assert columns is not None
    from cchc_rules.ranking import CHUNK

    assert ours() == ours_one_by_one()
    t_ours, t_theirs, t_one = interleaved(once(ours), once(theirs), once(ours_one_by_one))
    say("openfisca_seed9_batch_units_per_s", round(n / t_theirs))
    say("cchc_seed9_batch_units_per_s", round(n / t_ours))
    say("cchc_seed9_one_by_one_units_per_s", round(n / t_one))
    say("ratio_cchc_vs_openfisca_batch", f"{t_ours / t_theirs:.2f}")
    phases(lines, rules, tbs, parse)

    # One commune with its full trace: OpenFisca builds a simulation per commune.
    k = min(n, 200)
    sample = [json.loads(line)["facts"] for line in lines[:k]]

    def theirs_traced() -> None:
        for facts in sample:
            simulation = model.simulate(tbs, model.columns([facts], parse), trace=True)
            simulation.tracer.computation_log.lines()

    def theirs_traced_unwritten() -> None:  # the trace kept, its log not written
        for facts in sample:
            model.simulate(tbs, model.columns([facts], parse), trace=True)

    def ours_traced() -> None:
        for facts in sample:
            rules.evaluate(facts, trace=True)

    def ours_recorded_in_columns() -> None:  # the trace kept as events, no unit's `Result` made
        columns.run(sample, [str(j) for j in range(k)], trace=True)

    def ours_explained() -> None:
        for facts in sample:
            result = rules.evaluate(facts, trace=True)
            for area in result.areas:
                explain(result, area)

    def ours_traced_batch() -> None:
        rules.evaluate_many(sample, trace=True)

    def ours_explained_batch() -> None:
        for result in rules.evaluate_many(sample, trace=True):
            for area in result.areas:
                explain(result, area)

    traced = (
        theirs_traced,
        ours_traced,
        ours_explained,
        ours_traced_batch,
        ours_explained_batch,
        theirs_traced_unwritten,
        ours_recorded_in_columns,
    )
    best = interleaved(*map(once, traced))
    t_theirs_traced, t_ours_traced, t_ours_explained, t_batch_traced, t_batch_explained = (t / k for t in best[:5])
    t_theirs_unwritten, t_recorded = best[5] / k, best[6] / k
    say("openfisca_traced_one_commune_ms", f"{t_theirs_traced * 1000:.2f}")
    say("openfisca_traced_one_commune_log_not_written_ms", f"{t_theirs_unwritten * 1000:.2f}")
    say("cchc_traced_per_unit_ms", f"{t_ours_traced * 1000:.3f}")
    say("cchc_trace_recorded_in_columns_no_result_per_unit_ms", f"{t_recorded * 1000:.3f}")
    say("cchc_traced_and_explained_per_unit_ms", f"{t_ours_explained * 1000:.3f}")
    say("cchc_traced_in_columns_per_unit_ms", f"{t_batch_traced * 1000:.3f}")
    say("cchc_traced_in_columns_and_explained_per_unit_ms", f"{t_batch_explained * 1000:.3f}")
    say("ratio_openfisca_traced_vs_cchc_traced", f"{t_theirs_traced / t_ours_traced:.1f}")
    say("ratio_openfisca_traced_vs_cchc_explained", f"{t_theirs_traced / t_ours_explained:.1f}")
    say("ratio_openfisca_traced_vs_cchc_traced_in_columns", f"{t_theirs_traced / t_batch_traced:.1f}")
    say("ratio_openfisca_traced_vs_cchc_traced_in_columns_explained", f"{t_theirs_traced / t_batch_explained:.1f}")
    # Like with like: both engines keeping their trace, neither writing it out.
    say("ratio_openfisca_log_not_written_vs_cchc_traced", f"{t_theirs_unwritten / t_ours_traced:.1f}")
    say("ratio_openfisca_log_not_written_vs_cchc_trace_recorded_in_columns", f"{t_theirs_unwritten / t_recorded:.1f}")

    # Exactness on the nine: every total at 3 decimals against the exact-fraction oracle.
    facts_all = [json.loads(line)["facts"] for line in lines]
    expected = [oracle.seed_nine(json.loads(line)["facts"]) for line in full]
    arrays = model.columns(facts_all, parse)
    totals = model.simulate(tbs, arrays).calculate("total", model.PERIOD)
    theirs_wrong = sum(Fraction(f"{float(t):.3f}") != e for t, e in zip(totals, expected, strict=True))
    ours_wrong = sum(
        Fraction(rules.evaluate(f, trace=False).score) != e for f, e in zip(facts_all, expected, strict=True)
    )
    say("openfisca_dtype", str(np.asarray(totals).dtype))
    say("openfisca_seed9_not_equal_to_oracle", f"{theirs_wrong}/{n}")
    say("cchc_seed9_not_equal_to_oracle", f"{ours_wrong}/{n}")


def phases(lines: list[str], rules: cchc_rules.RuleSet, tbs: Any, parse: dict[str, Any]) -> None:
    """The seed-nine batch taken apart: µs a commune for each phase of each engine, and numpy's scoring.

    Reading JSON is the same for both; OpenFisca then builds its input arrays, scores (numpy) and
    writes; cchc reads its fact columns (validating them), scores (Python lists) and writes. The
    hand-written numpy scoring of the same fact columns (bench/numpy_nine.py) shows what scoring on
    numpy would buy cchc; its totals are checked against cchc's.
    """
    from bench import numpy_nine
    from bench import openfisca_model as model
    from cchc_rules.columns.batch import Batch
    from cchc_rules.ranking import CHUNK

    columns = rules.columns
    assert columns is not None
    n = len(lines)
    items = [json.loads(line) for line in lines]
    facts = [item["facts"] for item in items]
    chunks = [
        (facts[start : start + CHUNK], [item["unit"] for item in items[start : start + CHUNK]])
        for start in range(0, n, CHUNK)
    ]
    arrays = model.columns(facts, parse)
    totals = model.simulate(tbs, arrays).calculate("total", model.PERIOD)
    read = [columns.read(chunk, names)[0] for chunk, names in chunks]
    batches = [columns.run(chunk, names) for chunk, names in chunks]

    def scored_once(score: Callable[[Batch], object]) -> Callable[[], float]:
        def timed() -> float:  # scoring fills a batch in: each round scores batches read anew, untimed
            todo = [columns.read(chunk, names)[0] for chunk, names in chunks]
            gc.collect()
            start = time.perf_counter()
            for batch in todo:
                score(batch)
            return time.perf_counter() - start

        return timed

    def their_rows() -> list[str]:
        return [
            json.dumps({"unit": i["unit"], "score": f"{float(t):.3f}"}, ensure_ascii=False)
            for i, t in zip(items, totals, strict=True)
        ]

    def our_rows() -> list[str]:
        out = []
        for (_, names), batch in zip(chunks, batches, strict=True):
            for r, unit in enumerate(names):
                out.append(json.dumps({"unit": unit, "score": str(batch.total(r))}, ensure_ascii=False))
        return out

    rounds: dict[str, Callable[[], float]] = {
        "json_lines_read": once(lambda: [json.loads(line) for line in lines]),
        "openfisca_phase_input_arrays": once(lambda: model.columns(facts, parse)),
        "openfisca_phase_scoring": once(lambda: model.simulate(tbs, arrays).calculate("total", model.PERIOD)),
        "openfisca_phase_rows_written": once(their_rows),
        "cchc_phase_fact_columns": once(lambda: [columns.read(chunk, names) for chunk, names in chunks]),
        "cchc_phase_scoring": scored_once(columns.score),
        "cchc_phase_rows_written": once(our_rows),
        "numpy_by_hand_scoring": scored_once(numpy_nine.totals),
    }
    timed = dict(zip(rounds, interleaved(*rounds.values()), strict=True))
    for name, seconds in timed.items():
        say(f"{name}_us_per_commune", f"{seconds / n * 1e6:.2f}")
    same = sum(
        Fraction(theirs, 1000) == Fraction(str(batch.total(r)))
        for chunk, batch in zip(read, batches, strict=True)
        for r, theirs in enumerate(numpy_nine.totals(chunk))
        if batch.scored(r)
    )
    scored = sum(batch.scored(r) for batch in batches for r in range(len(batch)))
    say("numpy_by_hand_equal_to_cchc", f"{same}/{scored}")
    if same != scored:  # its time would be that of other work
        raise SystemExit("bench/numpy_nine.py differs from cchc: its scoring time means nothing")


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    sys.exit(main())
