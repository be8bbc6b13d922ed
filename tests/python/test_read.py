"""loaders.read on real report text: every supported encoding and format, and every kind of bad input."""

from __future__ import annotations

import codecs
import html
import random
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.errors import LoaderError
from loaders.read import normalize, read_report

REPO = Path(__file__).resolve().parents[2]
REPORTS = sorted((REPO / "reports").glob("*.txt"))
FUTIAN = REPO / "reports" / "futian-2023-excerpt.txt"
LUOHU = REPO / "reports" / "luohu-2023-excerpt.txt"
CORPUS = REPO.parent / "shared" / "corpus"
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
FULL_WIDTH = str.maketrans({chr(code): chr(code + 0xFEE0) for code in range(0x21, 0x7F)})

# A Hong Kong style traditional-script report, long enough to count as report text.
TRADITIONAL = "\n".join(f"第{n}項：新建學校{n}所，確保失業率控制在5.5%以內。" for n in range(1, 21))
TRADITIONAL_FIRST_LINE_SIMPLIFIED = "第1项:新建学校1所,确保失业率控制在5.5%以内。"


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def _rejected(path: Path, max_line_chars: int = 100_000) -> LoaderError:
    with pytest.raises(LoaderError) as caught:
        read_report(path, max_line_chars=max_line_chars)
    error = caught.value
    assert error.source == str(path)
    assert str(path) in str(error)
    return error


# --- plain text in every encoding ------------------------------------------------------------------

