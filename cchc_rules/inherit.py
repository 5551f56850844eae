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

from cchc_rules import ast, printer
from cchc_rules.errors import Diagnostic, RuleLoadError, did_you_mean, suggest
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
            "chỉ đưa thư mục khi một bộ quy tắc được chia thành nhiều tệp; "
            "`cchc check` nhận nhiều tệp một lúc, mỗi tệp một bộ",
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
    """Last year's rule set with this year's changes applied (see the module's docstring).

    This year's items are applied kind by kind (removals, facts, new criteria, overrides), so a
    criterion removed may be declared again anywhere in the file. Each item may be given once:
    a fact or a new criterion declared twice, an `override` written twice, a `remove` of what this
    year's file already removed are errors naming the first.
    """
    # Last year's rule set may be one file or a folder of them: all its items together.
    header = next((m.header for m in parent.modules if m.header is not None), None)
    facts = {f.name: f for m in parent.modules for f in m.facts}
    criteria = {c.id: c for m in parent.modules for c in m.criteria}
    inherited_facts = frozenset(facts)
    retired = set(parent.retired_facts)
    retired_criteria = set(parent.retired_criteria)
    problems: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    # What this year's own items did, for the messages about an item given again.
    removed: dict[str, tuple[str, Span]] = {}  # criterion id -> (the id `remove` named, where)
    removed_facts: dict[str, Span] = {}
    own_facts: dict[str, ast.FactDecl] = {}
    declared: dict[str, ast.Criterion] = {}  # the new criteria, each at its first declaration
    added: dict[str, ast.Criterion] = {}  # those of them that are not last year's ids
    overridden: dict[str, ast.Criterion] = {}
    # This year's declarations at their first place, for a `remove` of one of them.
    declared_here = {c.id: c for m in reversed(child.modules) for c in reversed(m.criteria)}
    facts_here = {f.name: f for m in reversed(child.modules) for f in reversed(m.facts)}

    def fail(code: str, message: str, span: Span, hint: str = "") -> None:
        line = _line(child, span)
        problems.append(Diagnostic(code=code, severity="error", message=message, span=span, line_text=line, hint=hint))

    for module in child.modules:
        if module.header is not None:
            if module.header.year is None and header is not None and header.year is not None:
                warnings.append(_year_kept(module.header, header.year, _line(child, module.header.span)))
            header = _merge_header(header, module.header)
        for removal in module.removals:
            if removal.target == "fact":
                if removal.id in facts:
                    del facts[removal.id]
                    retired.add(removal.id)
                    removed_facts[removal.id] = removal.span
                else:
                    fail("E211", *_no_fact_to_remove(removal, facts, removed_facts, retired, facts_here))
                continue
            if removal.id in criteria:
                for node_id in [i for i in criteria if i == removal.id or i.startswith(removal.id + ".")]:
                    del criteria[node_id]
                    removed[node_id] = (removal.id, removal.span)
                    retired_criteria.add(node_id)
            elif removal.id in removed:
                root, at = removed[removal.id]
                fail(
                    "E211",
                    f"không có tiêu chí {removal.id} để bỏ: {_gone(removal.id, root, at, removal.span)}",
                    removal.span,
                    "mỗi tiêu chí chỉ bỏ một lần; xoá dòng này"
                    if root == removal.id
                    else f"bỏ {root} là bỏ cả các tiêu chí con của nó; xoá dòng này",
                )
            elif removal.id in retired_criteria and removal.id not in declared_here:
                fail(
                    "E211",
                    f"không có tiêu chí {removal.id} để bỏ: đã bỏ trong bộ quy tắc được kế thừa",
                    removal.span,
                    "xoá dòng này",
                )
            else:
                own = declared_here.get(removal.id)
                fail(
                    "E211",
                    f"không có tiêu chí {removal.id} để bỏ",
                    removal.span,
                    f"{removal.id} được khai báo ở {_place(own.head, removal.span)} của chính bộ quy tắc này; "
                    "xoá khai báo đó thay vì `remove`"
                    if own is not None
                    else did_you_mean(removal.id, list(criteria)),
                )
        for fact in module.facts:
            twin = own_facts.get(fact.name)
            if twin is not None:
                keep = (
                    "giữ một khai báo (khai báo lại một lần là đủ để thay khai báo của năm trước)"
                    if fact.name in inherited_facts
                    else "đổi tên hoặc xoá một khai báo"
                )
                fail(
                    "E113",
                    f"dữ kiện `{fact.name}` được khai báo hai lần",
                    fact.name_span or fact.span,
                    f"lần đầu ở {_place(twin.span, fact.span)}; {keep}",
                )
                continue
            own_facts[fact.name] = fact
            facts[fact.name] = fact  # a declaration given again replaces last year's
            retired.discard(fact.name)
        for crit in module.criteria:
            first = declared.get(crit.id)
            if first is not None:
                fail(
                    "E112",
                    f"mã tiêu chí {crit.id} được khai báo hai lần",
                    crit.head,
                    f"lần đầu ở {_place(first.head, crit.head)}; đổi mã hoặc xoá một tiêu chí",
                )
                continue
            declared[crit.id] = crit
            if crit.id in criteria:
                fail(
                    "E213",
                    f"tiêu chí {crit.id} đã có trong bộ quy tắc được kế thừa",
                    crit.head,
                    f"dùng `override {crit.id} ...` để sửa, hoặc `remove {crit.id}` trước khi khai báo lại",
                )
            else:
                added[crit.id] = crit
            criteria[crit.id] = crit
            retired_criteria.discard(crit.id)
        for change in module.overrides:
            earlier = overridden.get(change.id)
            if earlier is not None:
                fail(
                    "E214",
                    f"`override {change.id}` được viết hai lần",
                    change.head,
                    f"lần đầu ở {_place(earlier.head, change.head)}; gộp các thay đổi vào một `override {change.id}`",
                )
                continue
            overridden[change.id] = change
            if change.id in added:
                where = _place(added[change.id].head, change.head)
                fail(
                    "E214",
                    f"tiêu chí {change.id} được khai báo ở {where} của chính bộ quy tắc này, không cần `override`",
                    change.head,
                    f"sửa ngay trong khai báo ở {where}, rồi xoá `override` này",
                )
                continue
            old = criteria.get(change.id)
            if old is None:
                if change.id in removed:
                    root, at_removal = removed[change.id]
                    fail(
                        "E212",
                        f"không có tiêu chí {change.id} để sửa (override): "
                        f"{_gone(change.id, root, at_removal, change.head)}",
                        change.head,
                        f"xoá `remove {root}` để giữ và sửa {change.id}, hoặc xoá `override` này; "
                        f'muốn thay hẳn thì khai báo lại: {change.id} "Tên": max ...',
                    )
                    continue
                if change.id in retired_criteria:
                    fail(
                        "E212",
                        f"không có tiêu chí {change.id} để sửa (override): đã bỏ trong bộ quy tắc được kế thừa",
                        change.head,
                        f'muốn có lại tiêu chí này thì khai báo nó đầy đủ: {change.id} "Tên": max ...; '
                        "không thì xoá `override` này",
                    )
                    continue
                fail(
                    "E212",
                    f"không có tiêu chí {change.id} để sửa (override)",
                    change.head,
                    did_you_mean(change.id, list(criteria), f'khai báo tiêu chí mới: {change.id} "Tên": max ...'),
                )
                continue
            criteria[change.id] = _override(old, change)
            stale = _stale_notes(old, change)
            if stale is not None:
                warnings.append(stale.model_copy(update={"line_text": _line(child, change.head)}))
    if problems:
        files = {s.name: i for i, s in enumerate(child.sources)}
        raise RuleLoadError(sorted(problems, key=lambda d: _order(d.span, files)))
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
        retired_criteria=frozenset(retired_criteria),
        inherited_files=frozenset(s.name for s in parent.sources),
        warnings=tuple(warnings),
    )


