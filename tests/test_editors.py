"""The VS Code extension in editors/vscode: its TextMate grammar stays in step with grammar/cchc.lark.

The grammar's regexes are kept to the subset that Python's `re` and Oniguruma
(what VS Code runs) read alike, so this file runs them with `re` through a small
TextMate tokenizer on the shipped rule files and the docs' rule snippets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cchc_rules import ast
from cchc_rules.vocabulary import FACT_KINDS, ROUNDING_ALIASES, ROUNDING_MODES
from tests.conftest import ROOT
from tests.test_docs import CCHC

EXTENSION = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((EXTENSION / "syntaxes" / "cchc.tmLanguage.json").read_text(encoding="utf-8"))
REPOSITORY: dict[str, dict[str, Any]] = GRAMMAR["repository"]
RULE_FILES = sorted((ROOT / "rules").rglob("*.cchc"))


def lark_keywords() -> set[str]:
    """Every double-quoted word literal of grammar/cchc.lark (comments left out)."""
    text = (ROOT / "grammar" / "cchc.lark").read_text(encoding="utf-8")
    code = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    return set(re.findall(r'"([A-Za-z_]+)"', code))


def alternatives(pattern: str) -> list[str]:
    """The words of a `\\b(?:a|b|c)\\b` pattern."""
    match = re.fullmatch(r"\\b\(\?:([\w|]+)\)\\b", pattern)
    assert match, pattern
    return match.group(1).split("|")


def keyword_words() -> list[str]:
    return [w for name, rule in REPOSITORY.items() if name.startswith("keywords-") for w in alternatives(rule["match"])]


def regexes(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k in ("match", "begin", "end") and isinstance(v, str)]
        return found + [r for v in node.values() for r in regexes(v)]
    if isinstance(node, list):
        return [r for v in node for r in regexes(v)]
    return []


# ---- a small TextMate tokenizer (single-line rules, as this grammar has) ------------------

Token = tuple[str, str]  # (text, scope; "" when no rule applies)


def rules_of(patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for pattern in patterns:
        if "include" in pattern:
            out += rules_of([REPOSITORY[pattern["include"].removeprefix("#")]])
        else:
            out.append(pattern)
    return out


TOP = rules_of(GRAMMAR["patterns"])


def first_match(rules: list[dict[str, Any]], line: str, pos: int) -> tuple[dict[str, Any], re.Match[str]] | None:
    """The rule matching earliest from pos; on a tie, the one listed first (TextMate's rule)."""
    best: tuple[dict[str, Any], re.Match[str]] | None = None
    for rule in rules:
        match = re.compile(rule.get("match") or rule["begin"]).search(line, pos)
        if match and (best is None or match.start() < best[1].start()):
            best = (rule, match)
    return best


def captured(match: re.Match[str], captures: dict[str, dict[str, str]], outer: str) -> list[Token]:
    tokens: list[Token] = []
    at = match.start()
    groups = sorted(
        (match.start(int(g)), match.end(int(g)), c["name"]) for g, c in captures.items() if match.group(int(g))
    )
    for start, end, name in groups:
        if start > at:
            tokens.append((match.string[at:start], outer))
        tokens.append((match.string[start:end], name))
        at = end
    if at < match.end():
        tokens.append((match.string[at : match.end()], outer))
    return tokens


def tokenize(line: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(line):
        found = first_match(TOP, line, pos)
        if found is None or found[1].end() == found[1].start():
            tokens.append((line[pos:], ""))
            break
        rule, match = found
        if match.start() > pos:
            tokens.append((line[pos : match.start()], ""))
        if "begin" not in rule:
            tokens += captured(match, rule.get("captures", {}), rule.get("name", ""))
            pos = match.end()
            continue
        # A begin/end rule: inner rules until the end pattern (which wins a tie).
        scope = rule["name"]
        tokens += captured(match, rule.get("beginCaptures", {}), scope)
        pos = match.end()
        inner = [{"match": rule["end"], "end_of": True}, *rules_of(rule.get("patterns", []))]
        while True:
            found = first_match(inner, line, pos)
            assert found is not None, f"no end for {scope} in {line!r}"
            sub, sub_match = found
            if sub_match.start() > pos:
                tokens.append((line[pos : sub_match.start()], scope))
            if sub.get("end_of"):
                tokens += captured(sub_match, rule.get("endCaptures", {}), scope)
                pos = sub_match.end()
                break
            tokens.append((sub_match.group(0), f"{scope} {sub['name']}"))
            pos = sub_match.end()
    return [t for t in tokens if t[0]]


def scopes(line: str, text: str) -> list[str]:
    """The scopes the tokenizer gives to `text` in `line`."""
    return [scope for token, scope in tokenize(line) if token == text]


# ---- the tests ------------------------------------------------------------------------------


def test_every_grammar_keyword_is_a_textmate_keyword_and_no_other_word_is() -> None:
    words = keyword_words()
    assert len(words) == len(set(words)), "a word in two keyword patterns"
    assert sorted(lark_keywords() - set(words)) == [], "keywords of grammar/cchc.lark the TextMate grammar misses"
    assert sorted(set(words) - lark_keywords()) == [], "TextMate keywords that grammar/cchc.lark does not have"


def test_names_with_a_fixed_meaning_are_the_package_s() -> None:
    keywords = lark_keywords()
    assert set(alternatives(REPOSITORY["types"]["match"])) == set(FACT_KINDS) - keywords
    policies = {*ROUNDING_MODES, *ROUNDING_ALIASES, "full", "exclude", "zero", "na"} - keywords
    assert set(alternatives(REPOSITORY["policies"]["match"])) == policies
    functions = re.fullmatch(r"\\b\(([\w|]+)\).*", REPOSITORY["function"]["match"])
    assert functions and set(functions.group(1).split("|")) == set(ast.FUNCTIONS)


def test_every_regex_compiles_with_python_re() -> None:
    found = regexes(GRAMMAR)
    assert len(found) >= 20
    for pattern in found:
        re.compile(pattern)
        # Constructs Oniguruma and Python read differently are kept out of the grammar.
        assert not re.search(r"\(\?<[^=!]|\\[GhHAzZ]|[*+?}][+]", pattern), pattern


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.name for p in RULE_FILES])
def test_shipped_rule_files_highlight_every_keyword_number_and_id(path: Path) -> None:
    keywords = lark_keywords()
    for line in path.read_text(encoding="utf-8").splitlines():
        tokens = tokenize(line)
        assert "".join(t for t, _ in tokens) == line
        plain = " ".join(t for t, scope in tokens if not scope)
        # Outside strings and comments, no keyword and no number is left without a scope.
        assert not (set(re.findall(r"[^\W\d]\w*", plain)) & keywords), line
        assert not re.search(r"\b\d", plain), line
        head = re.match(r"\s*(\d+(?:\.\d+)*)\s", line)
        if head:
            assert scopes(line, head.group(1)) == ["entity.name.section.criterion.cchc"]


