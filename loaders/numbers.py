"""Numerals in report text: parse them (`parse_numeral`) and find where they are (`find_numbers`).

Python finds, SQL decides: this module reports every numeral as written, with its offsets, its value and
the multiplier word after it. Which numbers are targets, and what the words around them mean, is decided
by `quantities` and dbt.

Grammar
-------
- Arabic: ``5``, ``5.5``; thousands separators only in groups of exactly three digits (``1,100``,
  ``12,345.6``; ``1,2`` is two numbers). Full-width digits and point are read as their ASCII forms,
  offsets unchanged; the full-width comma groups full-width digits only (``１２，３４５``), since between
  ASCII digits it is a clause comma (``$20，300美元`` is two numbers). There is no sign: in ``3-5``
  the hyphen is a dash. Dotted runs such as ``2025.3.5`` are dates or versions: each part is its own integer.
- Chinese: digits 零〇一二两三四五六七八九 and the financial forms 壹贰叁肆伍陆柒捌玖; place words 十百千
  (拾佰仟); section words 万 亿, which chain as 万亿 (10^12) and the archaic 万万 (10^8, 六万万人民).
  A section word applies to everything before it when it is larger than any before (一万五千亿 =
  1.5 × 10^12), otherwise to its own section (四亿五千万). Elisions: a digit directly after a place or
  section word, with nothing after it, takes the next lower place (二百五 = 250, 一万二 = 12000,
  十五 = 15); 十 needs no digit (一千零十二 = 1012, 二百十七 = 217). 点 is the decimal point (三点五, 两千万点五五四四); a decimal may carry a
  section word (三点五万). 两 is a count, not a spoken digit: it is never elided or a decimal digit
  (两万两 = 20000 and 两; 两百点两 = 200 and 2).
- Mixed: an Arabic number can stand for a digit (3万4000, 5万4千6百, 1.3万亿, 1千零20, 2千零30万).
- Digit-by-digit: a run of bare digits is read digit by digit when it holds a 零/〇/○ or is four long
  (二〇二五, 一九八○, 一九五八). Other runs of two or more bare digits are approximations, enumerations
  or names (三五年, 二三十, 一二三产业, “七五”, 两两) and are not numbers.
- A numeral starts with a digit or 十: a bare 百/千/万/亿 is not a number (万企兴万村, 每万人口, 百姓).
  The one exception is a power-of-ten denominator: 百分之五 (percent words), 千分之三 (per mille words),
  万分之三 and 百万分之五 (fractions).
- ``X分之Y`` is a fraction with value Y/X (28 significant digits); 二分之 with no Y is just 二.
- 多/余 before a section word belong to the span (1200多万, 十余万, 一亿一千七百多万): the value is then
  a lower bound, and the approximation is visible in ``text``. 四百多 is just 四百.

Where a span stops (context rules, `find_numbers` only)
-------------------------------------------------------
- Unit words: when the first written number is followed by a place or section word that begins a unit
  word, the span stops before it (3千米 → 3, 200千瓦时 → 200, 三千米 → 三, 3百分点 → 3). Only the first
  term is checked: in 一万三千米 the 千 can only be a place (13000 米).
- Latin letters: a number that begins or ends with an Arabic digit touching an ASCII letter is not
  reported (5G, PM2.5, C919, H7N9, 4K).
- Approximations with 几/数 are not reported (几十万, 数十年, 十几, 二十几万): no value can be given.
- The financial forms 陆伍拾肆 and the circle ○ are common characters in words (陆续, 队伍, 收拾, 放肆,
  bullets); on their own they are not numbers (they are within a longer numeral: 一千陆, 肆佰陆拾).

Value and multiplier
--------------------
``multiplier_text`` is the run of section words that ends the numeral (万, 亿, 万亿, 万万); when the
numeral is an Arabic number followed by one place word, that place word joins the multiplier (3千 → 千,
3千万 → 千万, 5百万 → 百万), because it cannot be part of the Arabic value. Place words of a Chinese
numeral belong to its value: 二百五十万 → 250 万, 五千万 → 5000 万, 一亿二千万 → 12000 万. A numeral
that ends in anything else has no multiplier (3万4000 → 34000, 两千万点五五四四 → 20000000.5544).
``value * multiplier == parse_numeral(text)`` always holds, except for percent and per-mille words,
whose value is the number after 百分之/千分之.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from typing import NamedTuple

from loaders.records import record

# Unit words that begin with a place or section character. 万千瓦 is deliberately absent: it is the
# multiplier 万 followed by the unit 千瓦. 个百分点 needs no entry: 个 already ends a number.
DEFAULT_UNIT_WORDS: frozenset[str] = frozenset(
    {
        "千米",
        "千瓦",
        "千瓦时",
        "千克",
        "千伏",
        "千伏安",
        "千帕",
        "千卡",
        "千焦",
        "千赫",
        "千兆",
        "千公顷",
        "千字节",
        "千比特",
        "百分点",
        "百分比",
    }
)


@dataclass(frozen=True)
class NumberSpan:
    """One number as written in a text; see the module docstring for the rules."""

    start: int  # offsets into the text passed to find_numbers (end exclusive)
    end: int
    text: str  # text[start:end]
    value: Decimal  # the number before any trailing multiplier (3 for 3万, 250 for 二百五十万)
    multiplier_text: str  # trailing multiplier as written: '' | 百 | 千 | 万 | 亿 | 万亿 | 千万 | ...
    multiplier: int  # 1, 10**4, 10**8, 10**12, ... matching multiplier_text
    numeral_kind: str  # 'arabic' | 'chinese' | 'mixed'
    percent_words: bool  # 百分之…: value is the percent number (百分之五十五点五五 → 55.55)
    per_mille_words: bool  # 千分之…: value is the per-mille number (千分之三 → 3)
    fraction: bool  # X分之Y, value Y/X (三分之一 → 0.333…, 万分之三 → 0.0003)


_ARABIC_DIGITS = "0123456789０１２３４５６７８９"
_ARABIC_DIGIT_SET = frozenset(_ARABIC_DIGITS)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
_D = "0-9０-９"
_GROUP = rf"(?:,[{_D}]{{3}}|，[０-９]{{3}})"  # the full-width comma only groups full-width digits
_ARABIC = re.compile(rf"(?:[{_D}]{{1,3}}{_GROUP}+(?![{_D}])|[{_D}]+)(?:[.．][{_D}]+(?![.．][{_D}]))?")
_DOTTED = re.compile(rf"[{_D}]+(?:[.．][{_D}]+){{2,}}")
_DOTTED_PART = re.compile(rf"[{_D}]+")
_NUMERAL_CHARS = f"{_D}零〇○一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾"
_NUMERAL_START = f"[{_NUMERAL_CHARS}]"
_POWERS = "百佰千仟万亿"
_START = re.compile(rf"{_NUMERAL_START}|[{_POWERS}]+分之")
# _START with a run of power words (百万分之) matched from the run's start only (see _next_start): that
# is, a numeral character, or a power word not after another one ((?<![…].) looks behind the one just
# read), then the rest of the run and 分之. Written to begin with one character class, which re finds by
# a quick scan; an alternation of the two forms was tried at every position of the text.
_START_AT_RUN_STARTS = re.compile(
    rf"[{_NUMERAL_CHARS}{_POWERS}](?:(?<={_NUMERAL_START})|(?<![{_POWERS}].)[{_POWERS}]*分之)"
)
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

_DIGIT_VALUES = {
    **dict.fromkeys("零〇○", 0),
    **dict.fromkeys("一壹", 1),
    **dict.fromkeys("二两贰", 2),
    **dict.fromkeys("三叁", 3),
    **dict.fromkeys("四肆", 4),
    **dict.fromkeys("五伍", 5),
    **dict.fromkeys("六陆", 6),
    **dict.fromkeys("七柒", 7),
    **dict.fromkeys("八捌", 8),
    **dict.fromkeys("九玖", 9),
}
# 十 or 拾 with a digit before it and one after it (not 两, which is never elided), each optional.
_TENS_DIGITS = "".join(c for c, v in _DIGIT_VALUES.items() if v)
_TENS = re.compile(f"([{_TENS_DIGITS}])?[十拾]([{_TENS_DIGITS.replace('两', '')}])?")
_ZEROS = frozenset("零〇○")
_AFTER_TENS = frozenset("万亿多余点分") | _ZEROS  # what may go on from a number of tens (_tens_span)
_PLACE_VALUES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_SECTION_VALUES = {"万": 10**4, "亿": 10**8}
_EXPONENTS = {"十": 1, "拾": 1, "百": 2, "佰": 2, "千": 3, "仟": 3, "万": 4, "亿": 8}
_DIGIT_BY_DIGIT = frozenset("零〇○一二三四五六七八九")
_DECIMAL_DIGITS = frozenset(_DIGIT_VALUES) - {"两"}
_WORD_DIGITS = frozenset(c for c, v in _DIGIT_VALUES.items() if v <= 1)  # 零〇○ 一壹
_NOT_ALONE = frozenset("陆伍拾肆○")  # word characters first: a number only inside a longer numeral
_CHINESE_NUMERAL_CHARS = frozenset(_DIGIT_VALUES) | frozenset(_EXPONENTS) | {"点"}
_CHINESE_RUN_CHARS = frozenset(_DIGIT_VALUES) | frozenset(_EXPONENTS)
_CHINESE_TOKENS = {
    **{ch: ("Z" if ch in _ZEROS else "D", Decimal(v)) for ch, v in _DIGIT_VALUES.items()},
    **{ch: ("P", Decimal(v)) for ch, v in _PLACE_VALUES.items()},
    **{ch: ("S", Decimal(v)) for ch, v in _SECTION_VALUES.items()},
    **dict.fromkeys("多余", ("X", Decimal(0))),
}
# what may follow a Chinese digit inside a numeral; a digit followed by none of these stands alone
_CONTINUATIONS = frozenset(_CHINESE_TOKENS) | set("点分")
# _START and _START_AT_RUN_STARTS less the lone words that numbers_but_lone_words skips: a word digit
# (零〇○一壹) is a start only when a continuation follows it. Checked after the character is read, so
# that each pattern still begins with one character class.
_NOT_A_LONE_WORD = (
    f"(?:(?<![{''.join(sorted(_WORD_DIGITS))}])|(?=[{re.escape(''.join(sorted(_CONTINUATIONS)))}]))"
)
_START_SKIPPING = re.compile(rf"{_NUMERAL_START}{_NOT_A_LONE_WORD}|[{_POWERS}]+分之")
_RUN_STARTS_SKIPPING = re.compile(
    rf"[{_NUMERAL_CHARS}{_POWERS}]{_NOT_A_LONE_WORD}"
    rf"(?:(?<={_NUMERAL_START})|(?<![{_POWERS}].)[{_POWERS}]*分之)"
)
# what may follow an Arabic number inside a numeral (3万, 3千米, 1200多万, 3分之1); see _continues_arabic
_ARABIC_CONTINUATIONS = _ARABIC_DIGIT_SET | frozenset(_CHINESE_TOKENS) | {"分"}
_VAGUE = frozenset("几数")
_PERCENT_PREFIXES = {"百分之": "percent", "佰分之": "percent", "千分之": "per_mille", "仟分之": "per_mille"}

_WORKING = Context(prec=100)  # exact for any realistic numeral
_FRACTION = Context(prec=28)


class _Token(NamedTuple):
    kind: str  # A (Arabic number), D (digit 1-9), Z (zero), P (place word), S (section word), X (多/余)
    value: Decimal
    start: int
    end: int
    text: str


class _Read(NamedTuple):
    """A numeral read from text[start:end]; its multiplier is text[tail_start:end]."""

    end: int
    total: Decimal
    tail_start: int


def _arabic_value(s: str) -> Decimal:
    return Decimal(s.translate(_FULL_WIDTH).replace(",", ""))


def _token_at(text: str, i: int) -> _Token | None:
    if i >= len(text):
        return None
    ch = text[i]
    if ch in _ARABIC_DIGITS:
        m = _ARABIC.match(text, i)
        assert m is not None  # a digit always matches
        return _Token("A", _arabic_value(m.group()), i, m.end(), m.group())
    kind_value = _CHINESE_TOKENS.get(ch)
    return None if kind_value is None else _Token(*kind_value, i, i + 1, ch)


class _Tokens:
    """The tokens from a position, read only as far as they are asked for: a numeral is short, but the
    run of numeral characters it starts may not be (十十十…), and reading it whole at every start is
    quadratic."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.read: list[_Token] = []
        self.end = start

    def __getitem__(self, index: int) -> _Token:
        return self.read[index]

    def has(self, index: int) -> bool:
        while len(self.read) <= index:
            token = _token_at(self.text, self.end)
            if token is None:
                return False
            self.read.append(token)
            self.end = token.end
        return True


