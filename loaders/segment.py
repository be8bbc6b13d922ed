"""Split a report's (normalised) text into sections, paragraphs and sentences, with offsets.

Every offset is a position in the report text; the normalised text has the same length, so offsets found
here point into the original text too. Nothing is dropped: sentences tile their paragraphs.

Statement kinds say whether a sentence belongs to the review of past work (``review``), the plan for the
year (``plan``) or neither (``other``: a salutation, title or byline, or a glossary). When headings decide,
they decide. When they don't (a text without headings, a news article, the text before the first
heading, a heading that names both the review and the plan: 1998年工作回顾和1999年工作的总体要求), each sentence's kind comes from its own cues (time frames, verbs and aspect: the weighted
words of seeds/reference/kind_cues.csv, and years before or after the report's), else from its
neighbour, else the plan. ``kind_evidence`` says which rule decided.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from loaders.numbers import parse_numeral
from loaders.records import record
from loaders.vocab import KindCue, Vocabulary, load_vocabulary

PLAN = "plan"
REVIEW = "review"
OTHER = "other"
# A heading that names both the review and the plan (1998年工作回顾和1999年工作的总体要求): it is a
# heading, but it decides no kind; its sentences take theirs from their own cues.
_MIXED = "mixed"
# What decided a sentence's kind (the code list kind_evidence in seeds/reference/code_lists.csv).
BY_HEADING = "heading"
BY_SENTENCE_CUE = "sentence_cue"
BY_NEIGHBOUR = "neighbour"
BY_DEFAULT = "default"
BY_FRONT_MATTER = "front_matter"

_CN_DIGITS = "一二三四五六七八九十"
# Heading markers by level, first match first; the one group of each is the ordinal as written.
_HEADING_PATTERNS: tuple[tuple[int, str], ...] = (
    (1, rf"^([{_CN_DIGITS}]{{1,3}})[、.]"),
    (2, rf"^[(]([{_CN_DIGITS}]{{1,3}})[)]"),
    (3, r"^(\d{1,2})(?:[、]|\.(?!\d))"),
    (4, r"^[(](\d{1,2})[)]"),
    (4, r"^(——)"),
)
# The heading patterns as one, tried in their order (one match a line instead of one a pattern): the
# group that holds the ordinal says which pattern matched, and so the level.
_HEADING = re.compile("|".join(f"(?:{pattern})" for _, pattern in _HEADING_PATTERNS))
# A glossary appended to a report (名词解释): its statements explain terms and history.
_GLOSSARY_TITLE = re.compile(r"^(?:附[:]?)?(?:名词解释|名词注释|注释|附注|名词说明)[:]?$")
# A line on its own, without a full stop, that names an annex or a list of projects.
_ANNEX_HEADING = re.compile(
    r"^(附件|附表|附录)?[^。;!?]{0,30}(民生实事|民生项目|十件实事|实事项目)[^。;!?]{0,10}$"
)
_SENTENCE_END = re.compile(r"[。!?;]+[”’\"')]*")
_PARAGRAPH_END = re.compile(r"[。!?;:]\S{0,2}$")
_REVIEW_TITLE = re.compile(r"回顾|过去一年|过去五年|过去的一年|一年来|五年来|工作总结|主要成绩|取得的成绩")
_PLAN_TITLE = re.compile(
    r"主要预期目标|工作安排|重点任务|总体要求|工作任务|目标任务|主要任务|政策取向|民生实事|实事项目|今年|今后|未来五年"
    r"|工作建议|重点工作"
)
# Words that open a plan even inside a review section (a 今年 subsection closing a review chapter).
_EXPLICIT_PLAN = re.compile(
    r"主要预期目标|今年|明年|工作安排|工作任务|重点任务|目标任务|(?:19|20)\d{2}年(?:的)?(?:工作|主要)"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_REVIEW_SENTENCE_HEAD = re.compile(
    r"^\s*(过去一年|过去的一年|过去五年|过去的五年|去年|一年来|五年来|回顾过去|上一年)"
)
_OPENING_CHARS = 120
_LEADING_YEAR = re.compile(r"((?:19|20)\d{2})年")
_MAIN_TARGETS = re.compile(r"主要预期目标|主要目标是|预期目标是")
_LEAD_MAX_CHARS = 25
_BARE_HEADING_MAX_CHARS = 20
_BARE_HEADING_PUNCTUATION = re.compile(r"[。,;:!?、]")
_DIGIT = re.compile(r"\d")
# A year as written in the reports, in digits or Chinese numerals (2024, 一九八二), without its 年.
YEAR_DIGITS = r"(?:19|20)\d{2}|[一二][〇零一二三四五六七八九]{3}"
# A year that frames a sentence in time (2024年，全区… / 到2027年 / 一九八二年), not the base of a change
# (比2020年).
_FRAME_YEAR = re.compile(rf"(?<![比较与同\d〇零一二三四五六七八九])({YEAR_DIGITS})年")
_CN_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
# A year before the report's frames a review (2024年,全区…); one from it on frames the plan as a deadline
# (到2027年) and is only a hint otherwise: a review names the future too (明确提出2020年…行动目标).
_PAST_YEAR_WEIGHT = 2
_DEADLINE_WEIGHT = 2
_FUTURE_YEAR_WEIGHT = 1
_DEADLINE = re.compile(r"(?:到|至)$")
_STRONG_MARGIN = 2  # cues that win by less are weak hints
# Lines that are not content: a salutation and its formula (我代表…向大会报告工作,请予审议), the
# report's title, a byline or date line. The forms that open a line are only tried at its start, the
# others wherever they are (one pattern searched would try every form at every position).
_FRONT_MATTER_OPENING = re.compile(
    r"\s*(?:(?:各位代表|各位委员|同志们)[,:!]?\s*$"
    r"|[—-]{1,2}"
    r"|[(]?\s*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日)"
)
_FRONT_MATTER_ANYWHERE = re.compile(
    r"向大会报告.{0,10}工作|请予审议"
    r"|政府工作报告\s*$"
    r"|在.{0,30}(?:人民代表大会|人大).{0,20}(?:会议|大会)上\s*[)]?\s*$"
)


@dataclass(frozen=True)
class Section:
    """A heading and the text it governs, up to the next heading of the same or a higher level."""

    no: int
    parent_no: int | None
    level: int
    marker: str
    ordinal: int | None
    path: str
    title: str
    start: int
    end: int
    kind: str
    decided: bool  # whether the kind came from a heading (its own title or opening, or an ancestor's)
    part: int | None  # the start of the top-level (level 1) section it is in, if any


@dataclass(frozen=True)
class Sentence:
    """A sentence (ended by 。！？；, or by the end of its line) with its context."""

    no: int
    section_no: int | None
    paragraph_no: int
    start: int
    end: int
    kind: str
    kind_evidence: str
    lead: str
    in_main_targets: bool


@dataclass(frozen=True)
class Segmentation:
    sections: list[Section]
    sentences: list[Sentence]


@dataclass(frozen=True)
class _Heading:
    level: int
    marker: str
    ordinal: int | None
    title: str
    start: int


@lru_cache(maxsize=256)
def _ordinal(written: str) -> int | None:
    """A heading's ordinal as a number; kept for the few that a report's headings write (一, 二, 12)."""
    if written == "——":
        return None
    try:
        return int(parse_numeral(written))
    except ValueError:
        return None


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, without its surrounding white space."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + (len(line) - len(line.lstrip()))
            spans.append((start, start + len(stripped)))
    return spans


def _paragraphs(text: str, report_year: int | None, headings: _Headings) -> list[tuple[int, int]]:
    """Lines joined into paragraphs: a line break inside a sentence (a web copy that put a linked word
    on a line of its own) continues the paragraph; a blank line, a finished sentence or a heading ends it,
    but a run-in heading (a title, then text) whose text is not finished goes on.

    Linear in the text: only a paragraph's first line may be a heading (no heading pattern spans a line
    break), and whether it is finished depends on its last characters only.
    """
    paragraphs: list[tuple[int, int]] = []
    previous_stands_alone = False
    for start, end in _lines(text):
        # a heading, a title or a byline stands alone: it is never joined to the lines around it, except
        # that a run-in heading whose text goes on (——经济运行稳中向好。国内生产总值达到74.4<break>万亿元)
        # continues on the next line
        is_heading = _heading_of(text, (start, end), report_year, headings) is not None or _is_front_matter(
            text[start:end]
        )
        if paragraphs:
            previous_start, previous_end = paragraphs[-1]
            joined = (
                "\n\n" not in text[previous_end:start]
                and not _PARAGRAPH_END.search(text, max(previous_start, previous_end - 3), previous_end)
                and not previous_stands_alone
                and not is_heading
            )
            if joined:
                paragraphs[-1] = (previous_start, end)
                previous_stands_alone = False
                continue
        paragraphs.append((start, end))
        previous_stands_alone = is_heading and not _SENTENCE_END.search(text, start, end)
    return paragraphs


# The heading found at each (start, end) of a text: most paragraphs are one line, which _paragraphs has
# looked at already when _sections looks at the paragraph.
_Headings = dict[tuple[int, int], _Heading | None]


def _heading_of(
    text: str, span: tuple[int, int], report_year: int | None, known: _Headings
) -> _Heading | None:
    if span not in known:
        known[span] = _heading_at(text, *span, report_year)
    return known[span]


def _is_front_matter(line: str) -> bool:
    return bool(_FRONT_MATTER_OPENING.match(line) or _FRONT_MATTER_ANYWHERE.search(line))


def _heading_at(text: str, start: int, end: int, report_year: int | None) -> _Heading | None:
    line = text[start:end]
    match = _HEADING.match(line)
    if match:
        assert match.lastindex is not None  # each pattern's ordinal is a group it always fills
        level, _ = _HEADING_PATTERNS[match.lastindex - 1]
        title_end = _SENTENCE_END.search(line, match.end())
        title = line[match.end() : title_end.start() if title_end else len(line)].strip()
        return _Heading(level, match.group(0), _ordinal(match.group(match.lastindex)), title, start)
    if _ANNEX_HEADING.match(line) or _GLOSSARY_TITLE.match(line) or _is_bare_heading(line, report_year):
        return _Heading(1, "", None, line.strip(), start)
    return None


def _is_bare_heading(line: str, report_year: int | None) -> bool:
    """A line on its own that names a part of the report without a number (2024年工作回顾,
    首先报告2001年的工作), as in copies whose heading numbers were Word list numbering."""
    words = line.strip()
    return (
        len(words) <= _BARE_HEADING_MAX_CHARS
        and not _BARE_HEADING_PUNCTUATION.search(words)
        and "工作报告" not in words
        and _title_kind(words, report_year) is not None
    )


def _title_kind(title: str, report_year: int | None) -> str | None:
    """The kind a heading's title names: review, plan, other (a glossary), _MIXED when it names both the
    review and the plan, or None when it names neither."""
    if _GLOSSARY_TITLE.match(title):
        return OTHER
    years = [int(y) for y in _YEAR.findall(title)] if report_year is not None else []
    names_review = bool(_REVIEW_TITLE.search(title)) or any(y < report_year for y in years if report_year)
    names_plan = bool(_PLAN_TITLE.search(title)) or any(y >= report_year for y in years if report_year)
    if names_review and names_plan:
        return _MIXED
    if names_review:
        return REVIEW
    if names_plan:
        return PLAN
    return None


def _opening_kind(opening: str, report_year: int | None) -> str | None:
    """review when the text right after a heading looks back (一年来的主要工作是, 2024年是…)."""
    body = opening.lstrip("。!?;: \n")
    year = _LEADING_YEAR.match(body)
    looks_back = year is not None and report_year is not None and int(year.group(1)) < report_year
    return REVIEW if looks_back or _REVIEW_SENTENCE_HEAD.match(body) else None


def _sections(
    text: str, paragraphs: list[tuple[int, int]], report_year: int | None, known: _Headings
) -> list[Section]:
    headings = [h for p in paragraphs if (h := _heading_of(text, p, report_year, known)) is not None]
    ends = _section_ends(headings, len(text))
    sections: list[Section] = []
    open_stack: list[Section] = []
    for heading, end in zip(headings, ends, strict=True):
        while open_stack and open_stack[-1].level >= heading.level:
            open_stack.pop()
        parent = open_stack[-1] if open_stack else None
        ordinal_text = str(heading.ordinal) if heading.ordinal is not None else heading.marker or "-"
        path = f"{parent.path}.{ordinal_text}" if parent else ordinal_text
        body_start = heading.start + len(heading.marker) + len(heading.title)
        titled = _title_kind(heading.title, report_year)
        own = (
            None
            if titled == _MIXED
            else titled or _opening_kind(text[body_start : body_start + _OPENING_CHARS], report_year)
        )
        kind = own or (parent.kind if parent else PLAN)
        decided = own is not None or (parent is not None and parent.decided)
        if parent is not None and parent.kind == OTHER:
            kind = OTHER  # the items of a glossary (名词解释) explain words, they set no targets
        elif parent is not None and parent.kind == REVIEW and not _EXPLICIT_PLAN.search(heading.title):
            kind = REVIEW  # (六)办好民生实事… under 一、工作回顾 reports what was done
        section = Section(
            no=len(sections) + 1,
            parent_no=parent.no if parent else None,
            level=heading.level,
            marker=heading.marker,
            ordinal=heading.ordinal,
            path=path,
            title=heading.title,
            start=heading.start,
            end=end,
            kind=kind,
            decided=decided,
            part=heading.start if heading.level == 1 else (parent.part if parent else None),
        )
        sections.append(section)
        open_stack.append(section)
    return sections


def _section_ends(headings: list[_Heading], text_end: int) -> list[int]:
    """Where each heading's section ends: at the next heading of the same or a higher level."""
    ends = [text_end] * len(headings)
    waiting: list[int] = []  # headings whose end is not yet known, levels strictly rising
    for index, heading in enumerate(headings):
        while waiting and headings[waiting[-1]].level >= heading.level:
            ends[waiting.pop()] = heading.start
        waiting.append(index)
    return ends