def test_shipped_2024_rule_set_tokens() -> None:
    lines = (ROOT / "rules" / "hai-duong" / "xa" / "2024.cchc").read_text(encoding="utf-8").splitlines()

    def line_with(text: str) -> str:
        return next(line for line in lines if text in line)

    assert scopes(lines[0], lines[0]) == ["comment.line.number-sign.cchc"]
    extends = line_with("extends ")
    assert scopes(extends, "extends") == ["keyword.other.declaration.cchc"]
    assert scopes(extends, "2023.cchc") == ["string.quoted.double.cchc"]
    override = line_with("override 7.2.2")
    assert scopes(override, "override") == ["keyword.other.declaration.cchc"]
    assert scopes(override, "7.2.2") == ["entity.name.section.criterion.cchc"]
    removal = line_with("remove fact ")
    name = removal.split()[-1]
    assert scopes(removal, "fact") == ["keyword.other.declaration.cchc"]
    assert scopes(removal, name) == ["variable.other.fact.cchc"]
    assert scopes(line_with("remove 3.5.3"), "3.5.3") == ["entity.name.section.criterion.cchc"]
    reason = line_with("{doi_thoai}")
    assert scopes(reason, "{doi_thoai}") == ["string.quoted.double.cchc variable.other.placeholder.cchc"]
    assert scopes(reason, "reason") == ["keyword.other.statement.cchc"]
    tier = line_with("score = tier ratio(")
    assert scopes(tier, "tier") == ["keyword.control.cchc"]
    assert scopes(tier, "ratio") == ["support.function.cchc"]
    assert scopes(tier, "zero") == ["variable.parameter.option.cchc"]
    assert scopes(tier, "na") == ["keyword.other.statement.cchc"]
    assert scopes(tier, "=") == ["keyword.operator.cchc"]
    row = line_with("when >= 80%: max")
    assert scopes(row, "80%") == ["constant.numeric.percent.cchc"]
    assert scopes(row, ">=") == ["keyword.operator.cchc"]
    assert scopes(row, "max") == ["keyword.other.statement.cchc"]
    fact = line_with("fact danh_gia_tac_dong")
    assert scopes(fact, "danh_gia_tac_dong") == ["entity.name.variable.cchc"]
    assert scopes(fact, "boolean") == ["support.type.fact.cchc"]
    assert scopes(fact, "false") == ["constant.language.boolean.cchc"]