def _line(child: RuleSource, span: Span) -> str:
    return next((s.line_text(span.line) for s in child.sources if s.name == span.file), "")


def _stale_notes(old: ast.Criterion, change: ast.Criterion) -> Diagnostic | None:
    """W215: an `override` that changes how a criterion scores keeps last year's `inferred` notes, which
    say how last year's was reconstructed; whoever reads this year's score would be misled."""
    changed = []
    if change.max is not None and change.max != old.max:
        changed.append("điểm tối đa")
    if change.formula is not None and (
        old.formula is None or printer.inline(change.formula.expr) != printer.inline(old.formula.expr)
    ):
        changed.append("công thức")
    if not changed or change.inferred or not old.inferred:
        return None
    return Diagnostic(
        code="W215",
        severity="warning",
        message=f"`override {change.id}` đổi {' và '.join(changed)} nhưng vẫn giữ ghi chú suy luận của năm trước: "
        f"“{old.inferred[0]}”" + (f" (và {len(old.inferred) - 1} ghi chú khác)" if len(old.inferred) > 1 else ""),
        span=change.head,
        hint='ghi chú nói về cách tính năm trước: viết `inferred "..."` mới trong override này, '
        'hoặc `inferred ""` để bỏ',
    )


def _year_kept(header: ast.Header, year: int, line: str) -> Diagnostic:
    """W216: a rule set that extends last year's without its own `year` is last year's year: its rulebook
    says `Năm: 2023` under a 2025 title, and every 2025 facts file is warned of the wrong year (W008)."""
    return Diagnostic(
        code="W216",
        severity="warning",
        message=f"bộ quy tắc kế thừa `{header.extends}` mà không ghi `year`: vẫn là năm {year} của bộ quy tắc đó",
        span=header.span,
        line_text=line,
        hint=f"ghi năm của bộ quy tắc này ở phần đầu, vd `year {year + 1}`; nếu căn cứ pháp lý đã khác, "
        'ghi cả `basis "..."` của năm nay',
    )


