"""The corpus of broken inputs (tests/fixtures/bad/cases.toml): generators, and a runner.

The runner executes `cchc` (cli.main) on every case inside one child process
that has at most `MAX_BYTES` of address space, and reports, per case, the exit
code, what was printed and the CPU time taken. One process for all the cases
keeps the test fast; the limit still holds for each case, since every case runs
within it. `python -m tests.bad_inputs CASES.json` is the child's entry point.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import resource
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"
ROOT = BAD.parent.parent.parent

# What no input may take: 5 s of CPU, 500 MB of address space.
MAX_SECONDS = 5.0
MAX_BYTES = 500 * 1024 * 1024
# Nothing a user reads should be this long, whatever the input.
MAX_OUTPUT = 20_000


@dataclass(frozen=True)
class Case:
    """One broken input and the diagnostic it must get."""

    file: str
    code: str
    at: str
    text: str
    exit: int = 1
    generate: str = ""
    args: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.file or " ".join(self.args)

    def command(self, path: str) -> list[str]:
        """The command line, with `path` for the input."""
        if self.args:
            return [a.replace("{file}", path) for a in self.args]
        if self.file.startswith("facts/"):
            return ["eval", "base.cchc", path]
        return ["check", path]


def load_cases() -> list[Case]:
    """Every case of the manifest."""
    data = tomllib.loads((BAD / "cases.toml").read_text(encoding="utf-8"))
    out = []
    for item in data["case"]:
        item = dict(item)
        item["args"] = tuple(item.get("args", ()))
        out.append(Case(**item))
    return out


# ---- generated inputs: too large for git, built the same way every time ----------------------------

_HEAD = 'ruleset "Chỉ số CCHC" total 1 rounding 3 half_up\nfact so_cuoc: count "Số cuộc đối thoại"\n'
_BASE_FACTS = (
    "so_cuoc: 5\nho_so_tong: 1754\nho_so_dung_han: 1340\ndiem_tu_cham: 17,748\nty_le: 75%\n"
    "co_sang_kien: có\nngay_ban_hanh: 31/10/2023\nxep_loai: tốt\n"
)


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _parentheses_10000(path: Path) -> Path:
    return _write(
        path, _HEAD + '1 "A": max 1\n  score = clamp(' + "(" * 10_000 + "so_cuoc" + ")" * 10_000 + ", 0, max)\n"
    )


def _parentheses_unclosed_10000(path: Path) -> Path:
    return _write(path, _HEAD + '1 "A": max 1\n  score = ' + "(" * 10_000 + "\n")


def _parentheses_with_operators_3000(path: Path) -> Path:
    return _write(path, _HEAD + '1 "A": max 1\n  score = ' + "(" * 3000 + "so_cuoc" + " + 1)" * 3000 + "\n")


def _criteria_10000(path: Path) -> Path:
    head = _HEAD.replace("total 1", "total 10000")
    return _write(path, head + "".join(f'{i} "Tiêu chí {i}": max 1; score = 1\n' for i in range(1, 10_001)))


def _declared_facts_10000(path: Path) -> Path:
    return _write(path, _HEAD + "".join(f'fact f{i}: count "Dữ kiện {i}"\n' for i in range(10_000)))


def _rule_file_2mib(path: Path) -> Path:
    return _write(path, _HEAD + ("# chú thích rất dài\n" * 120_000))


def _name_300000_characters(path: Path) -> Path:
    return _write(path, _HEAD + '1 "A": max 1\n  score = if ' + "x" * 300_000 + " > 0 then max else 0\n")


def _unaccented_keywords_after_19000_tokens(path: Path) -> Path:
    """A line of words like keywords typed without marks, at the end of a file near the token limit:
    each word the hint puts in is a parse, of the line's criterion alone."""
    filler = "".join(f'{i} "Mục {i}": max 1; score = min(max, so_cuoc)\n' for i in range(2, 1400))
    words = " ".join(["thi co va khong nguoc lai tong"] * 30)[:900]
    return _write(path, _HEAD + filler + f'1 "A": max 1\n  score = neu so_cuoc {words}\n')


