"""The documentation's examples run: every rule snippet parses, complete rule sets check and score as shown."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

import cchc_rules
from cchc_rules.ast import Module, Node
from cchc_rules.build import build_module
from cchc_rules.checker import diagnose
from cchc_rules.inherit import load_resolved
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
    if re.search(r"^\s*extends ", text, re.MULTILINE):
        # A rule set that extends another (`extends "2023.cchc"`) sits beside the shipped ones.
        shutil.copytree(ROOT / "rules", tmp_path / "rules")
        path = tmp_path / "rules" / "hai-duong" / "xa" / "example.cchc"
    path.write_text(text, encoding="utf-8")
    errors = [d.render() for d in diagnose(load_resolved(path)) if d.severity == "error"]
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
    # The pipeline diagram is handed to mermaid (a superfences custom fence), not shown as code.
    assert 'class="mermaid"' in (tmp_path / "site" / "architecture" / "index.html").read_text(encoding="utf-8")
    # Heading anchors keep đ as d (docs/hooks/slugs.py): "bảng chấm điểm", not "bang-cham-iem".
    reports = (tmp_path / "site" / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'id="cchc-table-bang-cham-diem"' in reports and "cham-iem" not in reports
    assert not (tmp_path / "site" / "hooks").exists()  # the hook is code, not a page


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


# ---- commands: ```sh lines that run on the shipped files, and ```text transcripts -----------

# A word that stands for something the reader supplies (RULES, FACTS, APPRAISAL...) or a
# synopsis ([--trace], md|html), which makes a command line an illustration, not a command.
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*(\.\.\.)?$|[\[\]|]|\.\.\.")
COPIED = ("rules", "examples", "tests/fixtures")


def command_lines(text: str) -> list[list[str]]:
    """The `cchc` commands of a ```sh block (comments and line continuations handled), as argv."""
    out = []
    for line in text.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] in ("cchc", ".venv/bin/cchc"):
            out.append(words[1:])
    return out


def runnable(argv: list[str]) -> bool:
    return not any(PLACEHOLDER.search(word) for word in argv)


SH = [(file, line, argv) for file, line, text in blocks("sh") for argv in command_lines(text) if runnable(argv)]
TRANSCRIPTS = [
    (file, line, text) for file, line, text in blocks("text") if text.startswith(("$ cchc ", "$ .venv/bin/cchc "))
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped rule sets, examples and fixtures, as the current folder: commands may write."""
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps --help at the terminal's width
    return tmp_path


def run_cchc(argv: list[str]) -> tuple[int, str]:
    """Run `cchc argv` in this process; the exit code and what it printed (stdout and stderr interleaved)."""
    from cchc_rules.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's --help and usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue()


def shown_matches(shown: list[str], actual: list[str]) -> bool:
    """Whether output shown in the docs is the actual output, where the docs may elide with `...`.

    A line `...` stands for any number of lines; `...` inside a line for any text. Without a
    leading or trailing `...` line, the shown lines start or end the output.
    """
    pattern = ""
    for line in shown:
        if line.strip() == "...":
            pattern += r"(?:[^\n]*\n)*?"
        else:
            pattern += ".*".join(re.escape(piece) for piece in line.split("...")) + "\n"
    return re.fullmatch(pattern, "".join(f"{line}\n" for line in actual)) is not None


def test_docs_have_runnable_commands() -> None:
    assert len(SH) >= 3
    assert len(TRANSCRIPTS) >= 10


# A block whose first line is a comment naming a file (`# rules/hai-duong/xa/2024.tests.yaml`) is that
# file: it is written into the working copy before the commands of its page run.
NAMED = re.compile(r"\A# ((?:rules|examples)/[\w./-]+\.(?:cchc|yaml))\n")


def write_named_files(doc: str, folder: Path) -> None:
    for file, _line, text in (*blocks("yaml"), *CCHC):
        match = NAMED.match(text)
        if file == doc and match:
            (folder / match.group(1)).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("file", "line", "argv"), SH, ids=[f"{f}:{n}:{' '.join(a)[:40]}" for f, n, a in SH])
