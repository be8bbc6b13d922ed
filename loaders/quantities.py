"""Find quantified statements in a report: number, multiplier, unit, cue words, indicator, offsets.

Python finds spans; it does not decide codes. Each quantity records the words as written (the unit
``人次``, the multiplier ``万``, the comparator cue ``以上``, the firmness cue ``力争`` …) and dbt maps them
to codes from the reference seeds.

A number counts as a quantity only when a unit from the vocabulary follows it (``%`` included), so
years (2025年), ages (65岁), ordinals (第七届), levels (三级), phases (二期) and names (九大, 十景) are left
out by construction. The remaining exclusions are general rules about context: quotation marks and
titles, ordinals, ``8+N`` style labels, enumerations that count a list just named (“…”三项工程), and the
article-like 一 (一批, 一个).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from loaders.numbers import NumberSpan, numbers_but_lone_words
from loaders.records import record
from loaders.segment import YEAR_DIGITS, Segmentation, Sentence
from loaders.vocab import Vocabulary, match_at, match_ending_at

# A comma or colon ends a clause, except a comma between thousands (8,500公里).
_CLAUSE_BREAK = re.compile(r":|(?<!\d),|,(?!\d{3}(?!\d))")
# A year, with an optional 底/末 and 的, right before a starting level or a level cue's number.
_YEAR_PHRASE = re.compile(rf"(?:{YEAR_DIGITS})年[底末]?的?$")
_YEAR_PHRASE_MAX = 8
# A small count in Chinese numerals with its classifier right before a number (三个100%).
_SLOGAN_COUNT = re.compile(r"[一二两三四五六七八九十]个$")
# What may stand between 从/由 and a starting level: a year phrase, or a few words with no number or
# punctuation (人均, 每月, 上年的).
_OPENER_GAP = re.compile(rf"(?:{YEAR_DIGITS})年[底末]?的?|[\u4e00-\u9fff]{{0,4}}")
_OPENER_GAP_MAX = 8
_DETAIL_MARK = "其中"
_LEADING_TIME_FRAME = re.compile(
    r"\s*(?:到|至|在)?(?:(?:19|20)\d{2}年(?:底|末)?|今年|明年|全年|今后五年|未来五年|今后一个时期)[,:]"
)
_REFERENCE_MAX = 20  # characters between a comparator cue and the number of a multiple or share
_CONJUNCTION = re.compile(r"\s*(?:和|与|及|、)\s*")
_RANGE_JOINER = re.compile(r"\s*(?:-|—{1,2}|–|~|～|至|到)\s*")
_QUOTE_PAIRS = {"“": "”", "《": "》", "「": "」", "『": "』", "‘": "’", "〈": "〉"}
_QUOTE_OPENING = re.compile("|".join(map(re.escape, _QUOTE_PAIRS)))
_QUOTE_SPAN_MAX = 60
# Numbers written in digits and followed by a word: two of them in quotes make a list, not a title.
_COUNTED = re.compile(r"\d+(?:\.\d+)?[\u4e00-\u9fff]")
_COUNTED_LIST = 2
_CLOSING_QUOTE = re.compile("[”》」』]")
_LIST_MARKS = '”》」』"'
_TRIM = " \t,:;.、。“”\"'《》()-—"
_SPACED_DIGIT_BEFORE = re.compile(r"[\d.][ \t\u200b]*$")
_LAYOUT_GAP = re.compile(r"[ \t\u200b]*\n?[ \t\u200b]*\n?[ \t\u200b]*(?<=[ \t\u200b\n])")
# Function words left at the edge of an indicator once the number is cut out (60%的城市…, A和6个B).
# A year that opens an indicator (1956年社会商品零售总额, 一九八二年全国…): the time, not the thing counted.
_LEADING_YEAR = re.compile(rf"^(?:{YEAR_DIGITS})年[底末]?(?:的|内|中)?")
_DANGLING = re.compile(r"^(?:的|其中)+|(?:和|等)+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SMALL_COUNT = 10


@dataclass(frozen=True)
class Quantity:
    """One quantified statement (one row per item when a number is shared with 各 or 分别)."""

    sentence_no: int
    item_no: int
    clause_start: int
    clause_end: int
    start: int
    end: int
    number_text: str
    value: Decimal
    value_upper: Decimal | None
    multiplier_text: str
    numeral_kind: str
    unit_text: str
    comparator_before: str
    comparator_after: str
    approx_infix: str
    firmness_cue: str
    measure_cue: str
    base_cue: str
    distribution: str
    indicator: str
    # The starting level of 从X提高到Y, as written (X), on the row of Y; never a row of its own.
    baseline_number_text: str = ""
    baseline_value: Decimal | None = None
    baseline_multiplier_text: str = ""


class _Candidate(NamedTuple):
    """A number with the words around it, before it is judged a quantity. A named tuple, not a frozen
    dataclass: a report has tens of thousands, and a tuple is built several times faster."""

    number: NumberSpan
    value_upper: Decimal | None
    multiplier_text: str
    unit: str
    infix: str
    before: str
    after: str
    end: int
    after_is_shared: bool = False  # the after-cue stands after a later number (5%和3%以内)
    baseline: _Candidate | None = None  # the starting level X of 从X提高到Y, on the candidate of Y
    distant_before: str = ""  # 不低于全国平均水平的1.6倍: a comparator cue before the reference it is of
    inner_infix: str = ""  # 1030多亿元: an approximation cue inside the number, before its multiplier


def quote_mask(text: str) -> bytearray:
    """1 at every position inside a short quotation or title (“…”, 《…》, 「…」)."""
    mask = bytearray(len(text))
    position = 0
    while (opening := _QUOTE_OPENING.search(text, position)) is not None:
        position = opening.start()
        closing = _QUOTE_PAIRS[opening.group()]
        close_at = text.find(closing, position + 1, position + 1 + _QUOTE_SPAN_MAX)
        if close_at == -1 or len(_COUNTED.findall(text, position, close_at)) >= _COUNTED_LIST:
            position += 1  # unclosed, or a list of counts in quotes (“1家国家实验室、8个大科学装置”)
            continue
        mask[position : close_at + 1] = b"\x01" * (close_at + 1 - position)
        position = close_at + 1
    return mask


def _excluded(text: str, number: NumberSpan, quoted: bytearray, vocab: Vocabulary) -> bool:
    before = text[number.start - 1] if number.start > 0 else ""
    after = text[number.end] if number.end < len(text) else ""
    # first the Chinese words: most numbers of a report are the 一 of 进一步, 统一, 一批
    if number.numeral_kind == "chinese" and number.multiplier == 1:
        if number.value in (0, 1) and not number.percent_words:
            return True  # 零部件, 一批, 一个: words, not counts
        if before in _LIST_MARKS and number.value <= _SMALL_COUNT:
            return True  # “…”“…”三项工程 counts the list just named
    if quoted[number.start]:
        return True
    if match_ending_at(text, number.start, vocab.ordinal_marks) or "+" in (before, after):
        return True
    if match_ending_at(text, number.start, vocab.denominator_marks):
        return True  # 每10万人45台: the population an indicator is measured per
    if _after_slogan_count(text, number.start):
        return True  # 三个100%, 两个确保: a count of a slogan names it
    return number.fraction


def _after_slogan_count(text: str, position: int) -> bool:
    """Whether a small count and its 个 end at position (_SLOGAN_COUNT); searched only where a 个 is, as
    before most numbers none is."""
    start = max(0, position - 3)
    return "个" in text[start:position] and _SLOGAN_COUNT.search(text, start, position) is not None


def _rhetorical(text: str, candidate: _Candidate, vocab: Vocabulary) -> bool:
    """八项规定, 两个维护, 三门峡, 十分: a small whole count in Chinese numerals without a cue word names a
    slogan, a policy set or a place; reports write counted targets in Arabic digits. A fraction
    (一点二六倍) or a change or level verb right before it (增长一倍, 增加两倍) makes it a quantity."""
    number = candidate.number
    return (
        number.numeral_kind == "chinese"
        and number.multiplier == 1
        and number.value <= _SMALL_COUNT
        and number.value == number.value.to_integral_value()
        and not number.percent_words
        and not candidate.before
        and not candidate.after
        and not match_ending_at(text, number.start, vocab.measures)
    )


def _unit_after(text: str, position: int, vocab: Vocabulary) -> tuple[str, str]:
    """(infix cue, unit) starting at position: 300余个 → ('余', '个'); a rate unit whole: 50万吨/日 →
    ('', '吨/日'), 0.5吨标准煤/万元 → ('', '吨标准煤/万元'), 500元/人·月 → ('', '元/人·月')."""
    unit = _unit_at(text, position, vocab)
    infix = "" if unit else match_at(text, position, vocab.comparators_infix)
    if infix:
        unit = _unit_at(text, position + len(infix), vocab)
    if not unit:
        return "", ""
    return infix, unit + _per_units(text, position + len(infix) + len(unit), vocab, "/" in unit)


def _unit_at(text: str, position: int, vocab: Vocabulary) -> str:
    """The longest unit at position, unless a label suffix follows it and a shorter unit leaves the
    suffix to a word of its own: 300个村级互助幸福院 is 300 个 of village-level homes, not 300 个村 + 级."""
    longest = match_at(text, position, vocab.units)
    if not longest or not text.startswith(vocab.label_suffixes, position + len(longest)):
        return longest
    shorter = [u for u in vocab.units if len(u) < len(longest) and text.startswith(u, position)]
    return shorter[0] if shorter else longest


def _per_units(text: str, position: int, vocab: Vocabulary, is_rate: bool) -> str:
    """The denominators of a rate unit after a unit: /日, /万元, /人·月; '' when no slash starts them. A
    unit that is a rate already (元/人) takes more denominators after ·."""
    written, separator = "", "·" if is_rate else "/"
    while text.startswith(separator, position) and (part := _denominator(text, position + 1, vocab)):
        written, position, separator = written + separator + part, position + 1 + len(part), "·"
    return written


def _denominator(text: str, position: int, vocab: Vocabulary) -> str:
    """A unit at position, whole (千瓦时 before 千 + 瓦时) or after a multiplier (万元); '' when none."""
    word = match_at(text, position, vocab.denominators)
    if word:
        return word
    multiplier = match_at(text, position, vocab.multiplier_words)
    word = match_at(text, position + len(multiplier), vocab.denominators) if multiplier else ""
    return multiplier + word if word else ""


def _candidate(text: str, number: NumberSpan, vocab: Vocabulary) -> _Candidate:
    if number.percent_words or number.per_mille_words:
        unit = "%" if number.percent_words else "‰"
        infix, unit_end = "", number.end
    else:
        infix, unit = _unit_after(text, number.end, vocab)
        unit_end = number.end + len(infix) + len(unit)
    multiplier_text = number.multiplier_text
    if not unit and not multiplier_text and (spaced := _spaced_multiplier(text, number.end, vocab)):
        multiplier_text, unit, unit_end = spaced
    if not unit and not multiplier_text and (percent := _spaced_percent(text, number)):
        unit, unit_end = percent
    after = match_at(text, unit_end, vocab.comparators_after) if unit else ""
    before = match_ending_at(text, number.start, vocab.comparators_before)
    distant_before = _cue_before_reference(text, number.start, vocab)
    inner_infix = (
        match_at(text, number.end - len(number.multiplier_text) - 1, vocab.comparators_infix)
        if number.multiplier_text
        else ""
    )
    # every field by position, in their order: a named tuple built from keywords takes twice as long
    return _Candidate(
        number, None, multiplier_text, unit, infix, before, after, unit_end + len(after), False, None,
        distant_before, inner_infix,
    )  # fmt: skip


def _spaced_multiplier(text: str, position: int, vocab: Vocabulary) -> tuple[str, str, int] | None:
    """39.8 万亿元, 74.4<line break>万亿元: a layout gap (spaces, a zero-width space, a broken line)
    between an Arabic number and its multiplier word; returns (multiplier, unit, where the unit ends)."""
    gap = _LAYOUT_GAP.match(text, position)
    if gap is None:
        return None
    multiplier = match_at(text, gap.end(), vocab.multiplier_words)
    infix, unit = _unit_after(text, gap.end() + len(multiplier), vocab) if multiplier else ("", "")
    if not unit or infix:
        return None
    return multiplier, unit, gap.end() + len(multiplier) + len(unit)


def _spaced_percent(text: str, number: NumberSpan) -> tuple[str, int] | None:
    """经济增长速度8 ％: a layout gap between a number and a percent or per-mille sign (no other unit: a
    gap before 年 or 个 joins a year or a count to nothing); returns (sign, where it ends). Not when a
    digit or a point stands before the number across a gap too: in 1 0 ．3 ％ the digits are spaced
    out, and 3 is only the last of them."""
    gap = _LAYOUT_GAP.match(text, number.end)
    if gap is None or not text.startswith(("%", "‰"), gap.end()):
        return None
    if _SPACED_DIGIT_BEFORE.search(text, max(0, number.start - 8), number.start):
        return None
    return text[gap.end()], gap.end() + 1


def _cue_before_reference(text: str, position: int, vocab: Vocabulary) -> str:
    """不低于全国平均水平的1.6倍, 超过上年的2倍: a comparator cue before a reference (…的) that the number
    is a multiple or share of; '' when the number is not right after 的 or no cue stands before it."""
    if position == 0 or text[position - 1] != "的":
        return ""
    span_start = max(0, position - _REFERENCE_MAX)
    breaks = list(_CLAUSE_BREAK.finditer(text, span_start, position))
    span_start = breaks[-1].end() if breaks else span_start
    found = [(at + len(cue), len(cue), cue) for cue in vocab.comparators_before
             if (at := text.rfind(cue, span_start, position - 1)) >= 0]  # fmt: skip
    return max(found)[2] if found else ""  # the last cue, the longest of those ending together


def _merge_ranges(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Join ``6%-6.5%``, ``6亿至8亿元`` and ``3-5分`` into one candidate with an upper bound."""
    merged: list[_Candidate] = []
    index = 0
    while index < len(candidates):
        low = candidates[index]
        high = candidates[index + 1] if index + 1 < len(candidates) else None
        if (
            high is not None
            and not high.unit
            and low.number.percent_words
            and high.number.numeral_kind == "chinese"
        ):
            high = high._replace(unit=low.unit)  # 百分之八至九: the upper bound shares 百分之
        if (
            high is not None
            and high.unit
            and low.unit in ("", high.unit)
            and not low.after
            # the gap is after the unit as written (none for 百分之八), and any cue after it
            and _RANGE_JOINER.fullmatch(text, low.end, high.number.start)
            and low.number.value * low.number.multiplier <= high.number.value * high.number.multiplier
        ):
            multiplier = low.multiplier_text or high.multiplier_text
            merged.append(
                low._replace(
                    value_upper=high.number.value,
                    multiplier_text=multiplier,
                    unit=high.unit,
                    infix=low.infix or high.infix,
                    after=high.after,
                    end=high.end,
                )
            )
            index += 2
            continue
        merged.append(low)
        index += 1
    return merged


