"""Fact declarations: bounds and defaults fit the declared type, and each other."""

from __future__ import annotations

import datetime
from fractions import Fraction

from cchc_rules import ast, printer
from cchc_rules.checks import Merged
from cchc_rules.errors import Diagnostic
from cchc_rules.numbers import show, to_fraction

_NUMERIC = ("count", "integer", "decimal", "percent")
# Which literal each fact type accepts as a bound or a default.
_LITERALS: dict[str, tuple[type[ast.Node], ...]] = {
    "count": (ast.Number,),
    "integer": (ast.Number,),
    "decimal": (ast.Number,),
    "percent": (ast.Percent,),
    "boolean": (ast.Bool,),
    "date": (ast.DateLit,),
    "choice": (ast.String,),
}
_EXAMPLE = {
    "count": "5",
    "integer": "5",
    "decimal": "0.5",
    "percent": "75%",
    "boolean": "true",
    "date": "2023-10-31",
    "choice": '"một lựa chọn"',
}


def check_fact_types(rules: Merged) -> list[Diagnostic]:
    """A bound or default of the wrong kind (a count with default 75%, a boolean with min 0...)."""
    out: list[Diagnostic] = []
    kinds = {f.name: f.type.name for f in rules.facts}
    for fact in rules.facts:
        kind = fact.type.name
        accepted = _LITERALS[kind]
        for label, value in (("min", fact.min), ("max", fact.max), ("default", fact.default)):
            if value is None:
                continue
            if label != "default" and kind in ("boolean", "choice"):
                out.append(
                    rules.diag(
                        "E160", "error", value.span, f"dữ kiện `{fact.name}` kiểu {kind} không có giới hạn `{label}`"
                    )
                )
                continue
            if isinstance(value, ast.NameRef):
                other = kinds.get(value.name)
                if other is not None and (
                    (other in _NUMERIC) != (kind in _NUMERIC)
                    or (kind not in _NUMERIC and other != kind)
                    # 75% against a count of 3: no common scale (a decimal may be either)
                    or {kind, other} in ({"percent", "count"}, {"percent", "integer"})
                ):
                    out.append(
                        rules.diag(
                            "E160",
                            "error",
                            value.span,
                            f"giới hạn `{label}` của `{fact.name}` ({kind}) là `{value.name}` ({other}): khác kiểu",
                        )
                    )
                continue
            if not isinstance(value, accepted):
                out.append(
                    rules.diag(
                        "E160",
                        "error",
                        value.span,
                        f"`{label}` của dữ kiện `{fact.name}` không hợp kiểu {kind}",
                        # a bare 50 for a percentage: the percentage meant, not any example
                        "viết " + " hoặc ".join(f"`{label} {p}`" for p in printer.percent_meant(value.value))
                        if kind == "percent" and isinstance(value, ast.Number)
                        else f"viết giá trị kiểu {kind}, vd {_EXAMPLE[kind]}",
                    )
                )
            elif kind == "choice" and isinstance(value, ast.String) and value.value not in fact.type.choices:
                out.append(
                    rules.diag(
                        "E160",
                        "error",
                        value.span,
                        f'giá trị mặc định "{value.value}" không nằm trong các lựa chọn của `{fact.name}`',
                        "chọn một trong: " + ", ".join(fact.type.choices),
                    )
                )
            elif (
                kind in ("count", "integer")
                and isinstance(value, ast.Number)
                and value.value != value.value.to_integral_value()
            ):
                out.append(
                    rules.diag("E160", "error", value.span, f"`{label}` của dữ kiện `{fact.name}` phải là số nguyên")
                )
    return out