def test_docs_snippets_tokens() -> None:
    """Constructs the shipped files do not use: dates, references, deductions, bonus, max(...)."""
    lines = [line for _file, _line, text in CCHC for line in text.splitlines()]

    def line_with(text: str) -> str:
        return next(line for line in lines if text in line)

    dated = line_with("<= 2023-10-31")
    assert scopes(dated, "2023-10-31") == ["constant.numeric.date.cchc"]
    assert scopes(dated, "7.2.2") == ["entity.name.section.criterion.reference.cchc"]
    deduct = line_with("score = deduct ")
    assert scopes(deduct, "deduct") == ["keyword.control.cchc"]
    assert scopes(deduct, "per") == ["keyword.control.cchc", "keyword.control.cchc"]
    assert scopes(deduct, "0.25") == ["constant.numeric.decimal.cchc"]
    bonus = line_with("bonus sang_kien")
    assert scopes(bonus, "bonus") == ["keyword.other.declaration.cchc"]
    assert scopes(bonus, "sang_kien") == ["entity.name.variable.cchc"]
    clamp = line_with("score = clamp(")
    assert scopes(clamp, "clamp") == ["support.function.cchc"]
    capped = line_with("score = min(max, ")
    assert scopes(capped, "min") == ["support.function.cchc"]
    assert scopes(capped, "max") == ["keyword.other.statement.cchc"]
    header = line_with("not_applicable exclude")
    assert scopes(header, "not_applicable") == ["keyword.other.header.cchc"]
    assert scopes(header, "exclude") == ["support.constant.policy.cchc"]
    escaped = 'reason "Chưa có \\"kế hoạch\\" {doi_thoai}"'
    assert scopes(escaped, '\\"') == ["string.quoted.double.cchc constant.character.escape.cchc"] * 2
    for _file, _line, text in CCHC:
        for line in text.splitlines():
            assert "".join(t for t, _ in tokenize(line)) == line


def test_the_extension_manifest_wires_the_language_the_grammar_and_its_configuration() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    (language,) = manifest["contributes"]["languages"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert language["id"] == grammar["language"] == "cchc"
    assert language["extensions"] == [".cchc"]
    assert grammar["scopeName"] == GRAMMAR["scopeName"] == "source.cchc"
    assert (EXTENSION / grammar["path"]).resolve() == (EXTENSION / "syntaxes" / "cchc.tmLanguage.json").resolve()
    assert "vscode" in manifest["engines"]
    config = json.loads((EXTENSION / language["configuration"]).read_text(encoding="utf-8"))
    assert config["comments"] == {"lineComment": "#"}
    assert ["(", ")"] in config["brackets"] and ["[", "]"] in config["brackets"]
    assert {"open": '"', "close": '"', "notIn": ["string", "comment"]} in config["autoClosingPairs"]


def test_language_reference_lists_the_grammar_s_keywords() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = text[text.index("## 14.") :]
    listed = section[section.index("```text\n") + 8 : section.index("\n```", section.index("```text\n"))].split()
    assert sorted(listed) == listed and set(listed) == lark_keywords()
    assert f"These {len(listed)} words" in section