def test_every_self_contained_command_runs(file: str, line: int, argv: list[str], workdir: Path) -> None:
    write_named_files(file, workdir)
    code, output = run_cchc(argv)
    # `cchc audit` exits 1 when a claim does not follow from the facts, which the docs show on purpose.
    assert code == 0 or (code == 1 and argv[0] == "audit"), output


@pytest.mark.parametrize(
    ("file", "line", "text"), TRANSCRIPTS, ids=[f"{f}:{n}:{t.splitlines()[0][2:42]}" for f, n, t in TRANSCRIPTS]
)
def test_every_transcript_prints_what_the_docs_show(file: str, line: int, text: str, workdir: Path) -> None:
    write_named_files(file, workdir)
    lines = text.rstrip("\n").splitlines()
    argv = shlex.split(lines[0][2:])[1:]
    code, output = run_cchc(argv)
    assert code in (0, 1), output  # never a usage error (2) or an internal error (70)
    actual = output.rstrip("\n").splitlines()
    assert shown_matches(lines[1:], actual), "\n".join(actual)


# ---- the CLI reference ------------------------------------------------------------------


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """`cchc`'s subcommands by name, in the order `--help` lists them (cli.COMMANDS)."""
    from cchc_rules.cli import build_parser

    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def synopsis(name: str, parser: argparse.ArgumentParser) -> str:
    """One line of the synopsis at the top of docs/cli.md, derived from the parser."""
    words = [f"cchc {name}"]
    for action in parser._actions:
        if not action.option_strings:
            metavar = str(action.metavar or action.dest.upper())
            words.append(
                {"+": f"{metavar}...", "*": f"[{metavar}...]", "?": f"[{metavar}]"}.get(str(action.nargs), metavar)
            )
    for action in parser._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        word = action.option_strings[0]
        if action.choices:
            word += " " + "|".join(map(str, action.choices))
        elif action.nargs != 0:
            word += " " + str(action.metavar or action.dest.upper())
        if isinstance(action, argparse._AppendAction):
            word += " ..."
        words.append(word if action.required else f"[{word}]")
    return " ".join(words)


def test_cli_reference_lists_every_command_and_option() -> None:
    import cchc_rules.cli

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = subcommands()
    assert len(commands) == len(cchc_rules.cli.COMMANDS)
    shown = FENCE.search(text)
    assert shown is not None and shown.group(1) == "text"
    assert shown.group(2).splitlines() == [synopsis(name, parser) for name, parser in commands.items()]
    headings = re.findall(r"^## `cchc (\w+)`$", text, re.MULTILINE)
    assert headings == list(commands), "one section per command, in the order of cli.COMMANDS"
    sections = re.split(r"^## `cchc \w+`$", text, flags=re.MULTILINE)[1:]
    for (name, parser), section in zip(commands.items(), sections, strict=True):
        options = [o for a in parser._actions if not isinstance(a, argparse._HelpAction) for o in a.option_strings]
        missing = [o for o in options if not re.search(rf"`{re.escape(o)}[ `]", section)]
        assert missing == [], f"cchc {name}: options not described in its section of docs/cli.md"


# ---- the tutorial is the shipped 2024 rule set ------------------------------------------


def items(module: Module) -> list[Node]:
    header = [module.header] if module.header is not None else []
    return [*header, *module.facts, *module.criteria, *module.overrides, *module.removals]


def test_tutorial_explains_every_item_of_the_shipped_2024_rule_set() -> None:
    path = ROOT / "rules" / "hai-duong" / "xa" / "2024.cchc"
    source = SourceFile(name=str(path), text=normalise(path.read_text(encoding="utf-8")))
    shipped = items(build_module(source, parse_tree(source)))
    shown = []
    for file, line, text in CCHC:
        if file == "docs/tutorial.md":
            snippet = SourceFile(name=f"{file}:{line}", text=normalise(text))
            shown += items(build_module(snippet, parse_tree(snippet)))
    # Equality of syntax nodes ignores their spans: the same statements, wherever they are written.
    assert [item for item in shown if item not in shipped] == [], "tutorial snippets that are not in 2024.cchc"
    assert [item for item in shipped if item not in shown] == [], "items of 2024.cchc the tutorial does not show"


