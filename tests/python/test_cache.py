"""The extraction cache holds data, never code: an entry that is corrupted, planted, copied under another
name, of another extractor, or not a regular file is a miss (never an exception, never a hang), and
pruning removes only the cache's own entries."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtargets.pipeline import ExtractSummary, extract
from loaders import cache as cache_module
from loaders.cache import ExtractCache, entry_key
from loaders.extract import RenderedReport, extract_report, render_report
from loaders.manifest import ManifestEntry, read_manifest
from loaders.regions import RegionIndex, default_regions_path
from loaders.vocab import load_vocabulary

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "reports"
VERSION = "test-version"
DAY = 24 * 3600
# A quantity of the nanshan fixture, and the same bytes with one digit changed.
TRUE_VALUE = "新增公办学位9000个".encode()
FLIPPED_VALUE = "新增公办学位9100个".encode()
SURROGATE = "\udc80".encode("utf-8", "surrogatepass")  # three bytes no UTF-8 decoder accepts


@functools.cache
def _rendered() -> dict[str, tuple[ManifestEntry, RenderedReport]]:
    """The bundled and fixture reports, extracted: file name → (manifest entry, rendered report)."""
    regions = RegionIndex.from_csv(default_regions_path())
    vocab = load_vocabulary()
    found = {}
    for folder in (REPO / "reports", FIXTURES):
        for entry in read_manifest(folder, regions).entries:
            if entry.data.strip():
                found[entry.file] = (entry, render_report(extract_report(entry, vocab)))
    return found


def _nanshan() -> tuple[ManifestEntry, RenderedReport]:
    return _rendered()["nanshan-2024-fixture.txt"]


def _shenzhen() -> tuple[ManifestEntry, RenderedReport]:
    return _rendered()["shenzhen-2024-fixture.txt"]


def _stored(directory: Path, version: str = VERSION) -> tuple[ExtractCache, ManifestEntry, Path]:
    """A cache holding the nanshan report, and the path of its one entry."""
    cache = ExtractCache(directory, version)
    entry, report = _nanshan()
    cache.put(entry, report)
    (path,) = directory.iterdir()
    return cache, entry, path


# Where a planted file goes: at the cache's own name of an entry, and at the name its pickles once had.
PLANTED_AT = ("entry", "pickle")


def _planting(directory: Path, at: str) -> tuple[ExtractCache, ManifestEntry, Path]:
    """A cache whose entry of the nanshan report is gone, and the path to plant a file at instead."""
    cache, entry, path = _stored(directory)
    path.unlink()
    if at == "pickle":
        path = directory / f"{entry_key(entry, cache.version)}.pickle"
    return cache, entry, path


def _finishes(call: Callable[[], Any], unblock: Callable[[], None], seconds: float = 5.0) -> Any:
    """The result of ``call``, run in a thread that must end within ``seconds`` (else ``unblock`` frees
    it and the test fails), so that a hang is a failure, not a test that never ends."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    hung = thread.is_alive()
    if hung:
        unblock()
        thread.join(seconds)
    assert not hung, f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _open_for_writing(fifo: Path) -> Callable[[], None]:
    """Frees a reader blocked opening ``fifo``: a writer comes and goes, so the reader sees the end."""

    def unblock() -> None:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    return unblock


# --- what an entry gives back ---------------------------------------------------------------------


def test_a_round_trip_gives_the_equal_report(tmp_path: Path) -> None:
    cache = ExtractCache(tmp_path, VERSION)
    for entry, report in _rendered().values():
        cache.put(entry, report)
    for entry, report in _rendered().values():
        assert cache.get(entry) == report
    assert len(list(tmp_path.iterdir())) == len(_rendered())


def test_a_hit_keeps_the_entry_from_pruning(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path)
    os.utime(path, (time.time() - 30 * DAY,) * 2)
    assert cache.get(entry) is not None
    assert time.time() - path.stat().st_mtime < DAY
    assert cache.prune(7 * DAY) == 0


