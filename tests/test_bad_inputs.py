"""Broken and hostile inputs: each gets its diagnostic, exit 1 (2 for usage), no traceback, bounded cost.

The corpus is tests/fixtures/bad/ (cases.toml lists every input and what cchc
must say); tests/bad_inputs.py builds the inputs too large for git and runs
them all in a child process limited to 500 MB of address space. A valid file
stays valid, with the same results, when written with CRLF, a byte-order mark
or decomposed Unicode.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

import cchc_rules
from tests.bad_inputs import BAD, MAX_SECONDS, Case, Outcome, load_cases, materialise, run_cases, run_process
from tests.conftest import FACTS_THANH_THUY, RULES_2023

CASES = load_cases()
# No line a user reads is longer than this, whatever the input (lines are windowed, tokens shortened).
MAX_LINE = 1000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Outcome]]:
    workdir = tmp_path_factory.mktemp("bad")
    return workdir, run_cases(CASES, workdir)


def shown_path(case: Case, workdir: Path) -> str:
    """The path the diagnostic must name: as given on the command line."""
    return str(workdir / case.file) if case.generate else case.file


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_broken_input_gets_its_diagnostic(case: Case, corpus: tuple[Path, dict[str, Outcome]]) -> None:
    workdir, outcomes = corpus
    got = outcomes[case.id]
    output = got.stdout + got.stderr
    assert got.exit == case.exit, output
    assert "Traceback" not in output and "lỗi nội bộ" not in output, output
    if case.code:
        assert f"[{case.code}]" in output, output
    assert case.text in output, output
    if case.at:
        assert f"{shown_path(case, workdir)}:{case.at}:" in output, output
    elif case.file:
        assert shown_path(case, workdir) in output, output
    assert got.cpu < MAX_SECONDS, f"{got.cpu:.1f} s of CPU"
    assert max(map(len, output.splitlines()), default=0) <= MAX_LINE


def test_the_corpus_lists_every_file_once() -> None:
    listed = [c.file for c in CASES if not c.generate and c.file]
    assert len(listed) == len(set(listed))
    on_disk = sorted(str(p.relative_to(BAD)) for folder in ("rules", "facts") for p in (BAD / folder).iterdir())
    assert sorted(listed) == on_disk
    assert len(on_disk) >= 60


# The most hostile inputs, once more each in a process of its own: the command as a user runs it.
ALONE = [
    "facts/alias_bomb.yaml",
    "facts/huge_exponent.yaml",
    "facts/huge_integer.json",
    "rules/nested_minus_150.cchc",
    "criteria_10000.cchc",
    "parentheses_10000.cchc",
    "facts_alias_bomb_12_levels.yaml",
    "unprovable_formulas_50.cchc",
    "check /dev/zero",
]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in ALONE], ids=lambda c: c.id)
def test_hostile_input_in_its_own_process(case: Case, tmp_path: Path) -> None:
    got = run_process(case.command(materialise(case, tmp_path)), BAD)
    assert got.exit == case.exit, got.stderr
    assert "Traceback" not in got.stdout + got.stderr
    assert case.text in got.stderr
    assert got.cpu < MAX_SECONDS, f"{got.cpu:.1f} s of CPU"


# ---- a valid file stays valid -----------------------------------------------------------------------


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def cr(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r")


def bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def nfd(data: bytes) -> bytes:
    return unicodedata.normalize("NFD", data.decode("utf-8")).encode("utf-8")


def tabs(data: bytes) -> bytes:
    """Rule files only: indentation with tabs, and tabs between words."""
    return b"\n".join(
        b"\t" + line.lstrip(b" ") if line.startswith(b"  ") else line for line in data.split(b"\n")
    ).replace(b" = ", b"\t=\t")


def all_at_once(data: bytes) -> bytes:
    return bom(crlf(nfd(data)))


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "crlf": crlf,
    "cr": cr,
    "bom": bom,
    "nfd": nfd,
    "bom+crlf+nfd": all_at_once,
}


def evaluate_in(folder: Path, rules: bytes, facts: bytes, monkeypatch: pytest.MonkeyPatch) -> str:
    """Score `facts` with `rules`, both written into `folder` under the shipped names; the JSON with trace."""
    folder.mkdir()
    (folder / "2023.cchc").write_bytes(rules)
    (folder / "facts.yaml").write_bytes(facts)
    monkeypatch.chdir(folder)
    return cchc_rules.load("2023.cchc").evaluate("facts.yaml").to_json(trace=True)


@pytest.fixture(scope="module")
def original() -> tuple[bytes, bytes]:
    rules, facts = RULES_2023.read_bytes(), FACTS_THANH_THUY.read_bytes()
    assert b"\r" not in rules + facts and not rules.startswith(b"\xef\xbb\xbf")
    assert unicodedata.is_normalized("NFC", rules.decode("utf-8"))
    return rules, facts


@pytest.mark.parametrize("variant", [*VARIANTS, "tabs"])
def test_valid_rules_stay_valid_with_the_same_results(
    variant: str, original: tuple[bytes, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, facts = original
    changed = (VARIANTS.get(variant) or tabs)(rules)
    assert changed != rules
    expected = evaluate_in(tmp_path / "original", rules, facts, monkeypatch)
    if variant == "tabs":  # columns move with the layout; scores, texts and reasons do not
        tabbed = cchc_rules.load(_write(tmp_path / "tabs.cchc", changed)).evaluate(tmp_path / "original" / "facts.yaml")
        assert tabbed.to_json() == cchc_rules.load("2023.cchc").evaluate("facts.yaml").to_json()
        return
    assert evaluate_in(tmp_path / variant, changed, facts, monkeypatch) == expected


@pytest.mark.parametrize("variant", VARIANTS)
def test_valid_facts_stay_valid_with_the_same_results(
    variant: str, original: tuple[bytes, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, facts = original
    expected = evaluate_in(tmp_path / "original", rules, facts, monkeypatch)
    assert evaluate_in(tmp_path / variant, rules, VARIANTS[variant](facts), monkeypatch) == expected


def test_mixed_tabs_and_spaces_in_a_rule_file_are_only_layout(tmp_path: Path) -> None:
    text = (BAD / "base.cchc").read_text(encoding="utf-8")
    mixed = text.replace("\n  score", "\n \t score").replace(" max ", "\tmax \t")
    assert cchc_rules.load(_write(tmp_path / "mixed.cchc", mixed.encode("utf-8"))).max == 6


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_the_base_rule_set_of_the_facts_cases_is_valid(tmp_path: Path) -> None:
    rules = cchc_rules.load(BAD / "base.cchc")
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "so_cuoc: 5\nho_so_tong: 1754\nho_so_dung_han: 1340\ndiem_tu_cham: 17,748\nty_le: 75%\n"
        "co_sang_kien: có\nngay_ban_hanh: 31/10/2023\nxep_loai: tốt\n",
        encoding="utf-8",
    )
    result = rules.evaluate(facts)
    assert str(result.score) == "4.691"  # 1 + 0.764 + 0.177 (17,748 read as 17.748) + 0.75 + 1 + 1


def test_cchc_rank_names_a_workbook_that_is_not_a_workbook(tmp_path: Path) -> None:
    got = run_process(
        ["rank", "base.cchc", str(BAD / "facts" / "not_a_workbook.xlsx"), "-o", str(tmp_path / "xep-hang.csv")], BAD
    )
    assert got.exit == 1, got.stderr
    assert "[U001]" in got.stderr and "not_a_workbook.xlsx" in got.stderr
