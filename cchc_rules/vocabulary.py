"""The rule language's closed word lists, shared by every stage that names them.

The parser's hints, the AST's types, the checker and the evaluator's
rounding all need the same lists; they live here, below every stage, so that
no early stage has to import a later one to know them.
"""

from __future__ import annotations

from typing import Literal

RoundingMode = Literal["half_up", "half_down", "half_even", "down", "up", "floor", "ceiling"]
ROUNDING_MODES: tuple[RoundingMode, ...] = ("half_up", "half_down", "half_even", "down", "up", "floor", "ceiling")
# Names users write for a mode, beside the canonical ones.
ROUNDING_ALIASES: dict[str, RoundingMode] = {"truncate": "down"}

FactKind = Literal["count", "integer", "decimal", "percent", "boolean", "date", "choice"]
FACT_KINDS: tuple[FactKind, ...] = ("count", "integer", "decimal", "percent", "boolean", "date", "choice")

# Vietnamese yes/no words written as a value where the language has `true` and `false` (the checker's hints).
# Also as typed without diacritics (`co`, `khong`), which a keyboard without a Vietnamese input method gives.
YES_NO_WORDS: dict[str, bool] = {
    "có": True,
    "đúng": True,
    "không": False,
    "sai": False,
    "ko": False,
    "chưa": False,
    "co": True,
    "dung": True,
    "khong": False,
    "chua": False,
}


def yes_no_fix(fact: str, op: str, value: bool) -> tuple[str, str]:
    """`co_cho != không` written with the language's words, and shorter: ("co_cho != false", "co_cho")."""
    word = "true" if value else "false"
    holds = value if op == "=" else not value  # the comparison holds when the fact is true
    return f"{fact} {op} {word}", fact if holds else f"not {fact}"


# What a bonus and a penalty item are called before their titles in reports, tables and the rulebook.
ADJUSTMENT_WORDS: dict[str, str] = {"bonus": "Điểm thưởng", "penalty": "Điểm trừ"}


def says_its_kind(kind: str, title: str) -> bool:
    """Whether an item's title starts with what it is ("Điểm thưởng: mô hình mới"): then not said twice."""
    word = ADJUSTMENT_WORDS.get(kind)
    return word is not None and title.casefold().startswith(word.casefold())


def kind_titled(kind: str, title: str) -> str:
    """`Điểm thưởng: TITLE` for a bonus (`Điểm trừ: ` a penalty), the title alone when it says so already."""
    if kind not in ADJUSTMENT_WORDS or says_its_kind(kind, title):
        return title
    return f"{ADJUSTMENT_WORDS[kind]}: {title}"