def _order(span: Span | None, files: dict[str, int]) -> tuple[int, int, int]:
    """Problems in the order of this year's files and lines."""
    return (files.get(span.file, len(files)), span.line, span.column) if span else (len(files), 0, 0)


def _place(first: Span, here: Span) -> str:
    """Where an earlier item is, said from `here`: `dòng 7` in the same file, else `tệp:dòng:cột`."""
    return f"dòng {first.line}" if first.file == here.file else str(first)


def _gone(node_id: str, root: str, removal: Span, here: Span) -> str:
    """Why a criterion this year's file removed is not there: `đã bỏ ở dòng 5`, `đã bỏ cùng 1.6 ở dòng 5`."""
    with_root = "" if root == node_id else f" cùng {root}"
    return f"đã bỏ{with_root} ở {_place(removal, here)}"


def _no_fact_to_remove(
    removal: ast.Removal,
    facts: dict[str, ast.FactDecl],
    removed: dict[str, Span],
    retired: set[str],
    own: dict[str, ast.FactDecl],
) -> tuple[str, Span, str]:
    """E211's message, place and hint for `remove fact NAME` without such a fact: removed already, or misspelt."""
    name, here = removal.id, removal.span
    message = f"không có dữ kiện `{name}` để bỏ"
    if name in removed:
        return f"{message}: đã bỏ ở {_place(removed[name], here)}", here, "mỗi dữ kiện chỉ bỏ một lần; xoá dòng này"
    if name in retired:
        return f"{message}: đã bỏ trong bộ quy tắc được kế thừa", here, "xoá dòng này"
    if name in own:
        return (
            message,
            here,
            f"`{name}` được khai báo ở {_place(own[name].span, here)}; xoá khai báo đó thay vì `remove fact`",
        )
    close = suggest(name, [*facts, *removed, *sorted(retired)])
    if close in removed:
        hint = f"có phải ý bạn là `{close}`? dữ kiện đó đã bỏ ở {_place(removed[close], here)}"
    elif close in retired:  # a typo of a fact an earlier year dropped: not of a live one that looks alike
        hint = f"có phải ý bạn là `{close}`? dữ kiện đó đã bỏ trong bộ quy tắc được kế thừa; xoá dòng này"
    elif close is not None:
        hint = f"có phải ý bạn là `{close}`?"
    else:
        hint = "chỉ bỏ được dữ kiện của bộ quy tắc được kế thừa"
    return message, here, hint


def _merge_header(old: ast.Header | None, new: ast.Header) -> ast.Header:
    if old is None:
        return new.model_copy(update={"extends": None})
    update: dict[str, object] = {"name": new.name, "span": new.span, "extends": None}
    for name in _HEADER_FIELDS:
        value = getattr(new, name)
        if value not in (None, ""):
            update[name] = value
    for name in _HEADER_LISTS:
        if getattr(new, name):  # `inferred ""` (or `basis ""`) drops last year's and says nothing new
            update[name] = tuple(v for v in getattr(new, name) if not isinstance(v, str) or v.strip())
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
    if change.inferred:  # `inferred ""` drops last year's notes and says nothing new
        update["inferred"] = tuple(note for note in change.inferred if note.strip())
    return old.model_copy(update=update)
