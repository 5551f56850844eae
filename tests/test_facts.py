"""Facts input: files and mappings, evidence, and every way a fact can be wrong.

One small rule set declares a fact of each type; tests feed it facts as Python
mappings, YAML files and JSON files, and check the scores or the FactsError
(by key substrings and, for files, by file:line:col).
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cchc_rules
from cchc_rules import FactsError, Result, RuleSet
from cchc_rules.source import Span, unshowable

RULES = """\
ruleset "T" total 10 rounding 3 half_up
fact ho_so_tiep_nhan: count "Tổng số hồ sơ tiếp nhận" unit "hồ sơ"
fact ho_so_dung_han: count "Số hồ sơ giải quyết đúng hạn" unit "hồ sơ" max ho_so_tiep_nhan
fact doi_thoai: count "Số cuộc đối thoại" min 0 max 12
fact co_ke_hoach: boolean "Có kế hoạch CCHC"
fact ngay_ban_hanh: date "Ngày ban hành kế hoạch"
fact ty_le: percent "Tỷ lệ văn bản điện tử"
fact xep_loai: choice("tốt", "khá", "trung bình") "Xếp loại"
fact von_a: decimal "Vốn nguồn A" min 0
fact von_b: decimal "Vốn nguồn B" min 0 max 100.5
fact co_xin_loi: boolean "Có văn bản xin lỗi" default true
fact ty_le_mac_dinh: percent "Tỷ lệ mặc định" default 80%

1 "A": max 10
1.1 "Hồ sơ đúng hạn": max 2
  score = max * ratio(ho_so_dung_han, ho_so_tiep_nhan, zero: full)
  reason "Chỉ {ho_so_dung_han}/{ho_so_tiep_nhan} hồ sơ đúng hạn"
1.2 "Đối thoại": max 1
  score = if doi_thoai >= 5 then max else 0
  reason "Chỉ {doi_thoai} cuộc đối thoại"
1.3 "Kế hoạch": max 2
  score = if co_ke_hoach and ngay_ban_hanh <= 2023-01-31 then max else 0
  reason "Kế hoạch: {co_ke_hoach}, ngày {ngay_ban_hanh}"
1.4 "Văn bản điện tử": max 2
  score = max * ty_le
  reason "Chỉ đạt {ty_le}"
1.5 "Xếp loại": max 1
  score = if xep_loai = "tốt" then max else 0
  reason "Xếp loại {xep_loai}"
1.6 "Vốn": max 1
  score = if von_a + von_b = 0.3 then max else 0
  reason "Vốn {von_a} + {von_b}"
1.7 "Xin lỗi": max 1
  score = if co_xin_loi and ty_le_mac_dinh >= 80% then max else 0
  reason "Không xin lỗi"
"""

GOOD: dict[str, Any] = {
    "ho_so_tiep_nhan": 10,
    "ho_so_dung_han": 8,
    "doi_thoai": 5,
    "co_ke_hoach": True,
    "ngay_ban_hanh": "2023-01-15",
    "ty_le": "75%",
    "xep_loai": "tốt",
    "von_a": "0.1",
    "von_b": "0.2",
}

GOOD_YAML = """\
ho_so_tiep_nhan: 10
ho_so_dung_han: 8
doi_thoai: 5
co_ke_hoach: có
ngay_ban_hanh: 2023-01-15
ty_le: 75%
xep_loai: tốt
von_a: 0.1
von_b: 0.2
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    path = tmp_path_factory.mktemp("rules") / "r.cchc"
    path.write_text(RULES, encoding="utf-8")
    return cchc_rules.load(path)


def facts(**changes: Any) -> dict[str, Any]:
    """The good facts with some values changed (None removes a fact)."""
    out = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def scores(result: Result) -> dict[str, str]:
    return {node_id: str(node.score) for node_id, node in result.nodes.items()}


