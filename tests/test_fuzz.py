"""Fuzzing: random bytes and grammar-aware mutations of valid files; only our own errors may escape.

The parser, the checker (check_and_prove, and the evaluator on whatever the
checker accepts) and the facts reader get random bytes and mutated versions of
the shipped rule set, the good parser fixtures and the example facts: tokens
deleted, repeated, swapped, replaced by keywords and by hostile values (huge
numbers, exponents, decimal commas, impossible dates, aliases, tags, invisible
characters), nested deep, cut short, re-encoded. Whatever comes out must be
a result or a `CchcError`.

The normal test run tries a few hundred cases; `make fuzz` sets
CCHC_FUZZ_EXAMPLES and tries that many in all (10,000+).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cchc_rules
from cchc_rules.analysis import check_and_prove
from cchc_rules.errors import CchcError
from cchc_rules.facts import read_facts
from cchc_rules.loader import load_source
from cchc_rules.parser import grammar_path
from cchc_rules.render.explain import explain
from cchc_rules.render.text import render_text
from cchc_rules.ruleset import RuleSet
from cchc_rules.testing import facts_strategy
from tests.conftest import FACTS_THANH_THUY, FIXTURES, RULES_2023

# How many cases `make fuzz` asks for in all; each test takes its share.
TOTAL = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "0"))
SHARES = {
    "rule_bytes": 0.15,
    "rule_mutations": 0.25,
    "checker": 0.2,
    "facts_bytes": 0.1,
    "facts_mutations": 0.2,
    "facts_values": 0.1,
}
assert abs(sum(SHARES.values()) - 1) < 1e-9


def fuzz_settings(name: str, normal: int = 60) -> Callable[[Any], Any]:
    """A few dozen examples in the normal run; the share of CCHC_FUZZ_EXAMPLES under `make fuzz`."""
    return settings(
        max_examples=max(round(TOTAL * SHARES[name]), 1) if TOTAL else normal,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def only_our_errors(call: Callable[[], object]) -> None:
    """Run `call`; a `CchcError` is a fine answer to a broken input, anything else fails the test."""
    try:
        call()
    except CchcError as error:
        assert error.diagnostics, "an error without a diagnostic"
        assert "Traceback" not in error.render()


# ---- rule files -------------------------------------------------------------------------------------

RULE_SEEDS = [RULES_2023, *sorted((FIXTURES / "parse" / "good").glob("*.cchc"))]
CHECK_SEEDS = [
    RULES_2023,
    *sorted((FIXTURES / "check" / "good").glob("*.cchc")),
    *sorted((FIXTURES / "check" / "bad").glob("*.cchc")),
    FIXTURES / "bad" / "base.cchc",
]
RULE_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)*%?|[^\W\d]\w*|>=|<=|!=|\s+|.', re.DOTALL
)
KEYWORDS = sorted(set(re.findall(r'"([a-z_]+)"', grammar_path().read_text(encoding="utf-8"))))
HOSTILE_RULE_TOKENS = [
    *KEYWORDS,
    *'()[]{},:;=<>+-*/%"',
    "0",
    "-1",
    "0.5",
    "100%",
    "17,748",
    "1e999999999",
    "9" * 40,
    "0." + "0" * 40 + "1",
    "2023-02-30",
    "9999-12-31",
    "7.2.2",
    "[7.2.2]",
    "[1.2.3.4.5.6.7.8.9.10.11.12]",
    "1.2.3.4.5.6.7.8.9.10.11.12",
    '""',
    '"' + "dài " * 600 + '"',
    "x" * 200,
    "số_cuộc",
    unicodedata.normalize("NFD", "số_cuộc"),
    "\ufeff",
    "\x00",
    "\r",
    "\t",
    "\u0301",
    "\u202e",
    "ratio(a, b, zero: full)",
    "ratio(a, 0, zero: na)",
    "na when a = 0: exclude",
    "tier a when >= 1: max when from 0 to under 1: 0 otherwise: 0",
    "deduct 0.25 per a, 0.5 per b from max",
    "if a then b else c",
    "clamp(a, 1, 0)",
    "min(a)",
    "max(a, b, c, d)",
    "a / 0",
    "[1] + [1]",
    'bonus b "Thưởng": max 1 score = 1',
    'penalty p "Trừ": max 1 score = 1',
    'extends "../../../../../../etc/passwd"',
    'extends "2023.cchc"',
    "override 1",
    "remove 1.1",
    "remove fact a",
]


def rule_tokens(text: str) -> list[str]:
    return RULE_TOKEN.findall(text)


# Tokens of one kind, which a "same kind" mutation swaps for each other: the file mostly still
# parses, so the checker and the evaluator see it.
_KINDS = {
    "number": re.compile(r"\d+(?:\.\d+)?%?"),
    "name": re.compile(r"[^\W\d]\w*"),
    "operator": re.compile(r">=|<=|!=|[-+*/=<>]"),
    "string": re.compile(r'".*"', re.DOTALL),
}
_SAME_KIND_EXTRAS = {
    "number": [
        "0",
        "1",
        "2",
        "0.001",
        "0.5",
        "99",
        "100",
        "100%",
        "0%",
        "50%",
        "1000000",
        "9" * 30,
        "0." + "0" * 28 + "1",
    ],
    "name": ["max", "min", "clamp", "ratio", "true", "false", "full", "zero", "na", "exclude", "x"],
    "operator": [">=", "<=", "!=", "=", "<", ">", "+", "-", "*", "/"],
    "string": ['""', '"{score} {max} {lost}"', '"{khong_co}"', '"{"', '"tốt"'],
}


def _kind(token: str) -> str | None:
    if token in KEYWORDS:  # a keyword swapped for a name breaks the syntax, not the meaning
        return None
    return next((kind for kind, pattern in _KINDS.items() if pattern.fullmatch(token)), None)


MUTATIONS = ("delete", "repeat", "swap", "replace", "insert", "truncate", "splice", "nest", "same kind")


@st.composite
def mutated(
    draw: st.DrawFn,
    seeds: list[Path],
    split: Callable[[str], list[str]],
    vocabulary: list[str],
    kinds: tuple[str, ...] = MUTATIONS,
    most: int = 6,
    encodings: bool = True,
) -> bytes:
    """A seed file with token-level mutations, then perhaps re-encoded or with a byte that breaks UTF-8."""
    seed = draw(st.sampled_from(seeds))
    tokens = split(seed.read_text(encoding="utf-8"))
    other = split(draw(st.sampled_from(seeds)).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, most))):
        n = len(tokens)
        i = draw(st.integers(0, max(n - 1, 0)))
        j = draw(st.integers(i, min(i + 8, n)))
        kind = draw(st.sampled_from(kinds))
        if kind == "delete":
            tokens = tokens[:i] + tokens[j:]
        elif kind == "repeat":
            tokens = tokens[:j] + tokens[i:j] * draw(st.integers(1, 60)) + tokens[j:]
        elif kind == "swap" and n > 1:
            k = draw(st.integers(0, n - 1))
            tokens[i], tokens[k] = tokens[k], tokens[i]
        elif kind == "replace" and n:
            tokens[i] = draw(st.sampled_from(vocabulary))
        elif kind == "insert":
            tokens.insert(i, " " + draw(st.sampled_from(vocabulary)) + " ")
        elif kind == "truncate":
            tokens = tokens[:i]
        elif kind == "splice" and other:
            a = draw(st.integers(0, len(other) - 1))
            tokens[i:i] = other[a : a + draw(st.integers(1, 40))]
        elif kind == "nest":
            depth = draw(st.integers(1, 300))
            tokens = tokens[:i] + ["("] * depth + tokens[i:j] + [")"] * depth + tokens[j:]
        elif kind == "same kind" and n:
            positions = [k for k, t in enumerate(tokens) if _kind(t)]
            if positions:
                k = draw(st.sampled_from(positions))
                token_kind = _kind(tokens[k])
                assert token_kind is not None
                pool = sorted(
                    {t for t in tokens + other if _kind(t) == token_kind} | set(_SAME_KIND_EXTRAS[token_kind])
                )
                tokens[k] = draw(st.sampled_from(pool))
    text = "".join(tokens)
    if not encodings:
        return text.encode("utf-8")
    form = draw(st.sampled_from(["as is", "nfd", "crlf", "bom", "cr", "flip"]))
    text = {
        "nfd": lambda t: unicodedata.normalize("NFD", t),
        "crlf": lambda t: t.replace("\n", "\r\n"),
        "bom": lambda t: "\ufeff" + t,
        "cr": lambda t: t.replace("\n", "\r"),
    }.get(form, lambda t: t)(text)
    data = text.encode("utf-8")
    if data and form == "flip":  # a byte that breaks UTF-8
        k = draw(st.integers(0, len(data) - 1))
        data = data[:k] + bytes([draw(st.integers(0x80, 0xFF))]) + data[k + 1 :]
    return data


def _write(workdir: Path, name: str, data: bytes) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


@fuzz_settings("rule_bytes")
@given(data=st.one_of(st.binary(max_size=3000), st.text(max_size=2000).map(lambda t: t.encode("utf-8"))))
def test_random_bytes_as_a_rule_file(workdir: Path, data: bytes) -> None:
    path = _write(workdir, "random.cchc", data)
    only_our_errors(lambda: check_and_prove(load_source(path)))


@fuzz_settings("rule_mutations")
@given(data=mutated(RULE_SEEDS, rule_tokens, HOSTILE_RULE_TOKENS))
def test_mutated_rule_files_parse_or_fail_cleanly(workdir: Path, data: bytes) -> None:
    path = _write(workdir, "mutated.cchc", data)
    only_our_errors(lambda: load_source(path))


@fuzz_settings("checker")
@given(
    data=st.one_of(
        mutated(CHECK_SEEDS, rule_tokens, HOSTILE_RULE_TOKENS, ("same kind",), most=3, encodings=False),
        mutated(CHECK_SEEDS, rule_tokens, HOSTILE_RULE_TOKENS, most=2, encodings=False),
    ),
    draw=st.data(),
)
def test_mutated_rule_sets_check_and_evaluate_or_fail_cleanly(workdir: Path, data: bytes, draw: st.DataObject) -> None:
    path = _write(workdir, "checked.cchc", data)
    try:
        found, checked = check_and_prove(load_source(path))
    except CchcError:
        return
    assert all(d.code and d.message for d in found)
    if checked is None:
        assert any(d.severity == "error" for d in found)
        return
    rules = RuleSet(checked)
    facts = draw.draw(facts_strategy(rules), label="facts")
    node = draw.draw(st.sampled_from(sorted(checked.nodes)), label="explained")
    only_our_errors(lambda: _score_and_show(rules, facts, node))


def _score_and_show(rules: RuleSet, facts: dict[str, Any], node: str) -> None:
    """Evaluate, then write the result every way a user reads it."""
    result = rules.evaluate(facts)
    json.loads(result.to_json(trace=True))
    render_text(result)
    explain(result, node)


# ---- facts files --------------------------------------------------------------------------------------

BASE = FIXTURES / "bad" / "base.cchc"
BASE_FACTS = (
    "so_cuoc: 5\nho_so_tong: 1754\nho_so_dung_han: 1340\ndiem_tu_cham: 17,748\nty_le: 75%\n"
    "co_sang_kien: có\nngay_ban_hanh: 31/10/2023\nxep_loai: tốt\n"
)
FACTS_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\w.,%/-]+|\n[ \t]*|[ \t]+|.', re.DOTALL)
HOSTILE_FACTS_TOKENS = [
    *":[]{},-&*!|>?#'\"",
    "\n  ",
    "\n\t",
    "\t",
    "&a",
    "*a",
    "<<: *a",
    "!!python/object/apply:os.system",
    "!!python/name:os.system",
    "!!int",
    "!!float",
    "!!binary",
    "!!timestamp",
    "!!bool",
    "!!str",
    "!!null",
    "!!merge",
    "!!value",
    "!!set",
    "!!omap",
    "!!seq",
    "!!map",
    "!so",
    "? ",
    "- ",
    "---",
    "...",
    "%YAML 1.1",
    "|",
    "1e999999999",
    "-1e999999999",
    "1e-999999999",
    "9" * 5000,
    "-5",
    "0",
    "có",
    "không",
    "Có",
    "KHÔNG",
    "có lẽ",
    ".nan",
    ".inf",
    "NaN",
    "Infinity",
    "0x1f",
    "017",
    "1:30",
    "2023-02-30",
    "31/02/2023",
    "2023-10-31 25:61:61",
    "17,748",
    "1,754",
    "1.754",
    "1.234.567,5",
    "75%",
    "175%",
    "75,5 %",
    "null",
    "~",
    "[" * 200,
    "]" * 200,
    "value:",
    "note:",
    "facts:",
    "rounds:",
    "notes:",
    "report:",
    "unit:",
    "\ufeff",
    "\x00",
    "\x07",
    "\u0301",
    unicodedata.normalize("NFD", "xếp_loại"),
]


def facts_tokens(text: str) -> list[str]:
    return FACTS_TOKEN.findall(text)


@pytest.fixture(scope="module")
def facts_seeds(workdir: Path) -> dict[str, Path]:
    folder = workdir / "facts_seeds"
    folder.mkdir()
    base = _write(folder, "base.yaml", BASE_FACTS.encode("utf-8"))
    thanh_thuy_json = folder / "thanh_thuy.json"
    data = yaml.safe_load(FACTS_THANH_THUY.read_text(encoding="utf-8"))
    thanh_thuy_json.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return {"base": base, "thanh_thuy": FACTS_THANH_THUY, "thanh_thuy_json": thanh_thuy_json}


@pytest.fixture(scope="module")
def rule_sets() -> dict[str, RuleSet]:
    return {"base": cchc_rules.load(BASE), "thanh_thuy": cchc_rules.load(RULES_2023)}


def _rules_for(name: str, rule_sets: dict[str, RuleSet]) -> RuleSet:
    return rule_sets["base" if name.startswith("base") else "thanh_thuy"]


@fuzz_settings("facts_bytes")
@given(
    data=st.one_of(st.binary(max_size=3000), st.text(max_size=2000).map(lambda t: t.encode("utf-8"))),
    suffix=st.sampled_from([".yaml", ".json", ".yml", ".xlsx", ""]),
)
def test_random_bytes_as_a_facts_file(workdir: Path, rule_sets: dict[str, RuleSet], data: bytes, suffix: str) -> None:
    path = _write(workdir, "random_facts" + suffix, data)
    only_our_errors(lambda: read_facts(path))
    only_our_errors(lambda: rule_sets["base"].evaluate(path))


@fuzz_settings("facts_mutations")
@given(draw=st.data())
def test_mutated_facts_files_read_and_validate_or_fail_cleanly(
    workdir: Path, facts_seeds: dict[str, Path], rule_sets: dict[str, RuleSet], draw: st.DataObject
) -> None:
    name = draw.draw(st.sampled_from(sorted(facts_seeds)), label="seed")
    seed = facts_seeds[name]
    data = draw.draw(mutated([seed], facts_tokens, HOSTILE_FACTS_TOKENS), label="facts file")
    path = _write(workdir, "mutated_facts" + seed.suffix, data)
    only_our_errors(lambda: _rules_for(name, rule_sets).evaluate(path))


VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(10**4000), max_value=10**4000),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.sampled_from(HOSTILE_FACTS_TOKENS),
        st.dates(),
        st.datetimes(),
        st.just(Decimal("1e999999999")),
        st.just(Decimal("-1e-999999999")),
        st.binary(max_size=10),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["value", "note", "document", "date", "x"]), children, max_size=4),
    ),
    max_leaves=12,
)


@fuzz_settings("facts_values")
@given(draw=st.data())
def test_facts_given_in_python_are_validated_or_refused_cleanly(
    rule_sets: dict[str, RuleSet], draw: st.DataObject
) -> None:
    rules = rule_sets[draw.draw(st.sampled_from(["base", "thanh_thuy"]), label="rule set")]
    names = sorted(rules.checked.facts)
    facts: dict[Any, Any] = draw.draw(
        st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=12), st.integers()), VALUES, max_size=12),
        label="facts",
    )
    base = draw.draw(facts_strategy(rules), label="valid facts")  # so that most keys are there
    only_our_errors(lambda: rules.evaluate({**base, **facts}))
