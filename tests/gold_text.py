"""Show corpus report text with character offsets, for annotating the development gold.

The offsets are those of the text the loaders store (``loaders.read.read_report(...).text``), so a gold
excerpt's ``char_start``/``char_end`` point into the same text as the warehouse's ``char_start``.

    python -m tests.gold_text find national/2019.txt 主要预期目标      # offsets of a phrase
    python -m tests.gold_text show national/2019.txt 12000 15000      # the text, a line each paragraph
"""

from __future__ import annotations

import sys

from loaders.read import read_report
from tests.corpus import CORPUS


def corpus_text(corpus_file: str) -> str:
    return read_report(CORPUS / corpus_file).text


def _show(text: str, start: int, end: int) -> None:
    cursor = start
    for line in text[start:end].split("\n"):
        print(f"[{cursor}] {line}")
        cursor += len(line) + 1


def main() -> None:
    command, corpus_file, *rest = sys.argv[1:]
    text = corpus_text(corpus_file)
    if command == "find":
        position = text.find(rest[0])
        while position >= 0:
            print(position, text[max(0, position - 20) : position + 40].replace("\n", "⏎"))
            position = text.find(rest[0], position + 1)
    elif command == "show":
        _show(text, int(rest[0]), int(rest[1]))
    elif command == "length":
        print(len(text))


if __name__ == "__main__":
    main()
