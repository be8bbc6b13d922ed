"""Errors and load issues shared by every loader module."""

from __future__ import annotations

from dataclasses import dataclass


class LoaderError(Exception):
    """A problem with the input that stops a report (or the whole build) from loading.

    The message always names the file, and the line or row where one applies.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.detail = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class LoadIssue:
    """One rejected input, recorded instead of raised in --keep-going mode."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.source}{f':{self.line}' if self.line else ''}: {self.message}"