def write(tmp_path: Path, text: str | bytes, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error(rules: RuleSet, given: Any) -> str:
    """The message of the FactsError evaluating `given` raises."""
    with pytest.raises(FactsError) as info:
        rules.evaluate(given)
    message = str(info.value)
    assert "Traceback" not in message
    return message


EXPECTED = {
    "1": "9.1",
    "1.1": "1.6",
    "1.2": "1",
    "1.3": "2",
    "1.4": "1.5",
    "1.5": "1",
    "1.6": "1",
    "1.7": "1",
}


# ---- the forms of a facts input --------------------------------------------------------------


def test_mapping(rules: RuleSet) -> None:
    result = rules.evaluate(GOOD)
    assert scores(result) == EXPECTED
    assert (str(result.score), str(result.max), result.unit) == ("9.1", "10", "")


def test_numbers_from_numpy_and_fractions_are_read_exactly(rules: RuleSet) -> None:
    """An analyst's values come from pandas or numpy: numpy's float64 is a float whose repr is
    `np.float64(0.1)` (that crashed with decimal.InvalidOperation), its integers are not ints."""
    from fractions import Fraction

    np = pytest.importorskip("numpy")
    expected = scores(rules.evaluate(GOOD))
    given = facts(
        ho_so_tiep_nhan=np.int64(10),
        doi_thoai=np.int32(5),
        von_a=np.float64(0.1),
        von_b=np.float32(0.2),  # the digits it prints, 0.2, not the binary 0.20000000298...
        co_ke_hoach=np.bool_(True),
    )
    assert scores(rules.evaluate(given)) == expected  # 1.6 needs von_a + von_b = 0.3 exactly
    assert scores(rules.evaluate(facts(von_a=Fraction(1, 10), von_b=Fraction(1, 5)))) == expected
    message = error(rules, facts(von_a=Fraction(1, 3)))
    assert "`1/3` không viết được thành số thập phân hữu hạn" in message
    assert "cần một số, không phải có/không" in error(rules, facts(doi_thoai=np.bool_(True)))


def test_plain_yaml_file(rules: RuleSet, tmp_path: Path) -> None:
    result = rules.evaluate(write(tmp_path, GOOD_YAML))
    assert scores(result) == EXPECTED
    assert result.facts["von_a"] == "0.1" and result.facts["ty_le"] == "0.75"
    assert result.facts["ngay_ban_hanh"] == "2023-01-15"


def test_yaml_path_as_str(rules: RuleSet, tmp_path: Path) -> None:
    assert scores(rules.evaluate(str(write(tmp_path, GOOD_YAML)))) == EXPECTED


def test_structured_yaml_with_unit(rules: RuleSet, tmp_path: Path) -> None:
    body = "".join(f"  {line}\n" for line in GOOD_YAML.splitlines())
    path = write(tmp_path, f'unit: "UBND xã Thanh Thủy"\nyear: 2023\nfacts:\n{body}')
    result = rules.evaluate(path)
    assert result.unit == "UBND xã Thanh Thủy"
    assert scores(result) == EXPECTED


def test_structured_mapping(rules: RuleSet) -> None:
    result = rules.evaluate({"unit": "Xã A", "facts": GOOD})
    assert (result.unit, scores(result)) == ("Xã A", EXPECTED)


def test_fact_with_evidence(rules: RuleSet, tmp_path: Path) -> None:
    text = GOOD_YAML.replace(
        "doi_thoai: 5\n",
        'doi_thoai:\n  value: 2\n  document: "Số 12/BC-UBND"\n  date: 2023-12-01\n  note: "Biên bản đối thoại"\n',
    )
    result = rules.evaluate(write(tmp_path, text))
    assert str(result["1.2"].score) == "0"
    trace = result["1.2"].trace
    assert trace is not None
    (use,) = [f for f in trace.facts if f.name == "doi_thoai"]
    assert (use.value, use.shown, use.type) == ("2", "2", "count")
    assert "Số 12/BC-UBND" in use.evidence and "01/12/2023" in use.evidence and "Biên bản đối thoại" in use.evidence
    assert use.description == "Số cuộc đối thoại"


def test_fact_with_evidence_in_a_mapping(rules: RuleSet) -> None:
    given = facts(ty_le={"value": "50%", "document": "Báo cáo số 7", "note": "trang 3"})
    result = rules.evaluate(given)
    assert str(result["1.4"].score) == "1"
    trace = result["1.4"].trace
    assert trace is not None
    (use,) = trace.facts
    assert (use.name, use.shown, use.evidence) == ("ty_le", "50%", "Báo cáo số 7; trang 3")


def test_evidence_mapping_without_value(rules: RuleSet) -> None:
    message = error(rules, facts(doi_thoai={"note": "quên giá trị"}))
    assert "doi_thoai" in message and "value" in message


def test_evidence_with_a_misspelt_field(rules: RuleSet) -> None:
    message = error(rules, facts(doi_thoai={"value": 5, "documnet": "Số 1"}))
    assert "documnet" in message and "có phải ý bạn là `document`" in message


def test_json_file_keeps_decimals_exact(rules: RuleSet, tmp_path: Path) -> None:
    data = dict(GOOD, ngay_ban_hanh="2023-01-15", ty_le=75, co_ke_hoach=True)
    text = json.dumps(data, ensure_ascii=False).replace('"0.1"', "0.1").replace('"0.2"', "0.2")
    assert '"von_a": 0.1' in text
    result = rules.evaluate(write(tmp_path, text, "facts.json"))
    assert str(result["1.6"].score) == "1"  # 0.1 + 0.2 = 0.3 exactly
    assert (result.facts["von_a"], result.facts["von_b"]) == ("0.1", "0.2")
    assert scores(result) == EXPECTED


def test_yaml_decimals_are_exact(rules: RuleSet, tmp_path: Path) -> None:
    result = rules.evaluate(write(tmp_path, GOOD_YAML))
    assert str(result["1.6"].score) == "1"


def test_python_floats_are_read_as_their_decimal_text(rules: RuleSet) -> None:
    assert str(rules.evaluate(facts(von_a=0.1, von_b=0.2))["1.6"].score) == "1"
    assert str(rules.evaluate(facts(von_a=Decimal("0.1"), von_b=Decimal("0.2")))["1.6"].score) == "1"


# ---- missing, optional and unknown facts -----------------------------------------------------


def test_every_missing_fact_is_listed_in_one_error(rules: RuleSet) -> None:
    with pytest.raises(FactsError) as info:
        rules.evaluate({"co_ke_hoach": True, "xep_loai": "khá"})
    missing = [d for d in info.value.diagnostics if "thiếu" in d.message]
    assert len(missing) == 1
    message = str(info.value)
    assert "thiếu 7 dữ kiện" in message
    for name, description, used_in in [
        ("ho_so_tiep_nhan", "Tổng số hồ sơ tiếp nhận", "1.1"),
        ("ho_so_dung_han", "Số hồ sơ giải quyết đúng hạn", "1.1"),
        ("doi_thoai", "Số cuộc đối thoại", "1.2"),
        ("ngay_ban_hanh", "Ngày ban hành kế hoạch", "1.3"),
        ("ty_le", "Tỷ lệ văn bản điện tử", "1.4"),
        ("von_a", "Vốn nguồn A", "1.6"),
        ("von_b", "Vốn nguồn B", "1.6"),
    ]:
        line = next(line for line in message.splitlines() if f"- {name}:" in line)
        assert description in line and used_in in line, line
    assert "co_xin_loi" not in message and "ty_le_mac_dinh" not in message  # they have defaults
    assert "co_ke_hoach:" not in message and "xep_loai:" not in message


def test_the_missing_facts_are_given_as_data_and_stay_out_of_json(rules: RuleSet) -> None:
    """Callers (a workbook's blank cells) read the missing facts from `missing`, not from the message's words;
    the field is not part of a diagnostic's JSON, nor of what the user reads."""
    with pytest.raises(FactsError) as info:
        rules.evaluate({"co_ke_hoach": True, "xep_loai": "khá"})
    (f002,) = [d for d in info.value.diagnostics if d.code == "F002"]
    expected = ("ho_so_tiep_nhan", "ho_so_dung_han", "doi_thoai", "ngay_ban_hanh", "ty_le", "von_a", "von_b")
    assert f002.missing == expected  # in the order of the declarations, as listed
    assert "missing" not in f002.model_dump(mode="json")
    assert f002.model_copy(update={"hint": "x"}).missing == expected  # kept when a caller rewrites the hint
    assert all(not d.missing for d in info.value.diagnostics if d.code != "F002")


def test_defaults_make_a_fact_optional(rules: RuleSet) -> None:
    result = rules.evaluate(GOOD)
    assert str(result["1.7"].score) == "1"
    assert result.facts["co_xin_loi"] is True and result.facts["ty_le_mac_dinh"] == "0.8"
    trace = result["1.7"].trace
    assert trace is not None and all(use.defaulted for use in trace.facts)
    result = rules.evaluate(facts(co_xin_loi="không"))
    assert str(result["1.7"].score) == "0"


def test_a_value_left_empty_takes_the_default_as_a_blank_cell_does(rules: RuleSet, tmp_path: Path) -> None:
    """`co_xin_loi: null` (JSON) or `co_xin_loi:` with nothing after it (YAML) was refused, where a blank
    cell of a workbook takes the default: an empty value is no value, and a declared default fills it."""
    result = rules.evaluate({**GOOD, "co_xin_loi": None, "ty_le_mac_dinh": None})
    assert result.facts["co_xin_loi"] is True and result.facts["ty_le_mac_dinh"] == "0.8"
    trace = result["1.7"].trace
    assert trace is not None and all(use.defaulted for use in trace.facts)
    path = write(tmp_path, GOOD_YAML + "co_xin_loi:\n")
    assert rules.evaluate(path).facts["co_xin_loi"] is True
    # A fact without a default has no value to take: said as such, not as missing.
    assert "`doi_thoai`" in error(rules, {**GOOD, "doi_thoai": None})
    assert "không phải giá trị trống" in error(rules, {**GOOD, "doi_thoai": None})


def test_unknown_fact_with_a_suggestion(rules: RuleSet) -> None:
    message = error(rules, facts(doi_thaoi=3))
    assert "doi_thaoi" in message and "không được khai báo" in message
    assert "có phải ý bạn là `doi_thoai`" in message


def test_unknown_fact_in_a_yaml_file_points_at_its_line(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_YAML + "ho_so_dung_hanh: 3\n")
    message = error(rules, path)
    assert f"{path}:10:1" in message
    assert "có phải ý bạn là `ho_so_dung_han`" in message


def test_misspelt_fact_is_both_unknown_and_missing(rules: RuleSet) -> None:
    given = facts(doi_thoai=None, doi_thaoi=3)
    message = error(rules, given)
    assert "có phải ý bạn là `doi_thoai`" in message
    assert "thiếu 1 dữ kiện" in message and "- doi_thoai: Số cuộc đối thoại" in message


# ---- wrong values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("von_a", "von_b", "words"),
    [
        ("1.500,5", "12.100", ["`von_b`: `12.100` có hai cách hiểu: 12,100 hoặc 12100", "(`1.500,5` ở `von_a`)"]),
        ("1.500,5", Decimal("12.100"), ["`von_b`: `12.100` có hai cách hiểu"]),  # unquoted in YAML
        ("1,500.5", "17,748", ["`von_b`: `17,748` có hai cách hiểu: 17,748 hoặc 17748", "hoặc 17.748 với dấu chấm"]),
    ],
)
def test_a_decimal_against_the_file_s_own_thousands_mark_is_refused(
    rules: RuleSet, von_a: Any, von_b: Any, words: list[str]
) -> None:
    """12.100 alone is 12,1; in a file writing 1.500,5 it most likely means 12 100: asked, not guessed."""
    message = error(rules, facts(von_a=von_a, von_b=von_b))
    assert "F003" in message
    for word in words:
        assert word in message


