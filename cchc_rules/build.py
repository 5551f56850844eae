"""Lark parse tree -> typed AST (`cchc_rules.ast`), with spans on every node.

Problems the grammar cannot see (an unknown rounding mode, a statement given
twice, a ratio without its zero policy...) are collected and raised together.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import Any, Literal, cast

from lark import Token, Tree

from cchc_rules import ast
from cchc_rules.errors import Diagnostic, RuleSyntaxError, suggest
from cchc_rules.limits import check_tree
from cchc_rules.source import SourceFile, Span
from cchc_rules.vocabulary import FACT_KINDS, ROUNDING_ALIASES, ROUNDING_MODES, FactKind, RoundingMode

_ZERO_POLICIES = ("full", "zero", "na")
_NA_POLICIES = ("full", "exclude")

LarkTree = Tree[Any]


class _Builder:
    def __init__(self, source: SourceFile):
        self.source = source
        self.problems: list[Diagnostic] = []
        self.mode_missing = False  # a `rounding N` without its mode: the next line was read as its mode

    # ---- helpers ---------------------------------------------------------------

    def span(self, item: LarkTree | Token) -> Span:
        # Positions lark gives are whole numbers already: no validation (see `Span`).
        if isinstance(item, Token):
            return Span.model_construct(
                file=self.source.name,
                line=item.line or 1,
                column=item.column or 1,
                end_line=item.end_line or item.line or 1,
                end_column=item.end_column or item.column or 1,
                start_pos=item.start_pos or 0,
                end_pos=item.end_pos or 0,
            )
        meta = item.meta
        if meta.empty:
            return Span.model_construct(file=self.source.name, line=1, column=1, end_line=1, end_column=1)
        return Span.model_construct(
            file=self.source.name,
            line=meta.line,
            column=meta.column,
            end_line=meta.end_line,
            end_column=meta.end_column,
            start_pos=meta.start_pos,
            end_pos=meta.end_pos,
        )

    def fail(self, at: LarkTree | Token | Span, message: str, hint: str = "", code: str = "E002") -> None:
        span = at if isinstance(at, Span) else self.span(at)
        self.problems.append(
            Diagnostic(
                code=code,
                severity="error",
                message=message,
                span=span,
                line_text=self.source.line_text(span.line),
                hint=hint,
            )
        )

    def did_you_mean(self, word: str, options: tuple[str, ...]) -> str:
        close = suggest(word, options)
        listed = ", ".join(options)
        return f"có phải ý bạn là `{close}`? (chọn một trong: {listed})" if close else f"chọn một trong: {listed}"

    @staticmethod
    def string(token: Any) -> str:
        text = str(token)[1:-1]
        # Only \" and \\ are escapes; anything else stays as written.
        return text.replace('\\"', '"').replace("\\\\", "\\")

    # ---- items -----------------------------------------------------------------

    def module(self, tree: LarkTree) -> ast.Module:
        header: ast.Header | None = None
        facts: list[ast.FactDecl] = []
        criteria: list[ast.Criterion] = []
        overrides: list[ast.Criterion] = []
        removals: list[ast.Removal] = []
        for item in tree.children:
            if item.data == "header":
                if header is not None:
                    self.fail(item, "tệp khai báo `ruleset` hai lần", "mỗi bộ quy tắc chỉ có một phần đầu `ruleset`")
                header = self.header(item)
            elif item.data == "fact_decl":
                facts.append(self.fact(item))
            elif item.data == "criterion":
                criteria.append(self.criterion(item))
            elif item.data == "adjustment":
                criteria.append(self.adjustment(item))
            elif item.data == "override":
                overrides.append(self.override(item))
            elif item.data in ("remove_criterion", "remove_fact"):
                target: Literal["criterion", "fact"] = "criterion" if item.data == "remove_criterion" else "fact"
                removals.append(
                    ast.Removal.model_construct(span=self.span(item), target=target, id=str(item.children[0]))
                )
        return ast.Module.model_construct(
            span=self.span(tree),
            file=self.source.name,
            header=header,
            facts=tuple(facts),
            criteria=tuple(criteria),
            overrides=tuple(overrides),
            removals=tuple(removals),
        )

    def override(self, tree: LarkTree) -> ast.Criterion:
        id_tok, *rest = tree.children
        title_tok = rest.pop(0) if rest and isinstance(rest[0], Token) and rest[0].type == "STRING" else None
        return self.node("criterion", id_tok, title_tok, rest, tree).model_copy(update={"override": True})

    def rounding(self, spec: LarkTree) -> ast.Rounding:
        places_tok, mode_tok = spec.children
        mode = ROUNDING_ALIASES.get(str(mode_tok), str(mode_tok))
        places_at, mode_at = cast(Token, places_tok), cast(Token, mode_tok)
        known = mode in ROUNDING_MODES
        if mode_at.line != places_at.line and not known:  # `rounding 2` then the next line's word taken for it
            line, end = places_at.line or 1, places_at.end_column or 1
            self.fail(
                Span(file=self.source.name, line=line, column=end, end_line=line, end_column=end + 1),
                f"thiếu kiểu làm tròn sau `rounding {places_tok}`",
                f"vd `rounding {places_tok} half_up`; các kiểu: {', '.join(ROUNDING_MODES)}",
            )
            self.mode_missing = True
            return ast.Rounding.model_construct(span=self.span(spec), places=0, mode="half_up")
        if mode not in ROUNDING_MODES:
            self.fail(
                mode_tok,
                f"kiểu làm tròn không có: `{mode_tok}`",
                self.did_you_mean(str(mode_tok), ROUNDING_MODES + tuple(ROUNDING_ALIASES)),
            )
            mode = "half_up"
        places = int(Decimal(str(places_tok)))
        if "." in str(places_tok) or places > 28:
            self.fail(places_tok, f"số chữ số thập phân phải là số nguyên từ 0 đến 28, không phải {places_tok}")
            places = 0
        return ast.Rounding.model_construct(span=self.span(spec), places=places, mode=cast(RoundingMode, mode))

    def na_policy(self, token: Any) -> ast.NaPolicy:
        word = str(token)
        if word not in _NA_POLICIES:
            self.fail(token, f"cách xử lý không áp dụng không có: `{word}`", self.did_you_mean(word, _NA_POLICIES))
            return "full"
        return cast(ast.NaPolicy, word)

    def header(self, tree: LarkTree) -> ast.Header:
        name_tok, *opts = tree.children
        fields: dict[str, Any] = {"basis": [], "inferred": [], "groups": []}
        for opt in opts:
            kind = opt.data
            if kind == "sep":
                continue
            if kind == "group":
                fields["groups"].append(self.group(opt))
                continue
            if kind in ("basis", "inferred"):
                fields[kind].append(self.string(opt.children[0]))
                continue
            if kind in fields and not self.mode_missing:  # after a mode missing, the next line was misread
                self.fail(opt, f"phần đầu khai báo `{kind}` hai lần")
            value = opt.children[0]
            if kind in ("level", "province", "extends"):
                fields[kind] = self.string(value)
                if kind == "extends":  # where a missing or misplaced parent is reported
                    fields["extends_span"] = self.span(opt)
            elif kind == "year":
                fields[kind] = int(Decimal(str(value)))
            elif kind == "total":
                fields[kind] = Decimal(str(value))
            elif kind in ("rounding", "percent_rounding"):
                fields[kind] = self.rounding(value)
            elif kind == "na_default":
                fields[kind] = self.na_policy(value)
        fields["basis"] = tuple(fields["basis"])
        fields["inferred"] = tuple(fields["inferred"])
        fields["groups"] = tuple(fields["groups"])
        return ast.Header.model_construct(span=self.span(tree), name=self.string(name_tok), **fields)

    def group(self, tree: LarkTree) -> ast.Group:
        name_tok, bounds = tree.children
        values = [Decimal(str(pct.children[0])) for pct in bounds.children]
        low: Decimal | None = values[0] if bounds.data != "group_under" else None
        high: Decimal | None = values[-1] if bounds.data != "group_from" else None
        return ast.Group.model_construct(
            span=self.span(tree),
            name=self.string(name_tok),
            low=low,
            high=high,
            high_open=bounds.data != "group_closed",
        )

    def fact(self, tree: LarkTree) -> ast.FactDecl:
        name_tok, type_tree, *rest = tree.children
        fields: dict[str, Any] = {}
        if rest and isinstance(rest[0], Token):
            fields["description"] = self.string(rest.pop(0))
        for opt in rest:
            kind = opt.data
            if kind == "sep":
                continue
            key = {"unit": "unit", "min_bound": "min", "max_bound": "max", "default": "default", "given": "given"}[kind]
            if key in fields:
                self.fail(opt, f"dữ kiện `{name_tok}` khai báo `{key}` hai lần")
            if key == "given":
                fields[key] = True
                continue
            if key == "unit":
                fields[key] = self.string(opt.children[0])
                continue
            value = self.expr(opt.children[0])
            if key in ("min", "max") and isinstance(value, (ast.String, ast.Bool)):  # the grammar allows them
                self.fail(
                    opt,
                    f"giới hạn `{key}` của dữ kiện `{name_tok}` phải là một số, một tỷ lệ, "
                    "một ngày hoặc tên một dữ kiện",
                    f"vd `{key} 0`, `{key} 100%`, `{key} 2023-12-31` hoặc `{key} tong_so`",
                )
                continue
            fields[key] = value
        return ast.FactDecl.model_construct(
            span=self.span(tree),
            name=str(name_tok),
            name_span=self.span(name_tok),
            type=self.fact_type(type_tree),
            **fields,
        )

    def fact_type(self, tree: LarkTree) -> ast.FactType:
        span = self.span(tree)
        if tree.data == "percent_type":
            return ast.FactType.model_construct(span=span, name="percent")
        if tree.data == "choice_type":
            choices = tuple(self.string(tok) for tok in tree.children)
            if len(set(choices)) != len(choices):
                self.fail(tree, "một lựa chọn được liệt kê hai lần")
            return ast.FactType.model_construct(span=span, name="choice", choices=choices)
        word = str(tree.children[0])
        if word not in FACT_KINDS:
            self.fail(tree, f"kiểu dữ kiện không có: `{word}`", self.did_you_mean(word, FACT_KINDS))
            word = "decimal"
        return ast.FactType.model_construct(span=span, name=cast(FactKind, word))

    def criterion(self, tree: LarkTree) -> ast.Criterion:
        id_tok, title_tok, *stmts = tree.children
        return self.node("criterion", id_tok, title_tok, stmts, tree)

    def adjustment(self, tree: LarkTree) -> ast.Criterion:
        kind_tok, name_tok, title_tok, *stmts = tree.children
        return self.node(str(kind_tok), name_tok, title_tok, stmts, tree)

    def node(self, kind: str, id_tok: Any, title_tok: Any, stmts: list[Any], tree: LarkTree) -> ast.Criterion:
        node_id = str(id_tok)
        fields: dict[str, Any] = {"reasons": [], "basis": [], "not_applicable": [], "inferred": []}
        for stmt in stmts:
            if isinstance(stmt, Token):  # the optional ":" after the title
                continue
            kind_ = stmt.data
            if kind_ == "sep":
                continue
            if kind_ == "reason_stmt":
                fields["reasons"].append(
                    ast.Reason.model_construct(span=self.span(stmt), template=self.string(stmt.children[0]))
                )
            elif kind_ == "reason_when_stmt":
                cond, text = stmt.children
                fields["reasons"].append(
                    ast.Reason.model_construct(
                        span=self.span(stmt), template=self.string(text), condition=self.expr(cond)
                    )
                )
            elif kind_ == "basis_stmt":
                fields["basis"].append(self.string(stmt.children[0]))
            elif kind_ == "inferred_stmt":
                fields["inferred"].append(self.string(stmt.children[0]))
            elif kind_ == "na_stmt":
                cond, policy = stmt.children
                fields["not_applicable"].append(
                    ast.NotApplicable.model_construct(
                        span=self.span(stmt), condition=self.expr(cond), policy=self.na_policy(policy)
                    )
                )
            else:
                key = {"max_stmt": "max", "score_stmt": "formula", "rounding_stmt": "rounding"}[kind_]
                if key in fields:
                    word = "score" if key == "formula" else key
                    self.fail(stmt, f"tiêu chí {node_id} khai báo `{word}` hai lần", "xoá một trong hai dòng")
                if key == "max":
                    fields[key] = Decimal(str(stmt.children[0]))
                elif key == "rounding":
                    fields[key] = self.rounding(stmt.children[0])
                else:
                    expr_tree = stmt.children[0]
                    espan = self.span(expr_tree)
                    fields[key] = ast.Formula.model_construct(
                        span=espan, expr=self.expr(expr_tree), text=self.source.text[espan.start_pos : espan.end_pos]
                    )
        for key in ("reasons", "basis", "not_applicable", "inferred"):
            fields[key] = tuple(fields[key])
        return ast.Criterion.model_construct(
            span=self.span(tree),
            kind=cast(Any, kind),
            id=node_id,
            id_span=self.span(id_tok),
            title=self.string(title_tok) if title_tok is not None else "",
            **fields,
        )

    # ---- expressions -------------------------------------------------------------

    def expr(self, item: LarkTree | Token) -> Any:
        if isinstance(item, Token):
            # A bare NAME where a bound is expected arrives as a token.
            return ast.NameRef.model_construct(span=self.span(item), name=str(item))
        span = self.span(item)
        kind = item.data
        ch = item.children
        if kind == "number":
            return ast.Number.model_construct(span=span, value=Decimal(str(ch[0])))
        if kind == "neg_number":
            return ast.Number.model_construct(span=span, value=-Decimal(str(ch[0])))
        if kind == "percent":
            return ast.Percent.model_construct(span=span, value=Decimal(str(ch[0])))
        if kind == "string":
            return ast.String.model_construct(span=span, value=self.string(ch[0]))
        if kind == "date":
            return self.date(ch[0], span)
        if kind == "true":
            return ast.Bool.model_construct(span=span, value=True)
        if kind == "false":
            return ast.Bool.model_construct(span=span, value=False)
        if kind == "name_ref":
            return ast.NameRef.model_construct(span=span, name=str(ch[0]))
        if kind == "own_max":
            return ast.OwnMax.model_construct(span=span)
        if kind == "crit_ref":
            return ast.CritRef.model_construct(span=span, id=str(ch[0]))
        if kind in ("binop", "compare"):
            left, op, right = ch
            text = str(op.children[0])  # the grammar admits only the operators of ArithOp and CompareOp
            if kind == "binop":
                return ast.BinOp.model_construct(
                    span=span, op=cast(ast.ArithOp, text), left=self.expr(left), right=self.expr(right)
                )
            return ast.Compare.model_construct(
                span=span, op=cast(ast.CompareOp, text), left=self.expr(left), right=self.expr(right)
            )
        if kind == "neg":
            return ast.Neg.model_construct(span=span, operand=self.expr(ch[-1]))
        if kind in ("and_", "or_"):
            cls2 = ast.And if kind == "and_" else ast.Or
            return cls2(span=span, left=self.expr(ch[0]), right=self.expr(ch[1]))
        if kind == "not_":
            return ast.Not.model_construct(span=span, operand=self.expr(ch[0]))
        if kind == "if_expr":
            return ast.If.model_construct(
                span=span, condition=self.expr(ch[0]), then=self.expr(ch[1]), otherwise=self.expr(ch[2])
            )
        if kind in ("call", "max_call"):
            return self.call(item, span)
        if kind == "tier":
            return self.tier(item, span)
        if kind == "deduct":
            return self.deduct(item, span)
        raise AssertionError(f"grammar rule without AST node: {kind}")

    def date(self, token: Any, span: Span) -> ast.DateLit:
        import datetime

        try:
            datetime.date.fromisoformat(str(token))
        except ValueError:
            self.fail(token, f"ngày không hợp lệ: {token}", "viết theo dạng năm-tháng-ngày, vd 2023-10-31")
        return ast.DateLit.model_construct(span=span, value=str(token))

    def call(self, item: LarkTree, span: Span) -> ast.Call:
        if item.data == "max_call":
            func, args = "max", item.children
        else:
            func, args = str(item.children[0]), item.children[1:]
            if func not in ast.FUNCTIONS:
                self.fail(item.children[0], f"hàm không có: `{func}`", self.did_you_mean(func, ast.FUNCTIONS))
        values = []
        options = []
        for arg in args:
            if isinstance(arg, Tree) and arg.data == "option":
                key, value = arg.children
                options.append(ast.Option.model_construct(span=self.span(arg), name=str(key), value=str(value)))
            else:
                values.append(self.expr(arg))
        self.check_call(func, values, options, item)
        return ast.Call.model_construct(span=span, func=func, args=tuple(values), options=tuple(options))

    def check_call(self, func: str, values: list[Any], options: list[ast.Option], item: LarkTree) -> None:
        arity = {"clamp": (3, 3), "ratio": (2, 2), "min": (2, 99), "max": (2, 99)}.get(func)
        if self.decimal_commas(func, values):
            return  # the arguments are miscounted: the comma said, not the count
        written = values[-1] if func == "ratio" and len(values) == 3 and not options else None
        if (
            isinstance(written, ast.Compare)
            and written.op == "="
            and isinstance(written.left, ast.NameRef)
            and written.left.name == "zero"
        ):
            # `zero=na` reads as a third argument comparing two names: one slip, said as itself, not as a
            # wrong count of arguments and a missing `zero:`.
            policy = written.right.name if isinstance(written.right, ast.NameRef) else "..."
            self.fail(
                written.span,
                f"tuỳ chọn của `ratio` viết bằng dấu hai chấm, không phải dấu `=`: `zero: {policy}`",
                f"viết `zero: {policy}`"
                if policy in _ZERO_POLICIES
                else "viết `zero: full`, `zero: zero` hoặc `zero: na`",
            )
            return
        if arity and not arity[0] <= len(values) <= arity[1]:
            need = str(arity[0]) if arity[0] == arity[1] else f"ít nhất {arity[0]}"
            self.fail(item, f"hàm `{func}` cần {need} đối số, ở đây có {len(values)}")
        for opt in options:
            if func != "ratio" or opt.name != "zero":
                self.fail(
                    opt.span, f"tuỳ chọn không có: `{opt.name}:`", "chỉ `ratio(a, b, zero: ...)` có tuỳ chọn `zero:`"
                )
            elif opt.value not in _ZERO_POLICIES:
                self.fail(
                    opt.span,
                    f"cách xử lý mẫu số bằng 0 không có: `{opt.value}`",
                    self.did_you_mean(opt.value, _ZERO_POLICIES),
                )
        if func == "ratio" and not any(o.name == "zero" for o in options):
            self.fail(
                item,
                "`ratio` phải khai báo nghĩa của mẫu số bằng 0",
                "thêm `zero: full` (đạt tối đa), `zero: zero` (0 điểm) hoặc `zero: na` (không áp dụng), "
                "vd ratio(online, total, zero: full)",
            )

    def decimal_commas(self, func: str, values: list[Any]) -> bool:
        """`min(max, 0,5 * x)`: a decimal comma between arguments reads as two of them (0 and 5 * x) and
        gives a score always 0, where outside a call it is a syntax error. A comma with a digit on both
        sides and no space is taken for one; `min(1, 2)` with its space is two arguments."""
        text = self.source.text
        found = False
        for a, b in itertools.pairwise(values):
            start, end = a.span.end_pos, b.span.start_pos
            # The argument before ends in a number (`0`, `x * 0`), the one after begins with one (`5 * x`, `5`).
            before = re.search(r"(?<![\w.])\d+(?:\.\d+)?$", text[:start]) if start is not None else None
            if before is not None and end == start + 1 and text[start] == "," and text[end].isdigit():
                whole = re.match(r"\d+", text[end:])
                written = f"{before.group(0)},{whole.group(0) if whole else ''}"
                column = a.span.end_column - len(before.group(0)) if a.span.end_line == a.span.line else 1
                self.fail(
                    Span(
                        file=a.span.file,
                        line=a.span.end_line,
                        column=column,
                        end_line=a.span.end_line,
                        end_column=column + len(written),
                        start_pos=before.start(),
                        end_pos=end + (whole.end() if whole else 0),
                    ),
                    f"`{written}` trong `{func}(...)` được đọc thành hai đối số ({written.replace(',', ' và ')})",
                    f"số thập phân viết bằng dấu chấm: `{written.replace(',', '.')}`; nếu đúng là hai đối số, "
                    f"thêm dấu cách sau dấu phẩy: `{written.replace(',', ', ')}`",
                )
                found = True
        return found

    def tier(self, item: LarkTree, span: Span) -> ast.Tier:
        subject, *rows = item.children
        out_rows = []
        otherwise = None
        for row in rows:
            if row.data == "tier_otherwise":
                otherwise = self.expr(row.children[0])
                continue
            test, value = row.children
            tspan = self.span(test)
            test_node: ast.TierCmp | ast.TierRange
            if test.data == "tier_cmp":
                test_node = ast.TierCmp.model_construct(
                    span=tspan,
                    op=cast(ast.CompareOp, str(test.children[0].children[0])),
                    bound=self.expr(test.children[1]),
                )
            else:
                test_node = ast.TierRange.model_construct(
                    span=tspan,
                    low=self.expr(test.children[0]),
                    high=self.expr(test.children[1]),
                    high_open=test.data == "tier_half_open",
                )
            out_rows.append(ast.TierRow.model_construct(span=self.span(row), test=test_node, value=self.expr(value)))
        return ast.Tier.model_construct(
            span=span, subject=self.expr(subject), rows=tuple(out_rows), otherwise=otherwise
        )

    def deduct(self, item: LarkTree, span: Span) -> ast.Deduct:
        deductions = []
        start = None
        for child in item.children:
            if isinstance(child, Tree) and child.data == "deduction":
                amount, count = child.children
                deductions.append(
                    ast.Deduction.model_construct(
                        span=self.span(child), amount=self.expr(amount), count=self.expr(count)
                    )
                )
            else:
                start = self.expr(child)
        return ast.Deduct.model_construct(span=span, deductions=tuple(deductions), start=start)


def build_module(source: SourceFile, tree: LarkTree) -> ast.Module:
    """Turn one file's parse tree into its AST, or raise `RuleSyntaxError` with every problem."""
    beyond_limits = check_tree(source, tree)  # before the recursive builder meets a too-deep tree
    if beyond_limits:
        raise RuleSyntaxError(beyond_limits)
    builder = _Builder(source)
    module = builder.module(tree)
    if builder.problems:
        raise RuleSyntaxError(builder.problems)
    return module