def _year_phrase_before(text: str, position: int) -> int:
    """Where a year phrase (一九七八年的, 2020年底的) that ends at ``position`` starts, else position."""
    match = _YEAR_PHRASE.search(text, max(0, position - _YEAR_PHRASE_MAX), position)
    return match.start() if match else position


def _opens_a_starting_level(text: str, position: int, vocab: Vocabulary) -> bool:
    """Whether 从 or 由 stands before ``position``, after at most a year phrase or a few words that qualify
    the level (从人均8.7万元, 从每月70元, 由上年的58.6%)."""
    gap_start = max(0, position - _OPENER_GAP_MAX)
    gap = text[gap_start:position]
    for offset in range(len(gap) + 1):
        words = gap[offset:]
        if _OPENER_GAP.fullmatch(words) and match_ending_at(
            text, position - len(words), vocab.baseline_openers
        ):
            return True
    return False


def _pair_baselines(text: str, candidates: list[_Candidate], vocab: Vocabulary) -> list[_Candidate]:
    """从5.8%提高到6.2%, 由一九七八年的百分之三十六点五调整到百分之二十九: the first number is the starting
    level of the second. It becomes the second's ``baseline`` and is no quantity of its own; when it has
    no unit of its own it takes the second's unit and multiplier."""
    paired = list(candidates)
    for index in range(len(paired) - 2, -1, -1):
        start, end = paired[index], paired[index + 1]
        cue_end = _year_phrase_before(text, end.number.start - len(end.before))
        cue = match_ending_at(text, cue_end, vocab.level_targets)
        if (
            cue
            and not text[start.end : cue_end - len(cue)].strip()
            and _opens_a_starting_level(text, start.number.start - len(start.before), vocab)
        ):
            inherited = (
                start if start.unit else start._replace(unit=end.unit, multiplier_text=end.multiplier_text)
            )
            paired[index : index + 2] = [end._replace(baseline=inherited)]
    return paired


