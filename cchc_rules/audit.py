"""Audit of a claimed self-assessment: where the claimed scores do not follow from the facts.

A claims file transcribes what a unit claims: its total, each area's score,
and the deductions it lists. The audit compares every figure with the
evaluation, checks that each area's listed deductions account for the points
it says it lost, and, where a claim differs, looks for a rounding policy that
would produce the claimed figure (the seed report's 9.49 for area 7 is 7.2.1
and 7.2.2 truncated to 2 decimals).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cchc_rules import ast
from cchc_rules.checked import DEFAULT_PERCENT_ROUNDING
from cchc_rules.errors import Diagnostic, FactsError, suggest
from cchc_rules.evaluator import rounding_words
from cchc_rules.facts import Placed, load_yaml_placed
from cchc_rules.numbers import decimal_text, round_fraction, trimmed, vi
from cchc_rules.ranking import group_of
from cchc_rules.result import Result
from cchc_rules.ruleset import RuleSet
from cchc_rules.source import Span
from cchc_rules.vocabulary import RoundingMode

FindingKind = Literal[
    "total",
    "max",
    "percent",
    "area",
    "area_max",
    "node",
    "deduction",
    "unaccounted",
    "unlisted",
    "unknown",
    "over_max",
    "sum",
    "duplicate",
]
# Rounding policies tried to explain a claimed figure, simplest first.
_MODES: tuple[RoundingMode, ...] = ("half_up", "down", "half_even", "half_down", "up", "floor", "ceiling")


class Deduction(BaseModel):
    """A deduction the unit lists: the node, the points it says were lost, its reason."""

    model_config = ConfigDict(frozen=True)

    node: str
    lost: Decimal
    reason: str = ""
    # Where the deduction is written, to point at each line of a criterion listed twice.
    span: Span | None = Field(default=None, repr=False, exclude=True)


class AreaClaim(BaseModel):
    """What a unit claims for one area (or any node)."""

    model_config = ConfigDict(frozen=True)

    score: Decimal
    max: Decimal | None = None
    percent: Decimal | None = None


class Claims(BaseModel):
    """A claims file: what a unit says it scored."""

    model_config = ConfigDict(frozen=True)

    name: str
    unit: str = ""
    source: str = ""
    total: Decimal | None = None
    max: Decimal | None = None
    percent: Decimal | None = None
    areas: dict[str, AreaClaim] = {}
    nodes: dict[str, AreaClaim] = {}
    deductions: tuple[Deduction, ...] = ()
    # Where `unit:` is written, to point at it when the claims are another unit's.
    unit_span: Span | None = Field(default=None, repr=False, exclude=True)
    unit_line: str = Field(default="", repr=False, exclude=True)


def check_unit(claims: Claims, unit: str) -> None:
    """Claims of another unit than the facts' are not audited against them (C002): every figure would
    differ, for no fault of either file. Compared as an appraisal's `unit:` is (`rounds.same_unit_named`)."""
    from cchc_rules.rounds import same_unit_named

    if claims.unit and unit and not same_unit_named(claims.unit, unit):
        where = "" if claims.unit_span else f"{claims.name}: "
        raise FactsError(
            [
                Diagnostic(
                    code="C002",
                    severity="error",
                    message=f"{where}điểm khai là của `{claims.unit}` nhưng dữ kiện là của `{unit}`",
                    span=claims.unit_span,
                    line_text=claims.unit_line,
                    hint="kiểm tra lại đã chọn đúng tệp điểm khai và tệp dữ kiện của cùng một đơn vị",
                )
            ]
        )


class Listed(BaseModel):
    """One line of the deductions, as a `duplicate` finding names it: its place in the list (1-based),
    where it is written (`file:line`, or '' when the claims were not read from a file), what it says."""

    model_config = ConfigDict(frozen=True)

    position: int
    at: str
    lost: Decimal
    reason: str = ""

    @property
    def where(self) -> str:
        """`file:line`, else the deduction's place in the list ("khoản thứ 2")."""
        return self.at or f"khoản thứ {self.position}"


