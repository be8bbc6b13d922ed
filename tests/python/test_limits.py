"""Work that grows with the input: linear time in read, segment and numbers, bounded memory for .docx.

Timings take the best of a few runs and compare doubling sizes, so a busy machine slows both sizes alike:
linear work roughly doubles (ratio 2), quadratic work quadruples.
"""

from __future__ import annotations

import gc
import io
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.errors import LoaderError
from loaders.numbers import _CONTINUATIONS, _START, _next_start, find_numbers
from loaders.read import MAX_FILE_BYTES, MAX_REPORT_CHARS, normalize, read_report
from loaders.segment import segment

MAX_GROWTH = 3.0  # time(2N) / time(N): linear is 2, quadratic 4

# Report-like text with a heading at every level every few lines.
REPORT_BLOCK = """一、2024年工作回顾
过去一年,国内生产总值增长5%,城镇新增就业1256万人。
(一)加大宏观调控力度。发行超长期特别国债1万亿元。
二、2025年经济社会发展总体要求和政策取向
今年发展主要预期目标是:国内生产总值增长5%左右;城镇调查失业率5.5%左右。
(一)大力提振消费。
1.实施提振消费专项行动。安排超长期特别国债3000亿元。
——稳定就业。新增就业1200万人以上。
(1)加强技能培训。培训300万人次。
去年完成培训280万人次。

"""
REPORT_PARAGRAPH = "<p>今年发展主要预期目标是:国内生产总值增长5%左右;城镇调查失业率5.5%左右。</p>"


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _growth(run: Callable[[int], object], size: int, repeats: int = 3) -> float:
    """time(2 × size) / time(size), best of a few runs each, the two sizes taking turns.

    The garbage collector is off while a run is timed: its passes cost what the rest of the test session
    left in memory, not what the code under test does.
    """
    best = {size: float("inf"), 2 * size: float("inf")}
    for _ in range(repeats):
        for n in best:
            gc.collect()
            gc.disable()
            try:
                started = time.process_time()  # this process's CPU time: others' load counts less
                run(n)
                best[n] = min(best[n], time.process_time() - started)
            finally:
                gc.enable()
    return best[2 * size] / best[size]


def _assert_linear(run: Callable[[int], object], size: int, attempts: int = 3) -> None:
    """Linear work stays under MAX_GROWTH; a burst of load elsewhere gets another attempt."""
    run(size)  # warm caches (opencc's table, compiled patterns)
    growth = float("inf")
    for _ in range(attempts):
        growth = _growth(run, size)
        if growth < MAX_GROWTH:
            return
    raise AssertionError(f"doubling the input multiplied the time by {growth:.1f}")


def test_segmenting_a_long_report_is_linear() -> None:
    texts = {size: normalize(_repeat(REPORT_BLOCK, size)) for size in (250_000, 500_000)}
    _assert_linear(lambda size: segment(texts[size], 2025), 250_000)


def test_a_long_paragraph_of_unfinished_lines_is_linear() -> None:
    texts = {size: _repeat("国内生产总值增长\n", size) for size in (250_000, 500_000)}
    _assert_linear(lambda size: segment(texts[size], 2025), 250_000)


@pytest.mark.parametrize(
    ("run", "size"), [("十", 10_000), ("1万", 10_000), ("五百", 10_000), ("万", 400_000)]
)
def test_finding_numbers_in_a_long_run_of_numeral_characters_is_linear(run: str, size: int) -> None:
    texts = {n: _repeat(run, n) for n in (size, 2 * size)}
    _assert_linear(lambda n: find_numbers(texts[n]), size)


def test_a_long_chain_of_section_words_is_linear() -> None:
    texts = {n: "一" + "万" * n for n in (50_000, 100_000)}  # 万万 chains (10^8); so does 万万万…
    _assert_linear(lambda n: find_numbers(texts[n]), 50_000)


def test_a_remainder_after_a_section_chain_of_thousands_of_digits() -> None:
    # 3万4000 reads 4000 as the remainder; the check once went through str() of 10^4400, past its limit
    spans = find_numbers("一" + "万" * 1100 + "1")
    assert [(span.text, span.multiplier) for span in spans] == [("一" + "万" * 1100, 10**4400), ("1", 1)]


@given(st.text(alphabet="百佰千万亿分之十一零2,.x", max_size=40), st.integers(0, 40))
def test_the_linear_search_for_a_numeral_start_finds_what_a_plain_search_finds(text: str, pos: int) -> None:
    found, expected = _next_start(text, pos, False), _START.search(text, pos)
    assert (found and found.span()) == (expected and expected.span())
    # passing the lone words over: the first start that is not a 零/一 without a continuation after it
    while (
        expected
        and text[expected.start()] in "零一"
        and text[expected.end() : expected.end() + 1] not in _CONTINUATIONS
    ):
        expected = _START.search(text, expected.start() + 1)
    found = _next_start(text, pos, True)
    assert (found and found.span()) == (expected and expected.span())