def _share_trailing_cues(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """分别控制在5%和3%以内: a cue after the last of numbers joined by 和/、 applies to each of them."""
    shared = list(candidates)
    for index in range(len(shared) - 2, -1, -1):
        first, second = shared[index], shared[index + 1]
        joined = _CONJUNCTION.fullmatch(text, first.end, second.number.start)
        if joined and not first.after and second.after and first.unit == second.unit:
            shared[index] = first._replace(after=second.after, after_is_shared=True)
    return shared


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cursor = start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    return spans


def _has_own_subject(text: str, start: int, end: int, vocab: Vocabulary) -> bool:
    """Whether text[start:end] names something (not just a cue word) before a number."""
    words = text[start:end]
    for cue in (*vocab.comparators_before, *vocab.measures, *vocab.firmness, "各", "分别"):
        words = words.replace(cue, "")
    return bool(_CJK.search(words))


def _sub_clauses(
    text: str, clause: tuple[int, int], members: list[_Candidate], vocab: Vocabulary
) -> list[tuple[int, int]]:
    """Split a clause at 、 where both sides carry their own quantity (A 2个、B 3个)."""
    start, end = clause
    if len(members) < 2 or "分别" in text[start:end]:
        return [clause]
    spans = []
    cursor = start
    for position in (m.start() for m in re.finditer("、", text[start:end])):
        cut = start + position
        left = [c for c in members if cursor <= c.number.start and c.end <= cut]
        right = [c for c in members if c.number.start > cut]
        if left and right and _has_own_subject(text, cut + 1, right[0].number.start, vocab):
            spans.append((cursor, cut))
            cursor = cut + 1
    spans.append((cursor, end))
    return spans


def _strip(words: str) -> str:
    return words.strip(_TRIM)


def _indicator(pre: str, post: str, unit: str, vocab: Vocabulary) -> str:
    if vocab.firmness.pattern.search(pre):  # most hold none
        for cue in vocab.firmness:
            pre = pre.replace(cue, "")
    pre = vocab.base_cue.sub("", pre)
    pre = vocab.indicator_lead.sub("", _LEADING_YEAR.sub("", _strip(pre)))
    while trail := match_ending_at(pre, len(pre), vocab.indicator_trails):
        pre = pre[: -len(trail)]  # 社会商品零售总额预计将: the auxiliaries before the number
    post = _strip(_CLOSING_QUOTE.split(post, maxsplit=1)[0])  # a quoted list item ends at the quote
    if post and (len(pre) <= 2 or unit in vocab.ratio_units):
        words = pre + post  # 100%提供午餐 (adverbial ratio), 引导7家以上企业投资 (verb + object)
    elif post:
        words = post  # 6个棚改项目: the counted noun follows its classifier
    else:
        words = pre
    return _DANGLING.sub("", _strip(words.replace("“", "").replace("”", "")))


def _firmness(text: str, sentence: Sentence, clause_start: int, position: int, vocab: Vocabulary) -> str:
    # the last cue before the number in the clause (the longest of those starting together); most
    # clauses have none, which one search tells
    if vocab.firmness.pattern.search(text, clause_start, position):
        best, best_at = "", -1
        for cue in vocab.firmness:
            at = text.rfind(cue, clause_start, position)
            if at > best_at:
                best, best_at = cue, at
        return best
    if text.startswith(_DETAIL_MARK, clause_start):  # 其中…: the detail of the clause before
        previous = _clause_before(text, sentence.start, clause_start)
        if previous is not None:
            return _firmness(text, sentence, previous, clause_start, vocab)
    time_frame = _LEADING_TIME_FRAME.match(text, sentence.start)  # 到2020年,力争…: the cue still opens it
    head_start = time_frame.end() if time_frame else sentence.start
    head = text[head_start : head_start + 8].lstrip()
    if vocab.firmness.pattern.search(head):
        for cue in vocab.firmness:
            at = head.find(cue)
            if 0 <= at <= 4:
                return cue
    return ""


def _clause_before(text: str, sentence_start: int, clause_start: int) -> int | None:
    """Where the comma clause before the one at ``clause_start`` starts, inside the sentence."""
    if clause_start <= sentence_start:
        return None
    breaks = [
        m.end() for m in _CLAUSE_BREAK.finditer(text, sentence_start, max(sentence_start, clause_start - 1))
    ]
    return breaks[-1] if breaks else sentence_start


def _list_items(words: str) -> list[str]:
    return [item for item in (_strip(w) for w in re.split(r"、|和|及", words)) if item]


@dataclass
class _SentenceState:
    """What a quantity may inherit from the one before it in the same sentence."""

    topic: str
    indicator: str = ""
    measure: str = ""
    before: str = ""


def _quantities_in_clause(
    text: str,
    sentence: Sentence,
    clauses: tuple[tuple[int, int], tuple[int, int]],
    members: list[_Candidate],
    vocab: Vocabulary,
    state: _SentenceState,
) -> Iterable[Quantity]:
    """The quantities of one (sub-)clause; ``clauses`` is (the sub-clause, its comma clause)."""
    (start, end), (cue_scope, _) = clauses
    body = text[start:end]
    trimmed_start = start + (len(body) - len(body.lstrip(_TRIM)))
    trimmed_end = end - (len(body) - len(body.rstrip(_TRIM)))
    respectively = body.find("分别")
    shared_items = _list_items(text[start : start + respectively]) if respectively >= 0 else []
    for index, candidate in enumerate(members):
        number = candidate.number
        cue_start = number.start - len(candidate.before)
        own_measure = match_ending_at(text, cue_start, vocab.measures)
        pre_end = cue_start - len(own_measure)
        # 6%、7% / 6%和7%: a number that only follows another shares its verb and cue words.
        follower = index > 0 and _CONJUNCTION.fullmatch(text, members[index - 1].end, pre_end)
        before = candidate.before or (state.before if follower else "")
        measure = own_measure or (state.measure if follower else "")
        pre_start = members[index - 1].end if index > 0 else start
        post_end = members[index + 1].number.start if index + 1 < len(members) else end
        pre = text[pre_start:pre_end]
        post = text[candidate.end : post_end]
        # 6%和7%: 和 joins numbers, it names nothing; 达到134.9万亿元、增长5%: what follows 、 is the next
        # item's verb, not the noun this number counts
        post = "" if _CONJUNCTION.fullmatch(post) or post.startswith("、") else post
        base = vocab.base_cue.search(text, start, number.start)
        firmness = _firmness(text, sentence, cue_scope, number.start, vocab)
        baseline = candidate.baseline
        state.measure, state.before = measure, before
        unit = candidate.unit
        rows: list[tuple[int, str, str]]  # item_no, distribution, indicator
        if pre.endswith("各") and len(items := _list_items(pre[:-1])) >= 2:
            rows = [
                (item_no, "各", _filled(_indicator(item, "", unit, vocab), unit, state, vocab))
                for item_no, item in enumerate(items, start=1)
            ]
        elif len(shared_items) >= 2 and len(shared_items) == len(members):
            item = shared_items[index]
            rows = [(index + 1, "分别", _filled(_indicator(item, "", unit, vocab), unit, state, vocab))]
        else:
            words = "" if follower else _indicator(pre.replace("分别", ""), post, unit, vocab)
            rows = [(0, "", _filled(words, unit, state, vocab))]
        # built whole for each row: dataclasses.replace on a common row costs more than the row itself
        for item_no, distribution, indicator in rows:
            yield record(
                Quantity,
                item_no=item_no,
                distribution=distribution,
                indicator=indicator,
                sentence_no=sentence.no,
                clause_start=trimmed_start,
                clause_end=trimmed_end,
                start=cue_start,
                end=candidate.end,
                number_text=text[
                    number.start : candidate.end - (0 if candidate.after_is_shared else len(candidate.after))
                ],
                value=number.value,
                value_upper=candidate.value_upper,
                multiplier_text=candidate.multiplier_text,
                numeral_kind=number.numeral_kind,
                firmness_cue=firmness,
                unit_text=unit,
                comparator_before=before or candidate.distant_before,
                comparator_after=candidate.after,
                approx_infix=candidate.infix or candidate.inner_infix,
                measure_cue=measure,
                base_cue=base.group() if base else "",
                baseline_number_text=text[baseline.number.start : baseline.end] if baseline else "",
                baseline_value=baseline.number.value if baseline else None,
                baseline_multiplier_text=baseline.multiplier_text if baseline else "",
            )


def _filled(words: str, unit: str, state: _SentenceState, vocab: Vocabulary) -> str:
    """An indicator with nothing left (新增城镇就业不少于12万人,力争达到13万人) takes the previous one in
    the sentence, else the sentence's topic; a lone verb is completed by its unit (惠及15万人次 → 惠及人次,
    投资2亿元 → 投资额)."""
    if not words:
        words = state.indicator or state.topic or unit
    elif words in vocab.indicator_verbs and unit not in vocab.ratio_units:
        words += "额" if unit in vocab.money_units else unit
    state.indicator = words
    return words


def _is_rank(text: str, candidate: _Candidate, vocab: Vocabulary) -> bool:
    start = candidate.number.start
    return candidate.unit in vocab.rank_units and start > 0 and text[start - 1] == "前"


def _is_threshold(text: str, candidate: _Candidate, vocab: Vocabulary) -> bool:
    """营收1亿元以上企业, 总投资1000亿元以上的项目, 年销售收入超10亿元龙头企业: an amount with 以上/以下
    or 超 that qualifies the noun right after it is an eligibility threshold, not a target."""
    qualifies = candidate.after in vocab.threshold_after or (
        candidate.before in vocab.threshold_before and not candidate.after
    )
    return candidate.unit in vocab.threshold_units and qualifies and bool(_CJK.match(text, candidate.end))


def _is_label(text: str, candidate: _Candidate, vocab: Vocabulary) -> bool:
    """20万吨级码头 (a grade), 9个方面工作 (the report's own outline), 十三次全会 (a session)."""
    return text.startswith(vocab.label_suffixes, candidate.end)


def _is_duration_label(text: str, candidate: _Candidate, vocab: Vocabulary) -> bool:
    """240小时过境免签, 15分钟生活圈, 24小时开放: a duration without a cue word names a kind of service or
    area; a duration target has one (压缩至3个工作日, 缩短到5小时, 338天以上)."""
    if candidate.unit not in vocab.duration_units or candidate.before or candidate.after:
        return False
    return not match_ending_at(text, candidate.number.start, vocab.measures)


def _counts(text: str, candidate: _Candidate, vocab: Vocabulary) -> bool:
    return not (
        _is_rank(text, candidate, vocab)
        or _rhetorical(text, candidate, vocab)
        or _is_threshold(text, candidate, vocab)
        or _is_duration_label(text, candidate, vocab)
        or _is_label(text, candidate, vocab)
    )


def find_quantities(text: str, segmentation: Segmentation, vocab: Vocabulary) -> list[Quantity]:
    """Every quantified statement in a report's normalised text, in text order."""
    quoted = quote_mask(text)
    unit_words = [u for u in vocab.units if u[0] in "千百万亿十"]
    numbers = [n for n in numbers_but_lone_words(text, unit_words) if not _excluded(text, n, quoted, vocab)]
    found: list[Quantity] = []
    cursor = 0
    for sentence in segmentation.sentences:
        in_sentence = []
        while cursor < len(numbers) and numbers[cursor].start < sentence.end:
            if numbers[cursor].start >= sentence.start:
                in_sentence.append(numbers[cursor])
            cursor += 1
        if not in_sentence:
            continue
        # ranges, shared cues and starting levels join two numbers: a lone one (most sentences) skips them
        candidates = [_candidate(text, n, vocab) for n in in_sentence]
        if len(candidates) > 1:
            candidates = _share_trailing_cues(text, _merge_ranges(text, candidates))
        # years out first, so that 由一九七八年的X提高到Y pairs X with Y; a starting level is no quantity
        candidates = [c for c in candidates if c.unit or not text.startswith("年", c.number.end)]
        if len(candidates) > 1:
            candidates = _pair_baselines(text, candidates, vocab)
        candidates = [c for c in candidates if c.unit and c.end <= sentence.end and _counts(text, c, vocab)]
        if not candidates:
            continue
        state = _SentenceState(topic=sentence.lead)
        for clause in _clauses(text, sentence.start, sentence.end):
            members = [c for c in candidates if clause[0] <= c.number.start < clause[1]]
            if not members:  # nothing to split or read
                continue
            for sub in _sub_clauses(text, clause, members, vocab):
                sub_members = [c for c in members if sub[0] <= c.number.start < sub[1]]
                if sub_members:
                    found.extend(
                        _quantities_in_clause(text, sentence, (sub, clause), sub_members, vocab, state)
                    )
    return found
