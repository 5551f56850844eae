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

import itertools
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast
from cchc_rules.checks import expressions, walk
from cchc_rules.errors import CchcError, Diagnostic, did_you_mean, os_error_text, suggest
from cchc_rules.facts import RawFacts, load_yaml_placed, raw_from_mapping, read_facts
from cchc_rules.loader import RULE_SUFFIX
from cchc_rules.numbers import vi
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet, load
from cchc_rules.source import Span, normalise

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
    # Where the test file names the case's facts (its `facts:` key, or the case itself): a problem of
    # facts the case writes that has no line of its own (facts missing) is shown there.
    at: Span | None = None


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
    """A case run: its mismatches (none when it passes) and which tier rows (criterion, rule file, line)
    it went through."""

    model_config = ConfigDict(frozen=True)

    case: str
    mismatches: tuple[Mismatch, ...]
    error: str = ""
    tiers: frozenset[tuple[str, str, int]] = frozenset()

    @property
    def passed(self) -> bool:
        """True when every expectation holds and nothing failed."""
        return not self.mismatches and not self.error


def _error(path: Path, message: str, hint: str = "") -> CchcError:
    return CchcError([Diagnostic(code="T001", severity="error", message=f"{path}: {message}", hint=hint)])


def _text(value: Any) -> str:
    return normalise(str(value)).strip()


def _key(key: Any) -> str:
    """A key as the file's places name it."""
    return normalise(str(key))


# How many file names of a folder are looked at for a "did you mean" (a folder may hold thousands).
_MAX_NAMES = 500


def _names(folder: Path, pattern: str) -> list[str]:
    """Names of a folder's entries matching `pattern`, for a suggestion; none when it cannot be read."""
    try:
        return [p.name for p in itertools.islice(folder.glob(pattern), _MAX_NAMES)]
    except OSError:
        return []


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long
        return False