def test_one_flipped_digit_in_an_entry_is_a_miss(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path)
    data = path.read_bytes()
    assert data.count(TRUE_VALUE) >= 1
    path.write_bytes(data.replace(TRUE_VALUE, FLIPPED_VALUE, 1))
    assert cache.get(entry) is None


def _entry_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        return _stored(Path(scratch))[2].read_bytes()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_flipped_byte_is_a_miss_or_the_exact_original(data: st.DataObject) -> None:
    original = _entry_bytes()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="mask")
    flipped = bytearray(original)
    flipped[position] ^= mask
    with tempfile.TemporaryDirectory() as scratch:
        cache, entry, path = _stored(Path(scratch))
        path.write_bytes(bytes(flipped))
        assert cache.get(entry) in (None, _nanshan()[1])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_at_an_entry_path_are_a_miss(garbage: bytes) -> None:
    for at in PLANTED_AT:
        with tempfile.TemporaryDirectory() as scratch:
            cache, entry, path = _planting(Path(scratch), at)
            path.write_bytes(garbage)
            assert cache.get(entry) is None


_CUTS: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "one-byte": lambda data: data[:1],
    "the-first-100-bytes": lambda data: data[:100],
    "half": lambda data: data[: len(data) // 2],
    "all-but-the-last-byte": lambda data: data[:-1],
}


@pytest.mark.parametrize("cut", sorted(_CUTS))
def test_a_truncated_entry_is_a_miss(tmp_path: Path, cut: str) -> None:
    cache, entry, path = _stored(tmp_path)
    path.write_bytes(_CUTS[cut](path.read_bytes()))
    assert cache.get(entry) is None


# --- planted entries: nothing runs ----------------------------------------------------------------


class _RunsAShellCommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return os.system, (f"touch '{self.marker}'",)


@pytest.mark.parametrize("at", PLANTED_AT)
def test_a_planted_pickle_runs_nothing(tmp_path: Path, at: str) -> None:
    cache, entry, path = _planting(tmp_path / "cache", at)
    marker = tmp_path / "ran"
    path.write_bytes(pickle.dumps(_RunsAShellCommand(marker)))
    assert cache.get(entry) is None
    assert not marker.exists()


def _pickles() -> dict[str, bytes]:
    report = pickle.dumps(_nanshan()[1], protocol=pickle.HIGHEST_PROTOCOL)
    assert b"loaders.extract" in report
    return {
        "another-module": report.replace(b"loaders.extract", b"loaders.extracu"),
        "huge-bytes-length": b"\x80\x05\x8e" + (2**62).to_bytes(8, "little"),
        "huge-frame-length": b"\x80\x05\x95" + (2**62).to_bytes(8, "little"),
        "a-report": report,
    }


@pytest.mark.parametrize("at", PLANTED_AT)
@pytest.mark.parametrize("planted", sorted(_pickles()))
def test_a_planted_pickle_is_a_miss(tmp_path: Path, at: str, planted: str) -> None:
    cache, entry, path = _planting(tmp_path, at)
    path.write_bytes(_pickles()[planted])
    assert cache.get(entry) is None


def test_an_entry_copied_under_another_reports_name_is_a_miss(tmp_path: Path) -> None:
    cache, nanshan, nanshan_path = _stored(tmp_path)
    shenzhen, report = _shenzhen()
    cache.put(shenzhen, report)
    (shenzhen_path,) = set(tmp_path.iterdir()) - {nanshan_path}
    shutil.copyfile(nanshan_path, shenzhen_path)
    assert cache.get(shenzhen) is None
    assert cache.get(nanshan) == _nanshan()[1]