def _html_report(tmp_path: Path, size: int, stray: str) -> Path:
    """A page of nested unclosed elements and, between report paragraphs, stray or unclosed markup."""
    body = "<span>" * (size // 20) + _repeat(REPORT_PARAGRAPH + stray * 20, size)
    path = tmp_path / f"{size}.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


@pytest.mark.parametrize("stray", ["</b>", "</i"], ids=["stray end tags", "unclosed end tags"])
def test_reading_html_with_stray_markup_is_linear(tmp_path: Path, stray: str) -> None:
    paths = {size: _html_report(tmp_path, size, stray) for size in (200_000, 400_000)}
    _assert_linear(lambda size: read_report(paths[size]), 200_000)


@pytest.mark.parametrize("tail", ["<!--", "</", "<a b='"])
def test_an_unclosed_tail_of_markup_is_read_as_text_in_linear_time(tmp_path: Path, tail: str) -> None:
    line = f"{tail}各位代表"
    paths = {}
    for size in (100_000, 200_000):
        paths[size] = tmp_path / f"{size}.html"
        paths[size].write_text(f"<body>{REPORT_PARAGRAPH * 10}" + f"{line}\n" * (size // 10), "utf-8")
    _assert_linear(lambda size: read_report(paths[size], max_line_chars=10**6), 100_000)
    # in a page, a line break is white space: the tail is one line of text
    assert read_report(paths[100_000], max_line_chars=10**6).text.endswith(f"{line} {line}")


def test_a_malformed_declaration_is_a_loader_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.html"
    path.write_text(f"<body>{REPORT_PARAGRAPH * 10}\n<![<![ x ]]>", encoding="utf-8")
    with pytest.raises(LoaderError, match="malformed HTML") as caught:
        read_report(path)
    assert (caught.value.source, caught.value.line) == (str(path), 2)


# --- size limits -----------------------------------------------------------------------------------

DOCUMENT_XML = "word/document.xml"
W_NAMESPACE = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(path: Path, body: bytes, repeats: int) -> Path:
    """A .docx whose body is `body` repeated, written in chunks so a huge part never sits in memory."""
    template = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("各位代表。")
    document.save(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != DOCUMENT_XML:
                target.writestr(name, source.read(name))
        with target.open(DOCUMENT_XML, "w") as part:
            part.write(b"<?xml version='1.0' encoding='UTF-8'?><w:document " + W_NAMESPACE + b"><w:body>")
            chunk = 10_000
            for _ in range(repeats // chunk):
                part.write(body * chunk)
            part.write(body * (repeats % chunk) + b"</w:body></w:document>")
    return path


READ_UNDER_A_MEMORY_BOUND = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from loaders.errors import LoaderError
from loaders.numbers import _START, _next_start, find_numbers
from loaders.read import read_report
try:
    read_report(Path(sys.argv[1]))
except LoaderError as error:
    print(error)
"""


def _read_under_a_memory_bound(path: Path) -> str:
    """read_report's error message from a process limited to 1 GB of address space; no traceback."""
    result = subprocess.run(
        [sys.executable, "-c", READ_UNDER_A_MEMORY_BOUND, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


def test_a_docx_zip_bomb_is_rejected_before_it_costs_memory(tmp_path: Path) -> None:
    bomb = _docx(tmp_path / "bomb.docx", b"<w:p/>", 35_000_000)  # 210 MB of empty paragraphs
    assert bomb.stat().st_size < 1_000_000
    message = _read_under_a_memory_bound(bomb)
    assert message.startswith(f"{bomb}: unpacked .docx of 210,")
    assert "bytes is over the limit of 64,000,000 bytes" in message


def test_a_long_gb18030_text_is_checked_without_a_string_per_character(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"  # 12.8 M characters: 24.8 MB, under the file limit
    path.write_bytes(("国内生产总值增长百分之五左右。\n" * 800_000).encode("gb18030"))
    message = _read_under_a_memory_bound(path)
    assert (
        message == f"{path}: report text of 12,800,000 characters is over the limit of 5,000,000 characters\n"
    )


@pytest.mark.parametrize(
    ("body", "repeats", "message"),
    [
        (b"<w:p/>", 250_000, ".docx of 250,000 paragraphs is over the limit of 200,000 paragraphs"),
        (b'<w:p w:rsidR="1"><w:pPr/><w:r/></w:p>', 200_001, ".docx of 200,001 paragraphs is over"),
        (b"<w:r/>", 2_500_000, "XML tags is over the limit of 2,000,000 XML tags"),
    ],
    ids=["empty paragraphs", "paragraphs with properties and runs", "runs"],
)
def test_a_docx_over_the_paragraph_or_tag_limit(
    tmp_path: Path, body: bytes, repeats: int, message: str
) -> None:
    path = _docx(tmp_path / "many.docx", body, repeats)
    started = time.perf_counter()
    with pytest.raises(LoaderError) as caught:
        read_report(path)
    assert time.perf_counter() - started < 2
    assert caught.value.source == str(path)
    assert message in caught.value.detail


def test_a_file_over_the_byte_limit_is_rejected_before_decoding() -> None:
    path = Path("huge.txt")
    with pytest.raises(
        LoaderError, match=r"^huge\.txt: file of 32,000,001 bytes is over the limit of 32,000,000"
    ):
        read_report(path, data=b"\xff" * (MAX_FILE_BYTES + 1))


def test_a_report_over_the_character_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(_repeat(REPORT_BLOCK, MAX_REPORT_CHARS + 1), encoding="utf-8")
    with pytest.raises(LoaderError) as caught:
        read_report(path)
    assert caught.value.source == str(path)
    assert (
        caught.value.detail == "report text of 5,000,001 characters is over the limit of 5,000,000 characters"
    )


def test_a_report_of_a_million_characters_is_read(tmp_path: Path) -> None:
    text = _repeat(REPORT_BLOCK, 1_000_000)
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    assert read_report(path).text == text


def test_a_docx_with_a_corrupt_compressed_part(tmp_path: Path) -> None:
    path = _docx(tmp_path / "corrupt.docx", "<w:p><w:r><w:t>各位代表。</w:t></w:r></w:p>".encode(), 1_000)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        part = package.getinfo(DOCUMENT_XML)
    start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)
    data[start : start + 8] = b"\xff" * 8  # not a deflate stream
    with pytest.raises(LoaderError, match=r"corrupt \.docx: Error -3 while decompressing"):
        read_report(path, bytes(data))
