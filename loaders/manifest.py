"""Read and validate reports/manifest.csv: which file is which district's report for which year.

Problems that make the whole manifest unusable (missing, not UTF-8, a required column missing, no rows)
raise LoaderError. A problem with one row or one file becomes a LoadIssue and that row is not loaded;
the caller decides whether to abort or keep going.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from loaders.errors import LoaderError, LoadIssue
from loaders.read import MAX_FILE_BYTES
from loaders.regions import RegionIndex

MANIFEST = "manifest.csv"
REQUIRED_COLUMNS = ("file", "district", "year")
REPORT_SUFFIXES = (".txt", ".docx", ".html", ".htm")
FIRST_YEAR, LAST_YEAR = 1949, 2100
MAX_LISTED = 5  # other rows named in one message; the rest are counted
# Control characters (C0 but tab and line feed, DEL, C1): a seed file cannot carry them. In a title or
# source_url a tab or carriage return is white space and becomes a space; anywhere else one rejects the row.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = str.maketrans("\r\t", "  ")
_FREE_TEXT_COLUMNS = ("title", "source_url")
_QUOTED_REST = re.compile(r'[^"]*(?:""[^"]*)*"(?!")')  # a quoted field after its opening quote, to its close
_FIELD_END = re.compile("[,\r\n]")
_LINE_BREAK = re.compile("\r\n|\r|\n")
_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)

T = TypeVar("T")


@dataclass(frozen=True)
class ManifestEntry:
    file: str  # as written in the manifest
    path: Path  # resolved path inside the reports folder
    district_code: str
    year: int
    title: str | None
    source_url: str | None
    row: int  # line number in manifest.csv (header is line 1)
    sha256: str  # of the file's bytes
    data: bytes = field(repr=False)  # the file's bytes, read once here


@dataclass(frozen=True)
class Manifest:
    entries: list[ManifestEntry]
    issues: list[LoadIssue]


@dataclass
class _Row:
    """One manifest row as checked: fields that failed their check are None, with a problem each."""

    line: int
    file: str
    path: Path | None
    district_code: str | None
    year: int | None
    values: dict[str, str]
    problems: list[str]
    data: bytes | None = None


def read_manifest(reports_dir: Path, regions: RegionIndex) -> Manifest:
    try:
        root = _resolve(reports_dir)
    except ValueError as exc:
        raise LoaderError(str(reports_dir), str(exc)) from None
    header, records = _read_csv(reports_dir / MANIFEST, root)
    rows = [_check_row(line, header, cells, root, regions) for line, cells in records]
    _flag_repeated_files(rows)
    _flag_normalisation_twins(rows)
    _read_files(rows)
    _flag_identical_contents(rows)
    issues = [
        LoadIssue(MANIFEST, row.line, f"{row.file or '(no file)'}: {problem}")
        for row in rows
        for problem in row.problems
    ]
    return Manifest(
        entries=[_entry(row) for row in rows if not row.problems], issues=issues + _unlisted(root, rows)
    )


def _unlisted(root: Path, rows: list[_Row]) -> list[LoadIssue]:
    """Report files in the folder that no row lists, by its name as written or by where it resolves to."""
    listed = {row.path for row in rows} | {Path(os.path.normpath(root / row.file)) for row in rows}
    issues: list[LoadIssue] = []
    for name, path in _report_files(root):
        if path in listed:
            continue
        try:
            if _resolve(path) not in listed:
                issues.append(LoadIssue(_visible(name), None, f"report file not listed in {MANIFEST}"))
        except ValueError as exc:
            issues.append(LoadIssue(_visible(name), None, str(exc)))
    return issues


def _resolve(path: Path) -> Path:
    """The path with every link followed; ValueError naming it for a loop of links."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # Python 3.11 raises RuntimeError on a loop
        raise ValueError(f"cannot resolve the path: {exc}") from None