def test_an_entry_of_another_extractor_version_is_a_miss(tmp_path: Path) -> None:
    _, entry, old_path = _stored(tmp_path / "old", version="old-version")
    new, _, new_path = _stored(tmp_path / "new", version="new-version")
    shutil.copyfile(old_path, new_path)
    assert new.get(entry) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"source_file": 5},
        {"report_id": None},
        {"report_id": b"bytes"},
        {"lines": {"reports": "a line\n"}},
        {"lines": ["not", "a", "dict"]},
        {"targets": "3"},
        {"targets": True},
        {"targets": -1},
        {"sections": 1.5},
    ],
    ids=repr,
)
def test_a_report_of_wrong_types_is_a_miss(tmp_path: Path, changes: dict[str, object]) -> None:
    entry, report = _nanshan()
    cache = ExtractCache(tmp_path, VERSION)
    cache.put(entry, dataclasses.replace(report, **changes))
    assert cache.get(entry) is None


def test_a_table_of_lines_that_is_not_text_is_a_miss(tmp_path: Path) -> None:
    entry, report = _nanshan()
    cache = ExtractCache(tmp_path, VERSION)
    cache.put(entry, dataclasses.replace(report, lines=report.lines | {"quantities": 7}))
    assert cache.get(entry) is None


# --- the format itself: a sealed entry that is still wrong ------------------------------------------


def _sealed(header: object, body: bytes) -> bytes:
    """An entry as the cache writes one: its magic, the sha256 of the rest, a JSON header, the body."""
    rest = json.dumps(header).encode() + b"\n" + body
    return cache_module.MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest


def _texts(report: RenderedReport) -> list[bytes]:
    """The report's texts as an entry's body holds them: its file and id, then its tables' lines."""
    tables = sorted(report.lines)
    return [text.encode() for text in [report.source_file, report.report_id, *map(report.lines.get, tables)]]


def _header(entry: ManifestEntry, texts: list[bytes], **changes: object) -> dict[str, object]:
    report = _nanshan()[1]
    counts = {name: getattr(report, name) for name in ("targets", "results", "sections", "sentences")}
    header = {"key": entry_key(entry, VERSION), "version": VERSION, **counts, "lengths": [*map(len, texts)]}
    return header | changes


def test_a_sealed_entry_as_the_format_says_is_a_hit(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path)
    texts = _texts(_nanshan()[1])
    assert path.read_bytes() == _sealed(_header(entry, texts), b"".join(texts))
    assert cache.get(entry) == _nanshan()[1]


def _wrong_entries() -> dict[str, Callable[[ManifestEntry], bytes]]:
    texts = _texts(_nanshan()[1])
    body = b"".join(texts)
    lengths = list(map(len, texts))

    def sealed(**changes: object) -> Callable[[ManifestEntry], bytes]:
        return lambda entry: _sealed(_header(entry, texts) | changes, body)

    def raw_header(line: bytes) -> Callable[[ManifestEntry], bytes]:
        rest = line + b"\n" + body
        return lambda _: cache_module.MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest

    def other_body(other: bytes, other_lengths: list[int]) -> Callable[[ManifestEntry], bytes]:
        return lambda entry: _sealed(_header(entry, texts, lengths=other_lengths), other)

    without_key = {"key", "version", "targets", "results", "sections", "sentences", "lengths"} - {"key"}
    return {
        "header-not-json": raw_header(b"not json"),
        "header-not-ascii": raw_header(b'{"key": "\xff"}'),
        "header-a-list": raw_header(b"[]"),
        "header-null": raw_header(b"null"),
        "header-nested-deep": raw_header(b"[" * 100_000 + b"]" * 100_000),
        "header-huge-int": raw_header(b'{"targets": ' + b"9" * 100_000 + b"}"),
        "no-key": lambda entry: _sealed({k: _header(entry, texts)[k] for k in without_key}, body),
        "extra-key": sealed(more="x"),
        "key-an-int": sealed(key=5),
        "key-another": sealed(key="0" * 64),
        "version-another": sealed(version="another"),
        "count-a-float": sealed(targets=25.0),
        "count-infinite": sealed(targets=float("inf")),
        "count-a-bool": sealed(sections=True),
        "count-negative": sealed(results=-1),
        "count-a-string": sealed(sentences="34"),
        "lengths-a-dict": sealed(lengths={"reports": 10}),
        "lengths-too-few": sealed(lengths=lengths[:-1]),
        "lengths-too-many": sealed(lengths=[*lengths, 0]),
        "length-negative": sealed(lengths=[lengths[0] + lengths[1], -lengths[1], *lengths[2:]]),
        "length-huge": sealed(lengths=[*lengths[:-1], 2**62]),
        "lengths-short-of-the-body": sealed(lengths=[*lengths[:-1], lengths[-1] - 1]),
        "body-not-utf-8": other_body(b"\xff" + body[1:], lengths),
        "body-a-surrogate": other_body(SURROGATE + body, [3 + lengths[0], *lengths[1:]]),
        "length-cuts-a-character": other_body("南".encode() + body, [1, 2 + sum(lengths[:2]), *lengths[2:]]),
    }


