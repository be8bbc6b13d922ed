"""Decode a report file (.txt, .docx, .html/.htm) into text, with a same-length normalised copy.

`ReportText.text` is what the warehouse stores and every offset in the project points into.
`ReportText.normalized` has the same length, character for character, so extraction can run on it
(half-width digits, simplified characters) while its offsets still point into `text`.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned

from loaders.errors import LoaderError

# Size limits (see read_report): far above any real report (at most ~300,000 characters, a .docx of a
# few hundred kB), low enough that no file costs more than a few hundred MB of memory or more than seconds.
MAX_FILE_BYTES = 32_000_000  # a report file as stored (a page of that size parses in ~400 MB)
MAX_UNPACKED_BYTES = 64_000_000  # a .docx's parts, decompressed
MAX_DOCX_TAGS = 2_000_000  # XML tags in a .docx's parts: parsed elements cost memory, not bytes
MAX_PARAGRAPHS = 200_000  # paragraphs in a .docx
MAX_REPORT_CHARS = 5_000_000  # characters of report text
# Validation thresholds (see read_report).
MIN_CJK_CHARS = 200
MIN_SENTENCES = 2  # a news page may quote one paragraph of two long sentences
MIN_SENTENCE_CJK = 8
MIN_CJK_SHARE = 0.30
MAX_CONTROL_SHARE = 0.02
TRADITIONAL_SHARE = 0.03
MIN_UTF16_TEXTLIKE = 0.8
MIN_COMMON_SHARE = 0.8  # Han characters that are common ones, for a double-byte decoding to be believed
_DOUBLE_BYTE_CODECS = frozenset({"gb18030", "big5"})
_HAN = re.compile("[\u4e00-\u9fff]")
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")
# The hundred most frequent characters of written Chinese cover about half of any report's text and
# a few percent of random characters.
_FREQUENT_HAN = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
)
MIN_FREQUENT_SHARE = 0.15

_CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # beyond the Basic Multilingual Plane
_NON_SPACE_RUN = re.compile(r"\S+")
# A sentence ends at 。；！？, or at a half-width '.' or ';' right after a CJK character (not 5.5).
_SENTENCE_BOUNDARY = re.compile(f"\n|[。；！？]|(?<=[{_CJK_RANGES}])[.;]")
# C0 controls other than \t \n \v \f \r, and DEL: never part of a multibyte UTF-8 or GB18030 sequence.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# What report text is made of, for telling UTF-16 LE from BE without a BOM. U+xx00 is left out: that is
# where byte-swapped ASCII lands (and few real characters live).
_TEXTLIKE_RUN = re.compile(f"[\t\n\r\x20-\x7e\u2000-\u206f\u3000-\u303f\uff00-\uffef{_CJK_RANGES}]+")
_LOW_BYTE_ZERO = re.compile(
    "[" + "".join(chr(high << 8) for high in range(1, 256) if not 0xD8 <= high <= 0xDF) + "]"
)
_XML_PARAGRAPH = re.compile(rb"<(?:[\w.-]+:)?p[\s/>]")  # <w:p>, <w:p/>, <w:p w:rsidR=…> (not <w:pPr>)
_XML_PARTS = (".xml", ".rels")  # the XML parts of a .docx, counted against the limits
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


@dataclass(frozen=True)
class ReportText:
    """A decoded report: the stored text and its same-length normalised copy."""

    text: str
    normalized: str
    encoding: str  # 'utf-8' | 'utf-8-sig' | 'gb18030' | 'big5' | 'utf-16' | 'docx' | 'html'
    script: str  # 'simplified' | 'traditional'


def read_report(path: Path, data: bytes | None = None, max_line_chars: int = 100_000) -> ReportText:
    """Decode a .txt, .docx or .html/.htm report into its text and a same-length normalised copy.

    Raises LoaderError naming the file (and the line where one applies) when the file is empty, binary,
    undecodable, has a line longer than `max_line_chars`, or holds no report text: fewer than
    MIN_CJK_CHARS CJK characters, CJK under MIN_CJK_SHARE of the non-space characters, or fewer than
    MIN_SENTENCES sentences of at least MIN_SENTENCE_CJK CJK characters. Also when it is over a size
    limit: MAX_FILE_BYTES; for a .docx, checked before it is parsed, MAX_UNPACKED_BYTES, MAX_DOCX_TAGS and
    MAX_PARAGRAPHS; and MAX_REPORT_CHARS of text.
    """
    source = str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(_READERS))
        raise LoaderError(source, f"unsupported file type {path.suffix or '(none)'!r} (expected {supported})")
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoaderError(source, f"cannot read file: {exc.strerror or exc}") from exc
    if not data:
        raise LoaderError(source, "empty file (0 bytes)")
    _check_limit(source, "file", len(data), MAX_FILE_BYTES, "bytes")
    text, encoding = reader(data, source)
    _check_limit(source, "report text", len(text), MAX_REPORT_CHARS, "characters")
    text = _unify_newlines(text)
    cjk = _check_text(text, source, max_line_chars)
    normalized, traditional = _normalized(text)
    return ReportText(text=text, normalized=normalized, encoding=encoding, script=_script(traditional, cjk))


def normalize(text: str) -> str:
    """Full-width ASCII → half-width, U+3000 → space, traditional → simplified; one char → one char."""
    return _normalized(text)[0]


def _normalized(text: str) -> tuple[str, int]:
    """normalize(text), and how many of text's characters are traditional ones (for _script): both from
    the one pass over the runs of characters that change, which hold every traditional one."""
    table, traditional = _normalization_table(), _t2s_chars()
    if _ASTRAL.search(text):  # rare; _normalized_runs covers the Basic Multilingual Plane only
        return text.translate(table), sum(map(traditional.__contains__, text))
    # Only the runs of characters that change are translated: translate looks every character up in the
    # table, and most of a report's characters are not in it. The full-width comma, four in five of those
    # runs, is replaced first, all at once (it is not traditional, and its half-width form is not in the
    # table).
    count = 0

    def translated(run: re.Match[str]) -> str:
        nonlocal count
        count += sum(map(traditional.__contains__, run.group()))
        return run.group().translate(table)

    return _normalized_runs().sub(translated, text.replace("，", ",")), count


# --- normalisation -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s_chars() -> dict[str, str]:
    """opencc's traditional → simplified character dictionary, first candidate, changing pairs only."""
    dictionary = resources.files("opencc") / "dictionary" / "TSCharacters.txt"
    mapping: dict[str, str] = {}
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        traditional, _, candidates = line.partition("\t")
        simplified = candidates.split(" ")[0]
        if len(traditional) == 1 and len(simplified) == 1 and traditional != simplified:
            mapping[traditional] = simplified
    return mapping


