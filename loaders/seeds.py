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
from operator import itemgetter
from pathlib import Path

Row = Mapping[str, object]


def render_csv(columns: Sequence[str], rows: Sequence[Row], header: bool = True) -> str:
    """The rows as CSV (after a header line of the columns, with ``header``): None as an empty field,
    booleans as true/false, anything else as str() writes it (which is what the csv module does with any
    value that is not a string)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(columns)
    values_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    booleans = _boolean_positions(columns, rows)
    for row in rows:
        values = values_of(row)
        if booleans:
            values = list(values)
            for position in booleans:
                if values[position] is not None:
                    values[position] = "true" if values[position] else "false"
        writer.writerow(values)
    return buffer.getvalue()


def _boolean_positions(columns: Sequence[str], rows: Sequence[Row]) -> list[int]:
    """The columns whose values are booleans, known by the first value that is not None (a column holds
    one type)."""
    positions = []
    for position, column in enumerate(columns):
        first = next((row[column] for row in rows if row[column] is not None), None)
        if isinstance(first, bool):
            positions.append(position)
    return positions


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


def write_seed_set(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``{name: CSV content}`` as ``folder/name.csv``, all or nothing."""
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            target = folder / f"{name}.csv"
            staged.append((_temporary_copy(target, content), target))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    return [target for _, target in staged]