class Finding(BaseModel):
    """One place where a claim does not follow from the facts, said in Vietnamese."""

    model_config = ConfigDict(frozen=True)

    kind: FindingKind
    node: str
    message: str
    claimed: Decimal | None = None
    computed: Decimal | None = None
    explanation: str = ""
    # The lines of a criterion listed more than once (kind `duplicate`); empty otherwise.
    listed: tuple[Listed, ...] = ()


# ---- reading claims --------------------------------------------------------------------


class _Reading:
    """A claims file being read: its name and where each key is written, for errors at their line."""

    def __init__(self, name: str, placed: Placed):
        self.name = name
        self.placed = placed

    def error(self, message: str, hint: str = "", at: tuple[str | int, ...] = ()) -> FactsError:
        return FactsError([self.placed.diagnostic("C001", self.name, message, hint, at)])

    def number(self, where: str, value: Any, at: tuple[str | int, ...], percent: bool = False) -> Decimal:
        if isinstance(value, bool):
            raise self.error(f"{where}: cần một số, không phải {value}", at=at)
        text = str(value).strip().replace(" ", "")
        if text.endswith("%"):
            if not percent:  # "89,17%" under `total` is a percentage written in the wrong place, not points
                raise self.error(f"{where}: `{value}` là một tỷ lệ, không phải số điểm", "tỷ lệ ghi ở `percent`", at)
            text = text[:-1]
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # 17,748 as the report writes it
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise self.error(f"{where}: `{value}` không phải một số", "vd 12,75 hoặc 12.75", at) from None
        if not number.is_finite():
            raise self.error(f"{where}: `{value}` không phải một số hữu hạn", at=at)
        return number

    def claim(self, where: str, value: Any, at: tuple[str | int, ...]) -> AreaClaim:
        if not isinstance(value, dict):
            return AreaClaim(score=self.number(where, value, at))
        unknown = sorted(str(k) for k in value if k not in ("score", "max", "percent"))
        if unknown:
            close = suggest(unknown[0], ("score", "max", "percent"))
            raise self.error(
                f"{where}: khoá lạ `{unknown[0]}`",
                f"có phải ý bạn là `{close}`?" if close else "mỗi mục có: score, max, percent",
                (*at, unknown[0]),
            )
        if "score" not in value:
            raise self.error(f"{where}: thiếu `score`", 'vd: "1": {score: 12.75, max: 15}', at)
        return AreaClaim(
            score=self.number(where, value["score"], (*at, "score")),
            max=self.number(where, value["max"], (*at, "max")) if value.get("max") is not None else None,
            percent=self.number(where, value["percent"], (*at, "percent"), percent=True)
            if value.get("percent") is not None
            else None,
        )


