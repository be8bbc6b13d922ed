"""Numeral parsing and number spans: a table of hard cases, and properties over random input."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.numbers import DEFAULT_UNIT_WORDS, NumberSpan, find_numbers, parse_numeral

Expected = list[tuple[str, str, str]]  # (span text, value, multiplier text) per span

CASES: list[tuple[str, Expected]] = [
    # Arabic: decimals, separators in groups of three only, no sign, dotted dates
    ("增长5.5%", [("5.5", "5.5", "")]),
    ("1,100人", [("1,100", "1100", "")]),
    ("12,345.6", [("12,345.6", "12345.6", "")]),
    ("1,2", [("1", "1", ""), ("2", "2", "")]),
    ("1,2345", [("1", "1", ""), ("2345", "2345", "")]),
    ("1234,567", [("1234", "1234", ""), ("567", "567", "")]),
    ("3、4", [("3", "3", ""), ("4", "4", "")]),
    ("3-5年", [("3", "3", ""), ("5", "5", "")]),
    ("-10", [("10", "10", "")]),
    ("4.800", [("4.800", "4.8", "")]),
    ("2025.3.5", [("2025", "2025", ""), ("3", "3", ""), ("5", "5", "")]),
    ("１２，３４５．６亿", [("１２，３４５．６亿", "12345.6", "亿")]),
    ("$20，300美元", [("20", "20", ""), ("300", "300", "")]),
    # digits glued to Latin letters are not numbers; other neighbours are the caller's business
    ("5G基站", []),
    ("PM2.5浓度", []),
    ("C919大飞机", []),
    ("G60科创走廊", []),
    ("4K超高清", []),
    ("H7N9疫情", []),
    ("v1.2.3版", []),
    ("12345热线", [("12345", "12345", "")]),
    # Chinese numerals, elisions, 零, 两, 〇
    ("二百五", [("二百五", "250", "")]),
    ("三千五", [("三千五", "3500", "")]),
    ("一万二", [("一万二", "12000", "")]),
    ("一千零十二", [("一千零十二", "1012", "")]),
    ("二百十七万", [("二百十七万", "217", "万")]),
    ("十五", [("十五", "15", "")]),
    ("两百", [("两百", "200", "")]),
    ("十大工程", [("十", "10", "")]),
    ("零增长", [("零", "0", "")]),
    ("一千零一", [("一千零一", "1001", "")]),
    ("四亿五千六百四十二万零一十五", [("四亿五千六百四十二万零一十五", "456420015", "")]),
    ("一百零十万三千斤", [("一百零十万三千", "1103000", "")]),
    ("五十千", [("五十", "50", "")]),
    ("二〇二五年", [("二〇二五", "2025", "")]),
    ("一九五八年", [("一九五八", "1958", "")]),
    ("一九八○年", [("一九八○", "1980", "")]),
    ("三点五", [("三点五", "3.5", "")]),
    ("零点五", [("零点五", "0.5", "")]),
    ("两千三点一", [("两千三点一", "2300.1", "")]),
    ("两百点两", [("两百", "200", ""), ("两", "2", "")]),
    ("两万两", [("两万", "2", "万"), ("两", "2", "")]),
    ("十点三十分", [("十", "10", ""), ("三十", "30", "")]),
    ("“十四五”规划", [("十四", "14", ""), ("五", "5", "")]),
    # financial forms; 陆伍拾肆 alone are words
    ("壹万贰仟叁佰肆拾伍元", [("壹万贰仟叁佰肆拾伍", "12345", "")]),
    ("肆佰陆拾", [("肆佰陆拾", "460", "")]),
    ("一千陆", [("一千陆", "1600", "")]),
    ("写作叁", [("叁", "3", "")]),
    ("陆续出台", []),
    ("干部队伍", []),
    ("收拾", []),
    ("放肆", []),
    # a numeral starts with a digit (or 十)
    ("每万人口", []),
    ("万企兴万村", []),
    ("千企帮千镇", []),
    ("百姓", []),
    ("亿万农民", []),
    # runs of bare digits that are not numbers, and vague approximations
    ("用三五年时间", []),
    ("二三十年", []),
    ("一二三产业融合", []),
    ("“七五”计划", []),
    ("两两", []),
    ("几十万", []),
    ("数十年", []),
    ("十几年", []),
    ("二十几万", []),
    ("1200多万人", [("1200多万", "1200", "万")]),
    ("十余万", [("十余万", "10", "万")]),
    ("一亿一千七百多万亩", [("一亿一千七百多万", "11700", "万")]),
    ("3万多", [("3万", "3", "万")]),
    ("四百多", [("四百", "400", "")]),
    # multipliers
    ("3万", [("3万", "3", "万")]),
    ("3万4000", [("3万4000", "34000", "")]),
    ("1.3万亿", [("1.3万亿", "1.3", "万亿")]),
    ("1,100万", [("1,100万", "1100", "万")]),
    ("3千万", [("3千万", "3", "千万")]),
    ("3百万", [("3百万", "3", "百万")]),
    ("3千", [("3千", "3", "千")]),
    ("2.5亿", [("2.5亿", "2.5", "亿")]),
    ("五千万", [("五千万", "5000", "万")]),
    ("二百五十万", [("二百五十万", "250", "万")]),
    ("三千五百万", [("三千五百万", "3500", "万")]),
    ("一亿二千万", [("一亿二千万", "12000", "万")]),
    ("一万五千亿", [("一万五千亿", "15000", "亿")]),
    ("四万万", [("四万万", "4", "万万")]),
    ("5万4千6百", [("5万4千6百", "54600", "")]),
    ("1千零20", [("1千零20", "1020", "")]),
    ("2千零30万", [("2千零30万", "2030", "万")]),
    ("三点五万", [("三点五万", "3.5", "万")]),
    ("两千万点五五四四", [("两千万点五五四四", "20000000.5544", "")]),
    # unit words that begin with a multiplier character are left to the caller
    ("3千米", [("3", "3", "")]),
    ("三千米", [("三", "3", "")]),
    ("一万三千米", [("一万三千", "13000", "")]),
    ("5万千瓦", [("5万", "5", "万")]),
    ("200千瓦时", [("200", "200", "")]),
    ("10千克", [("10", "10", "")]),
    ("3个百分点", [("3", "3", "")]),
    ("提高2百分点", [("2", "2", "")]),
    ("三点五千米", [("三点五", "3.5", "")]),
]

RATIOS: list[tuple[str, str, str, str]] = [  # text, span text, value, flag
    ("百分之五十五点五五", "百分之五十五点五五", "55.55", "percent_words"),
    ("增长百分之5", "百分之5", "5", "percent_words"),
    ("千分之三", "千分之三", "3", "per_mille_words"),
    ("三分之一", "三分之一", "0.3333333333333333333333333333", "fraction"),
    ("一百分之二", "一百分之二", "0.02", "fraction"),
    ("万分之三", "万分之三", "0.0003", "fraction"),
    ("百万分之五", "百万分之五", "0.000005", "fraction"),
    ("１６分之5", "１６分之5", "0.3125", "fraction"),
]

FLAGS = ("percent_words", "per_mille_words", "fraction")


def _triples(text: str) -> Expected:
    return [(s.text, str(s.value), s.multiplier_text) for s in find_numbers(text)]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hard_cases(text: str, expected: Expected) -> None:
    assert _triples(text) == expected


@pytest.mark.parametrize(("text", "span_text", "value", "flag"), RATIOS, ids=[r[0] for r in RATIOS])
def test_percent_words_and_fractions(text: str, span_text: str, value: str, flag: str) -> None:
    [span] = find_numbers(text)
    assert (span.text, str(span.value), span.multiplier) == (span_text, value, 1)
    assert {f for f in FLAGS if getattr(span, f)} == {flag}


@pytest.mark.parametrize(("text", "bare"), [("百分之百", "百分之百"), ("还有二分之。", "二"), ("1分之", "1")])
def test_ratio_words_need_a_numeral_after_them(text: str, bare: str) -> None:
    assert [s.text for s in find_numbers(text)] == ([] if bare == text else [bare])


def test_offsets_point_into_the_text_as_given() -> None:
    text = "到２０２５年，ＧＤＰ增长５．５％，投资１．３万亿元"
    spans = find_numbers(text)
    assert [(s.start, s.end, s.text) for s in spans] == [
        (1, 5, "２０２５"),
        (12, 15, "５．５"),
        (19, 24, "１．３万亿"),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("300", "arabic"),
        ("二百", "chinese"),
        ("3万", "mixed"),
        ("百分之5", "arabic"),
        ("百分之五", "chinese"),
    ],
)
def test_numeral_kind(text: str, kind: str) -> None:
    [span] = find_numbers(text)
    assert span.numeral_kind == kind


def test_unit_words_are_a_parameter() -> None:
    assert _triples("3千米") == [("3", "3", "")]
    assert _triples("5万千瓦") == [("5万", "5", "万")]
    assert [s.text for s in find_numbers("5万千瓦", unit_words={"万千瓦"})] == ["5"]
    assert [s.text for s in find_numbers("3千米", unit_words=())] == ["3千"]
    assert all(word[0] in "十百千万亿" for word in DEFAULT_UNIT_WORDS)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3万", "30000"),
        ("1.3万亿", "1300000000000"),
        ("二百五", "250"),
        ("二〇二五", "2025"),
        ("百分之五", "0.05"),
        ("千分之三", "0.003"),
        ("三分之一", "0.3333333333333333333333333333"),
        ("1200多万", "12000000"),
        ("伍", "5"),
        ("３．５", "3.5"),
    ],
)
def test_parse_numeral(text: str, value: str) -> None:
    assert parse_numeral(text) == Decimal(value)


@pytest.mark.parametrize(
    "text", ["", "万", "百", "abc", "3千米", "三五", " 3", "3 ", "3-5", "2025.3.5", "百分之"]
)
def test_parse_numeral_rejects_what_is_not_one_numeral(text: str) -> None:
    with pytest.raises(ValueError, match="not a numeral"):
        parse_numeral(text)


# Property tests ----------------------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"


def _section(n: int) -> str:
    """0 < n < 10000 in standard Chinese, with 零 for inner gaps."""
    out, gap = "", False
    for place, word in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // place % 10
        if digit == 0:
            gap = bool(out)
            continue
        out += ("零" if gap else "") + _CN_DIGITS[digit] + word
        gap = False
    return out


def to_chinese(n: int, short_ten: bool = False) -> str:
    """n in standard Chinese numerals (一亿零一万, 十万亿); short_ten writes 十五 for 一十五 at the start."""
    if n == 0:
        return "零"
    high, rest = divmod(n, 10**8)
    out = to_chinese(high) + "亿" if high else ""
    gap = False
    for value, word in ((rest // 10**4, "万"), (rest % 10**4, "")):
        if value == 0:
            gap = bool(out)
            continue
        out += ("零" if out and (gap or value < 1000) else "") + _section(value) + word
        gap = False
    return out[1:] if short_ten and out.startswith("一十") else out


def _one_span_value(text: str) -> Decimal:
    [span] = find_numbers(text)
    assert (span.start, span.end) == (0, len(text))
    return span.value * span.multiplier


@given(st.integers(min_value=0, max_value=10**13), st.booleans())
def test_integers_round_trip(n: int, short_ten: bool) -> None:
    for text in (str(n), f"{n:,}", to_chinese(n, short_ten)):
        assert parse_numeral(text) == n, text
        assert _one_span_value(text) == n, text


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=99))
def test_decimals_with_multipliers_round_trip(whole: int, hundredths: int) -> None:
    number = Decimal(whole) + Decimal(hundredths) / 100
    for word, factor in (("", 1), ("万", 10**4), ("亿", 10**8), ("万亿", 10**12)):
        assert parse_numeral(f"{number}{word}") == number * factor
        assert _one_span_value(f"{number:,}{word}") == number * factor


_NUMERAL_HEAVY = st.sampled_from(
    [
        *"0123456789０９.,，．-零〇○一二两三四五六七八九十百千万亿",
        *"壹贰叁肆伍陆柒捌玖拾佰仟点分之多余几数米瓦个GM ",
    ]
)
_EXPONENTS = {"十": 1, "拾": 1, "百": 2, "佰": 2, "千": 3, "仟": 3, "万": 4, "亿": 8}


def _check_invariants(text: str, spans: list[NumberSpan]) -> None:
    previous_end = 0
    for span in spans:
        assert previous_end <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.multiplier == 10 ** sum(_EXPONENTS[c] for c in span.multiplier_text)
        if not (span.percent_words or span.per_mille_words):
            with localcontext() as ctx:
                ctx.prec = 300
                assert span.value * span.multiplier == parse_numeral(span.text), span
        previous_end = span.end


@given(st.text(alphabet=st.one_of(_NUMERAL_HEAVY, st.characters()), max_size=80))
def test_find_numbers_on_any_text(text: str) -> None:
    _check_invariants(text, find_numbers(text))


@given(st.text(alphabet=_NUMERAL_HEAVY, max_size=40), st.sampled_from(sorted(DEFAULT_UNIT_WORDS)))
def test_find_numbers_before_unit_words(prefix: str, unit: str) -> None:
    text = prefix + unit
    _check_invariants(text, find_numbers(text))