@pytest.mark.parametrize("wrong", sorted(_wrong_entries()))
def test_a_sealed_entry_that_is_not_sound_is_a_miss(tmp_path: Path, wrong: str) -> None:
    cache, entry, path = _stored(tmp_path)
    path.write_bytes(_wrong_entries()[wrong](entry))
    assert cache.get(entry) is None


def test_an_entry_over_the_size_limit_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, entry, path = _stored(tmp_path)
    monkeypatch.setattr(cache_module, "MAX_ENTRY_BYTES", path.stat().st_size - 1)
    assert cache.get(entry) is None


def test_a_huge_file_at_an_entry_path_is_a_miss_without_reading_it(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path)
    with path.open("r+b") as handle:
        handle.truncate(1 << 36)  # sparse: 64 GiB that no build could read in time
    assert _finishes(lambda: cache.get(entry), unblock=lambda: None, seconds=2) is None


# --- only regular files, never blocking -----------------------------------------------------------


def test_a_fifo_at_an_entry_path_is_a_miss_within_a_second(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path)
    path.unlink()
    os.mkfifo(path)
    started = time.monotonic()
    assert _finishes(lambda: cache.get(entry), unblock=_open_for_writing(path), seconds=2) is None
    assert time.monotonic() - started < 1


def test_a_symlink_at_an_entry_path_is_a_miss(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path / "cache")
    elsewhere = tmp_path / "elsewhere"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    os.utime(elsewhere, (time.time() - 30 * DAY,) * 2)
    assert cache.get(entry) is None
    assert time.time() - elsewhere.stat().st_mtime > DAY  # not touched through the link


def test_a_folder_at_an_entry_path_is_a_miss(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path)
    path.unlink()
    path.mkdir()
    assert cache.get(entry) is None


def test_a_put_replaces_a_planted_symlink_and_leaves_its_target_alone(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path / "cache")
    target = tmp_path / "users-file"
    target.write_text("mine", encoding="utf-8")
    path.unlink()
    path.symlink_to(target)
    cache.put(entry, _nanshan()[1])
    assert target.read_text(encoding="utf-8") == "mine"
    assert not path.is_symlink()
    assert cache.get(entry) == _nanshan()[1]


def test_a_put_over_a_planted_fifo_does_not_block(tmp_path: Path) -> None:
    cache, entry, path = _stored(tmp_path)
    path.unlink()
    os.mkfifo(path)
    _finishes(lambda: cache.put(entry, _nanshan()[1]), unblock=_open_for_writing(path), seconds=2)
    assert cache.get(entry) == _nanshan()[1]


# --- pruning: the cache's own entries only --------------------------------------------------------


def _age(path: Path, days: float) -> None:
    os.utime(path, (time.time() - days * DAY,) * 2, follow_symlinks=False)


