"""A cache of extracted reports, so that a rebuild re-extracts only the reports that are new or changed.

An entry is keyed by everything its rows are made from:
- the report file's sha256;
- the manifest fields that go into the rows (file name, district, year, title, source URL);
- the extractor's version: a digest of the loaders' source code, of the reference seeds they read
  (``vocab.VOCABULARY_FILES``), of the Python version (its codecs and its ``re``) and of the versions of
  the libraries that decode text.

A change to any of these gives another key, so a stale entry is never found.

An entry is data, never code: a line of magic naming the format, a sha256 of the rest, a JSON header
(the key and the extractor's version it was written for, the report's counts, the byte length of each of
its texts), then the texts as UTF-8. ``get`` gives a report only from an entry whose magic and checksum
are right, whose key and version are the ones asked for, and whose every field is of its type (texts,
lines of each table of a report, counts); anything else (a flipped byte, a truncated or planted file, an
entry copied under another name, a file over ``MAX_ENTRY_BYTES``) is a miss, never an exception. It opens
only regular files, without following a symlink or waiting on a FIFO.

An entry is written to a temporary file and renamed, so a reader sees it whole or not at all, and a
planted symlink or FIFO is replaced, never written through. The cache only ever saves work: an entry
that cannot be written or touched (a full disk, a read-only folder) is left out, never a reason to fail a
build. Entries no build has used for ``max_age`` seconds are pruned, and only the cache's own: the folder
may be a user's (``GOVTARGETS_EXTRACT_CACHE``), so pruning removes only regular files in it (never in
its subfolders) that are named as the cache names entries and its temporary files and open with its magic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from loaders.extract import REPORT_TABLES, RenderedReport
from loaders.manifest import ManifestEntry
from loaders.vocab import REFERENCE_DIR, VOCABULARY_FILES

LOADERS_DIR = Path(__file__).resolve().parent
# The libraries whose version changes the text a file decodes to.
_DECODING_LIBRARIES = ("opencc-python-reimplemented", "lxml")

# An entry is three lines and a body: this magic, which names the format (a new format takes a new
# one); the sha256 (hex) of the rest; a header (ASCII JSON: the key, the extractor's version, the
# report's counts and the byte length of each of its texts); then the texts, UTF-8, one after another.
MAGIC = b"govtargets extraction cache entry 2\n"
_CHECKSUM_END = len(MAGIC) + 64 + 1
# The names of the cache's entries and of its temporary files (see ExtractCache.put); nothing else in
# the folder is the cache's.
_ENTRY_SUFFIX = ".entry"
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.entry")
_TEMPORARY_NAME = re.compile(r"\.[0-9a-f]{64}\.entry\.[a-z0-9_]+\.tmp")
# Entries of the earlier format: pickles (protocol 5) named <key>.pickle. They are never read, only
# pruned, as the cache's own entries are.
_PICKLE_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.pickle")
_PICKLE_MAGIC = b"\x80\x05"
# A report's lines take about 10 bytes a character of its text: the largest corpus report's entry is
# 0.6 MB, one of MAX_REPORT_CHARS would be some 50 MB. A larger file is a miss, never read.
MAX_ENTRY_BYTES = 256 * 1024 * 1024
# Opens a file for reading without following a symlink or waiting for a FIFO's writer.
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
_COUNTS = ("targets", "results", "sections", "sentences")
# The body's texts are the report's source file and id, then its lines of each table in this order.
_TABLE_ORDER = tuple(sorted(REPORT_TABLES))
_HEADER_KEYS = frozenset({"key", "version", "lengths", *_COUNTS})


def extractor_version(reference_dir: Path = REFERENCE_DIR, loaders_dir: Path = LOADERS_DIR) -> str:
    """A digest of what the extractor is: its code, its vocabularies and its decoding libraries (read
    afresh on every call: a long-running process may see the files change)."""
    digest = hashlib.sha256()
    for path in sorted(loaders_dir.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in VOCABULARY_FILES:
        digest.update(name.encode() + b"\0" + (reference_dir / name).read_bytes() + b"\0")
    for library in _DECODING_LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\0".encode())
    digest.update(f"python={sys.version}\0".encode())
    return digest.hexdigest()


def entry_key(entry: ManifestEntry, version: str) -> str:
    """The key of one report's rows."""
    fields = (
        entry.sha256,
        entry.file,
        entry.district_code,
        entry.year,
        entry.title,
        entry.source_url,
        version,
    )
    return hashlib.sha256(repr(fields).encode()).hexdigest()


class ExtractCache:
    """Extracted reports on disk, one file per key."""

    def __init__(self, directory: Path, version: str | None = None) -> None:
        self.directory = directory
        self.version = version or extractor_version()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{_ENTRY_SUFFIX}"

    def get(self, entry: ManifestEntry) -> RenderedReport | None:
        """The report stored for the entry, or None: an entry that is not whole, sound, and of this key
        and version is a miss."""
        key = entry_key(entry, self.version)
        path = self._path(key)
        data = _read_entry(path)
        report = _unsealed(data, key, self.version) if data is not None else None
        if report is not None:
            with contextlib.suppress(OSError):
                os.utime(path, follow_symlinks=False)  # used: kept from pruning
        return report

    def put(self, entry: ManifestEntry, report: RenderedReport) -> None:
        """Store the rows, or leave them out when they cannot be stored (the build goes on without)."""
        key = entry_key(entry, self.version)
        data = _sealed(report, key, self.version)
        if data is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # a new file (O_EXCL), renamed over the entry's name: a planted link or FIFO is replaced
            descriptor, temporary = tempfile.mkstemp(
                dir=self.directory, prefix=f".{key}{_ENTRY_SUFFIX}.", suffix=".tmp"
            )
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, self._path(key))
        except OSError:
            Path(temporary).unlink(missing_ok=True)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def prune(self, max_age: float) -> int:
        """Remove the cache's entries (and stray temporary files) unused for ``max_age`` seconds. Only
        its own: regular files in the folder itself, named as it names them and opening with its magic."""
        try:
            names = sorted(os.listdir(self.directory))
        except OSError:
            return 0
        removed = 0
        unused_since = time.time() - max_age
        for name in names:
            path = self.directory / name
            if (magic := _own_magic(name)) and _is_own_entry_unused_since(path, magic, unused_since):
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    continue  # another build pruned it, or the folder is read-only: pruning is only tidying
        return removed