# ---- YAML examples ----------------------------------------------------------------------

YAML = blocks("yaml")
FACT_LINE = re.compile(r"^fact ([^\W\d]\w*):.*$", re.MULTILINE)


def declarations(doc: str) -> dict[str, str]:
    """Fact declarations a page's examples can mean: the page's own rule snippets first, then the shipped sets."""
    out: dict[str, str] = {}
    texts = [text for file, _line, text in CCHC if file == doc]
    texts += [path.read_text(encoding="utf-8") for path in sorted((ROOT / "rules").rglob("*.cchc"))]
    for text in texts:
        for match in FACT_LINE.finditer(text):
            out.setdefault(match.group(1), match.group(0))
    return out


@pytest.mark.parametrize(("file", "line", "text"), YAML, ids=[f"{f}:{n}" for f, n, _ in YAML])
def test_every_yaml_example_is_read(file: str, line: int, text: str, workdir: Path) -> None:
    from cchc_rules.cases import run_file
    from cchc_rules.facts import read_facts
    from cchc_rules.rounds import evaluate_rounds, read_rounds

    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    named = NAMED.match(text)
    if "cases" in data:  # a rule set's test cases: read, and every case evaluated
        assert named, "a test-case example names its file on its first line"
        write_named_files(file, workdir)
        cases, _rules, outcomes = run_file(workdir / named.group(1))
        assert len(outcomes) == len(cases.cases) >= 1
        # Cases pass, unless the page runs them in a transcript, which then shows what fails and why.
        shown = any(f == file and named.group(1) in t.splitlines()[0] for f, _n, t in TRANSCRIPTS)
        assert shown or [o.case for o in outcomes if not o.passed] == []
        return
    path = workdir / "example.yaml"
    path.write_text(text, encoding="utf-8")
    if "deductions" in data or "areas" in data:  # a claims file of `cchc audit`: read, and audited
        from cchc_rules.audit import audit, read_claims

        rules = cchc_rules.load(workdir / "rules" / "hai-duong" / "xa" / "2023.cchc")
        facts = rules.facts(workdir / "examples" / "thanh-thuy-2023" / "facts.yaml")
        _result, findings = audit(rules, facts, read_claims(path))
        assert findings  # the seed's claims do not all follow from its facts
        return
    if "round" in data or "rounds" in data:  # an appraisal round of the shipped example
        rounds = read_rounds([workdir / "examples" / "thanh-thuy-2023" / "facts.yaml", path])
        evaluate_rounds(cchc_rules.load(workdir / "rules" / "hai-duong" / "xa" / "2023.cchc"), rounds)
        return
    # A facts example: every fact declared by the page's rule snippets or a shipped rule set, and every
    # value valid for its declaration (type, bounds, part <= whole), read as `cchc eval` reads it.
    raw = read_facts(path)
    known = declarations(file)
    assert sorted(name for name in raw.facts if name not in known) == []
    lines = []
    for name in raw.facts:
        # A bound that names a fact the example does not give is left out: the example shows a part.
        lines.append(
            re.sub(
                r" (min|max) ([^\W\d]\w*)",
                lambda m: m.group(0) if m.group(2) in raw.facts or m.group(2) not in known else "",
                known[name],
            )
        )
    rules = workdir / "declarations.cchc"
    rules.write_text(
        'ruleset "Dữ kiện" total 1 rounding 3 half_up\n' + "\n".join(lines) + '\n1 "A": max 1; score = max\n',
        encoding="utf-8",
    )
    facts = cchc_rules.load(rules).facts(raw)
    assert set(raw.facts) <= set(facts.values)


# ---- Python examples ----------------------------------------------------------------------

PYTHON = blocks("python")


def test_python_examples_in_docs_are_doctests_that_pytest_collects() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "docs" in config["testpaths"] and "--doctest-glob='*.md'" in config["addopts"]
    in_docs = [(f, n) for f, n, text in PYTHON if f.startswith("docs/")]
    assert len(in_docs) >= 5
    assert [(f, n) for f, n, text in PYTHON if f.startswith("docs/") and not text.startswith(">>> ")] == []