@lru_cache(maxsize=1)
def _normalization_table() -> dict[int, str]:
    table = {ord(traditional): simplified for traditional, simplified in _t2s_chars().items()}
    table.update({code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})
    table[0x3000] = " "
    return table


@lru_cache(maxsize=1)
def _normalized_runs() -> re.Pattern[str]:
    return _bmp_runs(map(chr, _normalization_table()))


def _bmp_runs(chars: Iterable[str]) -> re.Pattern[str]:
    """Runs of those of the characters that are in the Basic Multilingual Plane.

    For texts without astral characters (_ASTRAL) only: re tests a class of BMP characters with a bitmap,
    but a class that holds any astral character by a scan of its members at every position of the text.
    """
    escaped = "".join(re.escape(char) for char in sorted(chars) if char < "\U00010000")
    return re.compile(f"[{escaped}]+" if escaped else "(?!)")


def _script(traditional: int, cjk: int) -> str:
    """simplified or traditional, from the numbers of a text's traditional and CJK characters."""
    return "traditional" if cjk and traditional / cjk > TRADITIONAL_SHARE else "simplified"


def _count(runs: re.Pattern[str], text: str, start: int = 0, end: int = sys.maxsize) -> int:
    """How many characters of text[start:end] the run pattern matches.

    Counted as what removing them takes away: a list of the runs would hold a string per run.
    """
    part = text[start:end]
    return len(part) - len(runs.sub("", part))