def _sealed(report: RenderedReport, key: str, version: str) -> bytes | None:
    """The bytes of the report's entry; None for a report that is not text and counts."""
    if not _is_report(report):
        return None
    try:
        texts = [text.encode() for text in _texts_of(report)]
    except UnicodeEncodeError:  # a lone surrogate
        return None
    counts = {name: getattr(report, name) for name in _COUNTS}
    header = {"key": key, "version": version, **counts, "lengths": [len(text) for text in texts]}
    rest = json.dumps(header).encode() + b"\n" + b"".join(texts)
    return MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest


def _unsealed(data: bytes, key: str, version: str) -> RenderedReport | None:
    """The report an entry holds, if its magic, checksum, key and version are right and its header and
    texts are sound. (The body is read through a memoryview: a hit copies none of it.)"""
    rest = memoryview(data)[_CHECKSUM_END:]
    if data[:_CHECKSUM_END] != MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n":
        return None
    header_end = data.find(b"\n", _CHECKSUM_END)
    if header_end < 0:
        return None
    try:
        header = json.loads(data[_CHECKSUM_END:header_end].decode("ascii"))
    except (ValueError, RecursionError):  # not ASCII, not JSON, a number too long, nested too deep
        return None
    body = memoryview(data)[header_end + 1 :]
    if not _is_header(header, key, version, len(body)):
        return None
    texts = _decoded(body, header["lengths"])
    if texts is None:
        return None
    source_file, report_id, *lines = texts
    counts = {name: header[name] for name in _COUNTS}
    return RenderedReport(source_file, report_id, dict(zip(_TABLE_ORDER, lines, strict=True)), **counts)


def _texts_of(report: RenderedReport) -> list[str]:
    return [report.source_file, report.report_id, *(report.lines[table] for table in _TABLE_ORDER)]


def _is_report(report: RenderedReport) -> bool:
    """Whether every field is of its type: texts, lines of each table of a report, counts."""
    return (
        isinstance(report.lines, dict)
        and report.lines.keys() == REPORT_TABLES
        and all(isinstance(text, str) for text in _texts_of(report))
        and all(_is_count(getattr(report, name)) for name in _COUNTS)
    )


def _is_header(header: object, key: str, version: str, body_length: int) -> bool:
    """Whether a header is of this key and version, with counts, and lengths of texts that fill the body."""
    if not (isinstance(header, dict) and header.keys() == _HEADER_KEYS):
        return False
    lengths = header["lengths"]
    return (
        header["key"] == key
        and header["version"] == version
        and all(_is_count(header[name]) for name in _COUNTS)
        and isinstance(lengths, list)
        and len(lengths) == 2 + len(_TABLE_ORDER)
        and all(_is_count(length) for length in lengths)
        and sum(lengths) == body_length
    )


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0  # an int, not a bool


def _decoded(body: memoryview, lengths: list[int]) -> list[str] | None:
    """The body cut into texts of these byte lengths, or None when one is not UTF-8."""
    texts = []
    start = 0
    for length in lengths:
        try:
            texts.append(str(body[start : start + length], "utf-8"))
        except UnicodeDecodeError:
            return None
        start += length
    return texts


def _open_regular(path: Path) -> tuple[int, os.stat_result] | None:
    """A descriptor of the regular file at ``path`` (and its status), opened without following a
    symlink or blocking on a FIFO; None for anything else, or a file that cannot be opened."""
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    with contextlib.suppress(OSError):
        status = os.fstat(descriptor)
        if stat.S_ISREG(status.st_mode):
            return descriptor, status
    os.close(descriptor)
    return None


def _read_entry(path: Path) -> bytes | None:
    """The bytes of the regular file at ``path``, if it is no larger than MAX_ENTRY_BYTES."""
    opened = _open_regular(path)
    if opened is None:
        return None
    descriptor, status = opened
    try:
        if status.st_size > MAX_ENTRY_BYTES:
            return None
        with open(descriptor, "rb", closefd=False) as handle:
            return handle.read(status.st_size + 1)  # a file that grew is read no further: its checksum fails
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _own_magic(name: str) -> bytes | None:
    """The magic a file of the cache's named so opens with; None for a name the cache does not give."""
    if _ENTRY_NAME.fullmatch(name) or _TEMPORARY_NAME.fullmatch(name):
        return MAGIC
    return _PICKLE_MAGIC if _PICKLE_ENTRY_NAME.fullmatch(name) else None


def _is_own_entry_unused_since(path: Path, magic: bytes, since: float) -> bool:
    """Whether ``path`` is a regular file that opens with ``magic``, last used before ``since``."""
    opened = _open_regular(path)
    if opened is None:
        return False
    descriptor, status = opened
    try:
        return status.st_mtime < since and os.read(descriptor, len(magic)) == magic
    except OSError:
        return False
    finally:
        os.close(descriptor)