def _innermost(sections: list[Section], starts: list[int], position: int) -> Section | None:
    """The section of the highest level containing position: the last one starting at or before it.

    A section runs to the next heading of its level or a higher one, so any later-starting section that
    contains the position is nested in it; the last section starting at or before a position in the
    text therefore contains it and is the innermost.
    """
    index = bisect_right(starts, position)
    return sections[index - 1] if index else None


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of text[start:end] that are not blank: up to each sentence end, then the rest. A piece
    up to a sentence end holds its punctuation, so only the rest can be blank."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text, start, end)]
    spans = list(zip([start, *ends], ends, strict=False))  # the last start is the rest's
    rest = ends[-1] if ends else start
    if rest < end and text[rest:end].strip():
        spans.append((rest, end))
    return spans


def _is_lead(sentence: str) -> bool:
    body = sentence.strip().rstrip("。!?;:")
    return 0 < len(body) <= _LEAD_MAX_CHARS and not _DIGIT.search(body)


def _cue_weight(body: str, cue: KindCue) -> int:
    """The weight of a cue that is in body: 0 when it is only in the longer words it does not count in."""
    for longer in cue.not_in:
        body = body.replace(longer, "")
    return cue.weight if cue.cue in body else 0


def _cue_kind(body: str, report_year: int | None, vocab: Vocabulary) -> tuple[str, int] | None:
    """The kind a sentence's own cues point to and by how much it wins, or None when they tie."""
    scores = {PLAN: 0, REVIEW: 0}
    # only the cues whose first character it has; a character class finds those few faster than a set
    # of the sentence's characters is built
    for first in set(vocab.kind_cue_starts.findall(body)):
        for cue in vocab.kind_cues[first]:
            if cue.cue in body:  # most are not
                scores[cue.kind] += _cue_weight(body, cue)
    if report_year is not None and "年" in body:  # every frame year ends in 年
        for match in _FRAME_YEAR.finditer(body):
            if int(match.group(1).translate(_CN_YEAR_DIGITS)) < report_year:
                scores[REVIEW] += _PAST_YEAR_WEIGHT
            elif _DEADLINE.search(body, 0, match.start()):
                scores[PLAN] += _DEADLINE_WEIGHT
            else:
                scores[PLAN] += _FUTURE_YEAR_WEIGHT
    if scores[PLAN] == scores[REVIEW]:
        return None
    return (
        (PLAN, scores[PLAN] - scores[REVIEW])
        if scores[PLAN] > scores[REVIEW]
        else (REVIEW, scores[REVIEW] - scores[PLAN])
    )