ENCODINGS = {
    "utf-8": (lambda text: text.encode("utf-8"), "utf-8"),
    "utf-8 with BOM": (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
    "gb18030": (lambda text: text.encode("gb18030"), "gb18030"),
    "utf-16-le with BOM": (lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "utf-16"),
    "utf-16-be with BOM": (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16"),
    "utf-16-le without BOM": (lambda text: text.encode("utf-16-le"), "utf-16"),
    "utf-16-be without BOM": (lambda text: text.encode("utf-16-be"), "utf-16"),
}


@pytest.mark.parametrize("report", REPORTS, ids=lambda path: path.stem)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_bundled_reports_decode_in_every_encoding(tmp_path: Path, report: Path, encoding: str) -> None:
    original = report.read_text(encoding="utf-8")
    encode, label = ENCODINGS[encoding]
    result = read_report(_write(tmp_path, "report.txt", encode(original)))
    assert result.text == original
    assert result.normalized == original  # the excerpts are simplified and use half-width ASCII already
    assert result.encoding == label
    assert result.script == "simplified"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_when_nul_bytes_come_mostly_from_cjk(tmp_path: Path, codec: str) -> None:
    # Full-width ASCII leaves only the newlines as NUL-high code units; 一 (U+4E00) and 开 (U+5F00)
    # put their NUL bytes on the other side of the pair.
    original = LUOHU.read_text(encoding="utf-8").translate(FULL_WIDTH)
    data = original.encode(codec)
    assert data.count(0) > 2 * original.count("\n")
    result = read_report(_write(tmp_path, "wide.txt", data))
    assert result.text == original
    assert result.normalized == LUOHU.read_text(encoding="utf-8")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_become_lf(tmp_path: Path, newline: str) -> None:
    original = LUOHU.read_text(encoding="utf-8")
    result = read_report(_write(tmp_path, "crlf.txt", original.replace("\n", newline).encode("gb18030")))
    assert result.text == original
    assert "\r" not in result.text


def test_gb18030_keeps_characters_outside_gbk(tmp_path: Path) -> None:
    original = FUTIAN.read_text(encoding="utf-8") + "\n新增生僻字䶮与𫖯及欧元符号€，均应原样保留。"
    result = read_report(_write(tmp_path, "rare.txt", original.encode("gb18030")))
    assert result.text == original
    assert result.encoding == "gb18030"


def test_odd_characters_are_kept_so_offsets_stay_stable(tmp_path: Path) -> None:
    odd = "零宽\u200b字符\ufeff、控制符\x0b、私用区\ue000、表情😀、组合符e\u0301。"
    original = FUTIAN.read_text(encoding="utf-8") + "\n" + odd
    result = read_report(_write(tmp_path, "odd.txt", codecs.BOM_UTF8 + original.encode("utf-8")))
    assert result.text == original  # only the leading BOM is stripped, the inner U+FEFF stays
    assert result.text.endswith(odd)
    assert len(result.normalized) == len(result.text)


def test_full_width_ascii_is_half_width_in_normalized_at_the_same_offsets(tmp_path: Path) -> None:
    original = FUTIAN.read_text(encoding="utf-8")
    full_width = original.translate(FULL_WIDTH).replace(" ", "\u3000")
    result = read_report(_write(tmp_path, "full-width.txt", full_width.encode("utf-8")))
    assert result.text == full_width
    assert result.normalized == original
    start = original.index("100%")
    assert result.text[start : start + 4] == "１００％"
    assert result.normalized[start : start + 4] == "100%"


def test_traditional_script_is_detected_and_simplified_char_by_char(tmp_path: Path) -> None:
    result = read_report(_write(tmp_path, "hk.txt", TRADITIONAL.encode("utf-8")))
    assert result.script == "traditional"
    assert result.text == TRADITIONAL
    assert len(result.normalized) == len(result.text)
    first_line = result.normalized.split("\n")[0]
    assert first_line == TRADITIONAL_FIRST_LINE_SIMPLIFIED
    start = result.text.index("學校")
    assert result.normalized[start : start + 2] == "学校"


# --- .docx -----------------------------------------------------------------------------------------


def _report_docx(path: Path, lines: list[str]) -> Path:
    document = docx.Document()
    document.add_heading("2023年福田区政府工作报告", level=1)
    document.add_paragraph(lines[0])
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["指标", "2022年", "2023年目标"], strict=True):
        cell.text = value
    table.cell(1, 0).text = "地区生产总值"
    merged = table.cell(1, 1).merge(table.cell(1, 2))
    merged.text = "增长6%以上"
    for line in lines[1:]:
        document.add_paragraph(line)
    broken = document.add_paragraph("换行前")
    broken.runs[0].add_break()
    broken.add_run("换行后")
    _wrap_in_content_control(document.add_paragraph("内容控件里的段落。"))
    document.save(str(path))
    return path


def _wrap_in_content_control(paragraph: Paragraph) -> None:
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    sdt.append(content)
    paragraph._p.addprevious(sdt)
    content.append(paragraph._p)


def test_docx_paragraphs_and_table_rows_in_body_order(tmp_path: Path) -> None:
    lines = LUOHU.read_text(encoding="utf-8").split("\n")
    result = read_report(_report_docx(tmp_path / "luohu.docx", lines))
    expected = [
        "2023年福田区政府工作报告",
        lines[0],
        "指标\t2022年\t2023年目标",
        "地区生产总值\t增长6%以上",  # a merged cell appears once
        *lines[1:],
        "换行前\n换行后",
        "内容控件里的段落。",
    ]
    assert result.text == "\n".join(expected)
    assert result.encoding == "docx"
    assert result.script == "simplified"


# --- .html / .htm ----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>福田区政府工作报告_福田区人民政府门户网站</title>
<style>p {{ text-indent: 2em; }}</style>
<script>var notice = "脚本里的句子不应出现在正文里。";</script>
</head>
<body class="has-nav">
<nav><a href="/">首页</a> | <a href="/zwgk/">政务公开</a></nav>
<div class="breadcrumb">首页 &gt; 政务公开 &gt; 工作报告</div>
<div id="mainMenu"><ul><li><a href="/a">机构概况</a></li><li><a href="/b">政策文件</a></li></ul></div>
<article>
<h1>2023年福田区政府工作报告</h1>
{paragraphs}
<p>实体：&lt;不少于&gt;&nbsp;&nbsp;5&#x4E07;人&amp;&#20108;次；
   源码里的换行只是空格。<br>这里另起一行。</p>
<table><tr><td>指标</td><td>目标</td></tr></table>
</article>
<aside>相关阅读：福田区2022年政府工作报告</aside>
<footer>版权所有 &copy; 深圳市福田区人民政府</footer>
<noscript>请启用脚本。</noscript>
</body></html>
"""


@pytest.mark.parametrize(
    ("name", "charset", "codec"), [("futian.html", "gb2312", "gb18030"), ("futian.htm", "utf-8", "utf-8")]
)
def test_html_body_text_without_chrome(tmp_path: Path, name: str, charset: str, codec: str) -> None:
    lines = FUTIAN.read_text(encoding="utf-8").split("\n")
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    page = PAGE.format(charset=charset, paragraphs=paragraphs)
    result = read_report(_write(tmp_path, name, page.encode(codec)))
    expected = [
        "2023年福田区政府工作报告",
        *lines,
        "实体：<不少于> 5万人&二次； 源码里的换行只是空格。",
        "这里另起一行。",
        "指标 目标",
    ]
    assert result.text == "\n".join(expected)
    assert result.encoding == "html"


def test_html_body_after_an_unclosed_head(tmp_path: Path) -> None:
    original = TRADITIONAL.split("\n")
    lines = "".join(f"<p>{line}" for line in original)  # unclosed <p> too, as old pages have
    page = f"<html><head><meta charset='big5'><title>施政報告</title><body>{lines}</body></html>"
    result = read_report(_write(tmp_path, "policy.htm", page.encode("big5")))
    assert result.text == TRADITIONAL
    assert result.script == "traditional"


# --- rejected input --------------------------------------------------------------------------------


def _png() -> bytes:
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
    return header + random.Random(1).randbytes(2048)


def _csv() -> bytes:
    rows = ["地区,指标,2022年,2023年目标"]
    rows += [f"福田区,地区生产总值增长率{n},{n}.0,{n + 1}.5" for n in range(40)]
    return "\n".join(rows).encode("utf-8")


def _link_page() -> bytes:
    links = "".join(
        f'<li><a href="/t/{n}.html">关于印发福田区第{n}批重点项目计划的通知</a></li>' for n in range(50)
    )
    page = (
        f"<html><body><nav><a href='/'>首页</a></nav><div class='list'><ul>{links}</ul></div></body></html>"
    )
    return page.encode("utf-8")


REJECTED = {
    "empty": ("empty.txt", b"", "empty"),
    "whitespace only": ("blank.txt", " \n\t\u3000\r\n".encode(), "empty"),
    "whitespace-only UTF-16": ("blank16.txt", "\ufeff  \r\n".encode("utf-16-le"), "empty"),
    "random bytes": ("random.txt", random.Random(0).randbytes(4096), "binary"),
    "binary with NULs": ("nul.txt", bytes(range(256)) * 8, "binary"),
    "control characters": ("controls.txt", bytes(range(1, 32)) * 64, "binary"),
    "PNG header": ("image.txt", _png(), "binary"),
    "CSV": ("targets.txt", _csv(), "sentences"),
    "page of links": ("links.html", _link_page(), "sentences"),
    "page of navigation only": (
        "nav.html",
        "<body><nav><a href='/'>首页</a></nav></body>".encode(),
        "no text",
    ),
    "English": ("english.txt", b"The economy grew by 5.2 percent. " * 40, "CJK characters"),
    "mostly ASCII": ("ascii.txt", FUTIAN.read_bytes() + b"\n" + (b"x" * 60 + b"\n") * 200, "% of the text"),
    "unsupported extension": ("report.pdf", FUTIAN.read_bytes(), "unsupported"),
    "no extension": ("report", FUTIAN.read_bytes(), "unsupported"),
    "docx that is not a zip": ("bad.docx", b"PK\x03\x04 this is not really a zip archive", "corrupt .docx"),
    "empty docx": ("empty.docx", b"", "empty"),
}


@pytest.mark.parametrize("case", REJECTED)
def test_rejected_input_names_the_file(tmp_path: Path, case: str) -> None:
    name, data, fragment = REJECTED[case]
    error = _rejected(_write(tmp_path, name, data))
    assert fragment in error.detail


def test_mostly_ascii_case_really_is_mostly_ascii() -> None:
    text = REJECTED["mostly ASCII"][1].decode("utf-8")
    assert len(CJK.findall(text)) >= 200  # so the CJK-share rule, not the CJK-count rule, rejects it


def _docx_without(part: str, source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for name in original.namelist():
            if name != part:
                copy.writestr(name, original.read(name))
    return target


@pytest.mark.parametrize("part", ["word/document.xml", "[Content_Types].xml", "_rels/.rels"])
def test_docx_with_a_missing_part(tmp_path: Path, part: str) -> None:
    whole = _report_docx(tmp_path / "whole.docx", LUOHU.read_text(encoding="utf-8").split("\n"))
    hollow = _docx_without(part, whole, tmp_path / "hollow.docx")
    assert "corrupt .docx" in _rejected(hollow).detail


def _docx_edited(tmp_path: Path, part: str, old: bytes, new: bytes) -> Path:
    """The Luohu excerpt as a .docx, with ``old`` replaced by ``new`` in one of its parts."""
    whole = _report_docx(tmp_path / "whole.docx", LUOHU.read_text(encoding="utf-8").split("\n"))
    edited = tmp_path / "edited.docx"
    with zipfile.ZipFile(whole) as original, zipfile.ZipFile(edited, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            copy.writestr(name, data.replace(old, new) if name == part else data)
    return edited


def test_docx_whose_main_part_is_not_a_word_document(tmp_path: Path) -> None:
    """A macro-enabled document (.docm) renamed .docx: python-docx refuses it, and so does the reader."""
    macro = _docx_edited(
        tmp_path, "[Content_Types].xml", b"document.main+xml", b"document.macroEnabled.main+xml"
    )
    with pytest.raises(ValueError, match="not a Word file"):
        docx.Document(str(macro))
    assert "corrupt .docx: not a Word document" in _rejected(macro).detail


def test_docx_without_a_main_document_relationship(tmp_path: Path) -> None:
    hollow = _docx_edited(
        tmp_path, "_rels/.rels", b"relationships/officeDocument", b"relationships/somethingElse"
    )
    assert "corrupt .docx: the package names no main document" in _rejected(hollow).detail


def test_docx_with_a_malformed_part(tmp_path: Path) -> None:
    path = tmp_path / "malformed.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert "corrupt .docx" in _rejected(path).detail


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot read" in _rejected(tmp_path / "absent.txt").detail


def _with_bad_bytes(text: str, line: int, bad: bytes, codec: str, newline: str) -> bytes:
    lines = [part.encode(codec) for part in text.split("\n")]
    before, after = text.split("\n")[line - 1][:10], text.split("\n")[line - 1][10:]
    lines[line - 1] = before.encode(codec) + bad + after.encode(codec)
    return newline.encode(codec).join(lines)


@pytest.mark.parametrize(
    ("codec", "newline", "bad", "named"),
    [
        ("gb18030", "\n", b"\xff", "gb18030"),  # invalid in the middle of a GB file
        ("gb18030", "\r", b"\x80\xff", "gb18030"),  # old Mac line ends count as lines too
        ("utf-8", "\r\n", b"\xff\xfe", "utf-8"),
    ],
)
def test_undecodable_bytes_give_the_line(
    tmp_path: Path, codec: str, newline: str, bad: bytes, named: str
) -> None:
    data = _with_bad_bytes(LUOHU.read_text(encoding="utf-8"), 9, bad, codec, newline)
    error = _rejected(_write(tmp_path, "broken.txt", data))
    assert error.line == 9
    assert f"{tmp_path / 'broken.txt'}:9:" in str(error)
    assert named in error.detail


def test_truncated_utf16_gives_the_last_line(tmp_path: Path) -> None:
    original = LUOHU.read_text(encoding="utf-8")
    data = codecs.BOM_UTF16_LE + original.encode("utf-16-le") + b"\x4e"
    assert _rejected(_write(tmp_path, "cut.txt", data)).line == original.count("\n") + 1


def test_line_longer_than_the_limit(tmp_path: Path) -> None:
    original = FUTIAN.read_text(encoding="utf-8")
    first_long = next(n for n, line in enumerate(original.split("\n"), start=1) if len(line) > 500)
    error = _rejected(_write(tmp_path, "futian.txt", original.encode("utf-8")), max_line_chars=500)
    assert error.line == first_long
    assert "longer than" in error.detail


def test_enormous_single_line(tmp_path: Path) -> None:
    original = FUTIAN.read_text(encoding="utf-8")
    data = (original + "\n" + "增长" * 50_001 + "。\n").encode("utf-8")
    error = _rejected(_write(tmp_path, "huge.txt", data))
    assert error.line == original.count("\n") + 2


# --- normalize -------------------------------------------------------------------------------------


@given(st.text())
def test_normalize_keeps_the_length(text: str) -> None:
    assert len(normalize(text)) == len(text)


@given(st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)))
def test_normalize_maps_full_width_ascii_to_ascii(text: str) -> None:
    assert normalize(text) == "".join(chr(ord(char) - 0xFEE0) for char in text)


def test_normalize_examples() -> None:
    assert normalize("\u3000\u3000增長５．５％以內；") == "  增长5.5%以内;"
    assert normalize("福田区GDP增长6%") == "福田区GDP增长6%"


@settings(max_examples=60, deadline=None)
@given(
    tail=st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)
def test_any_characters_survive_the_round_trip(
    tmp_path_factory: pytest.TempPathFactory, tail: str, codec: str
) -> None:
    original = FUTIAN.read_text(encoding="utf-8") + "\n" + tail
    path = _write(tmp_path_factory.mktemp("round-trip"), "report.txt", original.encode(codec))
    result = read_report(path)
    assert result.text == original.replace("\r\n", "\n").replace("\r", "\n")
    assert len(result.normalized) == len(result.text)


# --- the real corpus -------------------------------------------------------------------------------

MIN_CORPUS_CJK = 5_000
# The 1975 report (the Fourth NPC) is complete but genuinely short: 4,853 CJK characters.
SHORT_REPORTS = {"1975.txt": 4_800}
TRADITIONAL_REPORTS = {"1954.txt"}  # transcribed on Wikisource in traditional script


@pytest.mark.slow
def test_whole_corpus_decodes() -> None:
    files = sorted((CORPUS / "provinces-2025").glob("*.docx")) + sorted((CORPUS / "national").glob("*.txt"))
    if not files:
        pytest.skip(f"no corpus at {CORPUS} (provinces-2025/*.docx, national/*.txt): nothing to check")
    problems = []
    for path in files:
        result = read_report(path)
        cjk = len(CJK.findall(result.text))
        expected_script = "traditional" if path.name in TRADITIONAL_REPORTS else "simplified"
        if cjk < SHORT_REPORTS.get(path.name, MIN_CORPUS_CJK):
            problems.append(f"{path.name}: only {cjk} CJK characters")
        if result.script != expected_script:
            problems.append(f"{path.name}: script {result.script}")
        if result.normalized != normalize(result.text) or len(result.normalized) != len(result.text):
            problems.append(f"{path.name}: normalized does not match text")
    assert not problems


def _traditional_report() -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(
        (REPO / "reports" / "luohu-2023-excerpt.txt").read_text(encoding="utf-8")
    )


def test_a_big5_traditional_copy_is_read(tmp_path: Path) -> None:
    path = tmp_path / "hk.txt"
    path.write_bytes(_traditional_report().encode("big5", errors="replace"))
    report = read_report(path)
    assert (report.encoding, report.script) == ("big5", "traditional")
    assert report.normalized.startswith("涵养城区文明气质。")


@pytest.mark.parametrize("codec", ["euc-kr", "shift_jis"])
def test_an_unexpected_encoding_is_named_not_misread(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(_traditional_report().encode(codec, errors="replace"))
    with pytest.raises(LoaderError, match="unexpected encoding") as raised:
        read_report(path)
    assert str(path) in str(raised.value)


def test_japanese_in_euc_jp_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "jp.txt"
    path.write_bytes(_traditional_report().encode("euc_jp", errors="replace"))
    with pytest.raises(LoaderError) as raised:
        read_report(path)
    assert str(path) in str(raised.value)