def read_claims(path: Path | str) -> Claims:
    """Read a claims file (YAML, safe loading); numbers may use the decimal comma. Every problem is
    named at its line, with a caret."""
    name = str(path)
    placed = load_yaml_placed(path, "C001")
    reading = _Reading(name, placed)
    data = placed.data
    if not isinstance(data, dict):
        raise reading.error("tệp điểm khai phải là một bảng", "các khoá: total, areas, deductions")
    allowed = {"unit", "source", "total", "max", "percent", "areas", "nodes", "deductions"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        close = suggest(unknown[0], sorted(allowed))
        raise reading.error(
            f"khoá lạ `{unknown[0]}`",
            f"có phải ý bạn là `{close}`?" if close else "các khoá: " + ", ".join(sorted(allowed)),
            (unknown[0],),
        )
    deductions = []
    items = data.get("deductions") or []
    if not isinstance(items, list):
        raise reading.error("`deductions` phải là một danh sách", 'vd: - {node: "1.5.2", lost: 0.5}', ("deductions",))
    for i, item in enumerate(items, 1):
        at = ("deductions", i - 1)
        if not isinstance(item, dict) or "node" not in item or "lost" not in item:
            raise reading.error(f"khoản mất điểm thứ {i} cần `node` và `lost`", 'vd: {node: "1.5.2", lost: 0.5}', at)
        deductions.append(
            Deduction(
                node=str(item["node"]),
                lost=reading.number(f"khoản mất điểm {item['node']}", item["lost"], (*at, "lost")),
                reason=str(item.get("reason") or ""),
                span=placed.places.get(at),
            )
        )

    def group(key: str) -> dict[str, AreaClaim]:
        entries = data.get(key) or {}
        if not isinstance(entries, dict):
            raise reading.error(f"`{key}` phải là bảng `mã: điểm`", 'vd: "1": "12,5"', (key,))
        return {str(k): reading.claim(f"{key} {k}", v, (key, str(k))) for k, v in entries.items()}

    def figure(key: str, percent: bool = False) -> Decimal | None:
        return reading.number(key, data[key], (key,), percent) if data.get(key) is not None else None

    if isinstance(data.get("unit"), (list, dict, bool)):
        raise reading.error("`unit` phải là tên đơn vị, một dòng chữ", 'vd: unit: "UBND xã Thanh Thủy"', ("unit",))
    return Claims(
        name=name,
        unit=str(data.get("unit") or ""),
        source=str(data.get("source") or ""),
        total=figure("total"),
        max=figure("max"),
        percent=figure("percent", percent=True),
        areas=group("areas"),
        nodes=group("nodes"),
        deductions=tuple(deductions),
        unit_span=placed.places.get(("unit",)),
        unit_line=placed.diagnostic("C001", name, "", "", ("unit",)).line_text if "unit" in data else "",
    )


# ---- the audit ---------------------------------------------------------------------------


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _consistent_percent(score: Decimal, maximum: Decimal, claimed: Decimal, mode: RoundingMode) -> bool:
    """Whether claimed% is score/max rounded at the precision the claim is written with, as the rule set
    rounds percentages or cut short (reports often truncate); rounding up is never a reading of it."""
    if maximum == 0:
        return True
    exact = Fraction(score) / Fraction(maximum) * 100
    places = _places(claimed)
    return any(round_fraction(exact, places, m) == Fraction(claimed) for m in (mode, "down"))


def _percent_mode(rules: RuleSet) -> RoundingMode:
    rounding = rules.checked.header.percent_rounding
    return rounding.mode if rounding is not None else DEFAULT_PERCENT_ROUNDING[1]


def _under(node_id: str, area: str) -> bool:
    return node_id == area or node_id.startswith(area + ".")


def explain_by_rounding(rules: RuleSet, facts: Any, area: str, target: Decimal, lost: bool = False) -> str:
    """A rounding policy under which `area` (or its loss) gives `target`, said in words, or ''."""
    checked = rules.checked
    scored = [n for n in checked.order if _under(n, area) and checked.nodes[n].formula is not None]
    if not scored:
        return ""
    base = rules.evaluate(facts, trace=False)
    current = {checked.rounding[n] for n in scored}
    for places in range(0, 5):
        for mode in _MODES:
            policy = ast.Rounding.model_construct(span=checked.header.span, places=places, mode=mode)
            if policy in current and len(current) == 1:
                continue
            variant = RuleSet(
                checked.model_copy(update={"rounding": {**checked.rounding, **dict.fromkeys(scored, policy)}})
            )
            try:
                result = variant.evaluate(facts, trace=False)
            except Exception:  # a policy that breaks the guarantees explains nothing
                continue
            value = result[area].lost if lost else result[area].score
            if value != target:
                continue
            changed = [
                f"{n} = {vi(result[n].score)} (thay vì {vi(base[n].score)})"
                for n in scored
                if result[n].score != base[n].score
            ]
            before = rounding_words(next(iter(current))) if len(current) == 1 else "cách làm tròn của bộ quy tắc"
            return f"{vi(target)} khớp khi làm tròn {rounding_words(policy)} thay vì {before}" + (
                f": {', '.join(changed)}" if changed else ""
            )
    return ""


def audit(rules: RuleSet, facts: Any, claims: Claims) -> tuple[Result, list[Finding]]:
    """Every discrepancy between the claims and the evaluation of `facts`."""
    result = rules.evaluate(facts)
    out: list[Finding] = []
    if claims.total is not None and claims.total != result.score:
        out.append(
            Finding(
                kind="total",
                node="",
                claimed=claims.total,
                computed=result.score,
                message=f"Tổng điểm khai {vi(claims.total)} nhưng tính từ dữ kiện được {vi(result.score)} "
                f"(chênh {vi(abs(claims.total - result.score))})",
            )
        )
    if claims.max is not None and claims.max != result.max:
        out.append(
            Finding(
                kind="max",
                node="",
                claimed=claims.max,
                computed=result.max,
                message=f"Điểm tối đa khai {vi(claims.max)} nhưng bộ quy tắc (sau các tiêu chí không áp dụng) "
                f"ghi {vi(result.max)}",
            )
        )
    mode = _percent_mode(rules)
    if claims.total is not None and claims.total > result.max:
        out.append(_over(claims.total, result.max, "Tổng điểm khai"))
    groups = rules.checked.header.groups
    if claims.percent is not None and result.percent is not None and groups:
        said, found = group_of(groups, claims.percent), group_of(groups, result.percent)
        if said != found:  # a percentage rounded (or wrong) across a group's bound: the ranking it implies
            out.append(
                Finding(
                    kind="percent",
                    node="",
                    claimed=claims.percent,
                    computed=result.percent,
                    message=f"Tỷ lệ khai {vi(claims.percent)}% thuộc nhóm {said or '(không nhóm nào)'} nhưng "
                    f"tỷ lệ tính từ dữ kiện {vi(result.percent)}% thuộc nhóm {found or '(không nhóm nào)'}",
                )
            )
    if claims.percent is not None and claims.total is not None:
        maximum = claims.max if claims.max is not None else result.max
        if not _consistent_percent(claims.total, maximum, claims.percent, mode):
            out.append(
                Finding(
                    kind="percent",
                    node="",
                    claimed=claims.percent,
                    message=f"Tỷ lệ khai {vi(claims.percent)}% không khớp với "
                    f"{vi(claims.total)}/{vi(maximum)} điểm khai",
                )
            )
    listings = _listings(claims.deductions)
    listed = {node_id: _counted(lines) for node_id, lines in listings.items()}
    # A line copied is said, before the area sums and comparisons that count it once; lines that are
    # parts of one loss are compared through their sum, as one line would be.
    out.extend(_duplicate(node_id, lines) for node_id, lines in listings.items() if _repeated(lines))
    for area_id, claim in claims.areas.items():
        out.extend(_area_findings(rules, facts, result, area_id, claim, listings))
    for node_id, claim in claims.nodes.items():
        if node_id not in result:
            out.append(Finding(kind="unknown", node=node_id, message=f"Mục {node_id} không có trong bộ quy tắc"))
            continue
        out.extend(_claimed_max(result, node_id, claim, mode, "Mục"))
        if claim.score != result[node_id].score:
            out.append(_mismatch(rules, facts, result, node_id, claim.score, "node"))
    out.extend(_sums(result, claims))
    for node_id, lines in listings.items():
        if node_id not in result:
            out.append(
                Finding(kind="unknown", node=node_id, message=f"Khoản mất điểm tại mục {node_id}: không có mục này")
            )
            continue
        if listed[node_id] != result[node_id].lost:
            out.append(_deduction(rules, facts, result, node_id, lines))
    for node in result.losses():
        if node.id not in listed and not any(_under(node.id, k) for k in listed):
            out.append(
                Finding(
                    kind="unlisted",
                    node=node.id,
                    computed=node.lost,
                    message=f"Mục {node.id} mất {vi(node.lost)} điểm nhưng báo cáo không liệt kê",
                )
            )
    return result, out


def _listings(deductions: tuple[Deduction, ...]) -> dict[str, list[Listed]]:
    """The listed deductions by criterion, in the order each is first listed, with where each is written."""
    out: dict[str, list[Listed]] = {}
    for position, d in enumerate(deductions, 1):
        at = f"{d.span.file}:{d.span.line}" if d.span is not None else ""
        out.setdefault(d.node, []).append(Listed(position=position, at=at, lost=d.lost, reason=d.reason))
    return out


def _repeated(lines: list[Listed]) -> bool:
    """One line listed more than once for a criterion, the same amount for the same reason: a line copied
    (a report's table has one line per criterion), so the unit claims that amount once, not the amounts
    added up. Lines with their own reasons (a deduction per late report: "quý I", "quý III") are parts."""
    return len(lines) > 1 and len({(line.lost, " ".join(line.reason.casefold().split())) for line in lines}) == 1


def _counted(lines: list[Listed]) -> Decimal:
    """The loss a criterion's listed lines claim: a line copied (`_repeated`) once; other lines, as the
    parts of the criterion's loss, added up."""
    if len(lines) == 1 or _repeated(lines):
        return lines[0].lost
    return sum((line.lost for line in lines), Decimal(0))


def _duplicate(node_id: str, lines: list[Listed]) -> Finding:
    """A line listed more than once among the deductions (`_repeated`), at each place, counted once."""
    counted = _counted(lines)
    how = (
        f"cùng mất {vi(counted)} điểm: đối chiếu như một khoản mất {vi(counted)} điểm, "
        f"không cộng thành {vi(counted * len(lines))}"
    )
    return Finding(
        kind="duplicate",
        node=node_id,
        claimed=counted,
        message=f"Mục {node_id} được liệt kê {len(lines)} lần trong các khoản mất điểm, {how}",
        listed=tuple(lines),
    )


def _deduction(rules: RuleSet, facts: Any, result: Result, node_id: str, lines: list[Listed]) -> Finding:
    """A criterion whose listed loss is not the one computed; a criterion listed more than once says how
    its lines were read, and which other reading of them would follow from the facts."""
    lost, computed = _counted(lines), result[node_id].lost
    said = explanation = ""
    if _repeated(lines):
        said = f" (liệt kê {len(lines)} lần, tính một lần)"
        if lost * len(lines) == computed:
            explanation = (
                f"cộng cả {len(lines)} lần thì được {vi(computed)}, khớp với dữ kiện: nếu đó là các phần của "
                f"cùng một khoản mất điểm, ghi thành một dòng mất {vi(computed)} điểm"
            )
    elif len(lines) > 1:
        said = f" (liệt kê {len(lines)} lần: {' + '.join(vi(line.lost) for line in lines)})"
        alone = next((line for line in lines if line.lost == computed), None)
        if alone is not None:
            explanation = f"riêng khoản tại {alone.where} (mất {vi(alone.lost)}) khớp với dữ kiện"
    return Finding(
        kind="deduction",
        node=node_id,
        claimed=lost,
        computed=computed,
        message=f"Mục {node_id}: khai mất {vi(lost)} điểm{said} nhưng tính từ dữ kiện mất {vi(computed)}",
        explanation=explanation or explain_by_rounding(rules, facts, node_id, lost, lost=True),
    )


def _mismatch(rules: RuleSet, facts: Any, result: Result, node_id: str, claimed: Decimal, kind: FindingKind) -> Finding:
    computed = result[node_id].score
    word = "Lĩnh vực" if kind == "area" else "Mục"
    na = " (mục không áp dụng)" if result[node_id].status == "n_a" else ""
    return Finding(
        kind=kind,
        node=node_id,
        claimed=claimed,
        computed=computed,
        message=f"{word} {node_id}: khai {vi(claimed)} điểm nhưng tính từ dữ kiện được {vi(computed)}{na} "
        f"(chênh {vi(abs(claimed - computed))})",
        explanation=explain_by_rounding(rules, facts, node_id, claimed),
    )


def _area_findings(
    rules: RuleSet, facts: Any, result: Result, area_id: str, claim: AreaClaim, listings: dict[str, list[Listed]]
) -> list[Finding]:
    if area_id not in result:
        return [Finding(kind="unknown", node=area_id, message=f"Lĩnh vực {area_id} không có trong bộ quy tắc")]
    if area_id not in result.areas:  # a criterion given under `areas`: audited as the node it is
        return [
            Finding(
                kind="unknown",
                node=area_id,
                message=f"Mục {area_id} ghi dưới `areas` nhưng không phải một lĩnh vực; ghi các tiêu chí dưới `nodes`",
            )
        ]
    area = result[area_id]
    maximum = claim.max if claim.max is not None else area.effective_max
    out = _claimed_max(result, area_id, claim, _percent_mode(rules), "Lĩnh vực")
    if claim.score != area.score:
        out.append(_mismatch(rules, facts, result, area_id, claim.score, "area"))
    claimed_lost = trimmed(maximum - claim.score)
    listed = {n: lines for n, lines in listings.items() if _under(n, area_id)}
    listed_sum = trimmed(sum((_counted(lines) for lines in listed.values()), Decimal(0)))
    if listed_sum != claimed_lost:
        # Each criterion as the deductions' comparison reads it: a repeated line once, different amounts each.
        parts = " + ".join(
            vi(line.lost) for lines in listed.values() for line in lines[: 1 if _repeated(lines) else None]
        )
        notes = [
            f"mục {n} liệt kê {len(lines)} lần, "
            + ("tính một lần" if _repeated(lines) else f"cộng cả {len(lines)} khoản")
            for n, lines in listed.items()
            if len(lines) > 1
        ]
        parts = (parts or "0") + "".join(f"; {note}" for note in notes)
        if listed_sum > claimed_lost:
            message = (
                f"Lĩnh vực {area_id}: các khoản mất điểm liệt kê cộng lại {vi(listed_sum)} ({parts}) "
                f"nhưng điểm khai {vi(claim.score)}/{vi(maximum)} chỉ mất {vi(claimed_lost)} "
                f"(chênh {vi(listed_sum - claimed_lost)})"
            )
        else:
            listed_text = f"chỉ liệt kê {vi(listed_sum)} ({parts})" if listed else "không liệt kê khoản mất điểm nào"
            message = (
                f"Lĩnh vực {area_id}: điểm khai {vi(claim.score)}/{vi(maximum)} mất {vi(claimed_lost)} "
                f"nhưng {listed_text}: {vi(claimed_lost - listed_sum)} điểm mất không có lý do"
            )
        out.append(
            Finding(kind="unaccounted", node=area_id, claimed=claimed_lost, computed=listed_sum, message=message)
        )
    return out


def _over(claimed: Decimal, maximum: Decimal, what: str) -> Finding:
    return Finding(
        kind="over_max",
        node="",
        claimed=claimed,
        computed=maximum,
        message=f"{what} {vi(claimed)} điểm, vượt điểm tối đa {vi(maximum)} điểm",
    )


def _claimed_max(result: Result, node_id: str, claim: AreaClaim, mode: RoundingMode, word: str) -> list[Finding]:
    """A node's claimed score against its maximum, and its claimed maximum and percentage, if any.

    The maximum is the node's after criteria excluded as not applicable (what its percentage divides by).
    """
    node = result[node_id]
    top = node.effective_max
    if node.status == "n_a" and top == 0 and (claim.score or claim.max):
        return [
            Finding(
                kind="over_max",
                node=node_id,
                claimed=claim.score,
                computed=Decimal(0),
                message=f"{word} {node_id}: khai {vi(claim.score)} điểm nhưng mục này không áp dụng với đơn vị "
                "(không tính vào điểm tối đa)",
            )
        ]
    out = []
    if claim.score > top and node.kind != "penalty":
        out.append(_over(claim.score, top, f"{word} {node_id}: khai").model_copy(update={"node": node_id}))
    if claim.max is not None and claim.max != top:
        after = " (sau các tiêu chí không áp dụng)" if top != node.max else ""
        out.append(
            Finding(
                kind="area_max",
                node=node_id,
                claimed=claim.max,
                computed=top,
                message=f"{word} {node_id}: điểm tối đa khai {vi(claim.max)} nhưng bộ quy tắc ghi {vi(top)}{after}",
            )
        )
    maximum = claim.max if claim.max is not None else top
    if claim.percent is not None and not _consistent_percent(claim.score, maximum, claim.percent, mode):
        out.append(
            Finding(
                kind="percent",
                node=node_id,
                claimed=claim.percent,
                message=f"{word} {node_id}: tỷ lệ khai {vi(claim.percent)}% không khớp với "
                f"{vi(claim.score)}/{vi(maximum)} điểm khai",
            )
        )
    return out


def _sums(result: Result, claims: Claims) -> list[Finding]:
    """Claimed figures that do not add up among themselves: a node and all its claimed children, the
    total and all its claimed areas (with the bonus and penalty as computed)."""
    claimed = {**{k: c.score for k, c in claims.nodes.items()}, **{k: c.score for k, c in claims.areas.items()}}
    out = []
    for node_id, score in claimed.items():
        if node_id not in result:
            continue
        children = result[node_id].children
        if children and all(c in claimed for c in children):
            parts = sum((claimed[c] for c in children), Decimal(0))
            if parts != score:
                out.append(
                    Finding(
                        kind="sum",
                        node=node_id,
                        claimed=score,
                        computed=parts,
                        message=f"Mục {node_id}: khai {vi(score)} điểm nhưng các mục con khai cộng lại "
                        f"{vi(parts)} ({' + '.join(vi(claimed[c]) for c in children)})",
                    )
                )
    if claims.total is not None and result.areas and all(a in claimed for a in result.areas):
        parts = sum((claimed[a] for a in result.areas), Decimal(0)) + result.bonus - result.penalty
        adjusted = result.bonus or result.penalty
        if parts != claims.total and not (adjusted and (parts < 0 or parts > result.max)):
            extra = f", cộng {vi(result.bonus)} điểm thưởng, trừ {vi(result.penalty)} điểm trừ" if adjusted else ""
            out.append(
                Finding(
                    kind="sum",
                    node="",
                    claimed=claims.total,
                    computed=parts,
                    message=f"Tổng điểm khai {vi(claims.total)} nhưng các lĩnh vực khai cộng lại {vi(parts)}{extra}",
                )
            )
    return out


class ComparedRound(BaseModel):
    """The round of a facts file with rounds whose facts the claims were compared with: its name, as the
    rounds are named (`Tự đánh giá`, or the file's `round:`), its number and how many rounds the file has."""

    model_config = ConfigDict(frozen=True)

    name: str
    number: int = 1
    of: int = 1


def _round_line(compared: ComparedRound) -> str:
    if compared.of == 1:
        return f"Vòng đối chiếu: {compared.name}"
    return (
        f"Vòng đối chiếu: {compared.name} (vòng {compared.number} trong {compared.of} của tệp dữ kiện; "
        "điểm khai không so với các vòng sau)"
    )


def render_audit(claims: Claims, result: Result, findings: list[Finding], compared: ComparedRound | None = None) -> str:
    """The audit as text, in Vietnamese; `compared` names the round used when the facts file has rounds."""
    lines = [f"Đối chiếu điểm khai với điểm tính từ dữ kiện: {result.ruleset}"]
    if claims.unit or result.unit:
        lines.append(f"Đơn vị: {claims.unit or result.unit}")
    if claims.source:
        lines.append(f"Điểm khai lấy từ: {claims.source}")
    if compared is not None:  # the computed figures below are this round's
        lines.append(_round_line(compared))
    lines.append(
        f"Tính từ dữ kiện: {vi(result.score)} điểm/{vi(result.max)} điểm"
        + (f"; khai: {vi(claims.total)} điểm" if claims.total is not None else "")
    )
    lines.append("")
    if not findings:
        lines.append("Không có chênh lệch: mọi con số khai đều khớp với dữ kiện.")
    else:
        lines.append(f"Có {len(findings)} chỗ không khớp:")
        for f in findings:
            lines.append(f"- {f.message}")
            for listed in f.listed:  # each line of a criterion listed more than once, where it is written
                why = f", lý do: {listed.reason}" if listed.reason else ""
                lines.append(f"    {listed.where}: mất {vi(listed.lost)}{why}")
            if f.explanation:
                lines.append(f"    giải thích: {f.explanation}")
    return "\n".join(lines) + "\n"


def audit_json(
    claims: Claims, result: Result, findings: list[Finding], compared: ComparedRound | None = None
) -> dict[str, Any]:
    """The audit as JSON (decimals as strings); `round` only when the facts file has rounds, and a
    finding's `listed` only on a `duplicate` finding."""
    out: dict[str, Any] = {
        "ruleset": result.ruleset,
        "unit": claims.unit or result.unit,
    }
    if compared is not None:
        out["round"] = compared.model_dump(mode="json")
    return out | {
        "computed": {
            "score": decimal_text(result.score),
            "max": decimal_text(result.max),
            "percent": None if result.percent is None else decimal_text(result.percent),
        },
        "claimed": {
            "score": None if claims.total is None else str(claims.total),
            "max": None if claims.max is None else str(claims.max),
            "percent": None if claims.percent is None else str(claims.percent),
        },
        "ok": not findings,
        "findings": [f.model_dump(mode="json", exclude=None if f.listed else {"listed"}) for f in findings],
    }