def _reference_chain_1000(path: Path) -> Path:
    head = _HEAD.replace("total 1", "total 1000")
    body = "".join(f'{i} "Mục {i}": max 1; score = [{i + 1}]; reason "r"\n' for i in range(1, 1000))
    return _write(path, head + body + '1000 "Mục 1000": max 1; score = min(max, so_cuoc)\n')


def _unprovable_formulas_50(path: Path) -> Path:
    facts = "".join(f'fact f{j}: decimal "F{j}" min 0 max 1\n' for j in range(8))
    expr = " + ".join(f"(f{j} - f{j} * f{j})" for j in range(8))
    body = "".join(f'{i} "Mục {i}": max 2\n  score = {expr}\n  reason "r"\n' for i in range(1, 51))
    return _write(path, 'ruleset "T" total 100 rounding 3 half_up\n' + facts + body)


def _folder_1001_files(path: Path) -> Path:
    path.mkdir()
    for i in range(1001):
        _write(path / f"{i:04}.cchc", "# trống\n")
    return path


def _folder_link_outside(path: Path) -> Path:
    path.mkdir()
    outside = path.parent / "ngoai_thu_muc.cchc"
    _write(outside, 'ruleset "Ngoài" total 1 rounding 3 half_up\n')
    _write(path / "a.cchc", _HEAD + '1 "A": max 1\n  score = min(max, so_cuoc)\n')
    (path / "b.cchc").symlink_to(outside)
    return path


def _extends_chain_18_files(path: Path) -> Path:
    """Each file extends the next and is nearly 20,000 tokens long: the chain shares one budget."""
    (path / "rules").mkdir(parents=True)
    for i in range(18):
        parent = f' extends "f{i + 1}.cchc"' if i < 17 else ""
        body = ";" * 19_900
        text = f'ruleset "Năm {i}"{parent} total 1 rounding 3 half_up {body}\n1 "A": max 1; score = 1\n'
        _write(path / "rules" / f"f{i}.cchc", text)
    return path


def _facts_2mib(path: Path) -> Path:
    return _write(path, _BASE_FACTS + "# chú thích rất dài\n" * 120_000)


def _facts_60000_nodes(path: Path) -> Path:
    return _write(path, _BASE_FACTS + "ghi_chu: [" + ", ".join(["1"] * 60_000) + "]\n")


def _facts_nested_100000(path: Path) -> Path:
    return _write(path, "so_cuoc: " + "[" * 100_000 + "]" * 100_000 + "\n")


def _facts_json_nested_100000(path: Path) -> Path:
    return _write(path, '{"so_cuoc": ' + "[" * 100_000 + "]" * 100_000 + "}")


