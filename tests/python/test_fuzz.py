"""Property-based tests over the loader: random Unicode, random report-like text and mutated real
sentences never raise, and every row points back to the text it came from."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.quantities import find_quantities
from loaders.read import normalize
from loaders.segment import segment
from loaders.vocab import load_vocabulary

REPORTS = Path(__file__).resolve().parents[2] / "reports"
REAL_SENTENCES = [
    s + "。"
    for path in sorted(REPORTS.glob("*.txt"))
    for s in path.read_text(encoding="utf-8").replace("\n", "。").split("。")
    if s.strip()
]
PIECES = [
    "新建", "学校", "5", "3.5", "1,100", "二百五", "两", "〇", "万", "亿", "万亿", "千米", "千瓦", "所", "个",
    "%", "个百分点", "人次", "元", "以上", "以内", "左右", "超", "不少于", "力争", "确保", "提高到", "下降",
    "各", "分别", "、", ",", "，", "。", ";", "：", "“", "”", "《", "》", "(一)", "一、", "1.", "——", "\n",
    "\n\n", "-", "至", "第", "届", "5G", "PM2.5", "8+N", "2025年", "百分之", "分之", "每万人口", "比上年",
]  # fmt: skip


def _check(text: str) -> None:
    normalized = normalize(text)
    segmentation = segment(normalized, 2025)
    for sentence in segmentation.sentences:
        assert 0 <= sentence.start < sentence.end <= len(text)
    for section in segmentation.sections:
        assert 0 <= section.start < section.end <= len(text)
    for quantity in find_quantities(normalized, segmentation, load_vocabulary()):
        assert 0 <= quantity.clause_start <= quantity.start < quantity.end <= quantity.clause_end <= len(text)
        assert normalized[quantity.clause_start : quantity.clause_end].strip() != ""
        assert quantity.value >= 0
        assert quantity.indicator != ""
        assert quantity.value_upper is None or quantity.value_upper >= quantity.value


fuzz = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(st.text(max_size=400))
def test_random_unicode(text: str) -> None:
    _check(text)


@fuzz
@given(st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
def test_random_report_like_text(text: str) -> None:
    _check(text)


@fuzz
@given(
    st.sampled_from(REAL_SENTENCES),
    st.lists(st.tuples(st.integers(min_value=0, max_value=200), st.sampled_from(PIECES)), max_size=6),
    st.lists(st.integers(min_value=0, max_value=200), max_size=4),
)
def test_mutated_real_sentences(
    sentence: str, insertions: list[tuple[int, str]], deletions: list[int]
) -> None:
    text = sentence
    for position, piece in insertions:
        at = position % (len(text) + 1)
        text = text[:at] + piece + text[at:]
    for position in deletions:
        if text:
            at = position % len(text)
            text = text[:at] + text[at + 1 :]
    _check(text)


def test_real_sentences_keep_their_quantities_under_full_width_and_traditional_forms() -> None:
    """Offsets found in the normalised text point into the original, whatever its script and width."""
    full_width = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    for sentence in REAL_SENTENCES:
        original = sentence.translate(full_width)
        normalized = normalize(original)
        rows = find_quantities(normalized, segment(normalized, 2025), load_vocabulary())
        plain = find_quantities(sentence, segment(sentence, 2025), load_vocabulary())
        assert [(q.value, q.clause_start, q.clause_end) for q in rows] == [
            (q.value, q.clause_start, q.clause_end) for q in plain
        ]