# --- validation ----------------------------------------------------------------------------------


def _check_limit(source: str, what: str, size: int, limit: int, unit: str) -> None:
    if size > limit:
        raise LoaderError(source, f"{what} of {size:,} {unit} is over the limit of {limit:,} {unit}")


def _check_text(text: str, source: str, max_line_chars: int) -> int:
    """Raises LoaderError when the text is no report (see read_report); else returns the number of its CJK
    characters, which _script needs too (counting them is a pass over the whole text)."""
    if not text.strip():
        raise LoaderError(source, "empty file (only whitespace)")
    _check_line_lengths(text, source, max_line_chars)
    return _check_report_text(text, source)


def _check_line_lengths(text: str, source: str, max_line_chars: int) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > max_line_chars:
            message = f"line of {len(line):,} characters is longer than the limit of {max_line_chars:,}"
            raise LoaderError(source, message, line=number)


def _check_report_text(text: str, source: str) -> int:
    cjk = _count(_CJK_RUN, text)
    if cjk < MIN_CJK_CHARS:
        raise LoaderError(source, f"no report text: {cjk} CJK characters (need at least {MIN_CJK_CHARS})")
    share = cjk / _count(_NON_SPACE_RUN, text)
    if share < MIN_CJK_SHARE:
        message = (
            f"no report text: CJK characters are {share:.0%} of the text (need at least {MIN_CJK_SHARE:.0%})"
        )
        raise LoaderError(source, message)
    sentences = _count_sentences(text, enough=MIN_SENTENCES)
    if sentences < MIN_SENTENCES:
        message = (
            f"no report text: {sentences} sentences of at least {MIN_SENTENCE_CJK} CJK characters "
            f"ending in 。；！？ (need at least {MIN_SENTENCES})"
        )
        raise LoaderError(source, message)
    return cjk


def _count_sentences(text: str, enough: int) -> int:
    """Runs within a line of ≥ MIN_SENTENCE_CJK CJK characters that end in sentence punctuation, counted
    up to ``enough``: a report has thousands, and the check needs only to know there are that many."""
    count = start = 0
    for boundary in _SENTENCE_BOUNDARY.finditer(text):
        if boundary.group() != "\n" and _count(_CJK_RUN, text, start, boundary.start()) >= MIN_SENTENCE_CJK:
            count += 1
            if count >= enough:
                break
        start = boundary.end()
    return count


# --- decoding bytes ------------------------------------------------------------------------------


def _decode(data: bytes, source: str, declared: str | None = None) -> tuple[str, str]:
    """Decode strictly: BOM, then UTF-16 by its NUL pattern, then UTF-8, the declared charset, GB18030.

    UTF-8 goes before a declared charset: bytes that decode as UTF-8 are UTF-8 whatever a page claims.
    """
    bom = next((bom for bom in _BOMS if data.startswith(bom[0])), None)
    if bom is not None:
        mark, codec, label = bom
        text = _decode_strictly(data[len(mark) :], codec, source)
    elif b"\x00" in data:
        text, label = _decode_utf16_without_bom(data, source), "utf-16"
    else:
        text, label = _decode_8bit(data, source, declared)
    _check_not_binary(text, source)
    return text, label


def _decode_strictly(data: bytes, codec: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc, source) from exc


def _decode_utf16_without_bom(data: bytes, source: str) -> str:
    """NUL bytes are text only as UTF-16; of LE and BE, take the one that reads as text, if either does."""
    best, best_share = "", MIN_UTF16_TEXTLIKE
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        share = (_count(_TEXTLIKE_RUN, text) - _count(_LOW_BYTE_ZERO, text)) / len(text)
        if share >= best_share:
            best, best_share = text, share
    if not best:
        raise LoaderError(source, "binary file: contains NUL bytes and is not UTF-16 text")
    return best