@lru_cache(maxsize=16)
def _unit_index(unit_words: frozenset[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for word in unit_words:
        if word:
            index.setdefault(word[0], []).append(word)
    return {first: tuple(words) for first, words in index.items()}


def _unit_at(text: str, k: int, units: dict[str, tuple[str, ...]]) -> bool:
    return k < len(text) and any(text.startswith(w, k) for w in units.get(text[k], ()))


def _is_single_digit(token: _Token) -> bool:
    return token.kind == "D" or (token.kind == "A" and len(token.text) == 1)


def _is_integer(token: _Token) -> bool:
    return token.value == token.value.to_integral_value()


class _IntegerReader:
    """Reads the integer numeral at the start of a token list.

    State: ``start`` (nothing read), ``zero`` (after 零), ``place`` (after a digit and its place word, or
    十), ``coef`` (after a coefficient that only a section word may follow), ``section`` (after 万/亿),
    ``done`` (nothing may follow). A 零 is read tentatively: it only becomes part of the numeral when
    something follows it.
    """

    def __init__(self, tokens: _Tokens, text: str, units: dict[str, tuple[str, ...]]) -> None:
        self.tokens = tokens
        self.text = text
        self.units = units
        self.t = 0
        self.accepted = 0
        self.total = Decimal(0)
        self.section = Decimal(0)
        # Decimals, not ints: a chain of section words (万万万…) multiplies them in constant time each
        self.ceiling = Decimal(0)  # a place word must be below this (0: no limit)
        self.scale = Decimal(1)  # value of the last place or section word, for elisions
        self.highest = Decimal(0)  # largest section factor applied so far
        self.state = "start"
        self.tail: int | None = None  # token index of the trailing run of section words
        self.sections = 0

    def read(self) -> int:
        while self.tokens.has(self.t) and self.state != "done" and self._step():
            pass
        return self.accepted

    @property
    def value(self) -> Decimal:
        return self.total + self.section

    def _peek(self) -> _Token | None:
        return self.tokens[self.t + 1] if self.tokens.has(self.t + 1) else None

    def _accept(self, n: int, state: str, section_word: bool = False) -> bool:
        if section_word:
            self.tail = self.t if self.state != "section" else self.tail
            self.sections += 1
        else:
            self.tail = None
        self.t += n
        self.accepted = self.t
        self.state = state
        return True

    def _step(self) -> bool:
        token = self.tokens[self.t]
        if token.kind in "AD":
            return self._coefficient(token)
        if token.kind == "Z":
            return self._zero()
        if token.kind == "P":
            return self._bare_ten(token)
        if token.kind == "X":
            return self._approximation()
        return self._section_word(token)

    def _approximation(self) -> bool:
        """多/余 is read (tentatively) only before a section word that will be taken: 1200多万, 一亿一千七百多万."""
        nxt = self._peek()
        if nxt is None or nxt.kind != "S" or self.state not in ("place", "coef") or nxt.value == self.highest:
            return False
        if _unit_at(self.text, nxt.start, self.units):
            return False
        self.t += 1
        return True

    def _can_take_place(self, coef: _Token, place: _Token) -> bool:
        if self.ceiling and place.value >= self.ceiling:
            return False
        if self.state == "start":
            return not _unit_at(self.text, place.start, self.units)
        return _is_single_digit(coef)

    def _coefficient(self, coef: _Token) -> bool:
        nxt = self._peek()
        if self.state in ("coef", "done"):
            return False
        if nxt is not None and nxt.kind == "P" and self._can_take_place(coef, nxt):
            self.section += coef.value * nxt.value
            self.ceiling = self.scale = nxt.value
            return self._accept(2, "place")
        # a section coefficient only when that section word will be taken (not 三万五万)
        before_section = nxt is not None and nxt.kind == "S" and nxt.value != self.highest
        if self.state == "start":
            self.section = coef.value
            unit_follows = nxt is not None and _unit_at(self.text, nxt.start, self.units)
            return self._accept(1, "done" if unit_follows else "coef")
        if self.state == "section" and before_section:
            self.section = coef.value
            return self._accept(1, "coef")
        if coef.text == "两":
            return False
        if self.state == "zero":
            return self._after_zero(coef)
        return self._elided(coef)

    def _after_zero(self, coef: _Token) -> bool:
        if not _is_integer(coef) or coef.value >= self.scale:
            return False
        self.section += coef.value
        return self._accept(1, "coef")

    def _elided(self, coef: _Token) -> bool:
        """三千五 (500), 一万三 (3000); or, after a section word, a remainder written out (3万4000)."""
        if coef.kind == "D":
            self.section += coef.value * self.scale / 10
            return self._accept(1, "coef" if self.state == "place" else "done")
        # as many digits as the section word has zeros (3万4000); scale is a power of ten
        if self.state == "section" and _is_integer(coef) and 10 ** len(coef.text) == self.scale:
            self.section = coef.value
            return self._accept(1, "done")
        return False

    def _zero(self) -> bool:
        if self.state == "start":
            return self._accept(1, "zero")
        if self.state not in ("place", "section", "zero"):
            return False
        self.t += 1
        self.state = "zero"
        return True

    def _bare_ten(self, token: _Token) -> bool:
        """十 with no digit: 十五, 一千零十二, 一万十二, and the older 二百十七."""
        if token.value != 10 or self.state == "coef":
            return False
        if self.ceiling and self.ceiling <= 10:
            return False
        self.section += 10
        self.ceiling = self.scale = Decimal(10)
        return self._accept(1, "place")

    def _section_word(self, token: _Token) -> bool:
        factor = token.value
        if self.state == "section":
            if self.tokens[self.t - 1].text != "万":  # only 万亿 and 万万 chain
                return False
            self.total *= factor
            self.highest *= factor
            self.scale *= factor
            return self._accept(1, "section", section_word=True)
        if self.state not in ("place", "coef") or factor == self.highest:
            return False
        if factor > self.highest:
            self.total = (self.total + self.section) * factor
            self.highest = factor
        else:
            self.total += self.section * factor
        self.section = Decimal(0)
        self.ceiling = Decimal(0)
        self.scale = factor
        return self._accept(1, "section", section_word=True)

    def tail_start(self) -> int:
        """Start of the multiplier: the trailing section words, or an Arabic number's place word."""
        tokens = self.tokens.read[: self.accepted]
        arabic_place = len(tokens) >= 2 and tokens[0].kind == "A" and tokens[1].kind == "P"
        if self.tail is not None:
            return tokens[1].start if arabic_place and self.tail == 2 else tokens[self.tail].start
        if arabic_place and len(tokens) == 2 and tokens[1].value >= 100:
            return tokens[1].start
        return tokens[-1].end


def _section_run(text: str, j: int, units: dict[str, tuple[str, ...]]) -> tuple[int, int]:
    """A run of section words at j (万, 亿, 万亿, 万万): its end and factor; (j, 1) when there is none."""
    if j >= len(text) or text[j] not in _SECTION_VALUES or _unit_at(text, j, units):
        return j, 1
    factor, end = _SECTION_VALUES[text[j]], j + 1
    if text[j] == "万" and end < len(text) and text[end] in _SECTION_VALUES:
        factor, end = factor * _SECTION_VALUES[text[end]], end + 1
    return end, factor


def _digit_run(text: str, i: int) -> int:
    j = i
    while j < len(text) and text[j] in _DIGIT_VALUES:
        j += 1
    return j - i


def _digit_by_digit(text: str, i: int, run: int) -> _Read | None:
    digits = text[i : i + run]
    if not set(digits) <= _DIGIT_BY_DIGIT or not (run == 4 or _ZEROS & set(digits)):
        return None
    total = Decimal("".join(str(_DIGIT_VALUES[c]) for c in digits))
    return _Read(i + run, total, i + run)


def _decimal_tail(text: str, end: int, units: dict[str, tuple[str, ...]]) -> tuple[int, Decimal] | None:
    """点 and its digits after a Chinese numeral: (end, fraction), or None when 点 is not a decimal point."""
    if not text.startswith("点", end) or text[end - 1] in _ARABIC_DIGITS:
        return None
    j = end + 1
    while j < len(text) and text[j] in _DECIMAL_DIGITS:
        j += 1
    if j == end + 1 or (j < len(text) and text[j] in _PLACE_VALUES and not _unit_at(text, j, units)):
        return None  # 十点三十分: a time, not 10.3
    return j, Decimal("0." + "".join(str(_DIGIT_VALUES[c]) for c in text[end + 1 : j]))


def _read_numeral(text: str, i: int, units: dict[str, tuple[str, ...]]) -> _Read | None:
    """The longest numeral starting at i (grammar rules only), or None."""
    if text[i : i + 1] in _DIGIT_VALUES and text[i + 1 : i + 2] not in _CONTINUATIONS:
        return _Read(i + 1, _CHINESE_TOKENS[text[i]][1], i + 1)  # the common lone digit (一 in 进一步)
    run = _digit_run(text, i)
    if run >= 2:
        return _digit_by_digit(text, i, run)
    reader = _IntegerReader(_Tokens(text, i), text, units)
    if not reader.read():
        return None
    end, total = reader.tokens[reader.accepted - 1].end, reader.value
    decimal = _decimal_tail(text, end, units)
    if decimal is None:
        return _Read(end, total, reader.tail_start())
    end, fraction = decimal
    run_end, factor = _section_run(text, end, units) if reader.sections == 0 else (end, 1)
    return _Read(run_end, (total + fraction) * factor, end)


def _tidy(d: Decimal) -> Decimal:
    """Drop trailing zeros after the decimal point (4.800 → 4.8, 2000.0 → 2000), exactly."""
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        return d
    if not any(digits):
        return Decimal(0)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return Decimal((sign, digits, exponent))


@lru_cache(maxsize=4096)
def _kind(numeral: str) -> str:
    """arabic, chinese or mixed; kept for the numerals a report writes again and again (2024, 一九五八)."""
    chars = set(numeral)
    arabic = not _ARABIC_DIGIT_SET.isdisjoint(chars)
    chinese = not _CHINESE_NUMERAL_CHARS.isdisjoint(chars)
    return "mixed" if arabic and chinese else "arabic" if arabic else "chinese"


def _plain_span(text: str, i: int, read: _Read) -> NumberSpan:
    multiplier_text = text[read.tail_start : read.end]
    exponent = sum(map(_EXPONENTS.__getitem__, multiplier_text))
    return record(
        NumberSpan,
        start=i,
        end=read.end,
        text=text[i : read.end],
        value=_tidy(read.total.scaleb(-exponent) if exponent else read.total),
        multiplier_text=multiplier_text,
        multiplier=10**exponent,
        numeral_kind=_kind(text[i : read.end]),
        percent_words=False,
        per_mille_words=False,
        fraction=False,
    )


def _ratio_span(text: str, i: int, denominator: Decimal, numerator: _Read, prefix: str) -> NumberSpan:
    """百分之Y / 千分之Y (prefix is the word) or X分之Y (prefix is '')."""
    word = _PERCENT_PREFIXES.get(prefix)
    value = numerator.total if word else _FRACTION.divide(numerator.total, denominator)
    span_text = text[i : numerator.end]
    return record(
        NumberSpan,
        start=i,
        end=numerator.end,
        text=span_text,
        value=_tidy(value),
        multiplier_text="",
        multiplier=1,
        numeral_kind=_kind(span_text[len(prefix) :] if word else span_text),
        percent_words=word == "percent",
        per_mille_words=word == "per_mille",
        fraction=word is None,
    )


def _power_denominator(text: str, i: int, end: int, units: dict[str, tuple[str, ...]]) -> NumberSpan | None:
    """百分之五, 千分之三, 万分之三, 百万分之五: text[i:end] is the bare power and 分之."""
    numerator = _read_numeral(text, end, units)
    if numerator is None:
        return None
    prefix = text[i:end]
    denominator = Decimal(10) ** sum(_EXPONENTS[c] for c in prefix[:-2])
    return _ratio_span(text, i, denominator, numerator, prefix if prefix in _PERCENT_PREFIXES else "")


def _numeral_span(text: str, i: int, units: dict[str, tuple[str, ...]]) -> NumberSpan | None:
    """A numeral at i, or a fraction X分之Y starting with one."""
    read = _read_numeral(text, i, units)
    if read is None:
        return None
    if text.startswith("分之", read.end) and read.total:
        numerator = _read_numeral(text, read.end + 2, units)
        if numerator is not None:
            return _ratio_span(text, i, read.total, numerator, "")
    return _plain_span(text, i, read)


def _simple_span(text: str, i: int, units: dict[str, tuple[str, ...]]) -> NumberSpan | None:
    """The span at i when it is a simple number, else None (then _span_at reads it).

    Most numbers in a report are a plain Arabic number (5.5, 4500, 1,100), one with a single section word
    (3万, 1.5亿) or a lone Chinese digit (the 一 of 进一步), and nothing after them continues a numeral:
    the general reader would read one or two tokens and give exactly the span built here directly,
    without the reader's tokens and states.
    """
    if text[i] in _ARABIC_DIGITS:
        return _arabic_span(text, i, units)
    if text[i] in _DIGIT_VALUES and text[i + 1 : i + 2] not in _CONTINUATIONS:
        return _single_term_span(i, text[i], _CHINESE_TOKENS[text[i]][1], "chinese")
    return _tens_span(text, i, units)


def _tens_span(text: str, i: int, units: dict[str, tuple[str, ...]]) -> NumberSpan | None:
    """The span at i when it is a number of tens, 十, 十四, 二十 or 二十三 (what the reader is most often
    asked for after the simple numbers), that nothing after it continues; else None. A digit before 十 is
    its coefficient unless a unit word begins at the 十 (the reader then leaves the 十 to the unit).

    After a number of tens the reader takes a section word (二十万), 多/余 before one, or a tentative zero;
    点 and 分 make a decimal or a fraction. Anything else ends the number: another digit (十四五), a place
    word (十百), an Arabic digit."""
    match = _TENS.match(text, i)
    if match is None or text[match.end() : match.end() + 1] in _AFTER_TENS:
        return None
    tens, ones = match.groups()
    if tens and _unit_at(text, i + 1, units):
        return None
    value = 10 * (_DIGIT_VALUES[tens] if tens else 1) + (_DIGIT_VALUES[ones] if ones else 0)
    return _single_term_span(i, match.group(), Decimal(value), "chinese")


def _arabic_span(text: str, i: int, units: dict[str, tuple[str, ...]]) -> NumberSpan | None:
    match = _ARABIC.match(text, i)
    if match is None:
        return None
    end, written = match.end(), match.group()
    value = +_arabic_value(written)  # + rounds to the working precision, as the reader's sum does
    if not _continues_arabic(text, end):
        # a number written without a point has no zeros after one to drop (_tidy)
        return _single_term_span(
            i, written, _tidy(value) if "." in written or "．" in written else value, "arabic"
        )
    section_word = text[end] in _SECTION_VALUES and not _unit_at(text, end, units)
    if section_word and not _continues_arabic(text, end + 1) and not text.startswith("点", end + 1):
        return _plain_span(text, i, _Read(end + 1, value * _CHINESE_TOKENS[text[end]][1], end))
    return None


def _continues_arabic(text: str, k: int) -> bool:
    """Whether text[k] may continue a numeral after an Arabic number or a section word (not 点: after an
    Arabic digit it is never a decimal point, see _decimal_tail)."""
    return k < len(text) and text[k] in _ARABIC_CONTINUATIONS


def _single_term_span(i: int, written: str, value: Decimal, numeral_kind: str) -> NumberSpan:
    return record(
        NumberSpan,
        start=i,
        end=i + len(written),
        text=written,
        value=value,
        multiplier_text="",
        multiplier=1,
        numeral_kind=numeral_kind,
        percent_words=False,
        per_mille_words=False,
        fraction=False,
    )


def _span_at(text: str, match: re.Match[str], units: dict[str, tuple[str, ...]]) -> NumberSpan | None:
    i = match.start()
    if match.end() - i > 1:
        return _power_denominator(text, i, match.end(), units)
    return _numeral_span(text, i, units)


def _touches_letters(text: str, start: int, end: int) -> bool:
    """An Arabic digit at either end of text[start:end] touches an ASCII letter (5G, PM2.5, H7N9)."""
    before = start > 0 and text[start - 1] in _ASCII_LETTERS and text[start] in _ARABIC_DIGITS
    after = end < len(text) and text[end] in _ASCII_LETTERS and text[end - 1] in _ARABIC_DIGITS
    return before or after


def _in_context(text: str, span: NumberSpan) -> bool:
    """The context rules of find_numbers (module docstring): is this span reported?"""
    if _touches_letters(text, span.start, span.end):
        return False
    before = text[span.start - 1] if span.start else ""
    after = text[span.end] if span.end < len(text) else ""
    if after == "几" or (before in _VAGUE and span.text[0] in _PLACE_VALUES):
        return False
    return not (len(span.text) == 1 and span.text in _NOT_ALONE)


def _dotted_spans(text: str, match: re.Match[str]) -> list[NumberSpan]:
    if _touches_letters(text, match.start(), match.end()):
        return []
    return [
        _plain_span(text, part.start(), _Read(part.end(), _arabic_value(part.group()), part.end()))
        for part in _DOTTED_PART.finditer(text, match.start(), match.end())
    ]


def _run_end(text: str, i: int) -> int:
    """End of the Chinese numeral characters from i: a rejected run (三五千, 两两) is skipped whole."""
    j = i + 1
    while j < len(text) and text[j] in _CHINESE_RUN_CHARS:
        j += 1
    return j


def _next_start(text: str, pos: int, skip_lone_words: bool) -> re.Match[str] | None:
    """_START.search(text, pos) in linear time over a whole text; with ``skip_lone_words``, the next start
    that is not a lone word (numbers_but_lone_words).

    Wherever _START matches inside a run of power words it matches at the run's start too, so after pos
    only run starts need trying; trying every position of a long run (万万万…) is quadratic.
    """
    if skip_lone_words:
        return _START_SKIPPING.match(text, pos) or _RUN_STARTS_SKIPPING.search(text, pos + 1)
    return _START.match(text, pos) or _START_AT_RUN_STARTS.search(text, pos + 1)


def find_numbers(text: str, unit_words: Iterable[str] = DEFAULT_UNIT_WORDS) -> list[NumberSpan]:
    """Every number in text, sorted by start and never overlapping; text[s.start:s.end] == s.text."""
    return numbers_but_lone_words(text, unit_words, skip_lone_words=False)


def numbers_but_lone_words(
    text: str, unit_words: Iterable[str], *, skip_lone_words: bool = True
) -> list[NumberSpan]:
    """find_numbers, less (with ``skip_lone_words``) the lone 一 and 零 (〇 ○ 壹) that no numeral
    character follows: a report has thousands (进一步, 统一, 零部件), and `quantities` drops every one as a
    word, not a count, so they are not built at all. Each spans one character, whether reported or not,
    so the scan goes on from the same place without them: the search for the next start passes them
    over."""
    units = _unit_index(frozenset(unit_words))
    spans: list[NumberSpan] = []
    pos = 0
    with localcontext(_WORKING):
        while (match := _next_start(text, pos, skip_lone_words)) is not None:
            i = match.start()
            arabic = text[i] in _ARABIC_DIGITS
            dotted = _DOTTED.match(text, i) if arabic else None
            if dotted is not None:
                spans.extend(_dotted_spans(text, dotted))
                pos = dotted.end()
                continue
            span = _simple_span(text, i, units) or _span_at(text, match, units)
            if span is not None and _in_context(text, span):
                spans.append(span)
                pos = span.end
            else:
                pos = span.end if span else max(match.end(), _run_end(text, i))
    return spans


def parse_numeral(s: str) -> Decimal:
    """The full value of a whole numeral string: 3万 → 30000, 百分之五 → 0.05, 三分之一 → 0.333….

    Raises ValueError when s is not one numeral (the grammar of the module docstring, without the
    context rules of find_numbers and without stopping at unit words).
    """
    match = _START.match(s)
    with localcontext(_WORKING):
        span = _span_at(s, match, {}) if match is not None else None
        if span is None or span.end != len(s):
            raise ValueError(f"not a numeral: {s!r}")
        if span.percent_words:
            return span.value / 100
        if span.per_mille_words:
            return span.value / 1000
        return span.value * span.multiplier
