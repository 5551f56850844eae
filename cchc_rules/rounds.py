"""Rounds of one unit: the self-assessment (tự đánh giá) and the appraisals (thẩm định).

A round is the previous round's facts with some changed. Rounds come from the
`rounds:` list inside a facts file and from further facts files given after
the first; each is evaluated, and the scores are compared node by node.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from cchc_rules.errors import Diagnostic, FactsError, did_you_mean
from cchc_rules.facts import RawFacts, facts_error, read_date, read_facts, year_warning
from cchc_rules.numbers import show
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet
from cchc_rules.source import Span, name_key

SELF_ASSESSMENT = "Tự đánh giá"


class Round(BaseModel):
    """One round's name, full facts (as written, cascaded from earlier rounds) and notes."""

    model_config = ConfigDict(frozen=True)

    name: str
    facts: RawFacts
    notes: dict[str, str] = {}
    changed: tuple[str, ...] = ()
    note_spans: dict[str, Span] = {}


class RoundResult(BaseModel):
    """A round and its evaluation."""

    model_config = ConfigDict(frozen=True)

    round: Round
    result: Result


class Difference(BaseModel):
    """A node whose score is not the same in every round, and the facts it uses that changed."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    scores: tuple[Decimal, ...]
    # Each changed fact's value in every round, as the JSON contract writes facts ("1340", true, "0.75").
    changed_facts: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    # The same values as a reader expects them (1340; có; 75%; 31/10/2023).
    shown_facts: tuple[tuple[str, tuple[str, ...]], ...] = ()


def rounds_from(raws: Sequence[RawFacts]) -> list[Round]:
    """Every round of a unit, in order: each file's own round, then its `rounds:` list."""
    out: list[Round] = []
    current: RawFacts | None = None
    for k, raw in enumerate(raws):
        if current is not None:
            _same_unit(out[0].facts, raw)
            _not_empty(raw)
        steps = [(raw.round or "", raw.facts, raw.notes, raw.note_spans)]
        steps += [(r.name, r.facts, r.notes, r.note_spans) for r in raw.rounds]
        # A round's own words (the report's sections, its signature) are those of the file it is written
        # in: an appraisal file's `report:` block; the commune's words are never the appraisers'.
        words = raw.report if k else {}
        for name, facts, notes, note_spans in steps:
            label = name or (SELF_ASSESSMENT if not out else f"Thẩm định vòng {len(out)}")
            if current is None:
                merged = raw.model_copy(update={"facts": dict(facts), "rounds": (), "round": label})
                changed: tuple[str, ...] = ()
            else:
                merged = current.model_copy(
                    update={
                        "facts": {**current.facts, **facts},
                        "name": raw.name,
                        "round": label,
                        "report": words,
                        "texts": {**current.texts, **raw.texts},  # each fact's line is in its own file
                    }
                )
                changed = tuple(
                    k for k, v in facts.items() if k not in current.facts or current.facts[k].value != v.value
                )
            out.append(Round(name=label, facts=merged, notes=notes, changed=changed, note_spans=note_spans))
            current = merged
    return out


# The words before a commune's own name ("UBND xã", "Ủy ban nhân dân phường": the authority, then the
# level, each at most once: "Phường Xã Đàn" is the ward Xã Đàn), and those that begin the places after it.
_AUTHORITY = ("ubnd", "ủy ban nhân dân")
_LEVEL = ("xã", "phường", "thị trấn")
_AFTER = ("huyện", "quận", "thị xã", "thành phố", "tp.", "tp", "tỉnh")


def unit_core(name: str) -> str:
    """A unit's own name, as two files' `unit:` are compared: "UBND xã Thanh Thủy, huyện Thanh Hà, tỉnh Hải
    Dương" and "Xã Thanh Thuỷ" are both "thanh thủy"; "Hải Dương" or "Xã Thanh" is another unit."""
    first = re.split(r",|\s[-–]\s|\(", name, maxsplit=1)[0]
    words = name_key(first).split()
    keys = {phrase: name_key(phrase).split() for phrase in (*_AUTHORITY, *_LEVEL, *_AFTER)}
    for kind in (_AUTHORITY, _LEVEL):
        for phrase in kind:
            if words[: len(keys[phrase])] == keys[phrase] and len(words) > len(keys[phrase]):
                words = words[len(keys[phrase]) :]
                break
    for k in range(1, len(words)):  # "Thanh Thủy huyện Thanh Hà": up to the district
        if any(words[k : k + len(keys[phrase])] == keys[phrase] for phrase in _AFTER):
            words = words[:k]
            break
    return " ".join(words)


_DISTRICT = ("huyện", "quận", "thị xã")
_PROVINCE = ("tỉnh",)


