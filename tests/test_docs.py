"""The documentation's examples run: every rule snippet parses, complete rule sets check and score as shown."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

import cchc_rules
from cchc_rules.build import build_module
from cchc_rules.checker import diagnose
from cchc_rules.loader import load_source
from cchc_rules.parser import parse_tree
from cchc_rules.render.text import render_text
from cchc_rules.source import SourceFile, normalise
from tests.conftest import ROOT

DOCS = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(lang: str) -> list[tuple[str, int, str]]:
    """(file, line, text) of every fenced block of a language in the docs."""
    out = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1) == lang:
                line = text[: match.start()].count("\n") + 1
                out.append((str(path.relative_to(ROOT)), line, match.group(2)))
    return out


CCHC = blocks("cchc")


def test_docs_have_rule_examples() -> None:
    assert len(CCHC) >= 15


@pytest.mark.parametrize(("file", "line", "text"), CCHC, ids=[f"{f}:{n}" for f, n, _ in CCHC])
def test_every_rule_snippet_parses(file: str, line: int, text: str) -> None:
    source = SourceFile(name=f"{file}:{line}", text=normalise(text))
    build_module(source, parse_tree(source))


COMPLETE = [b for b in CCHC if re.search(r"^ruleset ", b[2], re.MULTILINE) and re.search(r"^\d", b[2], re.MULTILINE)]


@pytest.mark.parametrize(("file", "line", "text"), COMPLETE, ids=[f"{f}:{n}" for f, n, _ in COMPLETE])
def test_complete_rule_sets_check_without_errors(file: str, line: int, text: str, tmp_path: Path) -> None:
    path = tmp_path / "example.cchc"
    path.write_text(text, encoding="utf-8")
    errors = [d.render() for d in diagnose(load_source(path)) if d.severity == "error"]
    assert errors == []


def test_language_overview_prints_what_the_docs_show(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    rules_text = FENCE.search(text, text.index("## 1.")).group(2)  # type: ignore[union-attr]
    rest = text[text.index(rules_text) + len(rules_text) :]
    facts_text = next(m.group(2) for m in FENCE.finditer(rest) if m.group(1) == "yaml")
    shown = next(m.group(2) for m in FENCE.finditer(rest) if m.group(1) == "text")
    rules_path = tmp_path / "r.cchc"
    rules_path.write_text(rules_text, encoding="utf-8")
    result = cchc_rules.load(rules_path).evaluate(yaml.safe_load(facts_text))
    rendered = render_text(result)
    for expected in shown.strip().splitlines():
        assert expected in rendered


def test_documentation_site_builds_strictly(tmp_path: Path) -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "site" / "language" / "index.html").is_file()
    # mkdocstrings rendered the API reference from the docstrings, one section per public module.
    reference = (tmp_path / "site" / "reference" / "index.html").read_text(encoding="utf-8")
    for name in ("cchc_rules.ruleset", "RuleSet", "NodeResult", "NodeTrace", "CchcError", "check_invariants"):
        assert name in reference


# A diagnostic code is a string literal such as "E110" or code="F003" in the package's source.
CODE_LITERAL = re.compile(r"""["']([A-Z]\d{3})["']""")
CODE_ROW = re.compile(r"^\| ([A-Z]\d{3}) \| (error|warning) \| \S", re.MULTILINE)


def test_every_diagnostic_code_is_documented() -> None:
    used = {
        code
        for path in (ROOT / "cchc_rules").rglob("*.py")
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8"))
    }
    rows = CODE_ROW.findall((ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8"))
    documented = dict(rows)
    assert len(documented) == len(rows), "a code documented twice"
    assert len(used) >= 40
    assert sorted(used - set(documented)) == [], "codes used in cchc_rules/ but missing from docs/diagnostics.md"
    assert sorted(set(documented) - used) == [], "codes in docs/diagnostics.md that nothing reports any more"
    # The letter says the severity: W for warnings, every other letter for errors.
    assert {c: s for c, s in documented.items() if (s == "warning") != c.startswith("W")} == {}