def test_a_decimal_point_is_still_read_where_the_file_shows_no_thousands_mark(rules: RuleSet) -> None:
    result = rules.evaluate(facts(von_a="0.100", von_b="0,200"))
    assert (result.facts["von_a"], result.facts["von_b"]) == ("0.1", "0.2")
    # 0.125 groups no thousands, whatever else the file writes
    result = rules.evaluate(facts(ho_so_tiep_nhan="1.234.567", von_a="0.125"))
    assert result.facts["von_a"] == "0.125"


def test_a_count_shows_the_file_s_thousands_mark_too(rules: RuleSet) -> None:
    message = error(rules, facts(ho_so_tiep_nhan="1.234.567", von_a="12.100"))
    assert "`von_a`: `12.100` có hai cách hiểu" in message and "(`1.234.567` ở `ho_so_tiep_nhan`)" in message


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("doi_thoai", "mười", ["doi_thoai", "Số cuộc đối thoại; kiểu số nguyên ≥ 0", "`mười` không phải một số"]),
        # the hint's examples are of the fact's own kind: whole numbers for a count, a % for a percentage
        ("doi_thoai", "mười", ["gợi ý: viết số nguyên bằng chữ số, vd 1340 hoặc 1.340.000"]),
        ("ty_le", "nhiều", ["gợi ý: viết tỷ lệ bằng chữ số và dấu %, vd 75% hoặc 87,5%"]),
        ("ty_le", "bảy lăm%", ["`bảy lăm` không phải một số", "vd 75% hoặc 87,5%"]),
        ("von_a", "một trăm", ["vd 17.748 hoặc 17,748 (số thập phân), 1340 hoặc 1.340.000 (số nguyên)"]),
        ("doi_thoai", 2.5, ["doi_thoai", "cần một số nguyên", "không phải 2,5"]),
        ("doi_thoai", "2,5", ["doi_thoai", "cần một số nguyên"]),
        ("doi_thoai", True, ["doi_thoai", "không phải có/không"]),
        ("ho_so_tiep_nhan", -1, ["ho_so_tiep_nhan", "-1", "nhỏ hơn giới hạn 0"]),
        ("co_ke_hoach", "có lẽ", ["co_ke_hoach", "cần có/không"]),
        ("co_ke_hoach", 2, ["co_ke_hoach", "cần có/không"]),
        ("ty_le", "nhiều", ["ty_le", "không phải một số"]),
        # a bare number of at most 1: 0,75 % as written, 75 % as most who write it mean; asked, not guessed
        ("ty_le", 0.75, ["ty_le", "kiểu tỷ lệ %", "`0,75` không có dấu %: không rõ là 0,75% hay 75%"]),
        ("ty_le", "0,5", ["ty_le", "không rõ là 0,5% hay 50%", "viết rõ `0,5%` hoặc `50%`"]),
        ("ty_le", 1, ["ty_le", "không rõ là 1% hay 100%"]),
        ("ngay_ban_hanh", "31/02/2023", ["ngay_ban_hanh", "ngày `31/02/2023` không có thật"]),
        ("ngay_ban_hanh", "hôm qua", ["ngay_ban_hanh", "cần một ngày"]),
        ("von_a", "một trăm", ["von_a", "không phải một số"]),
    ],
)
def test_wrong_type(rules: RuleSet, name: str, value: Any, words: list[str]) -> None:
    message = error(rules, facts(**{name: value}))
    for word in words:
        assert word in message


def test_a_count_written_in_words_gets_no_decimal_examples(rules: RuleSet) -> None:
    message = error(rules, facts(doi_thoai="bốn"))
    assert "số nguyên" in message and "17,748" not in message and "thập phân" not in message


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("doi_thoai", 13, ["doi_thoai", "13", "lớn hơn giới hạn 12", "từ 0 đến 12"]),
        ("von_a", "-0.5", ["von_a", "= -0,5", "nhỏ hơn giới hạn 0"]),  # numbers as the commune writes them
        ("von_b", "100.51", ["von_b", "lớn hơn giới hạn 100,5", "từ 0 đến 100,5"]),
        ("ty_le", "100.5%", ["ty_le", "100,5%", "lớn hơn giới hạn 100%"]),
        ("ty_le", "-1%", ["ty_le", "nhỏ hơn giới hạn 0%"]),
    ],
)
def test_out_of_declared_bounds(rules: RuleSet, name: str, value: Any, words: list[str]) -> None:
    message = error(rules, facts(**{name: value}))
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("good", "bad"), [("doi_thoai: 5", "doi_thoai: mười"), ("ho_so_tiep_nhan: 10", "ho_so_tiep_nhan: -1")]
)
def test_a_wrong_value_in_a_file_shows_its_line_with_a_caret(
    rules: RuleSet, tmp_path: Path, good: str, bad: str
) -> None:
    text = GOOD_YAML.replace(good, bad)
    assert text != GOOD_YAML
    path = write(tmp_path, text)
    message = error(rules, path)
    line = text.split("\n").index(bad) + 1
    value = bad.split(": ")[1]
    column = bad.index(value) + 1  # the caret is under the value, not the fact's name
    carets = " " * (column - 1) + "^" * len(value)
    assert f"{path}:{line}:{column}: lỗi [F003]" in message and f"\n    {bad}\n    {carets}\n" in message, message


def test_a_wrong_value_in_a_fact_table_is_pointed_at_after_value(rules: RuleSet, tmp_path: Path) -> None:
    """`doi_thoai: {value: mười, document: ...}`: the caret is under the value written (a round's: test_rounds)."""
    table = GOOD_YAML.replace("doi_thoai: 5", 'doi_thoai:\n    value: mười\n    document: "Biên bản"')
    assert table != GOOD_YAML
    message = error(rules, write(tmp_path, table))
    assert ":5: lỗi [F003]" not in message and "\n        value: mười\n               ^^^^\n" in message, message


@pytest.mark.parametrize(("name", "value"), [("doi_thoai", 12), ("doi_thoai", 0), ("von_b", "100.5"), ("ty_le", 100)])
def test_bounds_are_inclusive(rules: RuleSet, name: str, value: Any) -> None:
    rules.evaluate(facts(**{name: value}))


