"""Rule-set test cases: YAML files beside a rule set, facts in, expected scores out.

In the spirit of OpenFisca's YAML tests. `2023.tests.yaml` beside `2023.cchc`:

    cases:
      - name: "Thanh Thủy, như báo cáo"
        facts: ../../../examples/thanh-thuy-2023/facts.yaml
        expect: {total: "66.245", "7.2.2": "2.292"}
      - name: "liên thông đủ 100%"
        facts: ../../../examples/thanh-thuy-2023/facts.yaml
        set: {ty_le_lien_thong: "100%"}
        expect: {"3.3.3": "1"}

`facts` is a facts file (relative to the YAML file) or a mapping; `set`
changes some facts; a base facts file may hold facts the rule set does not
declare (last year's), which are left out. `expect` maps `total`, `max`,
`percent`, `group` or a criterion id to its expected value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast
from cchc_rules.checks import expressions, walk
from cchc_rules.errors import CchcError, Diagnostic, did_you_mean
from cchc_rules.facts import RawFact, RawFacts, load_yaml, raw_from_mapping, read_facts
from cchc_rules.numbers import vi
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet, load
from cchc_rules.source import normalise

SUFFIX = ".tests.yaml"


class Case(BaseModel):
    """One test case."""

    model_config = ConfigDict(frozen=True)

    name: str
    facts: RawFacts
    expect: dict[str, str]
    # Facts the case writes itself (inline or in `set`): these must be declared.
    written: frozenset[str] = frozenset()
    # Why the case cannot run (its facts file cannot be read): it fails with this, the others still run.
    error: str = ""


class CaseFile(BaseModel):
    """A test-case file and the rule set it tests."""

    model_config = ConfigDict(frozen=True)

    path: str
    rules: str
    cases: tuple[Case, ...]


class Mismatch(BaseModel):
    """An expected value that the evaluation does not give."""

    model_config = ConfigDict(frozen=True)

    key: str
    expected: str
    actual: str


class Outcome(BaseModel):
    """A case run: its mismatches (none when it passes) and which tier rows it went through."""

    model_config = ConfigDict(frozen=True)

    case: str
    mismatches: tuple[Mismatch, ...]
    error: str = ""
    tiers: frozenset[tuple[str, int]] = frozenset()

    @property
    def passed(self) -> bool:
        """True when every expectation holds and nothing failed."""
        return not self.mismatches and not self.error


def _error(path: Path, message: str, hint: str = "") -> CchcError:
    return CchcError([Diagnostic(code="T001", severity="error", message=f"{path}: {message}", hint=hint)])


def _text(value: Any) -> str:
    return normalise(str(value)).strip()


def read_cases(path: Path | str) -> CaseFile:
    """Read a `.tests.yaml` file."""
    path = Path(path)
    data = load_yaml(path, "T001")
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise _error(path, "tệp kiểm thử cần danh sách `cases`", "vd: cases: [{name: ..., facts: ..., expect: {...}}]")
    rules = str(data.get("rules") or path.name[: -len(SUFFIX)] + ".cchc")
    cases = []
    for number, item in enumerate(data["cases"], 1):
        if not isinstance(item, dict) or "expect" not in item or not isinstance(item["expect"], dict):
            raise _error(path, f"trường hợp thứ {number} cần `expect`", 'vd: expect: {total: "66.245"}')
        name = _text(item.get("name") or f"trường hợp {number}")
        base = item.get("facts") or {}
        problem = ""
        if isinstance(base, str):
            try:
                raw = read_facts((path.parent / base).resolve())
            except CchcError as exc:
                problem = f"`facts: {base}` (trong {path}): {exc.render()}"
                raw = raw_from_mapping({}, name=f"{path}#{name}")
        elif isinstance(base, dict):
            raw = raw_from_mapping(base, name=f"{path}#{name}")
        else:
            raise _error(path, f"`facts` của `{name}` phải là đường dẫn hoặc bảng")
        changes = item.get("set") or {}
        if not isinstance(changes, dict):
            raise _error(path, f"`set` của `{name}` phải là bảng `tên: giá trị`")
        facts = {**raw.facts, **{str(k): RawFact(value=v) for k, v in changes.items()}}
        expect = {str(k): _text(v) for k, v in item["expect"].items()}
        for key, value in expect.items():  # a score, a maximum or a percentage is a number; a group, a name
            if key != "group" and _number(value) is None:
                raise _error(
                    path,
                    f"`expect` của `{name}`: `{key}: {value}` không phải một số",
                    'viết số trong ngoặc kép, dấu chấm hoặc dấu phẩy thập phân, vd "2.292" hoặc "2,292"',
                )
        written = set(map(str, changes)) | (set(raw.facts) if isinstance(base, dict) else set())
        cases.append(
            Case(
                name=name,
                facts=raw.model_copy(update={"facts": facts, "rounds": ()}),
                expect=expect,
                written=frozenset(written),
                error=problem,
            )
        )
    return CaseFile(path=str(path), rules=str(path.parent / rules), cases=tuple(cases))


def _number(text: str) -> Decimal | None:
    """An expected value as a number ("2,292", "2.292", "89,52%"), or None when it is not one."""
    try:
        value = Decimal(text.strip().removesuffix("%").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _same(expected: str, actual: str) -> bool:
    number = _number(expected)
    return number == Decimal(actual) if number is not None else expected == actual


def _actual(rules: RuleSet, result: Result, key: str) -> str | None:
    if key in ("total", "score"):
        return str(result.score)
    if key == "max":
        return str(result.max)
    if key == "percent":
        return None if result.percent is None else str(result.percent)
    if key == "group":  # the group `cchc rank` gives the unit, from its published percentage
        from cchc_rules.ranking import group_of

        groups = rules.checked.header.groups
        return (group_of(groups, result.percent) or "(không thuộc nhóm nào)") if groups else None
    if key in result:
        return str(result[key].score)
    return None


def tier_rows(rules: RuleSet) -> dict[tuple[str, int], str]:
    """Every tier branch of a rule set: (criterion, line of the row) -> the row as written."""
    out: dict[tuple[str, int], str] = {}
    for node_id, crit in rules.checked.nodes.items():
        for expr in expressions(crit):
            for node in walk(expr):
                if isinstance(node, ast.Tier):
                    for row in node.rows:
                        out[(node_id, row.span.line)] = rules.checked.source_line(row.span.file, row.span.line).strip()
                    if node.otherwise is not None:
                        line = node.otherwise.span.line
                        out[(node_id, line)] = rules.checked.source_line(node.otherwise.span.file, line).strip()
    return out


def run_case(rules: RuleSet, case: Case) -> Outcome:
    """Evaluate one case and compare every expectation.

    Facts of a base facts file that the rule set does not declare are left out
    (last year's file serving this year's cases); a fact the case writes
    itself must be declared, or retired (`remove fact`), so a misspelt name
    cannot pass unnoticed.
    """
    if case.error:
        return Outcome(case=case.name, mismatches=(), error=case.error)
    unknown = sorted(case.written - set(rules.checked.facts) - rules.checked.retired_facts)
    if unknown:
        hints = [
            f"`{name}` ({did_you_mean(name, list(rules.checked.facts), 'không có trong bộ quy tắc')})"
            for name in unknown
        ]
        return Outcome(case=case.name, mismatches=(), error="dữ kiện không được khai báo: " + ", ".join(hints))
    known = {k: v for k, v in case.facts.facts.items() if k in rules.checked.facts}
    try:
        result = rules.evaluate(case.facts.model_copy(update={"facts": known}))
    except CchcError as exc:
        return Outcome(case=case.name, mismatches=(), error=exc.render())
    mismatches = []
    for key, expected in case.expect.items():
        actual = _actual(rules, result, key)
        if actual is None:
            mismatches.append(Mismatch(key=key, expected=expected, actual="(không có mục này)"))
        elif not _same(expected, actual):
            mismatches.append(Mismatch(key=key, expected=expected, actual=actual))
    hits = set()
    for node in result.nodes.values():
        for step in node.trace.steps if node.trace else ():
            if step.kind == "tier" and step.span is not None:
                hits.add((node.id, step.span.line))
    return Outcome(case=case.name, mismatches=tuple(mismatches), tiers=frozenset(hits))


def find_case_files(path: Path | str) -> list[Path]:
    """`.tests.yaml` files: the file itself, or every one under a folder."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file())
    return [path]


def render_outcome(outcome: Outcome) -> str:
    """One case's result: ✓/✗, and for a failure every expected value against the computed one."""
    if outcome.passed:
        return f"  ✓ {outcome.case}"
    lines = [f"  ✗ {outcome.case}"]
    if outcome.error:
        lines += ["      " + line for line in outcome.error.splitlines()]
    for m in outcome.mismatches:
        actual = vi(Decimal(m.actual)) if _is_number(m.actual) else m.actual
        lines.append(f"      {m.key}: mong đợi {m.expected.replace('.', ',')}, tính được {actual}")
    return "\n".join(lines)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def run_file(path: Path | str) -> tuple[CaseFile, RuleSet, list[Outcome]]:
    """Load a case file's rule set and run every case."""
    cases = read_cases(path)
    rules = load(cases.rules)
    return cases, rules, [run_case(rules, c) for c in cases.cases]
