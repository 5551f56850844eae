"""Syntax errors: lark's, said so that a policy officer can fix them.

lark names the token it could not read and what it expected there. Rule files are
written by policy officers, often by copying from Word, so this module also
recognises the common mistakes (a sign Word put in, a keyword written in
Vietnamese, a habit from other languages), moves the caret to the mistake itself
when lark stopped a little later, and gives the fix as a hint. A hint that
rewrites a line is shown only if the rewritten text parses past it.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from cchc_rules.errors import Diagnostic, suggest, unaccented
from cchc_rules.parser import (
    describe_expected,
    keywords_in,
    lark_parser,
    literal_terminals,
    literals_in,
    unbudgeted,
)
from cchc_rules.source import SourceFile, Span, comment_start, outside_strings
from cchc_rules.vocabulary import ROUNDING_ALIASES, ROUNDING_MODES


@dataclass(frozen=True)
class _Reading:
    """A syntax error as reported: its place (offsets into the text), the message and the hint."""

    start: int
    end: int
    message: str
    hint: str = ""


@dataclass(frozen=True)
class _Fix:
    """A recognised mistake: the hint, and where it is when not at lark's token (`message` then says what)."""

    hint: str
    start: int | None = None
    end: int | None = None
    message: str = ""


def diagnostic(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    """lark's error as our E001: the place, what was expected, and the fix when the mistake is a known one."""
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        reading = _end_of_file(source.text, set(exc.expected))
    elif isinstance(exc, UnexpectedToken):
        reading = _unexpected_token(source.text, exc)
    else:
        assert isinstance(exc, UnexpectedCharacters)
        reading = _unexpected_character(source.text, exc)
    line, column = _position(source.text, reading.start)
    line_end = _line_bounds(source.text, reading.start)[1]
    width = max(min(reading.end, line_end) - reading.start, 1)
    return Diagnostic(
        code="E001",
        severity="error",
        message=reading.message,
        span=Span(file=source.name, line=line, column=column, end_line=line, end_column=column + width),
        line_text=source.line_text(line),  # caret_snippet shows odd spaces as spaces
        hint=reading.hint,
    )


def _end_of_file(text: str, expected: set[str]) -> _Reading:
    """The file ends inside a statement: the caret after its last character."""
    end = len(text.rstrip())
    reading = _Reading(
        end,
        end + 1,
        f"tệp kết thúc giữa chừng; cần {describe_expected(expected)}",
        "tệp có thể bị cắt cụt, hoặc thiếu phần cuối của một câu lệnh",
    )
    fix = _missing_after(text, end, expected)
    return reading if fix is None else _fixed(text, reading, fix, expected)


def _unexpected_token(text: str, exc: UnexpectedToken) -> _Reading:
    """A word, number or sign the grammar does not take here."""
    token = exc.token
    expected = set(exc.accepts or exc.expected)
    start = token.start_pos or 0
    reading = _Reading(
        start,
        start + max(len(str(token)), 1),
        f"không đọc được `{_short(str(token))}` ở đây; cần {describe_expected(expected)}",
    )
    for find in _TOKEN_FIXES:
        fix = find(text, token, expected)
        if fix is not None:
            return _fixed(text, reading, fix, expected)
    return reading


def _unexpected_character(text: str, exc: UnexpectedCharacters) -> _Reading:
    """A character no token starts with (`≥`, `“`, a no-break space)."""
    pos = exc.pos_in_stream or 0
    char = text[pos] if pos < len(text) else ""
    expected = set(exc.allowed or ())
    message = f"ký tự không hợp lệ {_shown_char(char)}"
    if expected:
        message += f"; cần {describe_expected(expected)}"
    reading = _Reading(pos, pos + 1, message)
    for find in _CHARACTER_FIXES if char else ():
        fix = find(text, pos, expected)
        if fix is not None:
            return _fixed(text, reading, fix, expected)
    return reading


def _fixed(text: str, reading: _Reading, fix: _Fix, expected: set[str]) -> _Reading:
    """`reading` with the fix's hint, moved to the fix's place (and saying what is there) when it has one."""
    start = reading.start if fix.start is None else fix.start
    end = reading.end if fix.end is None else fix.end
    message = fix.message or reading.message
    if not fix.message and (start, end) != (reading.start, reading.end):
        if start != reading.start:
            expected = _expected_at(text, start) or expected
        message = f"không đọc được `{_short(text[start:end])}` ở đây; cần {describe_expected(expected)}"
    return _Reading(start, end, message, fix.hint)


def _shown_char(char: str) -> str:
    """A character as a message can show it: invisible ones by their code (U+FEFF)."""
    if not char:
        return "hết tệp"
    if char.isprintable() and not char.isspace():
        return f"`{char}`"
    return f"U+{ord(char):04X}"


# Longest token quoted in a message (a broken file can hold a token of a megabyte).
_SHOWN = 40


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _hyphenated(text: str, pos: int) -> str:
    """The word joined by the hyphen at `pos` (`half-up`), or "" when the hyphen is a minus sign."""
    start = pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    found = re.match(r"[^\W\d]\w*(?:-[^\W\d]\w*)+", text[start:])
    return found.group(0) if found and start < pos < start + len(found.group(0)) else ""


# ---- where things are ---------------------------------------------------------


def _position(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end offsets of the line holding `pos` (the end excludes the line break)."""
    end = text.find("\n", pos)
    return text.rfind("\n", 0, pos) + 1, len(text) if end < 0 else end


def _content_end(text: str, line_start: int, line_end: int) -> int:
    """Where a line's text ends, without its comment and trailing spaces."""
    line = text[line_start:line_end]
    cut = comment_start(line)
    return line_start + len((line if cut is None else line[:cut]).rstrip())


# The token before a place: an id or number (with its `%`), a word, a string or one sign.
_LAST_TOKEN = re.compile(r'(?:\d+(?:\.\d+)*%?|[^\W\d]\w*|"[^"\n]*"|\S)$')
# How far back the token before a place is looked for, in characters and in lines; past the longest
# line, a line is not searched for the mistakes below (a broken file can hold a line of a megabyte).
_LOOK_BACK = 200
_LINES_BACK = 20
_LONGEST_LINE = 1000


def _token_before(text: str, pos: int) -> tuple[int, int] | None:
    """Start and end of the token before `pos`, skipping spaces, blank lines and comments (None: not near)."""
    line_start, end = _line_bounds(text, pos)[0], pos
    for _ in range(_LINES_BACK):
        if end - line_start > _LONGEST_LINE:
            return None
        end = _content_end(text, line_start, end)
        if end > line_start or line_start == 0:
            break
        line_start, end = _line_bounds(text, line_start - 1)
    window = max(line_start, end - _LOOK_BACK)
    found = _LAST_TOKEN.search(text, window, end)
    return (found.start(), found.end()) if found else None


# ---- trying a fix -----------------------------------------------------------------


# Fixes are tried on files up to this size (a real rule file is some 20 kB): each try is a parse.
_LARGEST_TRIED = 256 * 1024


def _parses_past(text: str, pos: int) -> bool:
    """Whether `text` parses, or stops only at `pos` or later: a fix tried before `pos` works."""
    return _stop(text) >= pos


def _stop(text: str) -> int:
    """Where the parser stops reading `text`: past any offset when it reads it all, -1 when it is too large to try."""
    if len(text) > _LARGEST_TRIED:
        return -1
    with unbudgeted():
        try:
            lark_parser().parse(text)
        except UnexpectedToken as exc:
            return len(text) if exc.token.type == "$END" else exc.token.start_pos or 0
        except UnexpectedCharacters as exc:
            return exc.pos_in_stream or 0
        except UnexpectedEOF:
            return sys.maxsize
    return sys.maxsize


def _expected_at(text: str, pos: int) -> set[str]:
    """The terminals the grammar accepts at `pos`, the text before it being read; empty if it cannot be."""
    with unbudgeted():
        try:
            parser = lark_parser().parse_interactive(text[:pos])
            parser.exhaust_lexer()
            return set(parser.accepts())  # type: ignore[no-untyped-call]
        except UnexpectedInput:
            return set()


# ---- keywords written in Vietnamese --------------------------------------------------

# Vietnamese words and phrases people write where the grammar wants an English keyword
# (or a sign). Some stand for several: the grammar's place decides, or trying each does.
_VIETNAMESE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "điểm": ("score",),
    "lý do": ("reason",),
    "tối đa": ("max",),
    "tối thiểu": ("min",),
    "dữ kiện": ("fact",),
    "làm tròn": ("rounding",),
    "căn cứ": ("basis",),
    "tổng": ("total",),
    "tổng điểm": ("total",),
    "năm": ("year",),
    "cấp": ("level",),
    "tỉnh": ("province",),
    "nhóm": ("group",),
    "đơn vị": ("unit",),
    "mặc định": ("default",),
    "nếu": ("if",),
    "thì": ("then",),
    "không thì": ("else",),
    "nếu không thì": ("else",),
    "còn không": ("else",),
    "còn không thì": ("else",),
    "trái lại": ("else",),
    "ngược lại": ("else", "otherwise"),
    "còn lại": ("otherwise", "else"),
    "và": ("and",),
    "hoặc": ("or",),
    "không": ("not", "false"),
    "có": ("true",),
    "đúng": ("true",),
    "sai": ("false",),
    "từ": ("from",),
    "đến": ("to",),
    "tới": ("to",),
    "dưới": ("under",),
    "đến dưới": ("to under",),
    "khi": ("when",),
    "bậc": ("tier",),
    "trừ": ("deduct",),
    "mỗi": ("per",),
    "thưởng": ("bonus",),
    "điểm thưởng": ("bonus",),
    "điểm trừ": ("penalty",),
    "phần trăm": ("%", "percent"),
    "không áp dụng": ("na", "not_applicable"),
    "loại trừ": ("exclude",),
    "loại khỏi": ("exclude",),
    "đủ điểm": ("full",),
}


# The same words typed without marks; trusted only where lark stopped, since `tong`, `co`
# or `nam` may well be the names of facts elsewhere on the line.
_UNACCENTED_KEYWORDS = {unaccented(word): kw for word, kw in _VIETNAMESE_KEYWORDS.items()}


def _phrase(text: str) -> str:
    """A matched phrase as the tables spell it: lower case, words one space apart (`Tối_đa` -> `tối đa`)."""
    return re.sub(r"[\s_]+", " ", text.lower())


@functools.cache
def _vietnamese_pattern() -> re.Pattern[str]:
    phrases = sorted({*_VIETNAMESE_KEYWORDS, *_UNACCENTED_KEYWORDS}, key=len, reverse=True)
    words = "|".join(r"[ \t_]+".join(map(re.escape, phrase.split())) for phrase in phrases)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class _Word:
    """A Vietnamese word or phrase for a keyword, at `start:end` of the text."""

    start: int
    end: int
    keywords: tuple[str, ...]
    # Written with its marks, or where lark stopped and wants its keyword: a word without marks
    # elsewhere may be a fact's name (`co`, `tong`).
    trusted: bool = True


def _vietnamese_words_on(text: str, line_start: int, line_end: int, at: int, wanted: set[str]) -> list[_Word]:
    """The Vietnamese keyword words of a line, outside strings and comments and other than names of facts.

    A word without marks is trusted where lark stopped, if it stands for a keyword lark wants there.
    """
    line = text[line_start : _content_end(text, line_start, line_end)]
    outside = {index for index, _ in outside_strings(line)}
    masked = "".join(char if index in outside else "\0" for index, char in enumerate(line))
    facts = set(re.findall(r"\bfact\s+([^\W\d]\w*)", text))
    found = []
    for match in _vietnamese_pattern().finditer(masked):
        start, stop = line_start + match.start(), line_start + match.end()
        keywords = _VIETNAMESE_KEYWORDS.get(_phrase(match.group()))
        trusted = keywords is not None
        if keywords is None:
            keywords = _UNACCENTED_KEYWORDS.get(_phrase(match.group()))
            trusted = start <= at < stop and any(k.split()[0] in wanted for k in keywords or ())
        if keywords and match.group() not in facts:
            found.append(_Word(start, stop, keywords, trusted))
    return found


def _vietnamese_keywords(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`tối đa 2`, `nếu ... thì ... không thì`: the keywords, or the line rewritten with them when that reads."""
    at = token.start_pos or 0
    line_start, line_end = _line_bounds(text, at)
    if line_end - line_start > _LONGEST_LINE:
        return None
    words = _vietnamese_words_on(text, line_start, line_end, at, literals_in(expected))
    # The word where lark stopped, or the one before it that lark took for a name (`nếu` in `nếu x thì`);
    # without its marks (`neu x thi`), only the word right before, since others may be names of facts.
    before = _token_before(text, at)
    culprit = next((w for w in words if w.start <= at < w.end and w.trusted), None) or next(
        (w for w in reversed(words) if w.end <= at and (w.trusted or (before is not None and w.end == before[1]))),
        None,
    )
    if culprit is None:
        return None
    wanted = literals_in(expected) if culprit.start <= at < culprit.end else set()
    # A word with several keywords takes the one lark expects, else each in turn until the line reads.
    choices = {w: sorted(w.keywords, key=lambda k: k.split()[0] not in wanted) for w in words}
    chosen = [w for w in words if w.trusted or w == culprit]
    # Words are put in by reading the line's item alone (cheap); the whole file is read once the line does.
    item = _item_start(text, line_start)
    for turn in range(max(len(w.keywords) for w in words)):
        picked = {w: choices[w][min(turn, len(choices[w]) - 1)] for w in words if w in chosen}
        # Then, in the first turn, each word without marks where lark, reading the line so far, stops next
        # (`thi` in `neu x thi max`), so that a fact named `co` in `neu co thi 1` stays a name.
        for _ in range(_WORDS_PUT_IN + 1 if turn == 0 and item is not None else 1):
            line = _with_keywords(text, line_start, line_end, picked)
            window = text[item:line_start] + line if item is not None else ""
            stop = item + _stop(window) if item is not None else -1
            if item is None or stop >= line_start + len(line):
                if _parses_past(text[:line_start] + line + text[line_end:], line_start + len(line)):
                    return _Fix(_keyword_hint(text, line, picked), culprit.start, culprit.end)
                break
            left = [w for w in words if w not in chosen]
            more = _word_at_stop(text, window, stop - item, line_start - item, picked, left) if left else None
            if more is None:
                break
            chosen.append(more[0])
            picked = {w: more[1] if w == more[0] else picked[w] for w in words if w in chosen}
    if choices[culprit][0].split()[0] in wanted:
        return _Fix(_keyword_hint(text, "", {culprit: choices[culprit][0]}), culprit.start, culprit.end)
    return None


# How many words without marks away from where lark stopped are put in, one by one (each costs two parses).
_WORDS_PUT_IN = 4


# A line that starts an item (a criterion, a fact, a bonus or penalty, an override or removal, the header).
_ITEM_LINE = re.compile(r'[ \t]*(?:\d+(?:\.\d+)*[ \t]+"|(?:fact|bonus|penalty|override|remove|ruleset)\b)')


def _item_start(text: str, line_start: int) -> int | None:
    """Where the item holding the line at `line_start` begins, if near: the grammar reads an item alone."""
    for _ in range(_LINES_BACK):
        if _ITEM_LINE.match(text, line_start):
            return line_start
        if line_start == 0:
            return None
        line_start = _line_bounds(text, line_start - 1)[0]
    return None


def _word_at_stop(
    text: str, window: str, stop: int, line_start: int, picked: dict[_Word, str], words: list[_Word]
) -> tuple[_Word, str] | None:
    """The one of `words` (left as written in `window`, which ends with the line, its `picked` keywords put
    in, from `line_start`) where lark stops, with the keyword it wants there, else the one right before it,
    which lark took for a name."""
    # Where each word is in `window`: after the line's start rewritten up to it.
    place = {}
    for word in words:
        before_it = {w: k for w, k in picked.items() if w.end <= word.start}
        start = _line_bounds(text, word.start)[0]
        place[word] = line_start + len(_with_keywords(text, start, word.start, before_it))
    at_stop = [w for w in words if place[w] == stop]
    wanted = literals_in(_expected_at(window, stop)) if at_stop else set()
    for word in at_stop:
        keyword = next((k for k in word.keywords if k.split()[0] in wanted), None)
        if keyword:
            return word, keyword
    before = _token_before(window, stop)
    named = next((w for w in words if before and place[w] + w.end - w.start == before[1]), None)
    return (named, named.keywords[0]) if named else None


def _with_keywords(text: str, line_start: int, line_end: int, picked: dict[_Word, str]) -> str:
    """The line with each Vietnamese word replaced by its keyword (`90 phần trăm` -> `90%`)."""
    out, last = "", line_start
    for word, keyword in picked.items():
        out += text[last : word.start]
        if keyword == "%":
            out = out.rstrip(" \t")
        out += keyword
        last = word.end
    return out + text[last:line_end]


# Longest rewritten line a hint shows; past it, the hint names the keywords instead.
_SHOWN_LINE = 100


def _keyword_hint(text: str, line: str, picked: dict[_Word, str]) -> str:
    if len(picked) == 1:
        ((word, keyword),) = picked.items()
        if keyword == "%":
            number = re.search(r"(\d+(?:\.\d+)?)\s*$", text[max(word.start - _LOOK_BACK, 0) : word.start])
            return f"phần trăm viết bằng dấu `%`, vd `{number.group(1) if number else 90}%`"
        return f"từ khoá viết bằng tiếng Anh: `{keyword}`"
    if line and len(line.strip()) <= _SHOWN_LINE:
        return f"từ khoá viết bằng tiếng Anh, cả dòng là: `{line.strip()}`"
    pairs = ", ".join(f"`{text[w.start : w.end]}` → `{k}`" for w, k in picked.items())
    return f"từ khoá viết bằng tiếng Anh: {pairs}"


# ---- other recognised mistakes at a token ----------------------------------------------

# What people used to spreadsheets or programming write, and what the grammar wants.
_HABITS = {"elif": "else if", "elsif": "else if", "elseif": "else if", "=>": ">=", "=<": "<=", "<>": "!="}


def _habit(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`elif`, `=>`, `<>`, and keywords in capitals (`AND`, `Max`)."""
    at = token.start_pos or 0
    word = str(token)
    pair = text[max(at - 1, 0) : at + 1]
    literals = literals_in(expected)
    if word.lower() in _HABITS and _HABITS[word.lower()].split()[0] in literals:
        return _Fix(f"viết `{_HABITS[word.lower()]}` thay cho `{word}`")
    if at > 0 and pair in _HABITS:
        return _Fix(f"viết `{_HABITS[pair]}` thay cho `{pair}`", at - 1, at + 1, f"không có phép so sánh `{pair}`")
    if word != word.lower() and word.lower() in literals:
        return _Fix(f"từ khoá viết chữ thường: `{word.lower()}`")
    return None


def _glued_keywords(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`percent_rounding`, `to_under`: two keywords joined by `_` (lark reads a keyword, then a name `_rounding`)."""
    at = token.start_pos or 0
    keywords = {word for word in literal_terminals().values() if word.isalpha()}
    for start, end in (_word_at(text, at), _token_before(text, at) or (at, at)):
        word = text[start:end]
        parts = [part for part in word.split("_") if part]
        if "_" not in word or word in keywords or not parts or not set(parts) <= keywords:
            continue
        # Only if the words apart read, lest a fact such as `total_score` be taken for two keywords.
        spaced = word.replace("_", " ")
        if _parses_past(text[:start] + spaced + text[end:], _line_bounds(text, start)[1]):
            return _Fix(f"hai từ khoá viết cách nhau: `{re.sub(' +', ' ', spaced.strip())}`", start, end)
    return None


def _word_at(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the word (letters, digits, `_`) that holds `pos`."""
    before = re.search(r"\w*$", text[max(pos - _LOOK_BACK, 0) : pos])
    after = re.match(r"\w*", text[pos : pos + _LOOK_BACK])
    return pos - len(before.group() if before else ""), pos + len(after.group() if after else "")


def _close_keyword(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """A misspelt keyword (`scroe`)."""
    word = str(token)
    close = suggest(word, keywords_in(expected)) if len(word) <= _SHOWN else None
    return _Fix(f"có phải ý bạn là `{close}`?") if close else None


def _hyphen(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`half-up` for `half_up`."""
    if str(token) != "-" or not (joined := _hyphenated(text, token.start_pos or 0)):
        return None
    return _Fix(f"tên và từ khoá nối bằng dấu gạch dưới, không dùng `-`: `{joined.replace('-', '_')}`")


def _double_equals(text: str, token: Token, expected: set[str]) -> _Fix | None:
    at = token.start_pos or 0
    if str(token) == "=" and text[max(at - 1, 0)] == "=":
        return _Fix("so sánh bằng viết một dấu `=`, vd `x = 1`")
    return None


# Keywords followed directly by their value (`max 2`, `reason "..."`, `else 0`).
_VALUE_KEYWORDS = {"max", "min", "total", "year", "reason", "basis", "level", "province", "inferred"}
_VALUE_KEYWORDS |= {"rounding", "default", "unit", "extends", "then", "else"}


def _sign_after_keyword(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`max: 2`, `max = 2`, `reason: "..."`, `score: max`: a sign the keyword does not take, as forms have."""
    sign, at = str(token), token.start_pos or 0
    before = _token_before(text, at) if sign in (":", "=") else None
    if before is None or "\n" in text[before[1] : at]:
        return None
    word = text[before[0] : before[1]]
    line_end = _line_bounds(text, at)[1]
    if word == "score" and sign == ":":
        if _parses_past(text[:at] + "=" + text[at + 1 :], line_end):
            return _Fix("công thức viết `score = ...`, với dấu `=`, không dùng `:`")
        return None
    if word not in _VALUE_KEYWORDS or not _parses_past(text[:at] + " " + text[at + 1 :], line_end):
        return None
    value = re.match(r'[ \t]*("[^"\n]*"|[^\s;]+)', text[at + 1 : at + 1 + _LOOK_BACK])
    example = f"`{word} {_short(value.group(1))}`" if value else f"`{word} ...`"
    return _Fix(f"sau `{word}` không có dấu `{sign}`: viết {example}")


def _decimal_comma(text: str, token: Token, expected: set[str]) -> _Fix | None:
    return _Fix(_DECIMAL_COMMA) if str(token) == "," else None


def _exponent(text: str, token: Token, expected: set[str]) -> _Fix | None:
    at = token.start_pos or 0
    if re.fullmatch(r"[eE]\d*", str(token)) and text[max(at - 1, 0)].isdigit():
        return _Fix("viết số đầy đủ (vd 1000000 hoặc 0.00001), không dùng dạng mũ như 1e6")
    return None


def _else_in_a_tier(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`else: 0` closing a tier, as an `if` closes: a tier's last row is `otherwise:`."""
    if str(token) not in ("else", "default") or not text[token.end_pos or 0 :].lstrip(" \t").startswith(":"):
        return None
    before = text[: token.start_pos or 0].rstrip().rsplit("\n", 1)[-1].strip()
    if not before.startswith(("when", "tier")) and "tier" not in before:
        return None
    return _Fix(f"dòng cuối của bảng bậc viết `otherwise:`, không phải `{token}:`")


def _missing_colon(text: str, token: Token, expected: set[str]) -> _Fix | None:
    return _Fix("thiếu dấu `:` trước giá trị?") if token.type == "STRING" and "COLON" in expected else None


def _missing_after(text: str, at: int, expected: set[str]) -> _Fix | None:
    """One thing missing after the previous token: `90` without `%`, `rounding 2` without its mode.

    lark stops at the next token, which may be lines later; the caret goes where the missing part belongs.
    """
    before = _token_before(text, at) if len(expected) == 1 else None
    if before is None:
        return None
    start, end = before
    word = _short(text[start:end])
    if literals_in(expected) == {"%"}:
        return _Fix(f"nhóm xếp loại tính theo phần trăm: viết `{word}%`", start, end, f"thiếu dấu `%` sau `{word}`")
    if expected == {"NAME"} and re.search(r"\brounding\s+$", text[max(start - _LOOK_BACK, 0) : start]):
        return _Fix(
            _rounding_hint(word),
            end,
            end + 1,
            f"thiếu kiểu làm tròn sau `rounding {word}`",
        )
    if expected == {"NUMBER"} and text[start:end] == "rounding":
        return _Fix("viết số chữ số thập phân rồi kiểu làm tròn, vd `rounding 3 half_up`")
    if "\n" in text[end:at]:
        hint = "`if ... then ...` cần cả phần `else ...`, vd `if x then max else 0`" if expected == {"ELSE"} else ""
        return _Fix(hint, end, end + 1, f"thiếu {describe_expected(expected)} sau `{word}`")
    return None


def _missing_after_token(text: str, token: Token, expected: set[str]) -> _Fix | None:
    return _missing_after(text, token.start_pos or 0, expected)


_COMPARISONS = {">=", "<=", "!=", "=", "<", ">"}


# Header settings: a line starting with one of these after the facts or criteria belongs in the header.
_HEADER_WORDS = ("group", "level", "province", "year", "basis", "inferred", "extends", "not_applicable")


def _header_line_late(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`group "A" from 90%` written among the facts: header settings come right after `ruleset`."""
    at = token.start_pos or 0
    line_start, _ = _line_bounds(text, at)
    wanted = literals_in(expected)
    # Only where a new declaration may start (`fact` expected): not a header line with a slip of its own
    if str(token) not in _HEADER_WORDS or text[line_start:at].strip() or str(token) in wanted or "fact" not in wanted:
        return None
    if text[line_start:at] and str(token) in ("inferred", "basis"):
        # Indented: the note of an item whose own line is gone (deleted with `override 3.5: max 3`, say).
        return _Fix(
            f"dòng `{token}` thụt lề là ghi chú của tiêu chí ngay trên nó, nhưng ở đây không có dòng tiêu chí "
            '(`ID "tên": max ...` hay `override ID ...`): nếu đã xoá dòng tiêu chí thì xoá cả dòng này; '
            f"nếu là `{token}` của cả bộ quy tắc thì bỏ thụt lề và chuyển lên ngay dưới dòng `ruleset`"
        )
    return _Fix(
        f"`{token}` thuộc phần đầu của bộ quy tắc: chuyển dòng này lên ngay dưới dòng `ruleset`, "
        "trước các dòng `fact` và các tiêu chí"
    )


# Statements that belong to a criterion, what follows their keyword, and what a hint calls them.
_CRITERION_STATEMENTS = {
    "score": (r"=", "công thức `score = ...`"),
    "reason": (r'"|when\b', "lý do `reason ...`"),
    "na": (r"when\b", "điều kiện không áp dụng `na when ...`"),
}


def _statement_outside_criterion(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`score = ...` before the first criterion, after a fact or under the header: it belongs to a criterion."""
    at = token.start_pos or 0
    known = _CRITERION_STATEMENTS.get(str(token))
    wanted = literals_in(expected)
    # Only where a new item may start (`fact` expected) and the statement may not: not inside a criterion.
    if known is None or str(token) in wanted or "fact" not in wanted:
        return None
    follows, what = known
    if not re.match(rf"[ \t]*(?:{follows})", text[token.end_pos or at : (token.end_pos or at) + _SHOWN]):
        return None
    removed = re.search(r"\bremove[ \t]+(\d+(?:\.\d+)*)\s*$", text[max(at - _LOOK_BACK, 0) : at])
    if removed:  # in a rule set that extends another: `override` changes a criterion, `remove` takes it away
        crit = removed.group(1)
        return _Fix(f"`remove {crit}` bỏ cả tiêu chí; để đổi tiêu chí của năm trước, viết `override {crit}` rồi {what}")
    return _Fix(
        f"{what} nằm ngoài mọi tiêu chí: đặt dòng này ngay dưới dòng của tiêu chí "
        f'(vd `7.2.2 "Tên": max 3`), thụt vào hai dấu cách'
    )


def _item_line_slip(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """The item lines of a year's changes written as one would say them: `remove 1.6.2 "Tên"` (the id
    alone), `remove ten_du_kien` (a fact: `remove fact`), `3.5: max 3` (a title, or `override`)."""
    at = token.start_pos or 0
    line_start, line_end = _line_bounds(text, at)
    line = text[line_start:line_end]
    if line_end - line_start > _LONGEST_LINE:
        return None
    removal = re.match(r"[ \t]*remove[ \t]+(\S+)", line)
    if removal is not None and token.type == "STRING" and re.fullmatch(r"\d+(?:\.\d+)*", removal.group(1)):
        return _Fix(f"`remove` chỉ cần mã tiêu chí, không cần tên: `remove {removal.group(1)}`")
    if removal is not None and at == line_start + removal.start(1) and re.fullmatch(r"[^\W\d]\w*", str(token)):
        return _Fix(f"bỏ một dữ kiện viết `remove fact {token}`; bỏ một tiêu chí viết mã của nó, vd `remove 1.6.2`")
    head = re.match(r"[ \t]*(\d+(?:\.\d+)*)[ \t]*:[ \t]*(.*?)[ \t]*$", line)
    if head is not None and str(token) == ":" and at == line_start + head.end(1) + line[head.end(1) :].index(":"):
        crit, rest = head.group(1), head.group(2) or "max ..."
        extends = re.search(r"^[ \t]*extends\b", text, re.M)
        change = f"; để sửa tiêu chí {crit} của năm trước: `override {crit}: {rest}`" if extends else ""
        return _Fix(f'tiêu chí viết kèm tên trong ngoặc kép: `{crit} "Tên": {rest}`{change}')
    return None


def _condition_after(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`score = max * p nếu p >= 50%` (or `neu`, `if`): a condition written after its value, as a decision words it."""
    at = token.start_pos or 0
    line_start, line_end = _line_bounds(text, at)
    line = text[line_start:line_end]
    found = re.fullmatch(r"(\s*score\s*=\s*)(.+?)\s+(?:nếu|neu|if)\s+(.+?)\s*", line, re.IGNORECASE)
    if str(token).lower() not in ("nếu", "neu", "if") or found is None or line_start + found.start(2) >= at:
        return None
    value, condition = found.group(2), found.group(3)
    return _Fix(f"điều kiện viết trước giá trị, kèm giá trị khi không đạt: `if {condition} then {value} else 0`")


def _tier_without_test(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`when "hài lòng": 1`: a tier row without `=`, `>=` or `from ... to ...` before its value."""
    literals = literals_in(expected)
    if "from" not in literals or len(literals) != len(expected) or not literals <= {*_COMPARISONS, "from"}:
        return None
    at = token.start_pos or 0
    literal = re.match(r'"[^"\n]*"|\d+(?:\.\d+)?%?', text[at : at + _LOOK_BACK])
    value = _short(literal.group() if literal else str(token))
    if token.type == "STRING":
        return _Fix(f"thiếu phép so sánh sau `when`: `when = {value}: ...`")
    return _Fix(f"thiếu phép so sánh sau `when`: vd `when >= {value}: ...` hoặc `when from {value} to under ...: ...`")


def _tier_row_without_when(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`>= 90%: max`, `from 50% to under 90%: 1` under a `tier`: a row starts with `when`."""
    at = token.start_pos or 0
    line_start, line_end = _line_bounds(text, at)
    if line_end - line_start > _LONGEST_LINE:
        return None
    row = re.match(r"[ \t]*(>=|<=|!=|=|<|>|from\b)", text[line_start:line_end])
    if row is None or at < line_start + row.start(1):
        return None
    start, end = line_start + row.start(1), line_start + row.end(1)
    if not _parses_past(text[:start] + "when " + text[start:], line_end + len("when ")):
        return None
    shown = "when " + text[start : _content_end(text, line_start, line_end)]
    example = f"`{shown}`" if len(shown) <= _SHOWN_LINE else f"`when {row.group(1)} ...`"
    return _Fix(f"mỗi dòng của bảng bậc bắt đầu bằng `when`: {example}", start, end, "dòng của bảng bậc thiếu `when`")


def _keyword_as_name(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`max * if x > 10 then 1 else 0`: after an operator `if` is read as a name; it needs brackets (§7.4)."""
    at = token.start_pos or 0
    before = _token_before(text, at)
    if before is None:
        return None
    start, end = before
    word = text[start:end]
    if word not in ("if", "tier", "deduct") or word.upper() in _expected_at(text, start):
        return None
    # The example brackets the rest of the line, when that reads (an `if` on one line does).
    example = f"({word} ...)"
    line_start, line_end = _line_bounds(text, start)
    if line_end - line_start <= _LONGEST_LINE:
        stop = _content_end(text, line_start, line_end)
        line = text[line_start:start] + "(" + text[start:stop] + ")"
        if stop > at and _parses_past(text[:line_start] + line + text[stop:], line_start + len(line)):
            example = line.strip() if len(line.strip()) <= _SHOWN_LINE else example
    return _Fix(f"`{word} ...` sau một phép tính hay so sánh phải đặt trong ngoặc: `{example}`", start, end)


# How many ends of a title without quotes are tried (each is a parse of the file).
_WORDS_TRIED = 12


def _unquoted_text(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`1 Công tác chỉ đạo: max 12`, `reason Chưa có kế hoạch`: a title or a sentence without its quotes."""
    at = token.start_pos or 0
    line_end = _line_bounds(text, at)[1]
    if token.type != "NAME" or "STRING" not in expected or "NAME" in expected or line_end - at > _LONGEST_LINE:
        return None
    # The shortest text that, quoted, lets the line read: a title ends before its `:`, a reason at the
    # line's end; those are tried first and last, the first words of the line in between.
    stop = _content_end(text, _line_bounds(text, at)[0], line_end)
    colon = text.find(":", at, stop)
    ends = [at + len(text[at:colon].rstrip())] if colon > at else []
    ends += [at + w.end() for w in itertools.islice(re.finditer(r"\w+", text[at:stop]), _WORDS_TRIED)] + [stop]
    for end in dict.fromkeys(ends):
        quoted = '"' + text[at:end] + '"'
        if _parses_past(text[:at] + quoted + text[end:], line_end + 2):
            return _Fix(f"tên, lý do và căn cứ viết trong ngoặc kép: {_quoted_whole(quoted)}", at, end)
    return None


# Longest text a hint gives whole, to be copied; past it, the hint says where the quotes go.
_SHOWN_QUOTED = 300


def _quoted_whole(quoted: str) -> str:
    """A text put in quotes, as a hint shows it: whole, so that it can be copied, unless it is very long."""
    if len(quoted) <= _SHOWN_QUOTED:
        return f"`{quoted}`"
    words = quoted[1:-1].split()
    return f'đặt `"` trước `{_short(words[0])}` và sau `{_short(words[-1])}`'


# ---- a maximum with a unit, a rounding mode, a zero policy, a name in two words, a bracket left open ----

# Words for points written after a number of points (`max 2 điểm`).
_POINT_WORDS = {"điểm", "diem", "đ", "d", "point", "points", "pts"}


def _unit_after_number(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`max 2 điểm`, `max 2%`, `total 74 điểm`: a maximum and the total are points, a bare number.

    In a fact's declaration (`max 20 điểm`) a unit has a statement of its own: `unit "điểm"`.
    """
    at = token.start_pos or 0
    word = str(token)
    before = re.search(r"\b(max|min|total)[ \t]*(\d+(?:\.\d+)?)[ \t]*$", text[max(at - _LOOK_BACK, 0) : at])
    if before is None:
        return None
    keyword, number = before.groups()
    points = token.type == "NAME" and word.lower() in _POINT_WORDS
    line_end = _line_bounds(text, at)[1]
    if "unit" in literals_in(expected):  # a fact's bound: `max 12 cuộc`, `max 5000 hồ sơ`, `max 20 điểm`
        if token.type != "NAME" or word.lower() == "d":
            return None
        keywords = set(literal_terminals().values())
        words = []  # the unit's words, up to the line's end or its next keyword (`max 12 cuộc default 0`)
        for found in re.finditer(r"\S+", text[at:line_end].split("#", 1)[0]):
            if found.group() in keywords or not re.fullmatch(r"[^\W\d]\w*", found.group()):
                break
            words.append(found)
        if not words:
            return None
        unit = f'unit "{" ".join(w.group() for w in words)}"'
        if not _parses_past(text[:at] + unit + text[at + words[-1].end() :], line_end):
            return None
        return _Fix(f"đơn vị của dữ kiện viết riêng: `{keyword} {number} {unit}`")
    if keyword == "min" or not (points or word == "%"):
        return None
    if not _parses_past(text[:at] + text[at + len(word) :], line_end):
        return None
    what = "điểm tối đa" if keyword == "max" else "tổng điểm"
    if word == "%":
        return _Fix(f"{what} tính bằng điểm, không theo phần trăm: viết `{keyword} {number}`")
    return _Fix(f"{what} viết số điểm, không kèm đơn vị: bỏ `{word}`, viết `{keyword} {number}`")


def _negative_maximum(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`max -2` on a criterion, `total -5`: points to be won are never negative; points taken off are a penalty."""
    at = token.start_pos or 0
    before = re.search(r"\b(max|total)[ \t]*$", text[max(at - _LOOK_BACK, 0) : at])
    number = re.match(r"-[ \t]*(\d+(?:\.\d+)?)", text[at : at + _SHOWN])
    if str(token) != "-" or before is None or number is None or "NUMBER" not in expected:
        return None
    keyword = before.group(1)
    what = "điểm tối đa của tiêu chí" if keyword == "max" else "tổng điểm"
    return _Fix(
        f"{what} không âm: viết `{keyword} {number.group(1)}`; điểm bị trừ khai báo bằng một mục `penalty`",
        message=f"{what} không được âm (`{keyword} -{number.group(1)}`)",
    )


def _rounding_hint(digits: str) -> str:
    """What to write when a `rounding N` lacks its mode."""
    return f"viết vd `rounding {digits} half_up`; các kiểu làm tròn: {', '.join(ROUNDING_MODES)}"


def _rounding_without_mode(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`rounding 2` with no mode: the next line's first word (`group`, `fact`, `inferred`) is read as the mode,
    and lark stops after it. Said at the end of `rounding 2`, where the mode is missing."""
    at = token.start_pos or 0
    found = re.search(
        r"\brounding[ \t]+(\d+)[ \t]*(?:#[^\n]*)?\n[ \t]*([^\W\d]\w*)[ \t]+$", text[max(at - _LONGEST_LINE, 0) : at]
    )
    if found is None or found.group(2) not in set(literal_terminals().values()):
        return None
    digits, word = found.groups()
    end = max(at - _LONGEST_LINE, 0) + found.end(1)
    return _Fix(
        _rounding_hint(digits),
        end,
        end + 1,
        f"thiếu kiểu làm tròn sau `rounding {digits}` (`{word}` ở dòng sau bị đọc thành kiểu làm tròn)",
    )


def _rounding_mode(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`rounding 2 làm tròn`, `rounding 2 "half_up"`: the mode is one of the rounding modes' names."""
    at = token.start_pos or 0
    line_start = _line_bounds(text, at)[0]
    if at - line_start > _LONGEST_LINE:
        return None
    found = re.search(r"\brounding[ \t]+(\d+)[ \t]+((?:[^\W\d]\w*[ \t]+)*)$", text[line_start:at])
    if found is None:
        return None
    digits, words = found.groups()
    first = (words.split() or [str(token)])[0]
    if first in ROUNDING_MODES or first in ROUNDING_ALIASES:
        return None  # the mode is right: the mistake is after it
    start = line_start + found.start(2) if words else at
    end = at + max(len(str(token)), 1)
    keywords = set(literal_terminals().values())
    while (more := re.match(r"[ \t]+([^\W\d]\w*)", text[end : end + _SHOWN])) and more.group(1) not in keywords:
        end += more.end()  # the rest of the words written for the mode (`làm tròn lên`)
    written = text[start:end]
    modes = ", ".join(ROUNDING_MODES)
    aliases = ", ".join(f"`{alias}` = `{mode}`" for alias, mode in ROUNDING_ALIASES.items())
    example = written.strip('"') if written.strip('"') in ROUNDING_MODES else "half_up"
    return _Fix(
        f"kiểu làm tròn là một trong: {modes} (và {aliases}); vd `rounding {digits} {example}`",
        start,
        end,
        f"kiểu làm tròn không có: `{_short(written)}`",
    )


# The zero policies of `ratio`, with what they give, and what a value written for one may mean.
_ZERO_POLICIES = "`zero: zero` (0 điểm), `zero: full` (đạt tối đa) hoặc `zero: na` (không áp dụng)"
_ZERO_MEANT = {"0": "zero", "100%": "full"}
_NA_POLICIES = "`full` (đạt tối đa) hoặc `exclude` (không tính điểm tối đa của tiêu chí)"


def _option_value(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`ratio(a, b, zero: 0)`, `na when x = 0: 0`: a policy is one of its names, not a number."""
    at = token.start_pos or 0
    if expected != {"NAME"}:
        return None
    line_start = _line_bounds(text, at)[0]
    before = text[max(line_start, at - _LOOK_BACK) : at]
    written = re.match(r"\d+(?:\.\d+)?%?|\S", text[at : at + _SHOWN])
    value = written.group() if written else str(token)
    if re.search(r"\bzero[ \t]*:[ \t]*$", before):
        meant = _ZERO_MEANT.get(value)
        guess = f"có phải ý bạn là `zero: {meant}`? " if meant else ""
        return _Fix(f"{guess}khi mẫu số bằng 0, viết {_ZERO_POLICIES}", at, at + len(value))
    if re.search(r"\bna[ \t]+when\b.*:[ \t]*$", before):
        return _Fix(f"sau `na when ...:` là cách tính khi không áp dụng: {_NA_POLICIES}", at, at + len(value))
    return None


def _name_in_words(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`fact so thon: count ...`: a name of several words; a name is one word, its parts joined by `_`."""
    at = token.start_pos or 0
    if token.type != "NAME":
        return None
    line_start, line_end = _line_bounds(text, at)
    if line_end - line_start > _LONGEST_LINE:
        return None
    found = re.search(r"\b(?:fact|bonus|penalty)[ \t]+([^\W\d]\w*)[ \t]+$", text[line_start:at])
    if found is None or str(token) in literal_terminals().values():
        return None
    start = line_start + found.start(1)
    words = re.match(r"\w+(?:[ \t]+\w+)*", text[start:line_end])
    assert words is not None
    end = start + len(words.group())
    joined = "_".join(words.group().split())
    if not _parses_past(text[:start] + joined + text[end:], line_end):
        return None
    return _Fix(
        f"tên viết liền, nối các từ bằng dấu gạch dưới: `{joined}`",
        start,
        end,
        f"tên không có dấu cách: `{_short(words.group())}`",
    )


_CLOSING = {"(": ")", "[": "]"}


def _open_bracket(text: str, at: int, closing: str) -> int | None:
    """Where the innermost bracket still open at `at` is, if it closes with `closing` and is near."""
    line_start = _line_bounds(text, at)[0]
    for _ in range(_LINES_BACK):
        if line_start == 0:
            break
        line_start = _line_bounds(text, line_start - 1)[0]
    if at - line_start > _LONGEST_LINE * _LINES_BACK:
        return None
    stack: list[int] = []
    offset = line_start
    for line in text[line_start:at].split("\n"):
        cut = comment_start(line)
        for index, char in outside_strings(line if cut is None else line[:cut]):
            if char in _CLOSING:
                stack.append(offset + index)
            elif char in _CLOSING.values() and stack:
                stack.pop()
        offset += len(line) + 1
    return stack[-1] if stack and _CLOSING[text[stack[-1]]] == closing else None


def _unclosed_bracket(text: str, token: Token, expected: set[str]) -> _Fix | None:
    """`min(max, (a + b` without its `)`: lark stops at what follows, often the next line's statement."""
    at = token.start_pos or 0
    closing = next((c for c in _CLOSING.values() if c in literals_in(expected)), None)
    opening = _open_bracket(text, at, closing) if closing else None
    if closing is None or opening is None:
        return None
    before = _token_before(text, at)
    if before is None or "\n" not in text[before[1] : at]:
        return _Fix(f"{_opened(text, opening, at)}; thêm `{closing}` trước `{_short(str(token))}`")
    # The statement goes on to the next line: the bracket closes at the end of the line before. Only
    # when nothing but the bracket can follow does the caret go there (as `_missing_after` does).
    start, end = before
    word = _short(text[start:end])
    moved = len(expected) == 1
    hint = _opened(text, opening, end if moved else at)
    line_start, line_end = _line_bounds(text, end)
    fixed = text[line_start:end] + closing + text[end:line_end]
    if _parses_past(text[:line_start] + fixed + text[line_end:], at + 1):
        shown, line = fixed.strip(), "" if moved else f" {_position(text, end)[0]}"
        hint += (
            f"; thêm `{closing}` ở cuối dòng{line}: `{shown}`"
            if len(shown) <= _SHOWN_LINE
            else f"; thêm `{closing}` sau `{word}`"
        )
    return _Fix(hint, end, end + 1, f"thiếu `{closing}` sau `{word}`") if moved else _Fix(hint)


def _opened(text: str, opening: int, caret: int) -> str:
    """Where a bracket left open is, said from the caret's line: `ngoặc ( ở dòng 4, cột 14 chưa đóng`."""
    line, column = _position(text, opening)
    where = f"cột {column}" if line == _position(text, caret)[0] else f"dòng {line}, cột {column}"
    return f"ngoặc `{text[opening]}` ở {where} chưa đóng"


# ---- recognised mistakes at a character ---------------------------------------------

_DECIMAL_COMMA = "số thập phân viết bằng dấu chấm (17.748), không dùng dấu phẩy"

# Signs that look like the grammar's (Word and Excel put them in), and what to type instead.
_LOOKALIKES = {
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "–": "-",
    "—": "-",
    "−": "-",
    "×": "*",
    "÷": "/",
    "&&": "and",
    "&": "and",
    "||": "or",
    "|": "or",
    "!": "not",
}
_QUOTES = "“”„‘’'"


def _lookalike(text: str, pos: int, expected: set[str]) -> _Fix | None:
    """`≥`, `–`, `×`, curly quotes, a no-break space: what Word types in place of the grammar's signs."""
    char = text[pos]
    pair = text[pos : pos + 2]
    if unicodedata.category(char) == "Zs":
        return _Fix(
            f"dấu cách đặc biệt {_shown_char(char)} (thường do chép từ Word hay trang web): "
            "xoá rồi gõ lại bằng phím cách"
        )
    if char in _QUOTES:
        return _Fix(_quote_hint(text, pos))
    if char in "–—" and _in_range(text, pos):
        return _Fix(f"khoảng viết bằng `from ... to ...`, không dùng `{char}`, vd `from 70% to under 90%`")
    sign = _LOOKALIKES.get(pair) or _LOOKALIKES.get(char)
    if sign:
        shown = pair if pair in _LOOKALIKES else char
        return _Fix(f"viết {'dấu trừ ' if sign == '-' else ''}`{sign}` thay cho `{shown}`")
    plain = unicodedata.normalize("NFKC", char)
    if plain != char and plain.isascii() and plain.isprintable():
        return _Fix(f"viết `{plain}` thay cho `{char}`")
    return None


def _in_range(text: str, pos: int) -> bool:
    """Whether the dash at `pos` stands between two bounds of a tier row or a group (`when 70%–90%`)."""
    before = text[max(pos - _LOOK_BACK, 0) : pos]
    return re.search(r"\b(?:when|from|to|under)\s+\d+(?:\.\d+)?%?\s*$", before) is not None


def _quote_hint(text: str, pos: int) -> str:
    """Strings take straight double quotes: the string rewritten with them when it closes on the line."""
    closed = re.match(rf"[{_QUOTES}\"]([^{_QUOTES}\"\n]*)[{_QUOTES}\"]", text[pos : pos + _LOOK_BACK])
    if closed:
        return f'chuỗi viết trong ngoặc kép thẳng: `"{closed.group(1)}"`'
    return f'chuỗi viết trong ngoặc kép thẳng `"`, không dùng `{text[pos]}`'


def _trailing_dot(text: str, pos: int, expected: set[str]) -> _Fix | None:
    """`1.5.1.` or `max 3.`: a dot after an id or a number, as numbered lists in Word have."""
    if text[pos] != "." or pos == 0 or not text[pos - 1].isdigit() or text[pos + 1 : pos + 2].isdigit():
        return None
    number = re.search(r"\d+(?:\.\d+)*$", text[max(pos - _LOOK_BACK, 0) : pos])
    if number is None:
        return None
    # An id starts its line, or follows `[`, `override` or `remove`; anything else is a number.
    lead = text[_line_bounds(text, pos)[0] : pos - len(number.group())]
    what = "mã tiêu chí" if re.fullmatch(r"\s*|.*(\[|\boverride|\bremove)\s*", lead) else "số"
    return _Fix(f"{what} không có dấu chấm ở cuối: viết `{number.group()}`")


# Dates as people write them (31/01/2025, 31.01.2025, 2025/1/31) rather than 2025-01-31.
_DATE_LIKE = re.compile(
    r"(?<![\w.])(?:(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})"
    r"|(?P<y2>\d{4})(?P<s2>[/.-])(?P<m2>\d{1,2})(?P=s2)(?P<d2>\d{1,2}))(?![\w.])"
)


def _date_at(text: str, pos: int) -> _Fix | None:
    """A date written day/month/year (or with dots or slashes) where the grammar reads year-month-day."""
    line_start, line_end = _line_bounds(text, pos)
    for match in _DATE_LIKE.finditer(text, max(line_start, pos - 20), min(line_end, pos + 20)):
        if not match.start() <= pos < match.end():
            continue
        year, month, day = (match.group(k) or match.group(f"{k}2") for k in ("y", "m", "d"))
        try:
            iso = datetime.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            return None
        if iso == match.group():
            return None
        message = f"ngày viết sai dạng: `{match.group()}`; cần năm-tháng-ngày, vd 2023-10-31"
        return _Fix(f"viết `{iso}`", match.start(), match.end(), message)
    return None


def _date_at_token(text: str, token: Token, expected: set[str]) -> _Fix | None:
    return _date_at(text, token.start_pos or 0)


def _byte_order_mark(text: str, pos: int, expected: set[str]) -> _Fix | None:
    return _Fix("dấu BOM (U+FEFF) chỉ được đứng đầu tệp; xoá ký tự vô hình này") if text[pos] == "\ufeff" else None


def _invisible(text: str, pos: int, expected: set[str]) -> _Fix | None:
    if text[pos].isprintable():
        return None
    if unicodedata.category(text[pos]) == "Cf":  # zero-width space, soft hyphen: Word and web pages put them in
        return _Fix(f"ký tự vô hình {_shown_char(text[pos])} (thường do chép từ Word hay trang web): xoá ký tự này")
    return _Fix("ký tự vô hình hoặc ký tự điều khiển; tệp có thể bị hỏng, hoặc chép từ nơi khác kèm ký tự lạ")


# A string up to and including its first control character (tab allowed), before its closing quote: the
# characters grammar/cchc.lark's STRING refuses, which the two must keep the same.
_CONTROL_IN_STRING = re.compile(
    r'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f-\x9f]|\\[^\x00-\x08\x0a-\x1f\x7f-\x9f])*(?:\\)?[\x00-\x08\x0b-\x1f\x7f-\x9f]'
)


def _unclosed_string(text: str, pos: int, expected: set[str]) -> _Fix | None:
    if text[pos] != '"':
        return None
    rest = text[pos : _line_bounds(text, pos)[1]]
    control = _CONTROL_IN_STRING.match(rest)
    if control:  # a bell or escape code pasted into a title: the string stops there, say so at the character
        at = pos + control.end() - 1
        message = f"ký tự điều khiển {_shown_char(text[at])} trong chuỗi; chuỗi chỉ chứa ký tự in được"
        if text[at] in "\v\f":  # Word's line break (Shift+Enter) and page break, copied with a title
            what = "ngắt dòng" if text[at] == "\v" else "ngắt trang"
            return _Fix(f"dấu {what} của Word, chép theo tên mục: thay bằng một dấu cách", at, at + 1, message)
        return _Fix("xoá ký tự này (thường do tệp hỏng, hoặc chép từ nơi khác kèm ký tự lạ)", at, at + 1, message)
    curly = next((c for c in "”“" if c in rest), None)
    if curly:
        return _Fix(f'chuỗi chưa đóng: `{curly}` là ngoặc kép cong; đóng chuỗi bằng ngoặc kép thẳng `"`')
    return _Fix("chuỗi chưa đóng ngoặc kép trên cùng dòng")


def _comma(text: str, pos: int, expected: set[str]) -> _Fix | None:
    return _Fix(_DECIMAL_COMMA) if text[pos] == "," else None


def _misspelt_word(text: str, pos: int, expected: set[str]) -> _Fix | None:
    word = re.match(rf"\w{{1,{_SHOWN}}}", text[pos : pos + _SHOWN])
    close = suggest(word.group(0), keywords_in(expected)) if word else None
    return _Fix(f"có phải ý bạn là `{close}`?") if close else None


def _date_at_character(text: str, pos: int, expected: set[str]) -> _Fix | None:
    return _date_at(text, pos)


# In order: the first that recognises the mistake gives the hint.
_TOKEN_FIXES: tuple[Callable[[str, Token, set[str]], _Fix | None], ...] = (
    _header_line_late,
    _statement_outside_criterion,
    _item_line_slip,
    _tier_row_without_when,
    _condition_after,
    _unit_after_number,
    _negative_maximum,
    _rounding_without_mode,
    _rounding_mode,
    _option_value,
    _name_in_words,
    _vietnamese_keywords,
    _glued_keywords,
    _habit,
    _keyword_as_name,
    _close_keyword,
    _unquoted_text,
    _date_at_token,
    _hyphen,
    _double_equals,
    _sign_after_keyword,
    _decimal_comma,
    _exponent,
    _unclosed_bracket,
    _missing_after_token,
    _tier_without_test,
    _else_in_a_tier,
    _missing_colon,
)
_CHARACTER_FIXES: tuple[Callable[[str, int, set[str]], _Fix | None], ...] = (
    _byte_order_mark,
    _lookalike,
    _date_at_character,
    _trailing_dot,
    _invisible,
    _unclosed_string,
    _comma,
    _misspelt_word,
)
