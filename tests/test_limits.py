"""The limits of cchc_rules.limits, at their edges: the largest allowed input works all the way through
(check, evaluate, explain, JSON with trace), one step more is a clear error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cchc_rules
from cchc_rules import facts as facts_module
from cchc_rules import limits, loader
from cchc_rules.analysis import SEARCH_LIMIT, SearchBudget
from cchc_rules.errors import CchcError, FactsError, RuleLoadError, RuleSyntaxError
from cchc_rules.parser import TokenBudget, parse_tree
from cchc_rules.render.explain import explain
from cchc_rules.source import FileTooLarge, SourceFile, read_bytes

HEAD = 'ruleset "T" total 1 rounding 3 half_up\nfact x: count "X" max 1\n'


def write(tmp_path: Path, text: str, name: str = "r.cchc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def works(path: Path, facts: dict[str, object] | None = None) -> cchc_rules.Result:
    """Check, evaluate, and read the result every way: the input is fine all the way through."""
    rules = cchc_rules.load(path)
    result = rules.evaluate(facts if facts is not None else {"x": 1})
    json.loads(result.to_json(trace=True))
    for node in result.nodes:
        explain(result, node)
    return result


def refused(path: Path, code: str) -> str:
    with pytest.raises(CchcError) as info:
        cchc_rules.load(path)
    assert f"[{code}]" in str(info.value)
    return str(info.value)


def nested(levels: int) -> str:
    expr = "x"
    for _ in range(levels):
        expr = f"min(max, {expr})"
    return HEAD + f'1 "A": max 1\n  score = {expr}\n  reason "r"\n'


def test_nesting_up_to_the_limit_works_and_one_more_level_is_e003(tmp_path: Path) -> None:
    assert works(write(tmp_path, nested(limits.MAX_NESTING), "ok.cchc")).score == 1
    message = refused(write(tmp_path, nested(limits.MAX_NESTING + 1)), "E003")
    assert f"hơn {limits.MAX_NESTING} tầng" in message and "r.cchc:4:" in message


def chain(criteria: int) -> str:
    """Each criterion refers to the next: 3 steps each (the expression, and a reference counting twice)."""
    head = HEAD.replace("total 1", f"total {criteria}")
    body = "".join(f'{i} "Mục {i}": max 1; score = [{i + 1}]; reason "r"\n' for i in range(1, criteria))
    return head + body + f'{criteria} "Mục {criteria}": max 1; score = x; reason "r"\n'


def test_a_chain_of_references_up_to_the_limit_works_and_one_more_is_e131(tmp_path: Path) -> None:
    longest = (limits.MAX_DEPENDENCY_DEPTH - 1) // 3 + 1  # 3 steps a hop, 1 for the last formula
    result = works(write(tmp_path, chain(longest), "ok.cchc"))
    assert result.score == longest
    message = refused(write(tmp_path, chain(longest + 1)), "E131")
    assert f"tối đa {limits.MAX_DEPENDENCY_DEPTH}" in message


def test_the_token_budget_is_exact(tmp_path: Path) -> None:
    base = HEAD + '1 "A": max 1\n  score = x\n  reason "r"\n'
    budget = TokenBudget()
    parse_tree(SourceFile(name="t", text=base), budget)
    padding = limits.MAX_TOKENS - budget.used  # `;` is a statement of its own, one token
    assert padding > 0
    fits = base.replace("rounding 3 half_up", "rounding 3 half_up " + ";" * padding)
    assert works(write(tmp_path, fits, "ok.cchc")).score == 1
    message = refused(write(tmp_path, fits.replace(";", ";;", 1)), "E004")
    assert "hơn 20.000 từ, số và ký hiệu" in message


def test_the_token_budget_is_shared_by_the_files_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.cchc").write_text(HEAD + ";" * (limits.MAX_TOKENS // 2), encoding="utf-8")
    (tmp_path / "b.cchc").write_text('1 "A": max 1; score = x\n' + ";" * (limits.MAX_TOKENS // 2), encoding="utf-8")
    with pytest.raises(RuleSyntaxError) as info:
        loader.load_source(tmp_path)
    assert [d.code for d in info.value.diagnostics] == ["E004"]  # once, not once a file
    assert "b.cchc" in str(info.value)


@pytest.mark.parametrize(
    ("good", "bad", "words"),
    [
        ("1.2.3.4.5.6.7.8.9.10", "1.2.3.4.5.6.7.8.9.10.11", "có 11 cấp"),
        ("123456", "1234567", "dài quá 6 chữ số"),
    ],
    ids=["levels", "digits"],
)
def test_criterion_ids_at_the_limit(tmp_path: Path, good: str, bad: str, words: str) -> None:
    def rule_set(last: str) -> str:
        parts = last.split(".")
        ids = [".".join(parts[: k + 1]) for k in range(len(parts))]
        body = "".join(f'{i} "Cấp {n}": max 1\n' for n, i in enumerate(ids, 1))
        return HEAD + body + '  score = x\n  reason "r"\n'

    assert works(write(tmp_path, rule_set(good), "ok.cchc")).score == 1
    assert words in refused(write(tmp_path, rule_set(bad)), "E003")


@pytest.mark.parametrize(
    ("template", "size", "words"),
    [
        ('1 "A": max 1\n  score = if x > {} then 0 else max\n  reason "r"\n', limits.MAX_NUMBER_DIGITS, "chữ số"),
        (
            '1 "A": max 1\n  score = x\n  reason "r"\nbonus {} "Thưởng": max 1\n  score = 0\n',
            limits.MAX_NAME_LENGTH,
            "tên dài",
        ),
        ('1 "A": max 1\n  score = x\n  reason "{}"\n', limits.MAX_STRING_LENGTH, "chuỗi dài"),
    ],
    ids=["number", "name", "string"],
)
def test_numbers_names_and_strings_at_the_limit(tmp_path: Path, template: str, size: int, words: str) -> None:
    letter = "9" if "if x" in template else "y"
    assert works(write(tmp_path, HEAD + template.format(letter * size), "ok.cchc")).score >= 0
    assert words in refused(write(tmp_path, HEAD + template.format(letter * (size + 1))), "E003")


def test_read_bytes_stops_at_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    assert read_bytes(path, limit=10) == b"x" * 10
    path.write_bytes(b"x" * 11)
    with pytest.raises(FileTooLarge):
        read_bytes(path, limit=10)


def test_a_folder_of_rule_files_is_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_RULE_FILES", 3)
    for i in range(3):
        (tmp_path / f"{i}.cchc").write_text(HEAD if i == 0 else "# trống\n", encoding="utf-8")
    assert len(loader.load_source(tmp_path).modules) == 3
    (tmp_path / "3.cchc").write_text("# trống\n", encoding="utf-8")
    with pytest.raises(RuleLoadError, match="hơn 3 tệp"):
        loader.load_source(tmp_path)


# ---- facts ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def decimal_rules(tmp_path_factory: pytest.TempPathFactory) -> cchc_rules.RuleSet:
    path = tmp_path_factory.mktemp("limits") / "d.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 3 half_up\nfact d: decimal "D"\n1 "A": max 1\n'
        '  score = clamp(d, 0, max)\n  reason "r"\n',
        encoding="utf-8",
    )
    return cchc_rules.load(path)


@pytest.mark.parametrize(
    ("good", "bad", "words"),
    [
        ("9" * limits.MAX_FACT_INTEGER_DIGITS, "1" + "0" * limits.MAX_FACT_INTEGER_DIGITS, "số quá lớn"),
        ("0." + "0" * (limits.MAX_FACT_DECIMALS - 1) + "1", "0." + "0" * limits.MAX_FACT_DECIMALS + "1", "thập phân"),
        ("1e14", "1e15", "số quá lớn"),
        ("1.5e-29", "1e-31", "thập phân"),
        ("1" + "0" * 14 + "." + "0" * 40, "NaN", "hữu hạn"),  # trailing zeros are not decimals
    ],
    ids=["integer digits", "decimals", "exponent", "negative exponent", "trailing zeros"],
)
def test_fact_values_at_the_limit(
    decimal_rules: cchc_rules.RuleSet, tmp_path: Path, good: str, bad: str, words: str
) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(f"d: {good}\n", encoding="utf-8")
    decimal_rules.facts(path)
    decimal_rules.facts({"d": good})
    path.write_text(f"d: {bad}\n", encoding="utf-8")
    for given in (path, {"d": bad}):
        with pytest.raises(FactsError, match=words):
            decimal_rules.facts(given)


def test_a_facts_file_of_too_many_nodes_stops_where_it_crosses(
    decimal_rules: cchc_rules.RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facts_module, "MAX_FACTS_NODES", 10)
    path = tmp_path / "f.yaml"
    path.write_text("d: 1\nghi_chu: [1, 2, 3, 4, 5, 6, 7]\n", encoding="utf-8")  # 10 nodes: root, 2 keys, 2+5
    with pytest.raises(FactsError, match="ghi_chu"):  # read, then refused as undeclared
        decimal_rules.facts(path)
    path.write_text("d: 1\nghi_chu: [1, 2, 3, 4, 5, 6, 7, 8]\n", encoding="utf-8")
    with pytest.raises(FactsError, match="hơn 10 phần tử") as info:
        decimal_rules.facts(path)
    assert "f.yaml:2:" in str(info.value)


def test_yaml_aliases_are_fine_until_they_repeat_too_much(
    decimal_rules: cchc_rules.RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facts_module, "MAX_ALIAS_EXPANSION", 6)
    path = tmp_path / "f.yaml"
    path.write_text('d: {value: 1, note: &n "Biên bản số 1"}\n', encoding="utf-8")
    decimal_rules.facts(path)
    path.write_text("a: &a [1, 2, 3]\nb: [*a, *a]\nd: 1\n", encoding="utf-8")  # 2 x 4 repeats
    with pytest.raises(FactsError, match="bí danh YAML"):
        decimal_rules.facts(path)


def test_a_huge_integer_from_python_is_refused_for_every_kind(tmp_path: Path) -> None:
    rules = cchc_rules.load(Path(__file__).parent / "fixtures" / "bad" / "base.cchc")
    base = {
        "so_cuoc": 5,
        "ho_so_tong": 1754,
        "ho_so_dung_han": 1340,
        "diem_tu_cham": 17,
        "ty_le": "75%",
        "co_sang_kien": "có",
        "ngay_ban_hanh": "2023-10-31",
        "xep_loai": "tốt",
    }
    for name in ("diem_tu_cham", "ty_le", "co_sang_kien", "ngay_ban_hanh", "xep_loai"):
        with pytest.raises(FactsError, match=name):
            rules.evaluate({**base, name: 10**5000})
    with pytest.raises(FactsError, match="không được khai báo"):
        rules.evaluate({**base, 10**5000: 1})  # type: ignore[dict-item]


def test_a_huge_count_from_python_is_refused_like_the_same_count_in_a_file(tmp_path: Path) -> None:
    rules = cchc_rules.load(Path(__file__).parent / "fixtures" / "bad" / "base.cchc")
    path = tmp_path / "f.yaml"
    path.write_text(
        "so_cuoc: 100000000000000000000\nho_so_tong: 1754\nho_so_dung_han: 1340\ndiem_tu_cham: 17\n"
        "ty_le: 75%\nco_sang_kien: có\nngay_ban_hanh: 2023-10-31\nxep_loai: tốt\n",
        encoding="utf-8",
    )
    with pytest.raises(FactsError, match="số quá lớn"):
        rules.evaluate(path)
    with pytest.raises(FactsError, match="số quá lớn"):
        rules.evaluate(
            {
                "so_cuoc": 10**20,
                "ho_so_tong": 1754,
                "ho_so_dung_han": 1340,
                "diem_tu_cham": 17,
                "ty_le": "75%",
                "co_sang_kien": "có",
                "ngay_ban_hanh": "2023-10-31",
                "xep_loai": "tốt",
            }
        )


# ---- the counterexample search budget -------------------------------------------------------------------


def test_search_budget_shares_what_is_left_fairly() -> None:
    budget = SearchBudget(1000)
    assert budget.attempts(searches_left=4, cost=10) == 25
    budget.spend(25, 10)
    assert budget.left == 750
    assert budget.attempts(searches_left=3, cost=10) == 25
    assert SearchBudget(10**9).attempts(searches_left=1, cost=1) == SEARCH_LIMIT
    assert SearchBudget(5).attempts(searches_left=1, cost=10) == 0


def test_one_hard_formula_gets_the_whole_search_and_many_share_it(tmp_path: Path) -> None:
    from cchc_rules.analysis import check_and_prove

    facts = "".join(f'fact f{j}: decimal "F{j}" min 0 max 1\n' for j in range(8))
    expr = " + ".join(f"(f{j} - f{j} * f{j})" for j in range(8))

    def rule_set(count: int) -> Path:
        body = "".join(f'{i} "Mục {i}": max 2\n  score = {expr}\n  reason "r"\n' for i in range(1, count + 1))
        return write(tmp_path, f'ruleset "T" total {2 * count} rounding 3 half_up\n' + facts + body, f"{count}.cchc")

    one, _ = check_and_prove(loader.load_source(rule_set(1)))
    assert [d.code for d in one] == ["W171"] and "rút ngắn" not in one[0].message
    many, _ = check_and_prove(loader.load_source(rule_set(40)))
    assert {d.code for d in many} == {"W171"} and all("rút ngắn" in d.message for d in many)


def test_many_divisors_it_cannot_prove_share_the_search_too(tmp_path: Path) -> None:
    from cchc_rules.analysis import check_and_prove

    facts = "".join(f'fact f{j}: decimal "F{j}" min 1 max 2\n' for j in range(8))
    divisor = " + ".join(f"f{j} * f{j}" for j in range(8)) + " - 18"  # 0 only at irrational values

    def rule_set(count: int) -> Path:
        body = "".join(
            f'{i} "Mục {i}": max 1\n  score = clamp(1 / ({divisor}), 0, max)\n  reason "r"\n'
            for i in range(1, count + 1)
        )
        return write(tmp_path, f'ruleset "T" total {count} rounding 3 half_up\n' + facts + body, f"{count}.cchc")

    one, _ = check_and_prove(loader.load_source(rule_set(1)))
    assert [d.code for d in one] == ["W181"] and "rút ngắn" not in one[0].message
    many, _ = check_and_prove(loader.load_source(rule_set(30)))
    assert {d.code for d in many} == {"W181"} and all("rút ngắn" in d.message for d in many)
