"""Fact declarations: bounds and defaults fit the declared type."""

from __future__ import annotations

from cchc_rules import ast
from cchc_rules.checks import Merged
from cchc_rules.errors import Diagnostic

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
                        f"viết giá trị kiểu {kind}, vd {_EXAMPLE[kind]}",
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
