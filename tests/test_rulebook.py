"""`cchc docs RULES -o DIR`: the rulebook in Markdown, checked against the rule set it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cchc_rules import ast
from cchc_rules.checks import expressions, walk
from cchc_rules.cli import main
from cchc_rules.facts import KIND_WORDS
from cchc_rules.loader import parse_source
from cchc_rules.ruleset import RuleSet, load
from cchc_rules.source import SourceFile
from tests.conftest import RULES_2023

RULES_2024 = RULES_2023.with_name("2024.cchc")
FENCE = re.compile(r"^```cchc\n(.*?)^```$", re.S | re.M)


def write_rulebook(tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]) -> str:
    out_dir = tmp_path / "so-tay"
    code = main(["docs", str(rules), "-o", str(out_dir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    target = out_dir / f"{rules.stem}.md"
    assert out == f"đã viết {target}\n"
    return target.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rules_2023() -> RuleSet:
    return load(RULES_2023)


@pytest.fixture
def book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    return write_rulebook(tmp_path, RULES_2023, capsys)


def sections(book: str) -> dict[str, str]:
    """Each criterion's section, by id: from its heading to the next heading."""
    found: dict[str, str] = {}
    parts = re.split(r"^(#{2,6} \S+ .*)$", book, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        found[heading.split()[1]] = heading + body
    return found


def test_every_criterion_has_a_heading_at_its_depth(book: str, rules_2023: RuleSet) -> None:
    checked = rules_2023.checked
    headings = re.findall(r"^(#{2,6}) (\S+) (.*) \(tối đa (.+) điểm\)$", book, flags=re.M)
    assert [h[1] for h in headings] == list(checked.order)
    for hashes, node_id, title, maximum in headings:
        crit = checked.nodes[node_id]
        assert len(hashes) == node_id.count(".") + 2
        assert title == crit.title
        assert maximum.replace(",", ".") == format(crit.max, "f")


def test_the_header_names_the_rule_set_and_its_legal_basis(book: str, rules_2023: RuleSet) -> None:
    header = rules_2023.checked.header
    assert book.startswith(f"# {header.name}\n")
    assert "Cấp: xã · Tỉnh: Hải Dương · Năm: 2023" in book
    assert "Tổng điểm tối đa: 74 điểm." in book
    assert len(header.basis) == 2
    for basis in header.basis:
        assert f"Căn cứ: {basis}" in book


def test_tier_tables_are_markdown_tables(book: str, rules_2023: RuleSet) -> None:
    by_id = sections(book)
    tiers = {
        node_id: crit.formula.expr
        for node_id, crit in rules_2023.checked.nodes.items()
        if crit.formula is not None and isinstance(crit.formula.expr, ast.Tier)
    }
    assert len(tiers) == 8
    for node_id, tier in tiers.items():
        rows = [line for line in by_id[node_id].splitlines() if line.startswith("|")]
        assert rows[:2] == ["| Khi | Điểm |", "|---|---|"], node_id
        body = rows[2:]
        assert len(body) == len(tier.rows) + (tier.otherwise is not None), node_id
        assert all(re.fullmatch(r"\| [^|]+ \| [^|]+ \|", row) for row in body), body
        assert "theo bậc của" in by_id[node_id]
    assert book.count("| Khi | Điểm |") == len(tiers)
    assert "| ≥ 100% | điểm tối đa |" in by_id["1.1.2"]
    assert "| từ 80% đến dưới 100% | 1 điểm |" in by_id["1.1.2"]
    assert "| các trường hợp khác | 0 điểm |" in by_id["1.1.2"]


def test_methods_are_said_in_words(book: str) -> None:
    by_id = sections(book)
    # ratio
    assert (
        "Cách chấm: điểm tối đa × tỷ lệ số hồ sơ TTHC tiếp nhận trực tuyến đến 31/10 trên "
        "tổng số hồ sơ TTHC tiếp nhận đến 31/10 (khi mẫu số bằng 0: không áp dụng)."
    ) in by_id["7.2.2"]
    assert "(khi mẫu số bằng 0: đủ điểm)" in by_id["3.5.2"]
    assert "(khi mẫu số bằng 0: 0 điểm)" in by_id["6.1.1"]
    # if
    assert (
        "Cách chấm: điểm tối đa nếu có kế hoạch CCHC năm, ban hành đúng thời hạn; nếu không, 0 điểm." in by_id["1.1.1"]
    )
    # deduct: each deduction by the fact's unit ("mỗi báo cáo"), not "mỗi đơn vị của"
    assert (
        "Cách chấm: trừ 0,5 điểm cho mỗi báo cáo (số báo cáo CCHC gửi chậm hoặc thiếu) từ điểm tối đa, không dưới 0."
        in book
    )
    # a parent
    assert "Cách chấm: tổng điểm các tiêu chí 1.1, 1.2, 1.3, 1.4, 1.5, 1.6." in by_id["1"]
    for word in ("if ", "then", "deduct", "ratio(", " per "):
        assert not any(word in line for line in book.splitlines() if line.startswith("Cách chấm:")), word


def test_words_keep_the_grouping_of_the_formula(book: str) -> None:
    method = next(line for line in sections(book)["3.5.2"].splitlines() if line.startswith("Cách chấm:"))
    assert "1 trừ tỷ lệ số hồ sơ bị trả lại" in method
    assert "điểm tối đa × 1 trừ" not in method


def test_facts_are_listed_with_their_units(book: str, rules_2023: RuleSet) -> None:
    checked = rules_2023.checked
    by_id = sections(book)
    with_unit = 0
    for node_id, crit in checked.nodes.items():
        used = {n.name for e in expressions(crit) for n in walk(e) if isinstance(n, ast.NameRef)}
        for name in used:
            decl = checked.facts[name]
            unit = f", đơn vị {decl.unit}" if decl.unit else ""
            given = ", được giao" if decl.given else ""
            with_unit += bool(decl.unit)
            kind = KIND_WORDS[decl.type.name]  # as the commune says it: "số nguyên ≥ 0", not "count"
            assert f"- `{name}`: {decl.description} ({kind}{unit}{given})" in by_id[node_id], name
    assert with_unit > 10
    assert "- `ho_so_dung_han`: Số hồ sơ giải quyết đúng hạn (số nguyên ≥ 0, đơn vị hồ sơ)\n" in by_id["3.4.1"]
    # the commune does not choose how many applications it receives
    given = "- `ho_so_tiep_nhan`: Tổng số hồ sơ TTHC tiếp nhận trong năm (số nguyên ≥ 0, đơn vị hồ sơ, được giao)"
    assert given in by_id["3.4.1"]


def test_every_cchc_block_parses_to_its_criterion(book: str, rules_2023: RuleSet) -> None:
    blocks = FENCE.findall(book)
    leaves = [n for n, c in rules_2023.checked.nodes.items() if c.formula is not None]
    assert len(blocks) == len(leaves) == 41
    for block in blocks:
        module = parse_source(SourceFile(name="rulebook.md", text=block))
        (crit,) = module.criteria
        assert crit == rules_2023.checked.nodes[crit.id]


def test_the_2024_rulebook_is_the_resolved_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = write_rulebook(tmp_path, RULES_2024, capsys)
    by_id = sections(book)
    assert "3.5.3" not in by_id
    assert by_id["3.6"].startswith("### 3.6 Đánh giá tác động thủ tục hành chính (tối đa 1 điểm)")
    assert by_id["7.2.2"].count("| Khi | Điểm |") == 1
    assert "*Suy luận: Minh hoạ: chấm theo bậc 80% / 50% / 20% thay cho 3 × tỷ lệ của năm 2023.*" in by_id["7.2.2"]
    assert "Căn cứ: Minh hoạ: chưa có quyết định năm 2024" in book
    assert list(by_id) == list(load(RULES_2024).checked.order)
    for block in FENCE.findall(book):
        parse_source(SourceFile(name="rulebook.md", text=block))


def test_criterion_basis_na_and_adjustments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nho.cchc"
    path.write_text(
        'ruleset "Nhỏ"\n  total 2\n  rounding 2 half_up\n'
        'fact co: boolean "Có"\nfact so: count "Số vụ" unit "vụ"\n'
        '1 "A": max 2\n  score = if co then max else 0\n  reason "Không có"\n'
        '  na when so = 0: exclude\n  basis "Điều 5, Quyết định 1/QĐ"\n'
        'penalty vi_pham "Vi phạm": max 1\n  score = if so > 0 then max else 0\n  reason "Có vi phạm"\n',
        encoding="utf-8",
    )
    code = main(["check", str(path)])
    capsys.readouterr()
    assert code == 0
    book = write_rulebook(tmp_path, path, capsys)
    assert "Căn cứ: Điều 5, Quyết định 1/QĐ" in book
    assert "Không áp dụng khi số vụ = 0: loại khỏi điểm tối đa." in book
    assert "## vi_pham Điểm trừ: Vi phạm (tối đa 1 điểm)" in book
    assert "- `so`: Số vụ (số nguyên ≥ 0, đơn vị vụ)" in book


@pytest.mark.parametrize("where", ["a-file", "a-file/below"])
def test_an_output_folder_a_file_is_in_the_way_of_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    (tmp_path / "a-file").write_text("giữ nguyên\n", encoding="utf-8")
    code = main(["docs", str(RULES_2023), "-o", str(tmp_path / where)])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and "Traceback" not in err and "lỗi nội bộ" not in err
    assert f"lỗi [O002]: {tmp_path / where}: không tạo được thư mục: " in err
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "giữ nguyên\n"


@pytest.mark.parametrize(
    ("description", "inline"),
    [
        ("Có sáng kiến", "có sáng kiến"),
        ("Số TTHC có hồ sơ", "số TTHC có hồ sơ"),
        ("Hải Dương giao vốn", "Hải Dương giao vốn"),  # a proper name keeps its capitals
        ("UBND xã ban hành", "UBND xã ban hành"),
        ("Đảng ủy xã ban hành nghị quyết", "Đảng ủy xã ban hành nghị quyết"),  # the name of a body
        ("Ủy ban nhân dân xã ban hành kế hoạch", "Ủy ban nhân dân xã ban hành kế hoạch"),
        ("Hội đồng nhân dân xã giám sát", "Hội đồng nhân dân xã giám sát"),
        ("Hội nghị đối thoại", "hội nghị đối thoại"),  # "Hội" alone is an ordinary word
    ],
)
def test_a_description_inside_a_sentence_loses_only_an_ordinary_capital(description: str, inline: str) -> None:
    from cchc_rules.render.rulebook import _inline

    assert _inline(description) == inline


def test_dates_and_a_yes_no_fact_negated_read_as_people_write_them(tmp_path: Path) -> None:
    """`≤ 2025-01-31` and "không phải (có chợ)" stood in a rulebook otherwise written with 31/01/2025."""
    from cchc_rules.render.rulebook import rulebook

    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 2 half_up\nfact ngay: date "Ngày ban hành kế hoạch"\n'
        'fact co_cho: boolean "Có chợ"\n1 "A": max 1\n  score = tier ngay\n    when <= 2025-01-31: max\n'
        '    otherwise: 0\n  reason "r"\n  na when not co_cho: exclude\n',
        encoding="utf-8",
    )
    page = rulebook(load(path).checked)
    assert "| ≤ 31/01/2025 | điểm tối đa |" in page  # the rule's own text, below it, keeps 2025-01-31
    assert "Không áp dụng khi không có chợ: loại khỏi điểm tối đa." in page