def _facts_alias_bomb_12_levels(path: Path) -> Path:
    names = "abcdefghijkl"
    lines = ['a: &a ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    lines += [f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]" for p, n in itertools.pairwise(names)]
    return _write(path, "\n".join(lines) + "\n")


def _facts_unknown_keys_20000(path: Path) -> Path:
    return _write(path, _BASE_FACTS + "".join(f"khoa_la_{i}: {i}\n" for i in range(20_000)))


def _facts_directory(path: Path) -> Path:
    path.mkdir()
    return path


GENERATORS: dict[str, Callable[[Path], Path]] = {
    "parentheses_10000": _parentheses_10000,
    "parentheses_unclosed_10000": _parentheses_unclosed_10000,
    "parentheses_with_operators_3000": _parentheses_with_operators_3000,
    "criteria_10000": _criteria_10000,
    "declared_facts_10000": _declared_facts_10000,
    "rule_file_2mib": _rule_file_2mib,
    "name_300000_characters": _name_300000_characters,
    "unaccented_keywords_after_19000_tokens": _unaccented_keywords_after_19000_tokens,
    "reference_chain_1000": _reference_chain_1000,
    "unprovable_formulas_50": _unprovable_formulas_50,
    "folder_1001_files": _folder_1001_files,
    "folder_link_outside": _folder_link_outside,
    "extends_chain_18_files": _extends_chain_18_files,
    "facts_2mib": _facts_2mib,
    "facts_60000_nodes": _facts_60000_nodes,
    "facts_nested_100000": _facts_nested_100000,
    "facts_json_nested_100000": _facts_json_nested_100000,
    "facts_alias_bomb_12_levels": _facts_alias_bomb_12_levels,
    "facts_unknown_keys_20000": _facts_unknown_keys_20000,
    "facts_directory": _facts_directory,
}


def materialise(case: Case, workdir: Path) -> str:
    """The input path a case's command names: a file of the corpus, or a generated one in `workdir`."""
    if not case.generate:
        return case.file
    target = workdir / case.file
    if not target.exists():
        GENERATORS[case.generate](target)
    return str(target)


# ---- running -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What `cchc` did with one case."""

    exit: int
    stdout: str
    stderr: str
    cpu: float
    wall: float
    extra: dict[str, Any] = field(default_factory=dict)


def _run_one(argv: list[str]) -> dict[str, Any]:
    from cchc_rules.cli import main

    out, err = io.StringIO(), io.StringIO()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # anything else is a crash, which the test reports
        err.write(f"Traceback (most recent call last): {type(exc).__name__}: {exc}\n")
        code = -1
    return {
        "exit": code,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
    }


def _timeout(signum: int, frame: object) -> None:
    raise TimeoutError(f"more than {MAX_SECONDS} s")


def child(jobs_path: str) -> None:
    """The child process: run each job, print one JSON line per job as soon as it is done."""
    signal.signal(signal.SIGALRM, _timeout)
    for job in json.loads(Path(jobs_path).read_text(encoding="utf-8")):
        os.chdir(job["cwd"])
        signal.alarm(int(MAX_SECONDS * 4))  # a hang is stopped, and then fails on its CPU time
        try:
            result = _run_one(job["argv"])
        finally:
            signal.alarm(0)
        result["id"] = job["id"]
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MAX_BYTES, MAX_BYTES))


def run_cases(cases: list[Case], workdir: Path) -> dict[str, Outcome]:
    """Run every case in one child process under the memory limit; outcomes by case id."""
    jobs = [{"id": c.id, "argv": c.command(materialise(c, workdir)), "cwd": str(BAD)} for c in cases]
    jobs_path = workdir / "jobs.json"
    jobs_path.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CCHC_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bad_inputs", str(jobs_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=len(cases) * MAX_SECONDS * 4 + 60,
        preexec_fn=_limit_memory,
        check=False,
    )
    outcomes = {}
    for line in done.stdout.splitlines():
        item = json.loads(line)
        key = item.pop("id")
        outcomes[key] = Outcome(**item)
    if len(outcomes) < len(cases):  # the child died: say on which case, with what it printed
        missing = [c.id for c in cases if c.id not in outcomes]
        raise AssertionError(f"the runner stopped at {missing[0]} (exit {done.returncode}): {done.stderr[-2000:]}")
    return outcomes


def run_process(argv: list[str], cwd: Path) -> Outcome:
    """One `cchc` command in its own process, under the memory limit, with the CPU time it took."""
    env = {k: v for k, v in os.environ.items() if k != "CCHC_DEBUG"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cchc_rules", *argv],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=60,
        preexec_fn=_limit_memory,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Outcome(
        exit=done.returncode,
        stdout=done.stdout.decode("utf-8", "replace"),
        stderr=done.stderr.decode("utf-8", "replace"),
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        wall=time.perf_counter() - wall,
    )


if __name__ == "__main__":
    child(sys.argv[1])
