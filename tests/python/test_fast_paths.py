"""The loaders' fast paths give exactly what their general paths give, on many generated inputs."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from decimal import localcontext

import pytest
from docx.oxml.parser import parse_xml
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from loaders import extract, numbers, quantities, read, segment
from loaders.records import record
from loaders.vocab import Vocabulary, Words, load_vocabulary, match_at, match_ending_at

# Pieces that put every kind of character after a number: digits of both widths, separators, points,
# Chinese digits, place and section words, 多/余, 分之, 点, letters, unit words and plain text.
NUMBER_PIECES = [
    "0", "1", "5", "9", "０", "７", ",", "，", ".", "．", "5.5", "4500", "1,100", "12,345.6", "１２，３４５",
    "一", "两", "三", "〇", "零", "○", "壹", "陆", "十", "百", "千", "万", "亿", "多", "余", "分", "分之", "点",
    "万点五", "亿点", "万分之", "万人",
    "几", "数", "G", "PM", "米", "千米", "百分点", "%", "人", "元", "年", "、", "增长", "\n",
]  # fmt: skip
UNITS = numbers._unit_index(numbers.DEFAULT_UNIT_WORDS | {"万人", "亿元", "十字"})
# Numbers of tens (_tens_span), and a unit word that begins with 十.
TENS_PIECES = ["十", "拾", "贰", "二十", "十五", "十两", "十字", "十多万", "十余", "十点五", "十分之", "十零", "二十万"]  # fmt: skip
many = settings(max_examples=2000, deadline=None)


@many
@given(
    st.lists(st.sampled_from(NUMBER_PIECES + TENS_PIECES), max_size=30).map("".join),
    st.text(alphabet="0123456789", min_size=99, max_size=130),
)
def test_simple_spans_are_what_the_reader_gives(text: str, long_number: str) -> None:
    """Wherever _simple_span takes a span (a plain Arabic number, one with a section word, a lone Chinese
    digit, a number of tens), _span_at reads the same one; numbers longer than the working precision
    included."""
    for written in (text, text + long_number, long_number + "." + long_number + text):
        with localcontext(numbers._WORKING):
            for i in range(len(written)):
                simple = numbers._simple_span(written, i, UNITS)
                match = numbers._START.match(written, i)
                if simple is not None:
                    assert match is not None
                    # and as written: Decimal('5.0') == Decimal('5'), but not their reprs
                    assert repr(simple) == repr(numbers._span_at(written, match, UNITS))


@many
@given(
    st.lists(st.sampled_from([*NUMBER_PIECES, "一百", "零点五", "一分之", "“", "”"]), max_size=30).map(
        "".join
    )
)
def test_lone_words_are_skipped_only_where_quantities_drop_them(text: str) -> None:
    """numbers_but_lone_words is find_numbers less some spans, each a lone 一/零 that _excluded drops."""
    units = numbers.DEFAULT_UNIT_WORDS | {"万人", "亿元"}
    every = numbers.find_numbers(text, units)
    kept = numbers.numbers_but_lone_words(text, units)
    dropped = [n for n in every if n not in kept]
    assert kept == [n for n in every if n not in dropped]
    quoted, vocab = quantities.quote_mask(text), load_vocabulary()
    for span in dropped:
        assert len(span.text) == 1 and span.text in "零〇○一壹"
        assert quantities._excluded(text, span, quoted, vocab)


@many
@given(st.integers(), st.integers() | st.none(), st.text(max_size=5), st.booleans())
def test_records_are_what_the_constructor_builds(
    number: int, maybe: int | None, words: str, flag: bool
) -> None:
    values = {
        "no": number, "section_no": maybe, "paragraph_no": number, "start": number, "end": number,
        "kind": words, "kind_evidence": words, "lead": words, "in_main_targets": flag,
    }  # fmt: skip
    built, constructed = record(segment.Sentence, **values), segment.Sentence(**values)  # type: ignore[arg-type]
    assert (built, hash(built), repr(built)) == (constructed, hash(constructed), repr(constructed))


def test_every_record_names_its_fields() -> None:
    """Each record() call in the loaders names every field of its class as a keyword (record() itself
    only counts them)."""
    calls = 0
    for module in (extract, numbers, quantities, read, segment):
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "record":
                (record_type,) = node.args
                assert isinstance(record_type, ast.Name)
                named = [keyword.arg for keyword in node.keywords]
                assert None not in named  # no **values
                assert sorted(map(str, named)) == sorted(getattr(module, record_type.id).__dataclass_fields__)
                calls += 1
    assert calls == 5


def test_a_record_needs_every_field() -> None:
    with pytest.raises(TypeError):
        record(segment.Sentence, no=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record(segment.Section, **dict.fromkeys(f.name for f in dataclasses.fields(segment.Section))).no = 2  # type: ignore[misc]


@many
@given(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.integers(1, 9) | st.none(),
)
def test_sentence_rows_are_the_merged_columns(start: int, length: int, section_no: int | None) -> None:
    sentence = segment.Sentence(3, section_no, 2, start, start + length, "plan", "heading", "导语", True)
    section_id = None if section_no is None else f"s{section_no}"
    merged = {
        dataclass_column: getattr(sentence, name)
        for name, dataclass_column in (
            (f.name, extract._COLUMN_NAMES.get(f.name, f.name)) for f in dataclasses.fields(sentence)
        )
    } | {"sentence_id": "id", "report_id": "r", "sentence_no": 3, "section_id": section_id,
         "sentence_text": TEXT[start : start + length]}  # fmt: skip
    row = extract._sentence_row(sentence, "r", "id", section_id, TEXT)
    assert list(row.items()) == list(merged.items())


TEXT = "经济增长5%左右。城镇新增就业1200万人以上,居民消费价格涨幅3%左右。"


@many
@given(
    st.lists(
        st.sampled_from([*NUMBER_PIECES, "一百", "零点五", "一分之", "〇", "壹", "一5", "百分之一"]),
        max_size=30,
    ).map("".join)
)
def test_the_search_passes_over_exactly_the_lone_words(text: str) -> None:
    """numbers_but_lone_words, whose search for starts passes the lone words over, is find_numbers less
    each one-character 零〇○一壹 that no continuation follows."""
    units = numbers.DEFAULT_UNIT_WORDS | {"万人", "亿元"}
    lone = [
        n
        for n in numbers.find_numbers(text, units)
        if n.text in numbers._WORD_DIGITS and text[n.end : n.end + 1] not in numbers._CONTINUATIONS
    ]
    every = numbers.find_numbers(text, units)
    assert repr(numbers.numbers_but_lone_words(text, units)) == repr([n for n in every if n not in lone])


# _START_AT_RUN_STARTS as an alternation of its two forms, before it began with one character class.
START_AT_RUN_STARTS = re.compile(
    rf"{numbers._NUMERAL_START}|(?<![{numbers._POWERS}])[{numbers._POWERS}]+分之"
)


@many
@given(st.lists(st.sampled_from([*NUMBER_PIECES, "佰", "仟", "分之", "万分之"]), max_size=30).map("".join))
def test_run_starts_are_found_where_the_alternation_finds_them(text: str) -> None:
    for position in range(len(text) + 1):
        found = numbers._START_AT_RUN_STARTS.search(text, position)
        expected = START_AT_RUN_STARTS.search(text, position)
        assert (found and found.span()) == (expected and expected.span())


# Characters that normalisation changes, of both planes, the ones it changes most (replaced first), and
# ones it keeps.
CHANGING = sorted(map(chr, read._normalization_table()))
FREQUENT = ["，", ",", "\u3000", "；"]
KEPT = ["的", "国", "发", "苎", "5", "a", " ", "\n", "。", "\U00020000"]


@many
@given(
    st.lists(
        st.sampled_from(CHANGING) | st.sampled_from(FREQUENT) | st.sampled_from(KEPT) | st.characters(),
        max_size=60,
    ).map("".join)
)
def test_runs_of_changing_characters_are_translate(text: str) -> None:
    """normalize translates, and counts the traditional characters of, only the runs of characters that
    change; that is what a lookup of every character gives."""
    changed = sum(map(read._t2s_chars().__contains__, text))
    assert read._normalized(text) == (text.translate(read._normalization_table()), changed)
    assert read.normalize(text) == text.translate(read._normalization_table())


# The front-matter pattern as one pattern searched whole, before its opening forms were split off.
FRONT_MATTER = re.compile(
    r"^\s*(?:各位代表|各位委员|同志们)[,:!]?\s*$"
    r"|向大会报告.{0,10}工作|请予审议"
    r"|政府工作报告\s*$"
    r"|^\s*[—-]{1,2}"
    r"|^\s*[(]?\s*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日"
    r"|在.{0,30}(?:人民代表大会|人大).{0,20}(?:会议|大会)上\s*[)]?\s*$"
)
FRONT_MATTER_PIECES = [
    "各位代表", "各位委员", "同志们", ",", ":", "!", " ", "\n", "\t", "向大会报告", "工作", "请予审议", "政府",
    "工作报告", "—", "-", "(", ")", "19", "20", "2025", "年", "3", "12", "月", "日", "在", "人民代表大会", "人大",
    "第十四届", "会议", "大会", "上", "的", "经济",
]  # fmt: skip


@many
@given(st.lists(st.sampled_from(FRONT_MATTER_PIECES), max_size=20).map("".join))
def test_front_matter_is_the_one_pattern_searched(line: str) -> None:
    assert segment._is_front_matter(line) == bool(FRONT_MATTER.search(line))


# What a paragraph of a .docx may hold: runs of text, tabs, breaks and the like; runs inside hyperlinks
# and inside other wrappers (insertions, smart tags, fields) that python-docx does not read.
RUN_CONTENT = [
    "<w:t>增长5%</w:t>", "<w:t xml:space=\"preserve\"> 全年 </w:t>", "<w:t/>", "<w:t> </w:t>", "<w:tab/>", "<w:br/>",
    "<w:br w:type=\"page\"/>", "<w:br w:type=\"textWrapping\"/>", "<w:cr/>", "<w:noBreakHyphen/>",
    "<w:softHyphen/>", "<w:ptab w:relativeTo=\"margin\" w:alignment=\"left\" w:leader=\"none\"/>",
    "<w:rPr><w:b/></w:rPr>", "<w:sym w:char=\"F0E0\"/>", "<w:instrText>PAGE</w:instrText>",
    "<w:delText>删</w:delText>",
]  # fmt: skip
WRAPPERS = ["w:hyperlink", "w:ins", "w:smartTag", "w:fldSimple", "w:del"]
runs = st.lists(st.sampled_from(RUN_CONTENT), max_size=5).map(lambda parts: f"<w:r>{''.join(parts)}</w:r>")
wrapped = st.tuples(st.sampled_from(WRAPPERS), st.lists(runs, max_size=3)).map(
    lambda pair: f"<{pair[0]}>{''.join(pair[1])}</{pair[0]}>"
)
others = st.sampled_from(['<w:pPr><w:jc w:val="center"/></w:pPr>', '<w:bookmarkStart w:id="0" w:name="a"/>'])
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@many
@given(st.lists(runs | wrapped | others, max_size=8).map("".join))
def test_paragraph_text_is_python_docx_paragraph_text(content: str) -> None:
    xml = f'<w:p xmlns:w="{W}">{content}</w:p>'
    as_read = etree.fromstring(xml, read._DOCX_PARSER)  # as the reader parses a .docx's document
    assert read._paragraph_text(as_read) == Paragraph(parse_xml(xml), None).text


# Words as the vocabulary's word lists are matched: on a small alphabet, so that words overlap, nest and
# share first and last characters.
WORD_CHARACTERS = "万亿元人次个%/年"
word_lists = st.lists(st.text(WORD_CHARACTERS, min_size=1, max_size=4), max_size=12)


@many
@given(word_lists, st.text(WORD_CHARACTERS, max_size=12))
def test_matches_are_the_longest_slice_that_is_a_word(words: list[str], text: str) -> None:
    """match_at and match_ending_at, which try the words by their first or last character, give what
    trying a slice of every length of the words against the set of them gives."""
    vocabulary = Words(words)
    lengths = sorted({len(w) for w in vocabulary}, reverse=True)
    for position in range(len(text) + 1):
        starting = [text[position : position + n] for n in lengths]
        ending = [text[position - n : position] for n in lengths if n <= position]
        assert match_at(text, position, vocabulary) == next((p for p in starting if p in vocabulary), "")
        assert match_ending_at(text, position, vocabulary) == next((p for p in ending if p in vocabulary), "")


@many
@given(word_lists, st.text(WORD_CHARACTERS, max_size=12), st.integers(0, 12), st.integers(0, 12))
def test_a_words_pattern_finds_a_word_where_one_is(words: list[str], text: str, start: int, end: int) -> None:
    """Words.pattern finds a match in text[start:end] exactly when one of the words is there whole, which
    is what lets a search stand for trying every word (_firmness, _indicator)."""
    vocabulary = Words(words)
    found = vocabulary.pattern.search(text, start, end)
    assert bool(found) == any(text.find(word, start, end) >= 0 for word in vocabulary)


def firmness_by_every_cue(
    text: str, sentence: segment.Sentence, clause_start: int, position: int, vocab: Vocabulary
) -> str:
    """quantities._firmness as it was, trying every cue in every clause and opening."""
    best, best_at = "", -1
    for cue in vocab.firmness:
        at = text.rfind(cue, clause_start, position)
        if at > best_at:
            best, best_at = cue, at
    if best:
        return best
    if text.startswith(quantities._DETAIL_MARK, clause_start):
        previous = quantities._clause_before(text, sentence.start, clause_start)
        if previous is not None:
            return firmness_by_every_cue(text, sentence, previous, clause_start, vocab)
    time_frame = quantities._LEADING_TIME_FRAME.match(text, sentence.start)
    head_start = time_frame.end() if time_frame else sentence.start
    head = text[head_start : head_start + 8].lstrip()
    for cue in vocab.firmness:
        at = head.find(cue)
        if 0 <= at <= 4:
            return cue
    return ""


VOCABULARY = load_vocabulary()
FIRMNESS_PIECES = [*VOCABULARY.firmness, "力", "争", "其中", ",", ":", "到", "2020年", "今年", " ", "增长", "5%"]  # fmt: skip


@many
@given(
    st.lists(st.sampled_from(FIRMNESS_PIECES), max_size=16).map("".join),
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_firmness_is_what_trying_every_cue_gives(text: str, start: int, clause: int, position: int) -> None:
    start, clause, position = sorted(min(n, len(text)) for n in (start, clause, position))
    sentence = segment.Sentence(1, None, 1, start, len(text), "plan", "heading", "", False)
    assert quantities._firmness(text, sentence, clause, position, VOCABULARY) == firmness_by_every_cue(
        text, sentence, clause, position, VOCABULARY
    )


SEGMENT_PIECES = [
    "一、", "(二)", "3.", "(4)", "——", "工作回顾", "今年工作安排", "主要预期目标", "名词解释", "经济增长5%", "。",
    ";", ",", "\n", "\n\n", " ", "各位代表:", "过去一年", "全市", "”", "附件", "民生实事",
]  # fmt: skip


@many
@given(st.lists(st.sampled_from(SEGMENT_PIECES), max_size=40).map("".join), st.sampled_from([None, 2024]))
def test_sentences_are_in_the_section_their_paragraph_starts_in(text: str, year: int | None) -> None:
    """segment looks a paragraph's section up once: each sentence is in the innermost section at its own
    start (the last one starting at or before it)."""
    found = segment.segment(text, year, VOCABULARY)
    for sentence in found.sentences:
        started = [s for s in found.sections if s.start <= sentence.start]
        assert sentence.section_no == (started[-1].no if started else None)


def sentence_spans_filtered(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """segment._sentence_spans as it was, testing every piece for blankness."""
    spans = []
    cursor = start
    for match in segment._SENTENCE_END.finditer(text, start, end):
        if match.end() > cursor:
            spans.append((cursor, match.end()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


@many
@given(
    st.lists(
        st.sampled_from(["。", "!", "?", ";", "”", "’", '"', "'", ")", " ", "\n", "\u3000", "增长"]),
        max_size=20,
    ).map("".join),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_sentence_spans_are_the_pieces_that_are_not_blank(text: str, start: int, end: int) -> None:
    start, end = sorted((min(start, len(text)), min(end, len(text))))
    assert segment._sentence_spans(text, start, end) == sentence_spans_filtered(text, start, end)


@many
@given(st.lists(st.sampled_from(["三", "两", "十", "个", "\n", "100", "%", "确保"]), max_size=8).map("".join))
def test_slogan_counts_are_what_the_search_finds(text: str) -> None:
    for position in range(len(text) + 1):
        found = quantities._SLOGAN_COUNT.search(text, max(0, position - 3), position)
        assert quantities._after_slogan_count(text, position) == (found is not None)


@many
@given(
    st.lists(st.sampled_from([*NUMBER_PIECES, "从", "提高到", "至", "和", "以上", "年"]), max_size=12).map(
        "".join
    )
)
def test_a_lone_candidate_is_left_as_it_is(text: str) -> None:
    """find_quantities skips joining ranges, shared cues and starting levels for a sentence with one
    candidate: each of them leaves a lone candidate as it is."""
    for number in numbers.find_numbers(text):
        alone = [quantities._candidate(text, number, VOCABULARY)]
        assert quantities._merge_ranges(text, alone) == alone
        assert quantities._share_trailing_cues(text, alone) == alone
        assert quantities._pair_baselines(text, alone, VOCABULARY) == alone


HEADING_PIECES = ["一", "十", "二", "、", ".", "(", ")", "3", "12", "5", "——", "—", "工作回顾", " ", "。"]


@many
@given(st.lists(st.sampled_from(HEADING_PIECES), max_size=8).map("".join))
def test_headings_are_the_first_pattern_that_matches(line: str) -> None:
    """_heading_at matches the heading patterns as one; that finds what trying each in turn finds."""
    expected = next(
        (
            (level, match.group(0), segment._ordinal(match.group(1)))
            for level, pattern in segment._HEADING_PATTERNS
            if (match := re.match(pattern, line))
        ),
        None,
    )
    heading = segment._heading_at(line, 0, len(line), 2024)
    found = (heading.level, heading.marker, heading.ordinal) if heading and heading.marker else None
    assert found == expected