def _decode_8bit(data: bytes, source: str, declared: str | None) -> tuple[str, str]:
    errors: list[UnicodeDecodeError] = []
    implausible: list[tuple[str, float]] = []
    for codec in dict.fromkeys(c for c in ("utf-8", declared, "gb18030", "big5") if c):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            errors.append(exc)
            continue
        share = _common_share(text, codec)
        if share >= MIN_COMMON_SHARE:
            return text, codec
        implausible.append((codec, share))
    _check_not_binary(data.decode("latin-1"), source)
    if implausible:
        tried = ", ".join(f"{codec} ({share:.0%} common characters)" for codec, share in implausible)
        raise LoaderError(
            source,
            f"unexpected encoding: the bytes decode as {tried} but not as Chinese text; save it as UTF-8",
        )
    # The most plausible encoding is the one that decodes the longest prefix.
    raise _undecodable(data, max(errors, key=lambda exc: exc.start), source)


def _common_share(text: str, codec: str) -> float:
    """Share of the Han characters that are common ones (GB2312 level 1, or Big5's frequent block).

    Strict decoding alone cannot tell GB18030 from Big5 or EUC-KR: all of them decode each other's bytes
    into valid but random characters. UTF-8 decodes nothing by chance, so it is not checked.
    """
    if codec not in _DOUBLE_BYTE_CODECS:
        return 1.0
    if _KANA.search(text):
        return 0.0  # Japanese read as GB18030: Chinese reports have no kana
    hanzi = {char: count for char, count in Counter(text).items() if _HAN.match(char)}  # distinct ones
    total = sum(hanzi.values())
    if not total:
        return 1.0
    frequent = sum(count for char, count in hanzi.items() if _t2s_chars().get(char, char) in _FREQUENT_HAN)
    if frequent / total < MIN_FREQUENT_SHARE:
        return frequent / total  # Korean read as GB18030 lands in common but unrelated characters
    return sum(count for char, count in hanzi.items() if _is_common_han(char)) / total


@lru_cache(maxsize=8192)
def _is_common_han(char: str) -> bool:
    simplified = _t2s_chars().get(char, char)
    for candidate, table, first, last in ((simplified, "gb2312", 0xB0, 0xD7), (char, "big5", 0xA4, 0xC6)):
        try:
            lead = candidate.encode(table)[0]
        except UnicodeEncodeError:
            continue
        if first <= lead <= last:
            return True
    return False


def _undecodable(data: bytes, exc: UnicodeDecodeError, source: str) -> LoaderError:
    prefix = _unify_newlines(data[: exc.start].decode(exc.encoding, errors="replace"))
    bad = data[exc.start : exc.end].hex(" ")
    return LoaderError(source, f"undecodable bytes {bad} as {exc.encoding}", line=prefix.count("\n") + 1)


def _check_not_binary(text: str, source: str) -> None:
    controls = _count(_CONTROL, text)
    if controls > MAX_CONTROL_SHARE * len(text):
        raise LoaderError(source, f"binary file: {controls / len(text):.0%} control characters")


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- readers -------------------------------------------------------------------------------------