SCRIPTS = [(f, n, text) for f, n, text in PYTHON if not text.startswith(">>> ")]


@pytest.mark.parametrize(("file", "line", "text"), SCRIPTS, ids=[f"{f}:{n}" for f, n, _ in SCRIPTS])
def test_python_scripts_run_and_print_what_their_comments_say(
    file: str, line: int, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script example outside docs/ (the README's) runs from the repository's root; `print(...)  # x y`
    must print `x y`."""
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(text, f"{file}:{line}", "exec"), {})
    printed = out.getvalue()
    for expected in re.findall(r"^print\(.*\)\s+#\s*(.+)$", text, re.MULTILINE):
        assert expected.strip() in printed


# ---- the architecture page names the modules as they are ---------------------------------

MODULE_NAME = re.compile(r"\b([a-z_]+\.py|(?:checks|render|commands|columns)/)")


def test_architecture_names_every_module_and_its_diagrams_agree() -> None:
    package = ROOT / "cchc_rules"
    actual = {p.name for p in package.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    actual |= {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").is_file()}
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(MODULE_NAME.findall(text))
    assert sorted(actual - named) == [], "modules of cchc_rules/ missing from docs/architecture.md"
    assert sorted(named - actual) == [], "docs/architecture.md names modules that do not exist"
    diagrams = {lang: body for lang, body in FENCE.findall(text)}
    in_mermaid, in_text = set(MODULE_NAME.findall(diagrams["mermaid"])), set(MODULE_NAME.findall(diagrams["text"]))
    assert in_mermaid == in_text, "the mermaid diagram and its plain-text fallback name different modules"
    assert len(in_mermaid) >= 20


# ---- synopses and the README's demo ------------------------------------------------------

SYNOPSES = [
    (file, line, argv) for file, line, text in blocks("sh") for argv in command_lines(text) if not runnable(argv)
]


def test_command_synopses_name_real_commands_and_options() -> None:
    """`cchc report RULES FACTS [--round R] ...` in the docs: the command and every option exist."""
    commands = subcommands()
    assert len(SYNOPSES) >= 5
    for file, line, argv in SYNOPSES:
        assert argv[0] in commands, f"{file}:{line}"
        options = {o for action in commands[argv[0]]._actions for o in action.option_strings}
        used = [word.strip("[]") for word in argv if word.lstrip("[").startswith("-")]
        assert [o for o in used if o not in options] == [], f"{file}:{line}"


def test_readme_demo_output_is_what_make_demo_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    commands = [shlex.split(line.split("$(BIN)/cchc", 1)[1]) for line in recipe.splitlines() if "$(BIN)/cchc" in line]
    assert len(commands) >= 2
    monkeypatch.chdir(ROOT)
    printed = []
    for argv in commands:
        code, output = run_cchc(argv)
        assert code == 0, output
        printed += output.rstrip("\n").splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index("`make demo` checks") :]
    shown = next(m.group(2) for m in FENCE.finditer(after) if m.group(1) == "text")
    assert shown_matches(["...", *shown.rstrip("\n").splitlines()], printed)


def test_the_tutorials_test_file_passes_as_shown(tmp_path: Path) -> None:
    """The test cases written in the tutorial's §5, run where it puts them, print what it shows."""
    from cchc_rules.cli import main

    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    (written,) = re.findall(r"```yaml\n# rules/hai-duong/xa/thu\.tests\.yaml\n(.*?)```", text, re.S)
    (shown,) = re.findall(r"```text\n\$ cchc test rules/hai-duong/xa/thu\.tests\.yaml\n(.*?)```", text, re.S)
    for part in ("rules/hai-duong/xa/2023.cchc", "rules/hai-duong/xa/2024.cchc", "examples/thanh-thuy-2023"):
        source, target = ROOT / part, tmp_path / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, target)
    (tmp_path / "rules/hai-duong/xa/thu.tests.yaml").write_text(written, encoding="utf-8")
    out = io.StringIO()
    with contextlib.chdir(tmp_path), contextlib.redirect_stdout(out):
        code = main(["test", "rules/hai-duong/xa/thu.tests.yaml"])
    assert (code, out.getvalue()) == (0, shown)