def test_constraint_between_facts(rules: RuleSet) -> None:
    message = error(rules, facts(ho_so_tiep_nhan=10, ho_so_dung_han=11))
    assert "ho_so_dung_han" in message and "ho_so_tiep_nhan" in message
    assert "11" in message and "10" in message and "lớn hơn" in message
    assert str(rules.evaluate(facts(ho_so_tiep_nhan=11, ho_so_dung_han=11))["1.1"].score) == "2"


def test_constraint_between_facts_in_a_yaml_file(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_YAML.replace("ho_so_dung_han: 8", "ho_so_dung_han: 18"))
    message = error(rules, path)
    assert f"{path}:2:1" in message
    assert "ho_so_dung_han" in message and "ho_so_tiep_nhan = 10" in message


def test_all_wrong_values_are_reported_together(rules: RuleSet) -> None:
    with pytest.raises(FactsError) as info:
        rules.evaluate(facts(doi_thoai="mười", co_ke_hoach="có lẽ", xep_loai="giỏi"))
    message = str(info.value)
    assert "doi_thoai" in message and "co_ke_hoach" in message and "xep_loai" in message
    assert len(info.value.diagnostics) == 3


# ---- how values may be written -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("có", "2"),
        ("Có", "2"),
        ("không", "0"),
        ("KHÔNG", "0"),
        ("true", "2"),
        ("false", "0"),
        (True, "2"),
        (False, "0"),
        ("yes", "2"),
        ("no", "0"),
    ],
)
def test_booleans(rules: RuleSet, written: Any, expected: str) -> None:
    assert str(rules.evaluate(facts(co_ke_hoach=written))["1.3"].score) == expected


@pytest.mark.parametrize(
    ("name", "written", "said"),
    [
        ("co_ke_hoach", None, "cần có/không (true/false), không phải giá trị trống"),
        ("co_ke_hoach", "", "cần có/không (true/false), không phải một chuỗi trống"),
        ("co_ke_hoach", "  ", "cần có/không (true/false), không phải một chuỗi trống"),
        ("co_ke_hoach", 5, "cần có/không (true/false), không phải `5`"),
        ("co_ke_hoach", "có lẽ", "cần có/không (true/false), không phải `có lẽ`"),
        ("co_ke_hoach", [True], "cần có/không (true/false), không phải một danh sách"),
        ("doi_thoai", "", "cần một số, không phải một chuỗi trống"),
    ],
)
def test_an_empty_or_odd_value_is_named_in_words_not_as_python_writes_it(
    rules: RuleSet, name: str, written: Any, said: str
) -> None:
    """A JSON `null` or `""` said `None` or ``, Python's words, where a commune official reads them."""
    with pytest.raises(FactsError) as info:
        rules.evaluate({**GOOD, name: written})  # not `facts()`, where None removes the fact
    (problem,) = info.value.diagnostics
    assert problem.message.endswith(said), problem.message
    assert "None" not in problem.message and "``" not in problem.message


@pytest.mark.parametrize(("written", "expected"), [("có", "2"), ("không", "0"), ("true", "2"), ("false", "0")])
def test_booleans_in_yaml(rules: RuleSet, tmp_path: Path, written: str, expected: str) -> None:
    path = write(tmp_path, GOOD_YAML.replace("co_ke_hoach: có", f"co_ke_hoach: {written}"))
    assert str(rules.evaluate(path)["1.3"].score) == expected


@pytest.mark.parametrize(
    ("written", "fraction", "score"),
    [
        ("75%", "0.75", "1.5"),
        ("75,5%", "0.755", "1.51"),
        ("75.5%", "0.755", "1.51"),
        (75, "0.75", "1.5"),
        ("75", "0.75", "1.5"),
        (Decimal("75.5"), "0.755", "1.51"),
        ("100%", "1", "2"),
        ("0%", "0", "0"),
    ],
)
def test_percents(rules: RuleSet, written: Any, fraction: str, score: str) -> None:
    result = rules.evaluate(facts(ty_le=written))
    assert (result.facts["ty_le"], str(result["1.4"].score)) == (fraction, score)


@pytest.mark.parametrize(
    ("written", "fraction"),
    [("75%", "0.75"), ("75,5%", "0.755"), ("75", "0.75"), ("75.5", "0.755"), ("75.5%", "0.755")],
)
def test_percents_in_yaml(rules: RuleSet, tmp_path: Path, written: str, fraction: str) -> None:
    path = write(tmp_path, GOOD_YAML.replace("ty_le: 75%", f"ty_le: {written}"))
    assert rules.evaluate(path).facts["ty_le"] == fraction


def test_percent_shown_in_reasons(rules: RuleSet) -> None:
    assert rules.evaluate(facts(ty_le="75,5%"))["1.4"].reasons == ("Chỉ đạt 75,5%",)


@pytest.mark.parametrize(
    ("written", "score"),
    [
        ("2023-01-31", "2"),
        ("31/01/2023", "2"),
        ("1/2/2023", "0"),
        ("01/02/2023", "0"),
        (datetime.date(2023, 1, 31), "2"),
        (datetime.datetime(2023, 2, 1, 8, 30), "0"),
    ],
)
def test_dates(rules: RuleSet, written: Any, score: str) -> None:
    result = rules.evaluate(facts(ngay_ban_hanh=written))
    assert str(result["1.3"].score) == score


@pytest.mark.parametrize(("written", "iso"), [("2023-10-31", "2023-10-31"), ("31/10/2023", "2023-10-31")])
def test_dates_in_yaml(rules: RuleSet, tmp_path: Path, written: str, iso: str) -> None:
    path = write(tmp_path, GOOD_YAML.replace("ngay_ban_hanh: 2023-01-15", f"ngay_ban_hanh: {written}"))
    result = rules.evaluate(path)
    assert result.facts["ngay_ban_hanh"] == iso
    assert result["1.3"].reasons == ("Kế hoạch: có, ngày 31/10/2023",)


def test_choice(rules: RuleSet) -> None:
    assert str(rules.evaluate(facts(xep_loai="tốt"))["1.5"].score) == "1"
    assert str(rules.evaluate(facts(xep_loai="trung bình"))["1.5"].score) == "0"


@pytest.mark.parametrize(
    ("written", "meant", "score"),
    [("Tốt", "tốt", "1"), (" TỐT ", "tốt", "1"), ("trung  bình", "trung bình", "0"), ("Trung Bình", "trung bình", "0")],
)
def test_a_choice_in_another_case_or_spacing_is_the_choice(
    rules: RuleSet, written: str, meant: str, score: str
) -> None:
    """As Excel's drop-down in the template lets it through: `Tốt` is `tốt`, and is shown as declared."""
    result = rules.evaluate(facts(xep_loai=written))
    assert result.facts["xep_loai"] == meant and str(result["1.5"].score) == score


def test_choice_not_among_the_options(rules: RuleSet) -> None:
    message = error(rules, facts(xep_loai="tot"))
    assert "xep_loai" in message and "`tot` không nằm trong các lựa chọn" in message
    assert "tốt, khá, trung bình" in message
    assert "có phải `tốt`?" in message


def test_choice_not_among_the_options_in_yaml(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_YAML.replace("xep_loai: tốt", "xep_loai: xuất sắc"))
    message = error(rules, path)
    assert f"{path}:7:1" in message and "xuất sắc" in message