def _read_docx(data: bytes, source: str) -> tuple[str, str]:
    """The text of a .docx's main document: one line per paragraph and per table row, as python-docx
    gives it (paragraph.text, tested against it), read straight from the package: its parts are read
    once, for the size limits and for the text."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = _checked_xml_parts(package, source)
        return "\n".join(_block_lines(_document_body(parts))), "docx"
    except LoaderError:
        raise
    # zipfile, zlib and lxml fail on a malformed package in many ways
    except Exception as exc:
        raise LoaderError(source, f"corrupt .docx: {exc}") from exc


def _checked_xml_parts(package: zipfile.ZipFile, source: str) -> dict[str, bytes]:
    """The package's XML parts by name, once they are within the size limits (checked from the zip
    directory and the raw XML, before anything is parsed)."""
    infos = package.infolist()
    unpacked = sum(part.file_size for part in infos)
    _check_limit(source, "unpacked .docx", unpacked, MAX_UNPACKED_BYTES, "bytes")
    parts: dict[str, bytes] = {}
    tags = paragraphs = 0
    for part in (part for part in infos if part.filename.endswith(_XML_PARTS)):
        xml = parts[part.filename] = package.read(part)
        tags += xml.count(b"<")
        _check_limit(source, ".docx", tags, MAX_DOCX_TAGS, "XML tags")
        paragraphs += sum(1 for _ in _XML_PARAGRAPH.finditer(xml))  # fewer than its tags
        _check_limit(source, ".docx", paragraphs, MAX_PARAGRAPHS, "paragraphs")
    return parts


# What python-docx reads: the part the package's officeDocument relationship names, which must be a
# WordprocessingML main document; parsed as python-docx parses (no entities resolved, blank text dropped).
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_MAIN_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_DOCX_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _document_body(parts: dict[str, bytes]) -> etree._Element:
    relationships = etree.fromstring(parts["_rels/.rels"], _DOCX_PARSER)
    target = next((rel.get("Target") for rel in relationships if rel.get("Type") == _OFFICE_DOCUMENT), None)
    if target is None:
        raise ValueError("the package names no main document")
    name = posixpath.normpath(target).lstrip("/")
    content_type = _content_type(etree.fromstring(parts["[Content_Types].xml"], _DOCX_PARSER), name)
    if content_type != _MAIN_DOCUMENT:
        raise ValueError(f"not a Word document, its main part is {content_type!r}")
    body = etree.fromstring(parts[name], _DOCX_PARSER).find(_w("body"))
    if body is None:
        raise ValueError("the document has no body")
    return body


def _content_type(types: etree._Element, name: str) -> str | None:
    for override in types.iterchildren(f"{_CONTENT_TYPES}Override"):
        if override.get("PartName", "").lstrip("/").lower() == name.lower():
            return str(override.get("ContentType"))
    extension = posixpath.splitext(name)[1].lstrip(".").lower()
    for default in types.iterchildren(f"{_CONTENT_TYPES}Default"):
        if default.get("Extension", "").lower() == extension:
            return str(default.get("ContentType"))
    return None


def _block_lines(container: etree._Element) -> Iterator[str]:
    """One line per paragraph and per table row (cells joined by a tab), in body order."""
    for element in container.iterchildren():
        if element.tag == _P:
            yield _paragraph_text(element)
        elif element.tag == _TABLE:
            for row in element.iterchildren(_w("tr")):
                cells = row.iterchildren(_w("tc"))
                yield "\t".join("\n".join(_block_lines(cell)) for cell in cells)
        elif element.tag == _CONTENT_CONTROL:  # a content control wrapping paragraphs or tables
            for content in element.iterchildren(_w("sdtContent")):
                yield from _block_lines(content)


_P, _TABLE, _CONTENT_CONTROL = _w("p"), _w("tbl"), _w("sdt")
# python-docx's XPath expressions for a paragraph's text (CT_P.text, CT_Hyperlink.text, CT_R.text) as one,
# compiled once. The content of the paragraph's runs and of its hyperlinks' runs, in document order, is
# the order that reading each run's content in turn gives.
_PARAGRAPH_CONTENT = etree.XPath(
    " | ".join(
        f"{runs}/{content}"
        for runs in ("w:r", "w:hyperlink/w:r")
        for content in ("w:br", "w:cr", "w:noBreakHyphen", "w:ptab", "w:t", "w:tab")
    ),
    namespaces={"w": _W},
)
# Each content element as python-docx turns it into text (str() of its element class).
_CONTENT_TEXT = {_w("cr"): "\n", _w("noBreakHyphen"): "-", _w("ptab"): "\t", _w("tab"): "\t"}
_T, _BR, _BR_TYPE = _w("t"), _w("br"), _w("type")


def _content_text(element: etree._Element) -> str:
    tag = element.tag
    if tag == _T:
        return element.text or ""
    if tag == _BR:  # a line break; a page or column break is no text
        return "\n" if element.get(_BR_TYPE, "textWrapping") == "textWrapping" else ""
    return _CONTENT_TEXT[tag]


def _paragraph_text(paragraph: etree._Element) -> str:
    """What python-docx's ``Paragraph.text`` gives: its runs' text, those in hyperlinks included."""
    return "".join(map(_content_text, _PARAGRAPH_CONTENT(paragraph)))


def _read_html(data: bytes, source: str) -> tuple[str, str]:
    markup, _ = _decode(data, source, _declared_charset(data))
    parser = _BodyText()
    try:
        parser.feed(_escape_unclosed_tail(markup))
        parser.close()
    except AssertionError as exc:  # html.parser asserts on some malformed declarations (<![ with no name)
        raise LoaderError(source, f"malformed HTML: {exc}", line=parser.getpos()[0]) from None
    text = parser.text()
    if not text and markup.strip():
        raise LoaderError(source, "no text in the page body outside navigation, header, footer and scripts")
    return text, "html"


def _escape_unclosed_tail(markup: str) -> str:
    """The markup with each '<' after its last '>' written as &lt;.

    No tag, comment or declaration can end there, so html.parser reads that tail as text anyway; but
    before Python 3.13.5 it searched the rest of the page again for each '<' (quadratic in </ or <!--).
    """
    tail = markup.rfind(">") + 1
    return markup[:tail] + markup[tail:].replace("<", "&lt;")


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return "gb18030" if codec in _GB_FAMILY else codec


_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "nav", "header", "footer", "aside"}
)
_SKIP_MARKERS = ("nav", "menu", "footer", "breadcrumb")  # in a class or id
_ROOT_TAGS = frozenset({"html", "body"})  # their classes describe the page, not a part of it
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "table", "ul"}
    | {"ol", "dl", "dt", "dd", "blockquote", "pre", "hr", "main", "figure", "figcaption", "caption"}
)
_CELL_TAGS = frozenset({"td", "th"})
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_WHITESPACE = re.compile(r"\s+")


class _BodyText(HTMLParser):
    """The visible text of an HTML body, one line per block element, chrome (nav, footer…) skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) of the open non-void elements
        self._open_counts: Counter[str] = Counter()  # how many of each tag are open: a stray end tag is O(1)
        self._skipping = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # an unclosed <head> must not swallow the body
            self._open.clear()
            self._open_counts.clear()
            self._skipping = 0
        skipped = tag in _SKIP_TAGS or (tag not in _ROOT_TAGS and _is_chrome(attrs))
        if tag not in _VOID_TAGS:
            self._open.append((tag, skipped))
            self._open_counts[tag] += 1
            self._skipping += skipped
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open element of this tag and every element opened inside it."""
        if self._open_counts[tag]:
            closed = ""
            while closed != tag:
                closed, skipped = self._open.pop()
                self._open_counts[closed] -= 1
                self._skipping -= skipped
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._parts.append(_WHITESPACE.sub(" ", data))

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self._parts).split("\n"))
        return "\n".join(line for line in lines if line)

    def _break(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._parts.append("\n")
        elif tag in _CELL_TAGS:
            self._parts.append(" ")


def _is_chrome(attrs: list[tuple[str, str | None]]) -> bool:
    values = (value.lower() for name, value in attrs if name in ("class", "id") and value)
    return any(marker in value for value in values for marker in _SKIP_MARKERS)


_READERS: dict[str, Callable[[bytes, str], tuple[str, str]]] = {
    ".txt": _decode,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}