class _Reader:
    """A test-case file being read: every problem found, each at its line with a caret."""

    def __init__(self, path: Path):
        self.path = path
        self.placed = load_yaml_placed(path, "T001")
        self.problems: list[Diagnostic] = []

    def place(self, *at: str | int) -> Span | None:
        return self.placed.places.get(at)

    def problem(self, at: tuple[str | int, ...], message: str, hint: str = "", code: str = "T001") -> None:
        self.problems.append(self.placed.diagnostic(code, str(self.path), message, hint, at))

    def failure(self) -> CchcError:
        """Every problem, in the file's order; what has no line first (the file as a whole)."""
        return CchcError(sorted(self.problems, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)))

    def anchored(self, diagnostics: list[Diagnostic], at: tuple[str | int, ...]) -> None:
        """Diagnostics of facts written in this file: those without a line of their own placed at `at`."""
        prefix = f"{self.path}: "
        for d in diagnostics:
            if d.span is None:
                d = self.placed.diagnostic(d.code, str(self.path), d.message.removeprefix(prefix), d.hint, at)
            self.problems.append(d)

    def mapping(self, at: tuple[str | int, ...], key: str, given: dict[Any, Any]) -> RawFacts | None:
        """Facts written in a case (`facts:` as a mapping, `set:`), each at its line; None when they cannot be
        read (their problems are recorded)."""
        try:
            raw = raw_from_mapping(given, name=str(self.path))
        except CchcError as exc:
            self.anchored(exc.diagnostics, (*at, key))
            return None
        inner = ("facts",) if key == "facts" and isinstance(given.get("facts"), dict) else ()  # {facts: {...}}
        spans = {k: self.place(*at, key, *inner, k) for k in raw.facts}
        values = self.placed.values  # `k: 9`, or `k: {value: 9, ...}`
        written = {k: values.get((*at, key, *inner, k), values.get((*at, key, *inner, k, "value"))) for k in raw.facts}
        return raw.model_copy(
            update={
                "facts": {
                    k: f.model_copy(update={"span": spans[k], "value_span": written[k]}) for k, f in raw.facts.items()
                }
            }
        )

    def rules(self, data: dict[Any, Any]) -> str:
        """The rule set the file tests: `rules:`, or the rule file of the same name beside it."""
        given = data.get("rules")
        if given is not None and (not isinstance(given, str) or not given.strip()):
            self.problem(("rules",), "`rules` phải là đường dẫn tới bộ quy tắc (tệp .cchc hoặc thư mục)", RULES_HINT)
            given = None
        rules = str(given or self.path.name.removesuffix(SUFFIX) + RULE_SUFFIX)
        target = self.path.parent / rules
        if not _exists(target):
            close = did_you_mean(target.name, _names(target.parent, f"*{RULE_SUFFIX}"))
            if given is not None:
                self.problem(("rules",), f"không có bộ quy tắc `{rules}` (tìm ở {target})", close or RULES_HINT)
            else:
                self.problem(
                    (),
                    f"không có bộ quy tắc cùng tên `{rules}` bên cạnh tệp kiểm thử",
                    f"thêm dòng `rules: TỆP{RULE_SUFFIX}` chỉ bộ quy tắc mà tệp này kiểm thử"
                    + (f" ({close})" if close else ""),
                )
        return str(target)

    def case(self, index: int, item: Any) -> Case | None:
        """One case; None when it cannot be used (its problems are recorded)."""
        at: tuple[str | int, ...] = ("cases", index)
        number = index + 1
        if not isinstance(item, dict):
            self.problem(at, f"trường hợp thứ {number} phải là một bảng các khoá {_CASE_KEYS_TEXT}", CASE_HINT)
            return None
        given = item.get("name")
        if isinstance(given, (dict, list)):
            self.problem((*at, "name"), f"`name` của trường hợp thứ {number} phải là một dòng chữ")
            given = None
        name = _text(given or f"trường hợp {number}")
        who = f"`{name}`" if given else f"trường hợp thứ {number}"  # as the messages name the case
        count = len(self.problems)
        meant = set()
        for key in item:
            if _key(key) not in CASE_KEYS:
                close = suggest(_key(key), CASE_KEYS)
                meant.add(close)
                self.problem(
                    (*at, _key(key)),
                    f"{who}: khoá lạ `{_key(key)}`",
                    f"có phải ý bạn là `{close}`?" if close else f"các khoá của một trường hợp: {_CASE_KEYS_TEXT}",
                )
        expect = self.expect(at, who, item, "expect" in meant)
        raw, written = self.facts(at, who, item)
        if len(self.problems) > count or expect is None or raw is None:
            return None
        if isinstance(raw, str):  # its facts file cannot be read: the case fails, the others still run
            return Case(name=name, facts=RawFacts(name=str(self.path)), expect=expect, error=raw)
        return Case(
            name=name,
            facts=raw,
            expect=expect,
            written=frozenset(written),
            at=self.place(*at, "facts") or self.place(*at),
        )

    def expect(self, at: tuple[str | int, ...], who: str, item: dict[Any, Any], meant: bool) -> dict[str, str] | None:
        if "expect" not in item:
            if not meant:  # (a misspelt `expect` is named already, with the suggestion)
                self.problem(at, f"{who} cần `expect`: các giá trị mong đợi", EXPECT_HINT)
            return None
        given = item["expect"]
        if not isinstance(given, dict) or not given:
            self.problem(
                (*at, "expect"),
                f"`expect` của {who} phải là bảng `mã: giá trị mong đợi`, có ít nhất một giá trị",
                EXPECT_HINT,
            )
            return None
        expect = {}
        for key, value in given.items():  # a score, a maximum or a percentage is a number; a group, a name
            text = "" if value is None else _text(value)
            if _key(key) != "group" and _number(text) is None:
                self.problem(
                    (*at, "expect", _key(key)),
                    f"`expect` của {who}: `{_key(key)}: {text}` không phải một số"
                    if text
                    else f"`expect` của {who}: `{_key(key)}` chưa có giá trị",
                    'viết số trong ngoặc kép, dấu chấm hoặc dấu phẩy thập phân, vd "2.292" hoặc "2,292"',
                )
            elif _key(key) not in ("group", "percent") and text.strip().endswith("%"):
                # `"3.3.3": "75%"`: a score is points (0,75 of 1), never a percentage; compared as 75, it
                # failed with "mong đợi 75%, tính được 0,75", which reads like a match.
                self.problem(
                    (*at, "expect", _key(key)),
                    f"`expect` của {who}: `{_key(key)}: {text}`: điểm tính bằng điểm, không phải phần trăm",
                    'viết số điểm mong đợi, vd "0.75" cho 0,75 điểm; tỷ lệ đạt của cả bộ quy tắc là `percent`',
                )
            expect[_key(key)] = text
        return expect

    def facts(
        self, at: tuple[str | int, ...], who: str, item: dict[Any, Any]
    ) -> tuple[RawFacts | str | None, set[str]]:
        """The case's facts (a text saying why its facts file cannot be read), and the names it writes itself."""
        base = item.get("facts") or {}
        here = str(self.path)
        given = item.get("set") or {}
        if not isinstance(given, dict):
            self.problem((*at, "set"), f"`set` của {who} phải là bảng `tên: giá trị`", "vd: set: {doi_thoai: 4}")
        changes = self.mapping(at, "set", given) if isinstance(given, dict) else None
        if isinstance(base, str):
            try:
                raw = read_facts(_shown_path(self.path.parent / base))
            except CchcError as exc:
                where = self.placed.diagnostic(
                    "T001", here, f"không đọc được tệp dữ kiện `{base}` của {who}", "", (*at, "facts")
                )
                return where.render() + "\n" + exc.render(), set()
        elif isinstance(base, dict):
            inline = self.mapping(at, "facts", base)
            if inline is None:
                return None, set()
            raw = inline
        else:
            self.problem(
                (*at, "facts"),
                f"`facts` của {who} phải là đường dẫn tới tệp dữ kiện hoặc bảng `tên: giá trị`",
                "vd: facts: ../../../examples/thanh-thuy-2023/facts.yaml",
            )
            return None, set()
        if changes is None:
            return None, set()
        written = set(changes.facts) | (set(raw.facts) if isinstance(base, dict) else set())
        facts = {**raw.facts, **changes.facts}
        update: dict[str, Any] = {"facts": facts, "rounds": (), "round": ""}
        if written:
            # Facts this file writes: their problems are this file's, at their lines (a value of `set`
            # that breaks a bound set by the facts file is shown in `set`, where it was written).
            update |= {"name": here, "texts": {**raw.texts, here: self.placed.lines}}
        return raw.model_copy(update=update), written