# ---- errors found in YAML files carry their position ------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("doi_thoai: 5", "doi_thoai: năm", 3, ["doi_thoai", "không phải một số"]),
        ("doi_thoai: 5", "doi_thoai: 2.5", 3, ["doi_thoai", "cần một số nguyên"]),
        ("ho_so_tiep_nhan: 10", "ho_so_tiep_nhan: -1", 1, ["ho_so_tiep_nhan", "nhỏ hơn giới hạn 0"]),
        ("doi_thoai: 5", "doi_thoai: 13", 3, ["doi_thoai", "lớn hơn giới hạn 12"]),
        ("co_ke_hoach: có", "co_ke_hoach: chưa", 4, ["co_ke_hoach", "cần có/không"]),
        (
            "ngay_ban_hanh: 2023-01-15",
            "ngay_ban_hanh: 32/01/2023",
            5,
            ["ngay_ban_hanh", "ngày `32/01/2023` không có thật"],
        ),
    ],
)
def test_wrong_values_in_yaml_point_at_their_line(
    rules: RuleSet, tmp_path: Path, old: str, new: str, line: int, words: list[str]
) -> None:
    path = write(tmp_path, GOOD_YAML.replace(old, new))
    message = error(rules, path)
    assert f"{path}:{line}:1" in message
    for word in words:
        assert word in message


def test_wrong_value_in_structured_yaml_points_at_its_line(rules: RuleSet, tmp_path: Path) -> None:
    body = "".join(f"  {line}\n" for line in GOOD_YAML.replace("doi_thoai: 5", "doi_thoai: năm").splitlines())
    path = write(tmp_path, f'unit: "Xã A"\nfacts:\n{body}')
    message = error(rules, path)
    assert f"{path}:5:14" in message and "doi_thoai" in message


def test_duplicate_key_in_yaml(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_YAML + "doi_thoai: 6\n")
    message = error(rules, path)
    assert f"{path}:10:1" in message
    assert "`doi_thoai` xuất hiện hai lần" in message


def test_duplicate_key_in_structured_yaml(rules: RuleSet, tmp_path: Path) -> None:
    body = "".join(f"  {line}\n" for line in (GOOD_YAML + "von_a: 0.2\n").splitlines())
    path = write(tmp_path, f"facts:\n{body}")
    message = error(rules, path)
    assert f"{path}:11:3" in message and "`von_a` xuất hiện hai lần" in message


def test_duplicate_key_in_json(rules: RuleSet, tmp_path: Path) -> None:
    text = json.dumps(GOOD, ensure_ascii=False)[:-1] + ', "doi_thoai": 6}'
    message = error(rules, write(tmp_path, text, "facts.json"))
    assert "`doi_thoai` xuất hiện hai lần" in message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("doi_thoai: 5\n  co_ke_hoach: có\n", 2),
        ("doi_thoai: 5\nco_ke_hoach: [có\nty_le: 75%\n", 3),
        ('doi_thoai: 5\nxep_loai: "tốt\n', 3),
        ("doi_thoai: 5\n\tco_ke_hoach: có\n", 2),
    ],
)
def test_yaml_syntax_error(rules: RuleSet, tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, text)
    message = error(rules, path)
    assert "YAML sai cú pháp" in message
    assert f"{path}:{line}:" in message


def test_json_syntax_error(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "doi_thoai": 5,\n  "ty_le": ,\n}\n', "facts.json")
    message = error(rules, path)
    assert "JSON sai cú pháp" in message and f"{path}:3:" in message


def test_not_a_mapping(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, "- doi_thoai\n- 5\n")
    assert "tên: giá trị" in error(rules, path)


def test_non_utf8_file(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_YAML.encode("utf-8").replace("tốt".encode(), "t\xf4t".encode("latin-1")))
    message = error(rules, path)
    assert str(path) in message and "UTF-8" in message


@pytest.mark.parametrize("order", ["LE", "BE"])
def test_utf16_without_a_byte_order_mark_is_named_not_called_binary(rules: RuleSet, tmp_path: Path, order: str) -> None:
    """UTF-16 saved without its mark (NFD accents too: U+0300 has a NUL low byte) is said to be UTF-16, as
    with the mark, not "a binary file": the same words as the rule-file reader's, and the fix."""
    import unicodedata

    path = write(tmp_path, unicodedata.normalize("NFD", GOOD_YAML).encode(f"utf-16-{order.lower()}"))
    message = error(rules, path)
    assert f"{path}:1:1: lỗi [F001]: tệp không phải UTF-8" in message, message
    assert f"gợi ý: tệp được lưu bằng UTF-16 {order} (không có BOM); lưu lại bằng bảng mã UTF-8" in message
    assert "nhị phân" not in message
    ascii_only = write(tmp_path, "doi_thoai: 5\n".encode(f"utf-16-{order.lower()}"))  # valid UTF-8, NULs and all
    assert f"UTF-16 {order} (không có BOM)" in error(rules, ascii_only)


def test_what_is_taken_for_utf16_without_a_mark() -> None:
    """NULs alone do not make UTF-16: binary data has them at both places, or reads as control codes."""
    import os
    import struct

    from cchc_rules.source import utf16_without_bom

    assert utf16_without_bom("a: 1\n".encode("utf-16-le")) == "LE"
    assert utf16_without_bom('{"a": "Thủy"}'.encode("utf-16-be")) == "BE"
    assert utf16_without_bom("a: 1\n".encode("utf-16-le")[:-1] + b"\xd8") == "LE"  # a pair cut by the sample's end
    assert utf16_without_bom(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00") is None
    assert utf16_without_bom(b"".join(struct.pack("<H", n % 200) for n in range(1000))) is None  # small numbers
    assert utf16_without_bom(b"a: 1\n\x00b: 2\n") is None  # UTF-8 with a NUL
    assert utf16_without_bom(bytes(64)) is None
    noise = bytes(0 if k % 3 == 0 else byte for k, byte in enumerate(os.urandom(4096)))  # NULs at both places
    assert utf16_without_bom(noise) is None
    assert utf16_without_bom(b"a\x00") is None  # too little to tell


def test_missing_file(rules: RuleSet, tmp_path: Path) -> None:
    path = tmp_path / "khong_co.yaml"
    message = error(rules, path)
    assert str(path) in message and "không đọc được" in message


@pytest.mark.parametrize("text", ["", "\n\n", "# chỉ có chú thích\n"])
def test_empty_file_lists_every_missing_fact(rules: RuleSet, tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    message = error(rules, path)
    assert "thiếu 9 dữ kiện" in message and str(path) in message
    assert "- ho_so_tiep_nhan: Tổng số hồ sơ tiếp nhận" in message


def test_bom_and_crlf_are_accepted(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, ("\ufeff" + GOOD_YAML.replace("\n", "\r\n")).encode("utf-8"))
    assert scores(rules.evaluate(path)) == EXPECTED


def test_decomposed_unicode_is_normalised(rules: RuleSet, tmp_path: Path) -> None:
    import unicodedata

    path = write(tmp_path, unicodedata.normalize("NFD", GOOD_YAML))
    assert scores(rules.evaluate(path)) == EXPECTED


# ---- once bugs, now errors with their place --------------------------------------------------------
# An infinite number escaped as OverflowError from Fraction(Decimal('Infinity')); an unconstructible
# YAML scalar escaped as ValueError / ConstructorError; 1e999999999 made validation run forever.


@pytest.mark.parametrize(("name", "value"), [("von_a", "inf"), ("doi_thoai", "Infinity"), ("ty_le", "inf%")])
def test_infinite_number_in_a_mapping(rules: RuleSet, name: str, value: str) -> None:
    message = error(rules, facts(**{name: value}))
    assert name in message


def test_infinite_number_in_yaml(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_YAML.replace("von_a: 0.1", "von_a: inf"))
    message = error(rules, path)
    assert f"{path}:8:8" in message and "von_a" in message


def test_infinite_number_in_json(rules: RuleSet, tmp_path: Path) -> None:
    text = json.dumps(facts(von_b=None), ensure_ascii=False)[:-1] + ', "von_b": Infinity}'
    message = error(rules, write(tmp_path, text, "facts.json"))
    assert "von_b" in message


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("ngay_ban_hanh: 2023-01-15", "ngay_ban_hanh: 2023-02-30", 5),
        ("ngay_ban_hanh: 2023-01-15", "ngay_ban_hanh: 2023-13-01", 5),
        ("doi_thoai: 5", "doi_thoai: {value: 5, date: 2023-02-30}", 3),
        ("doi_thoai: 5", "doi_thoai: !!int abc", 3),
        ("doi_thoai: 5", "doi_thoai: !!python/object:os.system x", 3),
    ],
)
def test_unconstructible_yaml_scalar(rules: RuleSet, tmp_path: Path, old: str, new: str, line: int) -> None:
    path = write(tmp_path, GOOD_YAML.replace(old, new))
    message = error(rules, path)
    assert f"{path}:{line}:" in message