def _file_problem(path: Path, missing: str) -> str | None:
    """Why path is not a regular file to read ('not a regular file (a FIFO)'; `missing` when there is
    nothing there), or None when it is one."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:  # a name too long for the file system, a folder without permission…
        return missing if exc.errno in (errno.ENOENT, errno.ENOTDIR) else f"cannot read file: {exc.strerror}"
    if stat.S_ISREG(mode):
        return None
    kind = next((kind for is_kind, kind in _FILE_KINDS if is_kind(mode)), "a special file")
    return f"not a regular file ({kind})"


def _manifest_bytes(path: Path, root: Path) -> bytes:
    """The bytes of manifest.csv, a regular file in the reports folder or a link to one inside it."""
    try:
        target = _resolve(path)
    except ValueError as exc:
        raise LoaderError(MANIFEST, str(exc)) from None
    if not target.is_relative_to(root):
        raise LoaderError(MANIFEST, _symlink_outside(target))
    problem = _file_problem(target, missing=f"no {MANIFEST} in {path.parent}")
    if problem is not None:
        raise LoaderError(MANIFEST, problem)
    try:
        return _file_bytes(target)
    except ValueError as exc:
        raise LoaderError(MANIFEST, str(exc)) from None


def _read_csv(path: Path, root: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The column names, and every non-blank row after the header with the line it starts on."""
    data = _manifest_bytes(path, root)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LoaderError(MANIFEST, f"not UTF-8 (byte 0x{data[exc.start]:02x})", line=line) from None
    quote = _unclosed_quote(text)
    if quote is not None:
        message = 'a quote (") opens a field that is never closed: it would take in the rest of the file'
        raise LoaderError(MANIFEST, message, line=1 + sum(1 for _ in _LINE_BREAK.finditer(text, 0, quote)))
    records = _records(text)
    if not records:
        raise LoaderError(MANIFEST, "is empty")
    (header_line, cells), *rows = records
    header = [cell.strip().lower() for cell in cells]
    _check_header(header, header_line)
    if not rows:
        raise LoaderError(MANIFEST, "is empty: a header and no rows", line=header_line)
    return header, rows


def _unclosed_quote(text: str) -> int | None:
    """Where a quoted field opens that the end of the text leaves open, as csv reads it; None if none does.

    A quote opens a field only at its start; after its closing quote, and in an unquoted field, csv reads
    a quote as a character, up to the next comma or line break.
    """
    position = 0  # always the start of a field
    while position < len(text):
        if text[position] == '"':
            closed = _QUOTED_REST.match(text, position + 1)
            if closed is None:
                return position
            position = closed.end()
        field_end = _FIELD_END.search(text, position)
        if field_end is None:
            return None
        position = field_end.end()
    return None