CASE_KEYS = ("name", "facts", "set", "expect")
FILE_KEYS = ("rules", "cases")
_CASE_KEYS_TEXT = ", ".join(f"`{k}`" for k in CASE_KEYS)
CASE_HINT = 'vd: cases: [{name: "Thanh Thủy", facts: facts.yaml, expect: {total: "66.245"}}]'
EXPECT_HINT = 'vd: expect: {total: "66.245", "7.2.2": "2.292"}'
PATH_HINT = f"PATH là một tệp {SUFFIX} hoặc một thư mục chứa các tệp đó"
RULES_HINT = f"vd: rules: 2024{RULE_SUFFIX} (đường dẫn tính từ tệp kiểm thử)"


def read_cases(path: Path | str) -> CaseFile:
    """Read a `.tests.yaml` file; a CchcError (T001) naming every problem at its line with a caret."""
    reader = _Reader(Path(path))
    data = reader.placed.data
    meant = set()
    if isinstance(data, dict):
        for key in data:
            if _key(key) not in FILE_KEYS:
                close = suggest(_key(key), FILE_KEYS)
                meant.add(close)
                reader.problem(
                    (_key(key),),
                    f"khoá lạ `{_key(key)}` ở đầu tệp kiểm thử",
                    f"có phải ý bạn là `{close}`?" if close else "các khoá: `rules`, `cases`",
                )
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        if isinstance(data, dict) and "cases" in data:
            reader.problem(("cases",), "`cases` phải là một danh sách các trường hợp", CASE_HINT)
        elif isinstance(data, list):
            reader.problem(
                (0,),
                "tệp kiểm thử là một bảng có khoá `cases`, không phải một danh sách",
                "viết `cases:` ở dòng đầu, rồi các trường hợp thụt vào bên dưới",
            )
        elif "cases" not in meant:  # (a misspelt `cases` is named already, with the suggestion)
            reader.problem((), "tệp kiểm thử cần danh sách `cases`", CASE_HINT)
        raise reader.failure()
    rules = reader.rules(data)
    cases = [reader.case(index, item) for index, item in enumerate(data["cases"])]
    if reader.problems:
        raise reader.failure()
    return CaseFile(path=str(path), rules=rules, cases=tuple(c for c in cases if c is not None))


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