def test_huge_exponent_does_not_hang(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "r.cchc"
    path.write_text(RULES, encoding="utf-8")
    script = (
        "import sys, cchc_rules\n"
        "rules = cchc_rules.load(sys.argv[1])\n"
        f"facts = {dict(GOOD, von_a='1e999999999')!r}\n"
        "try:\n    rules.evaluate(facts)\n"
        "except cchc_rules.FactsError:\n    print('FactsError')\n"
        "else:\n    print('ok')\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=3, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("evaluating a fact written 1e999999999 did not finish in 3 s")
    assert done.stdout.strip() in ("FactsError", "ok"), done.stderr


def test_json_nested_too_deep_is_located_past_brackets_in_strings() -> None:
    from cchc_rules.facts import _too_deep_in_json

    text = '{"a": "[[[[ \\" [[",\n "b": [[[[1]]]]}'  # brackets (and an escaped quote) inside a string do not count
    span = _too_deep_in_json("f.json", text, limit=3)
    assert span is not None and (span.line, span.column) == (2, 9)
    assert _too_deep_in_json("f.json", text, limit=5) is None


@pytest.mark.parametrize(
    ("text", "at", "problem"),
    [
        ('{"doi_thoai": 5,\n "ty_le": "75%"\n', "2:16", "hết tệp mà dữ liệu chưa xong"),  # no closing brace
        ('{"doi_thoai": [5, 6\n\n', "1:20", "hết tệp mà dữ liệu chưa xong"),
        ('{"doi_thoai": 5,', "1:17", "hết tệp mà dữ liệu chưa xong"),  # a comma, then nothing
        ('{"xep_loai": "C:\\du-lieu"}\n', "1:17", "dấu `\\` không hợp lệ trong chuỗi"),
        ('{"doi_thoai": 5,}\n', "1:16", "dấu phẩy thừa trước `}`"),  # each Python's own wording, read alike
        ('{"doi_thoai": [5,]}\n', "1:17", "dấu phẩy thừa trước `]`"),
        ("", "1:1", "cần một giá trị ở đây"),
    ],
)
def test_json_syntax_errors_say_what_is_wrong(rules: RuleSet, tmp_path: Path, text: str, at: str, problem: str) -> None:
    path = write(tmp_path, text, "facts.json")
    assert f"{path}:{at}: lỗi [F001]: tệp JSON sai cú pháp: {problem}" in error(rules, path)


def test_every_problem_of_a_file_is_named_at_once_in_its_order(rules: RuleSet, tmp_path: Path) -> None:
    """A wrong type does not hide a broken bound, nor a missing fact the rest: one pass, the file's order."""
    text = "ho_so_tiep_nhan: 10\nho_so_dung_han: -1\ndoi_thoai: mười\nco_ke_hoach: có lẽ\nty_le: 187%\n"
    path = write(tmp_path, text)  # and four facts left out
    message = error(rules, path)
    found = [int(m) for m in re.findall(rf"^{re.escape(str(path))}:(\d+):\d+: lỗi \[F003\]", message, re.M)]
    assert found == [2, 3, 4, 5], message
    assert "nhỏ hơn giới hạn 0" in message and "lớn hơn giới hạn 100%" in message
    assert "`mười` không phải một số" in message and "cần có/không" in message
    assert message.index("F003") < message.index("thiếu 4 dữ kiện")  # what has no line comes last


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("facts: 5\n", "`facts:` phải là một bảng `tên: giá trị`"),
        ("unit: [1]\nfacts:\n  doi_thoai: 5\n", "`unit` phải là một dòng chữ"),
        ("year: {a: 1}\nfacts:\n  doi_thoai: 5\n", "`year` phải là một dòng chữ"),
    ],
)
def test_the_files_own_keys_must_have_their_shape(rules: RuleSet, tmp_path: Path, text: str, said: str) -> None:
    path = write(tmp_path, text)
    message = error(rules, path)
    assert f"{path}:1:1: lỗi [F001]: {said}" in message, message
    assert f"\n    {text.splitlines()[0]}\n    ^" in message, message  # the line, with a caret


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("doi_thoai: 5\nty_le: [\n", "tệp kết thúc giữa chừng: thiếu giá trị"),
        ("doi_thoai: - 5\n", "dấu `-` (phần tử danh sách) không đúng chỗ"),
        ("doi_thoai: 5\nxep_loai: {a\n", "thiếu `}` đóng bảng"),
        ('xep_loai: "t\\qt"\n', "dấu `\\` không hợp lệ trong chuỗi ngoặc kép"),
        ("xep_loai: @tốt\n", "ký tự không được đứng đầu một giá trị"),
        # Two communes pasted into one file, as two JSON objects or two YAML documents.
        ('{"doi_thoai": 5}\n{"doi_thoai": 4}\n', "có thêm dữ liệu sau phần dữ liệu chính, từ đây"),
        ("doi_thoai: 5\n---\ndoi_thoai: 4\n", "tệp có hai phần ngăn bởi dòng `---`"),
        # More after the data that is not a second record: each told what it is.
        ("{doi_thoai: 5}}\n", "thừa dấu `}`"),
        ("doi_thoai: 5\n---\n# hết\n", "thừa dòng `---` ở cuối tệp"),
        ('"Xã A"\ndoi_thoai: 5\n', "phần đầu tệp là một giá trị đứng riêng, nên phần sau không đọc được"),
        ("{doi_thoai: 5}\nty_le: 50%\n", "có thêm dữ liệu sau khối `{...}` đã đóng, từ đây"),
        ("doi_thoai: 5\n---\n...\n", "thừa dòng `---` ở cuối tệp"),
    ],
)
def test_yaml_problems_are_said_in_vietnamese(rules: RuleSet, tmp_path: Path, text: str, said: str) -> None:
    message = error(rules, write(tmp_path, text))
    assert f"tệp YAML sai cú pháp: {said}" in message, message
    assert "gợi ý: " in message, message  # and what to do about it
    assert not re.search(r"expected|found|but|while", message), message  # none of PyYAML's English


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("f.json", '{"facts": {"doi_thoai": 1, "xep\\ud800": 2}}', "dữ kiện `xep\\ud800` có ký tự không hiển thị"),
        ("f.json", '{"x\\ud800": 1, "facts": {}}', "`x\\ud800` có ký tự không hiển thị"),
        ("f.yaml", 'facts:\n  "xep\\e[31mDO": 2\n', "dữ kiện `xep\\u001b[31mDO` có ký tự không hiển thị"),
    ],
)
def test_a_bad_character_in_a_facts_name_is_named_escaped(
    rules: RuleSet, tmp_path: Path, name: str, text: str, said: str
) -> None:
    """The name holding it is said with the character escaped: printed as it is, a lone surrogate crashed the
    error output, and an escape code reached the terminal."""
    message = error(rules, write(tmp_path, text, name))
    assert said in message, message
    assert not unshowable(message.replace("\n", " ")), message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("f.json", '{"unit": "X", "facts": {"doi_thoai": "2\\u0007"}}'),
        ("f.json", '{"unit": "X", "doi_thoai": "2\\u0007"}'),  # the plain form
        ("f.yaml", 'unit: X\nfacts:\n  doi_thoai: "2\\a"\n'),
        # a stray key at the top beside `facts:`: its own value, not the fact's of the same name
        ("f.yaml", 'unit: X\ndoi_thoai: "2\\a"\nfacts:\n  doi_thoai: 2\n'),
        ("f.json", '{"unit": "X", "doi_thoai": "2\\u0007", "facts": {"doi_thoai": 2}}'),
    ],
)
def test_a_bad_character_in_a_value_is_shown_under_the_value(
    rules: RuleSet, tmp_path: Path, name: str, text: str
) -> None:
    """The caret sits under the value that holds the character, not under the fact's name."""
    message = error(rules, write(tmp_path, text, name))
    assert "`doi_thoai` có ký tự không hiển thị" in message, message
    lines = message.splitlines()
    marks = next(line for line in lines if line.strip().startswith("^"))
    source = lines[lines.index(marks) - 1]
    assert source[marks.index("^") :].startswith('"2\\'), message


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # month first, as an English-locale Excel or a form from abroad writes it
        ("10/31/2023", "ngày `10/31/2023` viết tháng trước ngày; viết ngày trước tháng: `31/10/2023`"),
        ("31/02/2023", "ngày `31/02/2023` không có thật"),  # no such day, whichever way round
        ("2/30/2023", "ngày `2/30/2023` không có thật"),
        # a date cell whose format was lost: Excel's serial number, 45230 days after 30/12/1899
        (45230, "cần một ngày; `45230` có vẻ là ngày 31/10/2023 bị Excel hiện thành số: viết `31/10/2023`"),
        ("45230.0", "có vẻ là ngày 31/10/2023"),
        (12345, "cần một ngày, vd 2023-10-31 hoặc 31/10/2023"),  # outside 2000-2099: not taken for a date
    ],
)
def test_a_date_written_the_other_way_round_or_as_excels_number_is_told_the_date_meant(written: Any, said: str) -> None:
    from cchc_rules.facts import read_date

    with pytest.raises(ValueError) as caught:
        read_date(written)
    assert said in str(caught.value)


