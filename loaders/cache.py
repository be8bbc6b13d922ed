"""A cache of extracted reports, so that a rebuild re-extracts only the reports that are new or changed.

An entry is keyed by everything its rows are made from:
- the report file's sha256;
- the manifest fields that go into the rows (file name, district, year, title, source URL);
- the extractor's version: a digest of the loaders' source code, of the reference seeds they read
  (``vocab.VOCABULARY_FILES``), of the Python version (its codecs and its ``re``) and of the versions of
  the libraries that decode text.

A change to any of these gives another key, so a stale entry is never found. An entry is written to a
temporary file and renamed, so a reader sees it whole or not at all. The cache only ever saves work: an
entry that cannot be read is a miss, and one that cannot be written or touched (a full disk, a read-only
folder) is left out, never a reason to fail a build. Entries no build has used for ``max_age`` seconds
are pruned.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from loaders.extract import RenderedReport
from loaders.manifest import ManifestEntry
from loaders.vocab import REFERENCE_DIR, VOCABULARY_FILES

LOADERS_DIR = Path(__file__).resolve().parent
# The libraries whose version changes the text a file decodes to.
_DECODING_LIBRARIES = ("opencc-python-reimplemented", "lxml")


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

    def _path(self, entry: ManifestEntry) -> Path:
        return self.directory / f"{entry_key(entry, self.version)}.pickle"

    def get(self, entry: ManifestEntry) -> RenderedReport | None:
        path = self._path(entry)
        try:
            with path.open("rb") as handle:
                found = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            return None
        if not isinstance(found, RenderedReport):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used: kept from pruning
        return found

    def put(self, entry: ManifestEntry, report: RenderedReport) -> None:
        """Store the rows, or leave them out when they cannot be stored (the build goes on without)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump(report, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path(entry))
        except OSError:
            Path(temporary).unlink(missing_ok=True)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def prune(self, max_age: float) -> int:
        """Remove the entries (and stray temporary files) unused for ``max_age`` seconds."""
        removed = 0
        now = time.time()
        for path in self.directory.glob("*") if self.directory.is_dir() else []:
            try:
                if now - path.stat().st_mtime > max_age:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # another build pruned it, or the folder is read-only: pruning is only tidying
        return removed