def tier_rows(rules: RuleSet) -> dict[tuple[str, str, int], str]:
    """Every tier branch of a rule set: (criterion, rule file, line of the row) -> the row as written.

    The file matters: in a rule set that `extends` last year's, rows come from both files.
    """
    out: dict[tuple[str, str, int], str] = {}
    for node_id, crit in rules.checked.nodes.items():
        for expr in expressions(crit):
            for node in walk(expr):
                if isinstance(node, ast.Tier):
                    rows = [row.span for row in node.rows]
                    rows += [node.otherwise.span] if node.otherwise is not None else []
                    for span in rows:
                        out[(node_id, span.file, span.line)] = rules.checked.source_line(span.file, span.line).strip()
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
    # The facts the case writes go to validation whatever they are: one not declared is named there,
    # at its line, with the name meant, beside every other problem of the case's facts.
    known = {k: v for k, v in case.facts.facts.items() if k in rules.checked.facts or k in case.written}
    try:
        result = rules.evaluate(case.facts.model_copy(update={"facts": known}))
    except CchcError as exc:
        prefix = f"{case.facts.name}: "
        problems = [
            _placed(case, case.at, d.message.removeprefix(prefix), d.hint, d.code)
            if d.span is None
            and case.at is not None
            and case.at.file == case.facts.name
            and d.message.startswith(prefix)
            else d
            for d in exc.diagnostics
        ]
        return Outcome(case=case.name, mismatches=(), error=CchcError(problems).render())
    mismatches = []
    for key, expected in case.expect.items():
        actual = _actual(rules, result, key)
        if actual is None:
            special = ("total", "score", "max", "percent", "group")  # known keys with no value here
            close = None if key in special else suggest(key, [*result.nodes, *special])
            said = f"(không có mục này; có phải ý bạn là `{close}`?)" if close else "(không có mục này)"
            mismatches.append(Mismatch(key=key, expected=expected, actual=said))
        elif not _same(expected, actual):
            mismatches.append(Mismatch(key=key, expected=expected, actual=actual))
    hits = set()
    for node in result.nodes.values():
        for step in node.trace.steps if node.trace else ():
            if step.kind == "tier" and step.span is not None:
                hits.add((node.id, step.span.file, step.span.line))
    return Outcome(case=case.name, mismatches=tuple(mismatches), tiers=frozenset(hits))


def _placed(case: Case, span: Span | None, message: str, hint: str = "", code: str = "F003") -> Diagnostic:
    """A problem of the facts a case writes, at its line of the test file when it has one."""
    if span is None:
        return Diagnostic(code=code, severity="error", message=f"{case.facts.name}: {message}", hint=hint)
    line = case.facts.line_at(span)
    return Diagnostic(code=code, severity="error", message=message, span=span, line_text=line, hint=hint)


def tests_beside(rule_file: Path | str) -> Path:
    """The test-case file of a rule file: `2024.tests.yaml` beside `2024.cchc`."""
    rule_file = Path(rule_file)
    return rule_file.with_name(rule_file.name.removesuffix(rule_file.suffix) + SUFFIX)


def find_case_files(path: Path | str) -> list[Path]:
    """`.tests.yaml` files: the file itself, every one under a folder, or, for a rule file, the one beside it.

    A missing path, or a rule file without test cases beside it, is a CchcError (T001).
    """
    path = Path(path)
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except OSError as exc:  # a name too long, a folder without permission
        raise _error(path, f"không đọc được: {os_error_text(exc)}", PATH_HINT) from None
    if is_dir:
        return sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file())
    if not exists:
        patterns = (f"*{SUFFIX}", f"*{RULE_SUFFIX}") if path.suffix.lower() == RULE_SUFFIX else (f"*{SUFFIX}",)
        close = did_you_mean(path.name, [name for pattern in patterns for name in _names(path.parent, pattern)])
        raise _error(path, "không có tệp hay thư mục này", close or PATH_HINT)
    if path.suffix.lower() == RULE_SUFFIX:
        beside = tests_beside(path)
        if beside.is_file():
            return [beside]
        raise _error(
            path,
            f"là tệp quy tắc, không phải tệp kiểm thử, và bên cạnh nó không có tệp kiểm thử cùng tên `{beside}`",
            f"PATH là một tệp {SUFFIX} hoặc một thư mục chứa chúng: viết các trường hợp kiểm thử của bộ quy tắc "
            f"này vào `{beside}` (xem docs/tutorial.md, mục 5), hoặc chạy mọi tệp kiểm thử của thư mục: "
            f"`cchc test {path.parent}`",
        )
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


def _shown_path(path: Path) -> Path:
    """`path` as messages name it: `../` folded away (`examples/x/facts.yaml`, relative as the user gave the
    test file), unless a link makes the folded path another file; then the real one, absolute."""
    folded = Path(os.path.normpath(path))
    try:
        if os.path.samefile(folded, path):
            return folded
    except OSError:  # missing: reading it says so, under the name as written
        return folded if not path.exists() else path.resolve()
    return path.resolve()