@pytest.mark.parametrize("written", ["20231031", "2023-W44-2", 20231031, "2023-10-31T00:00"])
def test_only_the_two_documented_date_forms_are_dates(written: Any) -> None:
    """Python's fromisoformat reads 20231031 and 2023-W44-2 as 31/10/2023; a facts file holds 2023-10-31 or
    31/10/2023, and anything else is asked about, not guessed."""
    from cchc_rules.facts import read_date

    with pytest.raises(ValueError, match="cần một ngày"):
        read_date(written)


def test_a_fact_no_criterion_uses_any_more_is_said_so_to_both_writers(tmp_path: Path) -> None:
    """2024 removes 1.6.2, the only user of `ap_dung_sang_kien`: the rule writer is told to drop it in
    this year's file (not to edit last year's); a commune asked for it is told nothing uses it."""
    from tests.conftest import FACTS_THANH_THUY, beside_2023

    folder = beside_2023(tmp_path, "  total 72\n\nremove 1.6.2\noverride 1.6: max 2\noverride 1: max 13\n")
    rules = cchc_rules.load(folder / "2024.cchc")
    (w115,) = [w for w in rules.warnings if w.code == "W115"]
    assert (
        w115.hint
        == "bỏ nó trong bộ quy tắc năm nay: `remove fact ap_dung_sang_kien` (các đơn vị sẽ không phải ghi nó nữa)"
    )
    facts = tmp_path / "f.yaml"
    facts.write_text(
        "".join(
            line
            for line in FACTS_THANH_THUY.read_text(encoding="utf-8").splitlines(keepends=True)
            if "ap_dung_sang_kien" not in line
        ),
        encoding="utf-8",
    )
    with pytest.raises(FactsError) as caught:
        rules.evaluate(facts)
    assert "(không tiêu chí nào dùng: hỏi người viết bộ quy tắc, có thể bỏ khai báo này)" in str(caught.value)


def test_a_missing_fact_says_which_criteria_or_bounds_need_it(tmp_path: Path) -> None:
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 2 half_up\nfact tong: count "Tổng"\nfact phan: count "Phần" max tong\n'
        'fact ten: choice("a", "b") "Tên"\n1 "A": max 1\n  score = if phan >= 1 then max else 0\n'
        '  reason "Chỉ {phan}, loại {ten}"\n',
        encoding="utf-8",
    )
    message = error(cchc_rules.load(path), {"phan": 1})
    assert "- tong: Tổng (là giới hạn của `phan`)" in message
    assert "- ten: Tên (dùng ở 1)" in message  # in a reason's sentence only: still needed to write it


def test_a_result_asked_for_an_id_it_lacks_says_so_with_the_closest() -> None:
    from tests.conftest import FACTS_THANH_THUY, RULES_2023

    result = cchc_rules.load(RULES_2023).evaluate(FACTS_THANH_THUY, trace=False)
    with pytest.raises(KeyError) as caught:
        result["7.2.9"]
    assert caught.value.args[0] == "kết quả không có mục `7.2.9`; có phải ý bạn là `7.2.2`?"


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("doi_thoai", "4 cuộc", "gợi ý: viết `4`, bỏ `cuộc`: đơn vị đã có trong khai báo của dữ kiện"),
        ("ty_le", "80 phần trăm", "gợi ý: viết `80%`"),
        ("ngay_ban_hanh", "15.01.2023", "ngày `15.01.2023` cần viết với dấu /: `15/01/2023` (hoặc dạng 2023-10-31)"),
    ],
)
def test_a_number_with_its_unit_or_a_dotted_date_gets_the_form_to_write(
    rules: RuleSet, name: str, value: str, hint: str
) -> None:
    assert hint in error(rules, facts(**{name: value}))


def test_an_evidence_date_is_shown_as_every_date_is() -> None:
    """31/10/2023 beside a fact's value of 31/10/2023, not 2023-10-31 (as YAML reads `date: 2023-10-31`)."""
    from cchc_rules.facts import Evidence

    assert Evidence(document="Báo cáo số 12", date="2023-10-31").summary() == "Báo cáo số 12; 31/10/2023"
    assert Evidence(date="5/11/2023", note="bản sao").summary() == "05/11/2023; bản sao"
    assert Evidence(date="tháng 10/2023").summary() == "tháng 10/2023"  # as written when it is not a day