def _part(section: Section | None) -> int | None:
    """The top-level section a sentence is in (its start), None outside every top-level section: a
    top-level heading starts a new context even when it does not decide the kind; a lower one
    (——经济运行持续向好, （一）…) continues its part."""
    return section.part if section is not None else None


class _Own(NamedTuple):
    """What a sentence says of its own kind, and whether that holds against its neighbours (a named
    tuple: one per sentence, and a tuple is built faster than a frozen dataclass)."""

    kind: str
    evidence: str
    strong: bool


# What a deciding heading says of each of its sentences, by the heading's kind (one tuple per kind, not
# one per sentence).
_BY_HEADING = {kind: _Own(kind, BY_HEADING, True) for kind in (PLAN, REVIEW, OTHER)}


class _Cues:
    """Each sentence's own cues (_cue_kind), worked out when first asked for: a sentence under a heading
    that decides its kind needs them only inside a review passage (_continue_review_runs)."""

    def __init__(self, bodies: list[str], report_year: int | None, vocab: Vocabulary) -> None:
        self._bodies = bodies
        self._report_year = report_year
        self._vocab = vocab
        self._found: dict[int, tuple[str, int] | None] = {}

    def __getitem__(self, index: int) -> tuple[str, int] | None:
        if index not in self._found:
            self._found[index] = _cue_kind(self._bodies[index], self._report_year, self._vocab)
        return self._found[index]


