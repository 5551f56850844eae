"""Rule sets across years: a rule set that `extends` another is resolved into one plain rule set.

`extends "2023.cchc"` in the header names last year's rule set, relative to
this file and never outside the rules folder (the nearest folder named
`rules` above the file, or the file's own folder). The result is last year's
rule set with this year's header fields, facts and criteria added, `override`
items applied (only the statements they give) and `remove` items applied (a
criterion with everything under it, or a fact). The checker then checks the
resolved rule set like any other; the evaluator never knows it was inherited.
"""

from __future__ import annotations

import os
from pathlib import Path

from cchc_rules import ast
from cchc_rules.errors import Diagnostic, RuleLoadError, did_you_mean
from cchc_rules.loader import RuleSource, load_source
from cchc_rules.parser import TokenBudget
from cchc_rules.source import Span

MAX_DEPTH = 16
# Header fields a child replaces when it declares them (the name always).
_HEADER_FIELDS = ("level", "province", "year", "total", "rounding", "percent_rounding", "na_default")
_HEADER_LISTS = ("basis", "inferred", "groups")


def rules_root(path: Path) -> Path:
    """The folder an `extends` may not leave: the nearest ancestor named `rules`, else the file's folder."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if parent.name == "rules":
            return parent
    return resolved.parent if resolved.is_file() else resolved


def _error(code: str, message: str, span: Span | None, source: RuleSource, hint: str = "") -> RuleLoadError:
    line = ""
    if span is not None:
        for s in source.sources:
            if s.name == span.file:
                line = s.line_text(span.line)
    return RuleLoadError(
        [Diagnostic(code=code, severity="error", message=message, span=span, line_text=line, hint=hint)]
    )


def load_resolved(path: Path | str, _chain: tuple[Path, ...] = (), _budget: TokenBudget | None = None) -> RuleSource:
    """Load a rule file or folder and resolve its `extends` chain into one rule source."""
    path = Path(path)
    _budget = _budget or TokenBudget()  # one token budget for the whole chain (cchc_rules.limits)
    source = load_source(path, _budget)
    headers = [m.header for m in source.modules if m.header is not None]
    if path.is_dir() and len(headers) > 1:  # a year folder, not one rule set split over files
        files = ", ".join(os.path.relpath(h.span.file, path) for h in headers)  # xa/2023.cchc beside phuong/...
        raise _error(
            "E100",
            f"thư mục {path} chứa {len(headers)} bộ quy tắc ({files}), mỗi tệp có phần đầu `ruleset` riêng",
            headers[1].span,
            source,
            f"chọn một tệp, vd `{Path(headers[-1].span.file)}`; "
            "chỉ đưa thư mục khi một bộ quy tắc được chia thành nhiều tệp",
        )
    parents = [h for h in headers if h.extends is not None]
    pending = [m for m in source.modules if m.overrides or m.removals]
    if not parents:
        if pending:
            first = pending[0].overrides[0].head if pending[0].overrides else pending[0].removals[0].span
            raise _error(
                "E210",
                "`override` và `remove` chỉ dùng trong bộ quy tắc kế thừa bộ khác",
                first,
                source,
                'thêm `extends "tệp-năm-trước.cchc"` vào phần đầu `ruleset`',
            )
        return source
    header = parents[0]
    at = header.extends_span or header.span  # the `extends` line, where the fix goes
    base_file = Path(header.span.file)
    written = base_file.parent / (header.extends or "")
    target = written.resolve()
    root = rules_root(base_file)
    if not target.is_relative_to(root):
        raise _error(
            "E221",
            f"`extends` trỏ ra ngoài thư mục quy tắc {root}: {header.extends}",
            at,
            source,
            "chỉ kế thừa bộ quy tắc nằm trong cùng thư mục rules/"
            if root.name == "rules"
            else f"tệp này không nằm trong thư mục `rules/` nào nên chỉ kế thừa được tệp trong {root}; "
            "đặt các năm vào chung một thư mục `rules/`, vd rules/tinh/xa/2024.cchc",
        )
    if not target.exists():
        siblings = (
            sorted(p.name for p in target.parent.glob("*.cchc") if p.resolve() != base_file.resolve())
            if target.parent.is_dir()
            else []
        )
        raise _error(
            "E220",
            f"không có bộ quy tắc để kế thừa: {header.extends}",
            at,
            source,
            did_you_mean(target.name, siblings, "đường dẫn tính từ thư mục của tệp này"),
        )
    chain = (*_chain, path.resolve())  # what each year loaded: a file, or a folder rule set
    if target in chain or target == base_file.resolve() or len(chain) > MAX_DEPTH:
        names = " → ".join(p.name for p in (*chain, target))
        raise _error("E222", f"chuỗi kế thừa lặp lại hoặc quá dài: {names}", at, source)
    # Loaded by the path the user's own leads to ("rules/x/2023.cchc" after "rules/x/2024.cchc"), so that
    # messages about last year's file name it as the user would; the resolved path only where they differ.
    shown = Path(os.path.normpath(written))
    parent = load_resolved(shown if shown.resolve() == target else target, chain, _budget)
    return merge_years(parent, source)


def merge_years(parent: RuleSource, child: RuleSource) -> RuleSource:
    """Last year's rule set with this year's changes applied (see the module's docstring)."""
    # Last year's rule set may be one file or a folder of them: all its items together.
    header = next((m.header for m in parent.modules if m.header is not None), None)
    facts = {f.name: f for m in parent.modules for f in m.facts}
    criteria = {c.id: c for m in parent.modules for c in m.criteria}
    retired = set(parent.retired_facts)
    problems: list[Diagnostic] = []

    def fail(code: str, message: str, span: Span, hint: str = "") -> None:
        line = next((s.line_text(span.line) for s in child.sources if s.name == span.file), "")
        problems.append(Diagnostic(code=code, severity="error", message=message, span=span, line_text=line, hint=hint))

    for module in child.modules:
        if module.header is not None:
            header = _merge_header(header, module.header)
        for removal in module.removals:
            if removal.target == "fact":
                if removal.id not in facts:
                    fail(
                        "E211",
                        f"không có dữ kiện `{removal.id}` để bỏ",
                        removal.span,
                        did_you_mean(removal.id, list(facts)),
                    )
                if facts.pop(removal.id, None) is not None:
                    retired.add(removal.id)
                continue
            if removal.id not in criteria:
                fail(
                    "E211",
                    f"không có tiêu chí {removal.id} để bỏ",
                    removal.span,
                    did_you_mean(removal.id, list(criteria)),
                )
            for node_id in [i for i in criteria if i == removal.id or i.startswith(removal.id + ".")]:
                del criteria[node_id]
        for fact in module.facts:
            facts[fact.name] = fact  # a declaration given again replaces last year's
            retired.discard(fact.name)
        for crit in module.criteria:
            if crit.id in criteria:
                fail(
                    "E213",
                    f"tiêu chí {crit.id} đã có trong bộ quy tắc được kế thừa",
                    crit.head,
                    f"dùng `override {crit.id} ...` để sửa, hoặc `remove {crit.id}` trước khi khai báo lại",
                )
            criteria[crit.id] = crit
        for change in module.overrides:
            old = criteria.get(change.id)
            if old is None:
                fail(
                    "E212",
                    f"không có tiêu chí {change.id} để sửa (override)",
                    change.head,
                    did_you_mean(change.id, list(criteria), f'khai báo tiêu chí mới: {change.id} "Tên": max ...'),
                )
                continue
            criteria[change.id] = _override(old, change)
    if problems:
        raise RuleLoadError(problems)
    merged = ast.Module.model_construct(
        span=child.modules[0].span,
        file=child.modules[0].file,
        header=header,
        facts=tuple(facts.values()),
        criteria=tuple(criteria.values()),
    )
    return RuleSource.model_construct(
        sources=(*parent.sources, *child.sources),
        modules=(merged,),
        retired_facts=frozenset(retired),
        inherited_files=frozenset(s.name for s in parent.sources),
    )


def _merge_header(old: ast.Header | None, new: ast.Header) -> ast.Header:
    if old is None:
        return new.model_copy(update={"extends": None})
    update: dict[str, object] = {"name": new.name, "span": new.span, "extends": None}
    for name in _HEADER_FIELDS:
        value = getattr(new, name)
        if value not in (None, ""):
            update[name] = value
    for name in _HEADER_LISTS:
        if getattr(new, name):
            update[name] = getattr(new, name)
    return old.model_copy(update=update)


def _override(old: ast.Criterion, change: ast.Criterion) -> ast.Criterion:
    update: dict[str, object] = {"span": change.span, "id_span": change.id_span}
    if change.title:
        update["title"] = change.title
    for name in ("max", "formula", "rounding"):
        if getattr(change, name) is not None:
            update[name] = getattr(change, name)
    for name in ("reasons", "basis", "not_applicable", "inferred"):
        if getattr(change, name):
            update[name] = getattr(change, name)
    return old.model_copy(update=update)