def check_fact_bounds(rules: Merged) -> list[Diagnostic]:
    """Bounds that leave no value (min above max, E161), and a default outside them (E162): every unit
    that leaves the fact out would be refused for a value the rule writer chose. The bounds are those the
    facts are read with: a count is never below 0; a percentage without its own `min` is not below 0%,
    without its own `max` not above 100%."""
    out: list[Diagnostic] = []
    for fact in rules.facts:
        kind = fact.type.name
        low, high = _value(fact.min, kind), _value(fact.max, kind)
        low_said = f"`min {printer.expr(fact.min)}`" if fact.min is not None else ""
        high_said = f"`max {printer.expr(fact.max)}`" if fact.max is not None else ""
        if kind == "count" and (low is None or low < 0):
            low, low_said = Fraction(0), "0 (dữ kiện kiểu count không âm)"
        if kind == "percent" and fact.min is None:
            low, low_said = Fraction(0), "0% (tỷ lệ không khai `min`)"
        if kind == "percent" and fact.max is None:
            high, high_said = Fraction(1), "100% (tỷ lệ không khai `max`)"
        if low is not None and high is not None and low > high:
            span = (fact.max or fact.min or fact).span
            out.append(
                rules.diag(
                    "E161",
                    "error",
                    span,
                    f"dữ kiện `{fact.name}` có giới hạn dưới {low_said} lớn hơn giới hạn trên {high_said}: "
                    "không giá trị nào hợp lệ",
                    "sửa lại hai giới hạn (có phải viết nhầm chỗ `min` và `max`?)"
                    if fact.min is not None and fact.max is not None
                    else "sửa giới hạn, hoặc khai giới hạn còn lại cho tỷ lệ, vd `max 150%`",
                )
            )
            continue
        default = _value(fact.default, kind)
        if fact.default is None or default is None:
            continue
        below = low is not None and default < low
        above = high is not None and default > high
        if below or above:
            out.append(
                rules.diag(
                    "E162",
                    "error",
                    fact.default.span,
                    f"giá trị mặc định {_shown(default, kind)} của `{fact.name}` "
                    f"{'nhỏ hơn' if below else 'lớn hơn'} giới hạn {low_said if below else high_said}: "
                    "đơn vị nào bỏ trống dữ kiện này cũng bị báo lỗi",
                    "sửa `default` cho nằm trong giới hạn (hoặc sửa giới hạn)",
                )
            )
    return out


def check_bound_cycles(rules: Merged) -> list[Diagnostic]:
    """Facts bounded by one another in a circle (E163): `fact a: count max a`, or `a max b` with `b max a`.

    A circle says nothing a single bound would not (a ≤ a; a ≤ b ≤ a is a = b), and no order of the facts
    has each fact's bounds known before it: test facts cannot be drawn for them, nor the template's checks
    be written.
    """
    decls = {fact.name: fact for fact in rules.facts}
    out: list[Diagnostic] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}

    def bounds(name: str) -> list[ast.NameRef]:
        fact = decls[name]
        return [b for b in (fact.min, fact.max) if isinstance(b, ast.NameRef) and b.name in decls]

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for bound in bounds(name):
            if state.get(bound.name) == 1:
                cycle = [*path[path.index(bound.name) :], name, bound.name] if bound.name != name else [name, name]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    said = " → ".join(f"`{n}`" for n in cycle)
                    out.append(
                        rules.diag(
                            "E163",
                            "error",
                            bound.span,
                            f"dữ kiện `{name}` bị giới hạn bởi chính nó"
                            if bound.name == name
                            else f"các dữ kiện giới hạn lẫn nhau thành vòng: {said}",
                            "bỏ giới hạn này: một dữ kiện không giới hạn được bằng chính nó"
                            if bound.name == name
                            else "giữ một giới hạn cho mỗi cặp, vd chỉ `max` ở phần (`fact phan: count ... max tong`)",
                        )
                    )
            elif bound.name not in state:
                visit(bound.name, [*path, name])
        state[name] = 2

    for name in decls:
        if name not in state:
            visit(name, [])
    return out


def _value(node: ast.Node | None, kind: str) -> Fraction | None:
    """A literal bound or default of the fact's own kind, as a number (a date: its day number); None for
    another fact's name or a literal of the wrong kind (E160 says so)."""
    if isinstance(node, ast.Number) and kind in ("count", "integer", "decimal"):
        return to_fraction(node.value)
    if isinstance(node, ast.Percent) and kind == "percent":
        return to_fraction(node.value) / 100
    if isinstance(node, ast.DateLit) and kind == "date":
        return Fraction(datetime.date.fromisoformat(node.value).toordinal())
    return None


def _shown(value: Fraction, kind: str) -> str:
    """A value as a reader writes it: 0,5; 40%; 31/12/2023 (a date is held as its day number)."""
    return show(datetime.date.fromordinal(int(value)) if kind == "date" else value, kind)