def _own_kind(body: str, section: Section | None, cues: _Cues, index: int) -> _Own | None:
    """The kind from a deciding heading, a front-matter line or the sentence's own cues. Cues that win
    by a single weak hint (了, 比上年, 将) are weak: a neighbour decided more firmly overrides them."""
    if section is not None and section.decided:
        if section.kind == PLAN and _REVIEW_SENTENCE_HEAD.match(body):
            return _Own(REVIEW, BY_SENTENCE_CUE, True)
        return _BY_HEADING[section.kind]
    if section is None and _is_front_matter(body):
        return _Own(OTHER, BY_FRONT_MATTER, True)
    cue = cues[index]
    return _Own(cue[0], BY_SENTENCE_CUE, cue[1] >= _STRONG_MARGIN) if cue is not None else None


def _continue_review_runs(own: list[_Own | None], paragraphs: list[int], cues: _Cues) -> list[_Own | None]:
    """A sentence opened by a look back (过去一年，…) inside a plan section starts a review passage: the
    sentences after it in its paragraph are review too (国内生产总值增长10.3%，…), up to one whose own cues
    firmly point to the plan (今年…)."""
    continued: list[_Own | None] = []
    run_paragraph: int | None = None
    for index, (decided, paragraph) in enumerate(zip(own, paragraphs, strict=True)):
        if (
            decided is not None
            and decided.evidence == BY_SENTENCE_CUE
            and decided.kind == REVIEW
            and decided.strong
        ):
            run_paragraph = paragraph
        elif run_paragraph != paragraph or _firmly_plan(cues[index]):
            run_paragraph = None
        elif decided is not None and decided.evidence == BY_HEADING and decided.kind == PLAN:
            decided = _Own(REVIEW, BY_NEIGHBOUR, True)
        continued.append(decided)
    return continued