def unit_places(name: str) -> dict[str, str]:
    """The district and province a unit's name gives ("huyện Thanh Hà", "tỉnh Hải Dương"), as compared."""
    markers = [
        (kind, name_key(m).split()) for kind, group in (("district", _DISTRICT), ("province", _PROVINCE)) for m in group
    ]

    def marker_at(words: list[str], k: int) -> tuple[str, int] | None:
        return next(((kind, len(key)) for kind, key in markers if words[k : k + len(key)] == key), None)

    found: dict[str, str] = {}
    for segment in re.split(r",|\s[-–]\s|\(|\)", name):
        words = name_key(segment).split()
        k = 0
        while k < len(words):
            at = marker_at(words, k)
            if at is None:
                k += 1
                continue
            kind, width = at
            end = next((j for j in range(k + width, len(words)) if marker_at(words, j)), len(words))
            if words[k + width : end]:
                found.setdefault(kind, " ".join(words[k + width : end]))
            k = end
    return found


def same_unit_named(a: str, b: str) -> bool:
    """Whether two `unit:` lines name one unit: the commune's own name, and its district and province where
    both give them ("Xã Thanh Thủy, huyện Tứ Kỳ" is not the Thanh Thủy of huyện Thanh Hà)."""
    if unit_core(a) != unit_core(b):
        return False
    here, there = unit_places(a), unit_places(b)
    return all(here[kind] == there[kind] for kind in here.keys() & there.keys())


def _not_empty(raw: RawFacts) -> None:
    """An appraisal file that says nothing (0 bytes, comments only, `{}`) is a file not saved, or the wrong
    one: it would show as a round that changed nothing (F001)."""
    if not (raw.facts or raw.notes or raw.rounds or raw.round or raw.report or raw.unit or raw.year):
        raise facts_error(
            raw.name,
            "tệp thẩm định không ghi gì: không dữ kiện, ghi chú hay tên vòng nào",
            hint="kiểm tra tệp đã được lưu, và là đúng tệp; một vòng không đổi gì vẫn ghi tên, "
            'vd round: "Thẩm định vòng 1"',
        )


def _same_unit(first: RawFacts, raw: RawFacts) -> None:
    """An appraisal file is of the same unit and year as the self-assessment it follows (F007)."""
    from cchc_rules.errors import CchcError, Diagnostic

    problems = []
    # "Xã Thanh Thuỷ" and "UBND xã Thanh Thủy, huyện Thanh Hà" are one unit: the commune's own name is compared.
    if raw.unit and first.unit and not same_unit_named(raw.unit, first.unit):
        problems.append(("unit", f"`unit: {raw.unit}` nhưng {first.name} là của `{first.unit}`"))
    if raw.year and first.year and raw.year.strip() != first.year.strip():
        problems.append(("year", f"`year: {raw.year}` nhưng {first.name} là năm {first.year}"))
    out = []
    for field, problem in problems:
        span = raw.key_spans.get(field)
        out.append(
            Diagnostic(
                code="F007",
                severity="error",
                message=("" if span else f"{raw.name}: ") + f"tệp thẩm định không cùng đơn vị hoặc năm: {problem}",
                span=span,
                line_text=raw.line_at(span),
                hint="kiểm tra lại đã chọn đúng tệp: chỉ so sánh được các vòng của cùng một đơn vị, một năm",
            )
        )
    if out:
        raise CchcError(out)


def read_rounds(paths: Sequence[Path | str], rules: RuleSet | None = None) -> list[Round]:
    """Read one or more facts files as the rounds of one unit; given the rules, every note must be
    on a criterion they have (F006), or it would be dropped from every table and report."""
    _each_once(paths)
    rounds = rounds_from([read_facts(p) for p in paths])
    if rules is not None:
        # Every round's facts are validated here with its notes, so that a file's problems are all said
        # at once: an appraiser who fixed a note's id should not then learn of a misspelt fact.
        problems = [*note_problems(rules, rounds), *_facts_problems(rules, rounds, paths)]
        if problems:  # with the year's warning, which the command has not said yet: it may be why
            year = year_warning(rounds[0].facts, rules.checked)
            raise FactsError([year, *problems] if year else problems)
    _names_once(rounds)  # after the order check: files in the wrong order make names alike too
    return rounds


def _each_once(paths: Sequence[Path | str]) -> None:
    """The same file given twice would be a round that changed nothing (F001): a path typed twice, or the
    self-assessment given where the appraisal file was meant."""
    seen: dict[Path, str] = {}
    for path in paths:
        try:
            key = Path(path).resolve()
        except OSError:  # unreadable: reading it says so
            continue
        if key in seen:
            raise facts_error(
                str(path),
                f"tệp được cho hai lần (lần đầu là `{seen[key]}`)",
                hint="mỗi vòng một tệp: tệp tự đánh giá trước, rồi các tệp thẩm định",
            )
        seen[key] = str(path)


def _names_once(rounds: Sequence[Round]) -> None:
    """Two rounds of one name (whatever the case) would make two columns alike and `--round` take the first."""
    seen: dict[str, str] = {}
    for r in rounds:
        key = name_key(r.name)
        if key in seen:
            raise facts_error(
                r.facts.name,
                f"hai vòng cùng tên `{r.name}` (vòng trước là `{seen[key]}`)",
                hint='đặt cho mỗi vòng một tên riêng, vd round: "Thẩm định vòng 2"',
            )
        seen[key] = r.name


