"""Write seed CSVs atomically: a failed run never leaves half a file, a run never leaves half a set.

Files are written to a temporary file in the same folder and renamed into place; with
``write_seed_set`` every file of a set is written first and only then are all renamed, so an error while
writing one leaves every earlier seed as it was. Output is deterministic (sorted rows, fixed line ends)
so that rebuilding from the same input gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

Row = Mapping[str, object]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_csv(columns: Sequence[str], rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    return buffer.getvalue()


def _temporary_copy(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(name, 0o644)
    except OSError as error:
        Path(name).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(path.parent)) from None  # name the folder that failed
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def write_seed_set(folder: Path, tables: Mapping[str, tuple[Sequence[str], Sequence[Row]]]) -> list[Path]:
    """Write ``{name: (columns, rows)}`` as ``folder/name.csv``, all or nothing."""
    staged: list[tuple[Path, Path]] = []
    try:
        for name, (columns, rows) in tables.items():
            target = folder / f"{name}.csv"
            staged.append((_temporary_copy(target, render_csv(columns, rows)), target))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    return [target for _, target in staged]