def _firmly_plan(cue: tuple[str, int] | None) -> bool:
    return cue is not None and cue[0] == PLAN and cue[1] >= _STRONG_MARGIN


def _nearest(own: list[_Own | None], parts: list[int | None], order: range) -> list[str | None]:
    """For each sentence, the kind of the nearest content sentence firmly decided by itself, walking
    ``order``, in the same part of the report."""
    found: list[str | None] = [None] * len(own)
    last: tuple[int | None, str] | None = None
    for index in order:
        found[index] = last[1] if last is not None and last[0] == parts[index] else None
        decided = own[index]
        if decided is not None and decided.strong and decided.kind != OTHER:
            last = (parts[index], decided.kind)
    return found


def _fill_from_neighbours(
    own: list[_Own | None], parts: list[int | None], defaults: list[str]
) -> list[tuple[str, str]]:
    """A sentence its own cues leave open, or decide only weakly, takes the kind of the nearest content
    sentence firmly decided before it in its part, else the nearest after it; else its weak cue, else
    its default."""
    before = _nearest(own, parts, range(len(own)))
    after = _nearest(own, parts, range(len(own) - 1, -1, -1))
    filled: list[tuple[str, str]] = []
    for index, decided in enumerate(own):
        near = before[index] or after[index]
        if decided is not None and (decided.strong or near is None):
            filled.append((decided.kind, decided.evidence))
        elif near is not None:
            filled.append((near, BY_NEIGHBOUR))
        else:
            filled.append((defaults[index], BY_DEFAULT))
    return filled