def test_a_yes_no_fact_compared_with_not_equal_reads_the_right_way(tmp_path: Path) -> None:
    """`co_cho != false` read "không có chợ", the opposite."""
    from cchc_rules.render.rulebook import rulebook

    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 2 half_up\nfact co_cho: boolean "Có chợ"\n1 "A": max 1\n'
        '  score = if co_cho != false then max else 0\n  reason "r"\n',
        encoding="utf-8",
    )
    page = rulebook(load(path).checked)
    assert "điểm tối đa nếu có chợ" in page and "không có chợ" not in page


def test_a_tier_inside_an_if_has_its_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ "theo bậc của … (bảng dưới)" must be followed by the table when the tier is the `else` of an `if`."""
    rules = tmp_path / "ke-hoach.cchc"
    rules.write_text(
        'ruleset "T" total 1 rounding 3 half_up\nfact co: boolean "Có kế hoạch"\nfact ngay: date "Ngày ban hành"\n'
        '1 "Kế hoạch": max 1\n  score = if not co then 0 else tier ngay\n    when <= 2025-01-31: max\n'
        '    when from 2025-02-01 to 2025-02-05: 0.5\n    otherwise: 0\n  reason "Ban hành ngày {ngay}"\n',
        encoding="utf-8",
    )
    book = write_rulebook(tmp_path, rules, capsys)
    assert (
        "Cách chấm: 0 điểm nếu không có kế hoạch; nếu không, theo bậc của ngày ban hành (bảng dưới).\n\n"
        "| Khi | Điểm |\n|---|---|\n| ≤ 31/01/2025 | điểm tối đa |\n| từ 01/02/2025 đến 05/02/2025 | 0,5 điểm |\n"
        "| các trường hợp khác | 0 điểm |\n"
    ) in book


def test_two_tiers_in_one_formula_each_say_whose_table_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "hai-bac.cchc"
    rules.write_text(
        'ruleset "T" total 1 rounding 3 half_up\nfact co: boolean "Có kế hoạch"\nfact a: count "Số báo cáo"\n'
        'fact b: count "Số văn bản"\n1 "Kế hoạch": max 1\n'
        "  score = if co then (tier a when >= 2: max otherwise: 0) else tier b\n    when >= 3: 0.5\n"
        '    otherwise: 0\n  reason "r"\n',
        encoding="utf-8",
    )
    book = write_rulebook(tmp_path, rules, capsys)
    assert (
        "Theo bậc của số báo cáo:\n\n| Khi | Điểm |\n|---|---|\n| ≥ 2 | điểm tối đa |\n"
        "| các trường hợp khác | 0 điểm |\n"
        "\nTheo bậc của số văn bản:\n\n| Khi | Điểm |\n|---|---|\n| ≥ 3 | 0,5 điểm |\n"
    ) in book


def test_a_fact_only_criteria_that_may_not_apply_read_says_when_it_may_be_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rulebook says which figures a commune need not give, and when; never a `na when`'s own fact."""
    from tests.test_cli import KHONG_AP_DUNG

    found = sections(write_rulebook(tmp_path, KHONG_AP_DUNG, capsys))
    assert (
        "- `giai_ngan`: Vốn đầu tư công đã giải ngân (số, đơn vị triệu đồng; để trống khi 1.1 không áp dụng)"
        in found["1.1"]
    )
    assert "- `co_von`: Có vốn đầu tư công được giao (có/không)\n" in found["1.1"]
    assert "- `doi_thoai`: Số cuộc đối thoại (số nguyên ≥ 0, đơn vị cuộc)\n" in found["3"]


@pytest.mark.parametrize(
    ("header", "na_when", "said"),
    [
        (" not_applicable full", "", "tính đủ điểm"),
        (" not_applicable full", "  na when tong = 0: exclude\n", "loại khỏi điểm tối đa"),  # its own comes first
    ],
)
def test_a_ratio_that_makes_a_criterion_not_applicable_says_how_it_is_scored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, na_when: str, said: str
) -> None:
    """`(khi mẫu số bằng 0: không áp dụng)` alone did not tell a commune whether it keeps the points."""
    rules = tmp_path / "r.cchc"
    rules.write_text(
        f'ruleset "T" total 1 rounding 3 half_up{header}\n'
        'fact tong: count "Tổng số"\nfact co: count "Số có" max tong\n'
        f'1 "A": max 1\n{na_when}  score = max * ratio(co, tong, zero: na)\n  reason "r"\n',
        encoding="utf-8",
    )
    book = write_rulebook(tmp_path, rules, capsys)
    assert f"\nKhi mẫu số bằng 0, tiêu chí không áp dụng: {said}.\n" in book