def test_a_json_facts_files_problems_are_shown_at_their_line(rules: RuleSet, tmp_path: Path) -> None:
    """As in a YAML file: file:line:column, the line, a caret (they were named by file alone)."""
    text = json.dumps({**GOOD, "doi_thoai": "hai"}, ensure_ascii=False, indent=2, default=str)
    line = text.split("\n").index('  "doi_thoai": "hai",') + 1
    path = write(tmp_path, text, "facts.json")
    said = error(rules, path)
    assert (
        f"{path}:{line}:16: lỗi [F003]: dữ kiện `doi_thoai`" in said
        and '\n      "doi_thoai": "hai",\n                   ^^^^^\n' in said  # under the value
    )
    nested = write(tmp_path, json.dumps({"facts": {**GOOD, "ty_le": "NaN"}}, indent=1, default=str), "nested.json")
    assert re.search(rf"{re.escape(str(nested))}:\d+:12: lỗi \[F003\]: dữ kiện `ty_le`", error(rules, nested))
    twice = write(tmp_path, '{\n  "doi_thoai": 2,\n  "ty_le": "50%",\n  "doi_thoai": 3\n}\n', "twice.json")
    assert f"{twice}:4:3: lỗi [F001]: khoá `doi_thoai` xuất hiện hai lần (lần đầu ở dòng 2)" in error(rules, twice)
    # twice inside a round's facts, whose names repeat the top facts' names: the round's pair is named
    nested_twice = write(
        tmp_path,
        '{\n  "doi_thoai": 2,\n  "rounds": [\n    {"facts": {\n      "doi_thoai": 3,\n'
        '      "doi_thoai": 4\n    }}\n  ]\n}\n',
        "nested-twice.json",
    )
    said = error(rules, nested_twice)
    assert f"{nested_twice}:6:7: lỗi [F001]: khoá `doi_thoai` xuất hiện hai lần (lần đầu ở dòng 5)" in said
    listed = write(tmp_path, "[1, 2]\n", "list.json")
    assert f"{listed}:1:1: lỗi [F001]: tệp dữ kiện phải là một bảng" in error(rules, listed)


def test_json_keys_are_found_past_strings_that_look_like_keys() -> None:
    from cchc_rules.facts import json_key_places

    text = '{"a": "x\\": {\\"b\\": 1", "c": [{"d": 1}, {"d": 2}],\n "e": {"a": "{[,:"}}'
    places = {path: [(s.line, s.column) for s in spans] for path, spans in json_key_places("f.json", text).items()}
    assert places == {
        ("a",): [(1, 2)],
        ("c",): [(1, 25)],
        ("c", 0, "d"): [(1, 32)],
        ("c", 1, "d"): [(1, 42)],
        ("e",): [(2, 2)],
        ("e", "a"): [(2, 8)],
    }
    values: dict[tuple[str | int, ...], Span] = {}
    json_key_places("f.json", text, values)
    assert {path: (s.line, s.column, s.end_column) for path, s in values.items()} == {
        ("a",): (1, 7, 23),  # a string with escaped quotes, whole
        ("c", 0, "d"): (1, 37, 38),
        ("c", 1, "d"): (1, 47, 48),
        ("e", "a"): (2, 13, 19),  # brackets inside a string are the string's
    }


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ('{"doi_thoai": "5 cuộc"}', "1:15"),  # the plain form
        ('{"facts": {\n  "doi_thoai":   -5\n}}', "2:18"),
        ('{"facts": {"doi_thoai": {"note": "x", "value": 1.5}}}', "1:48"),  # evidence: at `value`
    ],
)
def test_a_bad_json_value_is_shown_at_the_value(rules: RuleSet, tmp_path: Path, text: str, at: str) -> None:
    """As in YAML: the caret under what to change, not under the fact's name."""
    path = write(tmp_path, text, "facts.json")
    said = error(rules, path)
    assert f"{path}:{at}: lỗi [F003]: dữ kiện `doi_thoai`" in said, said


def test_a_bad_value_reached_through_a_yaml_alias_is_pointed_at_its_own_fact(rules: RuleSet, tmp_path: Path) -> None:
    """`von_b: *bad` stands for a value written under another fact: the error is at von_b's own line."""
    text = GOOD_YAML.replace("von_a: 0.1", "von_a: &bad mot").replace("von_b: 0.2", "von_b: *bad")
    message = error(rules, write(tmp_path, text))
    assert "\n    von_a: &bad mot\n           ^^^^^^^^\n" in message, message  # the anchor's value, as YAML spans it
    assert "\n    von_b: *bad\n    ^^^^^\n" in message, message


def test_a_json_facts_file_with_a_key_twice_and_a_bracket_too_many_is_a_syntax_error(
    rules: RuleSet, tmp_path: Path
) -> None:
    """Found by `make fuzz`: a repeated key makes the reader place every key while the decoder is still
    reading; a stray `}` further on crashed that (IndexError, exit 70) instead of the decoder's own error."""
    text = '{\n  "year": 2023,\n  "year": 2023,\n  "facts": {\n    "doi_thoai": 1\n  },\n  },\n  "b": 2\n}'
    message = error(rules, write(tmp_path, text, "facts.json"))
    assert ":6:4: lỗi [F001]: tệp JSON sai cú pháp: dấu phẩy thừa trước `}`" in message, message


@pytest.mark.parametrize("invisible", ["\u00a0", "\u200b"])
def test_a_fact_name_with_an_invisible_character_is_told_what_to_delete(
    rules: RuleSet, tmp_path: Path, invisible: str
) -> None:
    """`doi_thoai` with a no-break space or a zero-width space pasted after it: "did you mean `doi_thoai`?"
    looked like what was typed; the hint names the character."""
    text = GOOD_YAML.replace("doi_thoai: 5", f"doi_thoai{invisible}: 5")
    message = error(rules, write(tmp_path, text))
    code = f"U+{ord(invisible):04X}"
    assert f"gợi ý: tên có ký tự vô hình ({code}, thường do chép từ Word hay trang web): xoá để thành `doi_thoai`" in (
        message
    ), message


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ('von_a: "−0.5"', "dấu trừ viết bằng dấu gạch nối `-`: `-0.5`"),  # Word's minus sign
        ('von_a: "– 0.5"', "dấu trừ viết bằng dấu gạch nối `-`: `-0.5`"),  # an en dash, a space after it
        ('ty_le: "75％"', "viết `75%`"),  # a full-width percent sign
        ('doi_thoai: "1\u200b2"', "số có ký tự vô hình (U+200B, thường do chép từ Word hay trang web): viết `12`"),
    ],
)
def test_a_number_with_a_sign_pasted_from_word_is_told_how_to_type_it(
    rules: RuleSet, tmp_path: Path, written: str, hint: str
) -> None:
    """Rule files hint these (E001); a facts file said only "không phải một số"."""
    name = written.split(":")[0]
    text = re.sub(rf"^{name}: .*$", written, GOOD_YAML, flags=re.M)
    assert written in text
    message = error(rules, write(tmp_path, text))
    assert "không phải một số" in message and f"gợi ý: {hint}" in message, message