def _records(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise LoaderError(MANIFEST, f"malformed CSV: {exc}", line=start) from None
    return records


def _check_header(header: list[str], line: int) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        names = ", ".join(f"'{column}'" for column in missing)
        raise LoaderError(MANIFEST, f"missing required column {names}", line=line)
    repeated = sorted(column for column, count in Counter(header).items() if column and count > 1)
    if repeated:
        raise LoaderError(MANIFEST, f"column {', '.join(repeated)} appears more than once", line=line)


def _check_row(line: int, header: list[str], cells: list[str], root: Path, regions: RegionIndex) -> _Row:
    values = dict.fromkeys(REQUIRED_COLUMNS, "")  # not every column: a row costs its cells, not the header
    values.update((column, cell.strip()) for column, cell in zip(header, cells, strict=False))
    for column in _FREE_TEXT_COLUMNS:
        if column in values:
            values[column] = values[column].replace("\r\n", "\n").translate(_SPACES)
    control = _control_character(header, values, cells)
    if control is not None:  # checked first: the other checks would repeat the value in their messages
        return _Row(line, _visible(values["file"]), None, None, None, values, [control])
    problems: list[str] = []
    extra = [cell for cell in cells[len(header) :] if cell.strip()]
    if extra:
        problems.append(f"more cells than columns ({', '.join(extra)})")
    return _Row(
        line=line,
        file=values["file"],
        path=_attempt(problems, _report_path, values["file"], root),
        district_code=_attempt(problems, _district_code, values, regions),
        year=_attempt(problems, _year, values["year"]),
        values=values,
        problems=problems,
    )


def _control_character(header: list[str], values: dict[str, str], cells: list[str]) -> str | None:
    """The first control character in the row's values or extra cells, as a problem; None if there is none."""
    extra = {f"column {number}": cell for number, cell in enumerate(cells, start=1) if number > len(header)}
    for column, value in [*values.items(), *extra.items()]:
        found = _CONTROL.search(value)
        if found is not None:
            return f"control character U+{ord(found.group()):04X} in column '{column}'; remove it"
    return None


def _visible(text: str) -> str:
    """The text with each control character written as an escape (a\\x00.txt), for messages."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def _attempt(problems: list[str], check: Callable[..., T], *args: object) -> T | None:
    """Run one check; on failure record its message and return None."""
    try:
        return check(*args)
    except (ValueError, LookupError) as exc:
        problems.append(str(exc.args[0]))
        return None


def _report_path(file: str, root: Path) -> Path:
    if not file:
        raise ValueError("no file given")
    if Path(file).is_absolute() or file.startswith(("/", "\\")):
        raise ValueError("path escapes the reports folder (absolute path)")
    path = _resolve(root / file)
    if not path.is_relative_to(root):
        inside = Path(os.path.normpath(root / file)).is_relative_to(root)
        raise ValueError(_symlink_outside(path) if inside else "path escapes the reports folder")
    problem = _file_problem(path, missing="file not found in the reports folder")
    if problem is not None:
        raise ValueError(problem)
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise ValueError(f"not a report file (expected {', '.join(REPORT_SUFFIXES)})")
    return path


def _symlink_outside(target: Path) -> str:
    """The problem of a path inside the reports folder that a symlink (of the file, or of a folder on
    its way) takes outside it."""
    return f"is a symlink that leads outside the reports folder (to {target}); copy the file into the reports folder"


def _district_code(values: dict[str, str], regions: RegionIndex) -> str:
    code = values.get("district_code", "")
    if code:
        try:
            return regions.by_code(code).code
        except KeyError:
            raise ValueError(f"unknown district_code '{code}'") from None
    if not values["district"]:
        raise ValueError("no district given")
    return regions.resolve(values["district"]).code


def _year(text: str) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise ValueError(f"year '{text}' is not a whole number from {FIRST_YEAR} to {LAST_YEAR}")
    return int(text)


def _some(shown: list[str], total: int) -> str:
    """The first MAX_LISTED of a list (shown holds at least those), and how many more the total has."""
    listed = ", ".join(shown[:MAX_LISTED])
    return listed if total <= MAX_LISTED else f"{listed} and {total - MAX_LISTED:,} more"


def _flag_repeated_files(rows: list[_Row]) -> None:
    for group in _shared((row.path, row) for row in rows if row.path is not None):
        lines = _some([str(row.line) for row in group[:MAX_LISTED]], len(group))
        for row in group:
            row.problems.append(f"listed on more than one row (lines {lines}); none of them is loaded")


def _flag_normalisation_twins(rows: list[_Row]) -> None:
    """Rows naming different files whose names are the same once Unicode-normalised (é precomposed and
    e + a combining accent, a CJK compatibility ideograph and its unified form). They look the same, so
    nobody can tell which row's district and year belong to which file: none of them is loaded."""
    for group in _shared((unicodedata.normalize("NFC", str(row.path)), row) for row in rows if row.path):
        if len({row.path for row in group}) == 1:
            continue  # one file on several rows: _flag_repeated_files says so
        for row in group:
            others = [
                f"{other.file} (line {other.line})" for other in group[: MAX_LISTED + 1] if other is not row
            ]
            row.problems.append(
                f"the same name as {_some(others, len(group) - 1)} but for Unicode normalisation (NFC/NFD): "
                "the rows cannot be told apart; rename one of the files; none of them is loaded"
            )


def _read_files(rows: list[_Row]) -> None:
    """Read each listed file once; the bytes travel with the entry to the reader and the extractor."""
    read: dict[Path, bytes] = {}
    for row in rows:
        if row.path is not None and row.path not in read:
            data = _attempt(row.problems, _file_bytes, row.path)
            if data is not None:
                read[row.path] = data
        if row.path in read:
            row.data = read[row.path]


def _file_bytes(path: Path) -> bytes:
    """The bytes of a file of at most MAX_FILE_BYTES, checked before it is read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(f"file of {size:,} bytes is over the limit of {MAX_FILE_BYTES:,} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read file: {exc.strerror or exc}") from None


def _flag_identical_contents(rows: list[_Row]) -> None:
    first_rows: dict[Path, _Row] = {}
    for row in rows:
        if row.path is not None and row.data is not None:
            first_rows.setdefault(row.path, row)
    for group in _shared((_sha256(row.data or b""), row) for row in first_rows.values()):
        for row in group:
            others = [
                f"{other.file} (line {other.line})" for other in group[: MAX_LISTED + 1] if other is not row
            ]
            row.problems.append(
                f"duplicate file: byte-identical to {_some(others, len(group) - 1)}; none of them is loaded"
            )


def _shared(keyed_rows: Iterable[tuple[object, _Row]]) -> list[list[_Row]]:
    """The groups of rows that share a key, for keys shared by two rows or more."""
    groups: dict[object, list[_Row]] = {}
    for key, row in keyed_rows:
        groups.setdefault(key, []).append(row)
    return [group for group in groups.values() if len(group) > 1]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _report_files(root: Path) -> list[tuple[str, Path]]:
    """Every report file under the folder, hidden ones aside, as (name, path)."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            path = Path(folder, name)
            if not name.startswith(".") and path.suffix.lower() in REPORT_SUFFIXES:
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


def _entry(row: _Row) -> ManifestEntry:
    """The entry of a row that passed every check (so no field is None)."""
    assert row.path is not None and row.district_code is not None and row.year is not None
    assert row.data is not None
    return ManifestEntry(
        file=row.file,
        path=row.path,
        district_code=row.district_code,
        year=row.year,
        title=row.values.get("title") or None,
        source_url=row.values.get("source_url") or None,
        row=row.line,
        sha256=_sha256(row.data),
        data=row.data,
    )
