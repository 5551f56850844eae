"""Types: numbers, percentages, counts, yes/no, dates and choices are not mixed up.

A boolean used as a number, a percentage compared with a count or with a bare
number (75 where 75% was meant), a choice compared with a value it does not
have, a condition that is not yes/no, a formula that does not give a number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cchc_rules import ast, printer
from cchc_rules.checks import Merged
from cchc_rules.errors import Diagnostic, suggest
from cchc_rules.vocabulary import YES_NO_WORDS, yes_no_fix

NUMERIC = frozenset({"number", "count", "percent", "ratio"})
_WORDS = {
    "number": "số",
    "count": "số đếm",
    "percent": "tỷ lệ phần trăm",
    "ratio": "tỷ lệ",
    "bool": "có/không",
    "date": "ngày",
    "string": "chuỗi",
    "choice": "lựa chọn",
}


@dataclass(frozen=True, slots=True)
class Type:
    """The static type of an expression; `choices` for a choice fact."""

    kind: str
    choices: tuple[str, ...] = ()
    literal: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def word(self) -> str:
        return _WORDS.get(self.kind, self.kind)


# Text, a choice and yes/no have no order: only `=` and `!=` compare them.
_UNORDERED = frozenset({"string", "choice", "bool"})

NUMBER = Type("number")
BOOL = Type("bool")
UNKNOWN = Type("unknown")


class _Checker:
    def __init__(self, rules: Merged):
        self.rules = rules
        self.facts = {f.name: f for f in reversed(rules.facts)}
        self.out: list[Diagnostic] = []
        self.crit_id = ""

    def error(self, code: str, node: ast.Node, message: str, hint: str = "") -> None:
        self.out.append(self.rules.diag(code, "error", node.span, f"tiêu chí {self.crit_id}: {message}", hint))

    def numeric(self, expr: ast.Node, what: str) -> Type:
        t = self.type(expr)
        if t.kind != "unknown" and not t.numeric:
            self.error(
                "E200",
                expr,
                f"{what} cần một số nhưng nhận {t.word}",
                "dùng `if dieu_kien then max else 0` để chấm điểm theo có/không" if t.kind == "bool" else "",
            )
        return t

    def condition(self, expr: ast.Node) -> None:
        t = self.type(expr)
        if t.kind not in ("bool", "unknown"):
            self.error(
                "E203", expr, f"điều kiện cần có/không nhưng nhận {t.word}", "so sánh giá trị, vd `so_ho_so > 0`"
            )

    def type(self, e: ast.Node) -> Type:
        if isinstance(e, ast.Number):
            return Type("number", literal=True)
        if isinstance(e, ast.Percent):
            return Type("percent", literal=True)
        if isinstance(e, ast.String):
            return Type("string", literal=True)
        if isinstance(e, ast.DateLit):
            return Type("date", literal=True)
        if isinstance(e, ast.Bool):
            return BOOL
        if isinstance(e, ast.NameRef):
            decl = self.facts.get(e.name)
            if decl is None:
                return UNKNOWN
            kind = {
                "count": "count",
                "integer": "count",
                "decimal": "number",
                "percent": "percent",
                "boolean": "bool",
                "date": "date",
                "choice": "choice",
            }[decl.type.name]
            return Type(kind, decl.type.choices)
        if isinstance(e, (ast.OwnMax, ast.CritRef)):
            return NUMBER
        if isinstance(e, ast.Neg):
            return self.numeric(e.operand, "dấu trừ")
        if isinstance(e, ast.BinOp):
            a = self.numeric(e.left, f"phép `{e.op}`")
            b = self.numeric(e.right, f"phép `{e.op}`")
            if e.op in "+-" and a.kind == b.kind == "percent":
                return Type("percent")
            if e.op in "+-" and {a.kind, b.kind} == {"percent", "number"}:
                # `ty_le - 50`: a rate runs from 0 to 1 (75% is 0,75), so a bare 50 beside it is 50 points of
                # it, and the score ends at 0 or at its maximum for every unit; `1 - ty_le` is its complement
                number = e.right if a.kind == "percent" else e.left
                if isinstance(number, ast.Number) and abs(number.value) > 1:
                    self.error(
                        "E201",
                        number,
                        f"phép `{e.op}` giữa tỷ lệ phần trăm và số {number.value}",
                        f"viết {' hoặc '.join(printer.percent_meant(number.value))} nếu ý là phần trăm",
                    )
            return NUMBER
        if isinstance(e, ast.Compare):
            self.compare(e, self.type(e.left), self.type(e.right), e.left, e.right, e.op)
            return BOOL
        if isinstance(e, (ast.And, ast.Or)):
            self.condition(e.left)
            self.condition(e.right)
            return BOOL
        if isinstance(e, ast.Not):
            self.condition(e.operand)
            return BOOL
        if isinstance(e, ast.If):
            self.condition(e.condition)
            a, b = self.type(e.then), self.type(e.otherwise)
            return a if a.kind == b.kind else (NUMBER if a.numeric and b.numeric else UNKNOWN)
        if isinstance(e, ast.Call):
            for arg in e.args:
                self.numeric(arg, f"hàm {e.func}")
            return Type("ratio") if e.func == "ratio" else NUMBER
        if isinstance(e, ast.Tier):
            subject = self.type(e.subject)
            for row in e.rows:
                test = row.test
                bounds = [test.bound] if isinstance(test, ast.TierCmp) else [test.low, test.high]
                op = test.op if isinstance(test, ast.TierCmp) else "from"  # a range orders its subject
                if op == "from" and subject.kind in _UNORDERED:
                    bounds = bounds[:1]  # one error for the row, not one per bound
                for bound in bounds:
                    self.compare(test, subject, self.type(bound), e.subject, bound, op)
                self.numeric(row.value, "giá trị của bậc")
            if e.otherwise is not None:
                self.numeric(e.otherwise, "giá trị `otherwise`")
            return NUMBER
        if isinstance(e, ast.Deduct):
            if e.start is not None:
                self.numeric(e.start, "điểm bắt đầu của deduct")
            for d in e.deductions:
                self.numeric(d.amount, "mức trừ")
                self.numeric(d.count, "số lần trừ")
            return NUMBER
        return UNKNOWN

    def share(self, e: ast.Node) -> bool:
        """Whether `e` is `ratio(part, whole, ...)` of a part declared `max whole`: always within 0 and 1."""
        if not (isinstance(e, ast.Call) and e.func == "ratio" and len(e.args) >= 2):
            return False
        part, whole = e.args[0], e.args[1]
        decl = self.facts.get(part.name) if isinstance(part, ast.NameRef) else None
        bound = decl.max if decl is not None else None
        return isinstance(bound, ast.NameRef) and isinstance(whole, ast.NameRef) and bound.name == whole.name

    def compare(self, at: ast.Node, a: Type, b: Type, left: ast.Node, right: ast.Node, op: str) -> None:
        if "unknown" in (a.kind, b.kind):
            return
        if op not in ("=", "!=") and {a.kind, b.kind} <= _UNORDERED:
            # Text and yes/no have no order: the evaluator would refuse every unit.
            word = "khoảng `from ... to`" if op == "from" else f"phép `{op}`"
            self.error(
                "E201",
                at,
                f"{word} không dùng được cho {a.word}: chỉ so sánh bằng `=` hoặc `!=`",
                'vd `trinh_do = "đại học"` hoặc `co_ke_hoach = true`',
            )
            return
        if a.numeric and b.numeric:
            kinds = {a.kind, b.kind}
            rate, number = (left, right) if self.share(left) else (right, left)
            share = isinstance(at, ast.Compare) and self.share(rate)  # a tier row's is E190's (checks/tiers)
            if share and isinstance(number, ast.Number) and number.value > 1:
                # `ratio(co_ho_so, tong, ...) >= 90`: a share of its whole runs from 0 to 1 (90% is 0,9), so
                # the condition never holds and every unit takes the same branch, as E190 says of a tier row.
                self.error(
                    "E201",
                    number,
                    f"so sánh một tỷ lệ (luôn từ 0 đến 1, tức 0% đến 100%) với số {number.value}",
                    f"viết {' hoặc '.join(printer.percent_meant(number.value))} nếu ý là phần trăm",
                )
                return
            if kinds == {"percent", "count"}:
                self.error(
                    "E201",
                    at,
                    "so sánh tỷ lệ phần trăm với số đếm",
                    "so sánh tỷ lệ với tỷ lệ, vd ratio(a, b, zero: ...) >= 75%",
                )
            elif "percent" in kinds and "number" in kinds:
                number = left if b.kind == "percent" else right
                if isinstance(number, ast.Number) and number.value != 0:
                    self.error(
                        "E201",
                        number,
                        f"so sánh tỷ lệ phần trăm với số {number.value}",
                        f"viết {' hoặc '.join(printer.percent_meant(number.value))} nếu ý là phần trăm",
                    )
            return
        if {a.kind, b.kind} <= {"string", "choice"}:
            choice, other = (a, right) if a.kind == "choice" else (b, left)
            if choice.kind == "choice" and isinstance(other, ast.String) and other.value not in choice.choices:
                close = suggest(other.value, choice.choices)
                self.error(
                    "E202",
                    other,
                    f'"{other.value}" không nằm trong các lựa chọn: {", ".join(choice.choices)}',
                    f'có phải ý bạn là "{close}"?' if close else "",
                )
            return
        if a.kind == b.kind and a.kind in ("bool", "date"):
            return
        if {a.kind, b.kind} == {"bool", "string"}:  # `co_cho = "không"`: yes/no written as a text
            text = right if isinstance(right, ast.String) else left
            fact = left if text is right else right
            said = text.value.strip().casefold() if isinstance(text, ast.String) else ""
            value = YES_NO_WORDS.get(said, {"true": True, "false": False}.get(said))
            if value is not None and isinstance(fact, ast.NameRef) and op in ("=", "!="):
                written, shorter = yes_no_fix(fact.name, op, value)
                self.error(
                    "E201",
                    at,
                    f"không so sánh được {a.word} với {b.word}",
                    f"có/không viết là `true`/`false`, không trong ngoặc kép: `{written}` (gọn hơn: `{shorter}`)",
                )
                return
        day = _written_date(right if a.kind == "date" else left) if "date" in (a.kind, b.kind) else None
        hint = f"ngày viết theo dạng năm-tháng-ngày: `{day}`" if day else ""
        self.error("E201", at, f"không so sánh được {a.word} với {b.word}", hint)


def _written_date(e: ast.Node) -> str:
    """`31/01/2025`, which reads as two divisions, as the ISO date it was meant to be ("" if it is none)."""
    if not (isinstance(e, ast.BinOp) and e.op == "/" and isinstance(e.left, ast.BinOp) and e.left.op == "/"):
        return ""
    parts = (e.left.left, e.left.right, e.right)
    if not all(isinstance(p, ast.Number) and p.value == p.value.to_integral_value() for p in parts):
        return ""
    day, month, year = (int(p.value) for p in parts if isinstance(p, ast.Number))
    try:
        return datetime.date(year, month, day).isoformat()
    except (ValueError, OverflowError):  # 31/01/99999999999999999999 is no date either
        return ""


def check_types(rules: Merged) -> list[Diagnostic]:
    """Formulas give numbers, conditions give yes/no, comparisons compare like with like."""
    checker = _Checker(rules)
    for crit in rules.criteria:
        checker.crit_id = crit.id
        if crit.formula is not None:
            t = checker.type(crit.formula.expr)
            if t.kind not in ("unknown",) and not t.numeric:
                checker.error(
                    "E204",
                    crit.formula.expr,
                    f"công thức phải cho ra một số, ở đây là {t.word}",
                    "vd `score = if co_ke_hoach then max else 0`",
                )
        for na in crit.not_applicable:
            checker.condition(na.condition)
        for reason in crit.reasons:
            if reason.condition is not None:
                checker.condition(reason.condition)
    return checker.out