def test_pruning_a_users_folder_removes_only_the_caches_old_entries(tmp_path: Path) -> None:
    folder = tmp_path / "my-folder"
    cache, entry, old_entry = _stored(folder)
    shenzhen, report = _shenzhen()
    cache.put(shenzhen, report)
    (recent_entry,) = set(folder.iterdir()) - {old_entry}
    outside = tmp_path / "an-entry-elsewhere"
    shutil.copyfile(old_entry, outside)
    key = entry_key(entry, "another-version")
    users = {
        "notes.txt": lambda p: p.write_text("my notes", encoding="utf-8"),
        "photos": lambda p: (p.mkdir(), (p / f"{key}{old_entry.suffix}").write_bytes(old_entry.read_bytes())),
        f"{key}{old_entry.suffix}": lambda p: p.write_text("named like an entry", encoding="utf-8"),
        f"{entry_key(entry, 'older')}.pickle": lambda p: p.write_text("an old name", encoding="utf-8"),
        f"{key[:-1]}A{old_entry.suffix}": lambda p: shutil.copyfile(old_entry, p),
        f"{old_entry.name}.bak": lambda p: shutil.copyfile(old_entry, p),
        f"{entry_key(shenzhen, 'x')}{old_entry.suffix}": lambda p: p.symlink_to(outside),
        f"{entry_key(shenzhen, 'y')}{old_entry.suffix}": lambda p: os.mkfifo(p),
    }
    for name, make in users.items():
        make(folder / name)
    for path in [*folder.iterdir(), *(folder / "photos").iterdir(), outside]:
        _age(path, 30)
    _age(recent_entry, 1)

    removed = _finishes(lambda: cache.prune(7 * DAY), unblock=lambda: None)

    assert removed == 1
    assert sorted(path.name for path in folder.iterdir()) == sorted([*users, recent_entry.name])
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert len(list((folder / "photos").iterdir())) == 1
    assert outside.exists()


def test_pruning_removes_a_stale_temporary_file_of_the_cache(tmp_path: Path) -> None:
    cache, _, path = _stored(tmp_path)
    temporary = tmp_path / f".{path.name}.k2j4_x9q.tmp"
    temporary.write_bytes(path.read_bytes()[:50])  # a put that stopped halfway
    _age(temporary, 30)
    _age(path, 30)
    assert cache.prune(7 * DAY) == 2
    assert not list(tmp_path.iterdir())


def test_pruning_removes_the_unused_entries_of_the_earlier_pickle_format(tmp_path: Path) -> None:
    entry, report = _nanshan()
    old, recent = (tmp_path / f"{entry_key(entry, version)}.pickle" for version in ("old", "recent"))
    for path in (old, recent):
        path.write_bytes(pickle.dumps(report, protocol=5))  # as the cache wrote them before
    _age(old, 30)
    _age(recent, 1)
    assert ExtractCache(tmp_path).prune(7 * DAY) == 1
    assert list(tmp_path.iterdir()) == [recent]


def test_a_build_into_a_users_folder_keeps_the_users_files(tmp_path: Path) -> None:
    folder = tmp_path / "my-folder"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"years of work")
    _age(folder / "thesis.docx", 400)
    _extract(tmp_path / "seeds", folder)
    assert (folder / "thesis.docx").read_bytes() == b"years of work"


# --- a build with corrupted entries ----------------------------------------------------------------


def _seed_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}


def _extract(seeds: Path, cache_dir: Path) -> ExtractSummary:
    return extract(FIXTURES, seeds, keep_going=True, progress=lambda _: None, cache_dir=cache_dir)


def test_a_build_with_corrupted_entries_re_extracts_them(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = _extract(tmp_path / "first", cache_dir)
    corrupted = 0
    for path in cache_dir.iterdir():
        data = path.read_bytes()
        if TRUE_VALUE in data:
            path.write_bytes(data.replace(TRUE_VALUE, FLIPPED_VALUE))
            corrupted += 1
    assert corrupted == 1
    again = _extract(tmp_path / "again", cache_dir)
    assert again.cached == len(first.reports) - corrupted
    assert _seed_files(tmp_path / "again") == _seed_files(tmp_path / "first")
    assert FLIPPED_VALUE not in _seed_files(tmp_path / "again")["quantities.csv"]