def _facts_problems(rules: RuleSet, rounds: Sequence[Round], paths: Sequence[Path | str]) -> list[Diagnostic]:
    """What is wrong with each round's facts, each problem once (a later round carries an earlier one's
    facts, and so its problems). Facts missing from the first of several files (F002) most likely mean an
    appraisal file given first, which holds only the facts it changes: the hint then says the order."""
    order = (
        f"tệp đầu tiên ({paths[0]}) phải là tệp tự đánh giá, đủ mọi dữ kiện; "
        "các tệp thẩm định, chỉ ghi dữ kiện thay đổi, đặt sau nó"
    )
    found: dict[str, Diagnostic] = {}
    missing: set[str] = set()  # facts already said missing: a later round's F002 names another file
    for k, r in enumerate(rounds):
        try:
            rules.facts(r.facts)
        except FactsError as exc:
            for d in exc.diagnostics:
                if d.code == "F002":
                    if d.missing and missing.issuperset(d.missing):
                        continue  # carried from an earlier round: an appraisal file never holds every fact
                    missing.update(d.missing)
                    if k == 0 and len(paths) > 1:
                        d = appraisal_first(d, order)
                found.setdefault(d.render(), d)
    return list(found.values())


def appraisal_first(missing: Diagnostic, said: str) -> Diagnostic:
    """An F002 of a file that is most likely an appraisal file (it holds only the facts it changes): `said`
    first, where the file goes, then the usual hint for a self-assessment that does lack facts."""
    hint = f"{said}; nếu đúng là tệp tự đánh giá: {missing.hint}" if missing.hint else said
    return missing.model_copy(update={"hint": hint})


def note_problems(rules: RuleSet, rounds: Sequence[Round]) -> list[Diagnostic]:
    """A note on an id the rule set does not have is an error (F006), named at its key, with the id meant."""
    ids = list(rules.checked.nodes)
    problems = []
    for r in rounds:
        for node_id in r.notes:
            if node_id in rules.checked.nodes:
                continue
            span = r.note_spans.get(node_id)
            problems.append(
                Diagnostic(
                    code="F006",
                    severity="error",
                    message=f"ghi chú ({r.name}) cho mục `{node_id}`: bộ quy tắc không có mục này"
                    if span is not None
                    else f"{r.facts.name}: ghi chú ({r.name}) cho mục `{node_id}`: bộ quy tắc không có mục này",
                    span=span,
                    line_text=r.facts.line_at(span),
                    hint=did_you_mean(node_id, ids, 'ghi mã mục như trong bộ quy tắc, vd "7.2.2"'),
                )
            )
    return problems


def evaluate_rounds(rules: RuleSet, rounds: Sequence[Round], trace: bool = True) -> list[RoundResult]:
    """Evaluate every round."""
    return [RoundResult(round=r, result=rules.evaluate(r.facts, trace=trace)) for r in rounds]


def select(rounds: Sequence[Round], which: str | None) -> Round:
    """A round by 1-based number or by name (whatever the case, spacing, Unicode form or tone mark's place:
    a name typed in a terminal may come decomposed); the first when `which` is None."""
    from cchc_rules.errors import CchcError, Diagnostic, suggest

    if which is None:
        return rounds[0]
    which = unicodedata.normalize("NFC", which)
    if which.isdigit() and 1 <= int(which) <= len(rounds):
        return rounds[int(which) - 1]
    for r in rounds:
        if name_key(r.name) == name_key(which):
            return r
    names = [r.name for r in rounds]
    close = suggest(which, names)
    raise CchcError(
        [
            Diagnostic(
                code="F004",
                severity="error",
                message=f"không có vòng `{which}`",
                hint=(f"có phải ý bạn là `{close}`? " if close else "")
                + "các vòng: "
                + ", ".join(f"{i} ({n})" for i, n in enumerate(names, 1)),
            )
        ]
    )


def differences(rules: RuleSet, results: Sequence[RoundResult]) -> list[Difference]:
    """Nodes whose scores differ between rounds, with the facts they use that changed."""
    from cchc_rules.analysis import facts_used

    if len(results) < 2:
        return []
    first = results[0].result
    out = []
    for node_id, node in first.nodes.items():
        scores = tuple(r.result[node_id].score for r in results)
        if len(set(scores)) == 1:
            continue
        used = set(facts_used(rules.checked, node_id))
        changed = []
        shown = []
        for name in sorted(used):
            values = tuple(r.result.facts.get(name) for r in results)
            if len({json.dumps(v) for v in values}) > 1:
                kind = rules.checked.facts[name].type.name
                changed.append((name, values))
                shown.append((name, tuple(shown_fact(v, kind) for v in values)))
        out.append(
            Difference(
                id=node_id, title=node.title, scores=scores, changed_facts=tuple(changed), shown_facts=tuple(shown)
            )
        )
    return out


def shown_fact(value: Any, kind: str) -> str:
    """A fact's JSON value as a reader expects it: có/không, 75%, 1.250,5 as 1250,5, 31/10/2023."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return show(value)
    if kind == "date":
        return show(read_date(str(value)))
    if kind in ("count", "integer", "decimal", "percent"):
        return show(Fraction(str(value)), kind)
    return str(value)