def segment(text: str, report_year: int | None = None, vocab: Vocabulary | None = None) -> Segmentation:
    """Sections and sentences of a report, from its normalised text."""
    vocab = vocab or load_vocabulary()
    headings: _Headings = {}
    paragraphs = _paragraphs(text, report_year, headings)
    sections = _sections(text, paragraphs, report_year, headings)
    starts = [s.start for s in sections]
    # Each sentence with its paragraph and section, its text and what it says of its own kind, listed in
    # one pass. A section starts where its heading's paragraph starts, so every sentence of a paragraph is
    # in the section that the paragraph's start is in, and in the same part.
    spans: list[tuple[int, int, int, Section | None]] = []
    bodies: list[str] = []
    cues = _Cues(bodies, report_year, vocab)
    own: list[_Own | None] = []
    paragraph_nos: list[int] = []
    parts: list[int | None] = []
    defaults: list[str] = []
    for paragraph_no, (p_start, p_end) in enumerate(paragraphs, start=1):
        section = _innermost(sections, starts, p_start)
        part, default = _part(section), section.kind if section is not None else PLAN
        for start, end in _sentence_spans(text, p_start, p_end):
            body = text[start:end]
            bodies.append(body)
            own.append(_own_kind(body, section, cues, len(bodies) - 1))
            spans.append((paragraph_no, start, end, section))
            paragraph_nos.append(paragraph_no)
            parts.append(part)
            defaults.append(default)
    kinds = _fill_from_neighbours(_continue_review_runs(own, paragraph_nos, cues), parts, defaults)
    sentences: list[Sentence] = []
    lead, main_targets, current_paragraph = "", False, 0
    for (paragraph_no, start, end, section), body, (kind, evidence) in zip(spans, bodies, kinds, strict=True):
        if paragraph_no != current_paragraph:
            lead, main_targets, current_paragraph = "", False, paragraph_no
        main_targets = main_targets or bool(_MAIN_TARGETS.search(body))
        if _is_lead(body):
            lead = body.strip().rstrip("。!?;:")
        elif not lead and section is not None:
            lead = section.title
        sentences.append(
            record(
                Sentence,
                no=len(sentences) + 1,
                section_no=section.no if section else None,
                paragraph_no=paragraph_no,
                start=start,
                end=end,
                kind=kind,
                kind_evidence=evidence,
                lead=lead,
                in_main_targets=main_targets,
            )
        )
    return Segmentation(sections=sections, sentences=sentences)
