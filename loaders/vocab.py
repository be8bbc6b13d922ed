"""The curated vocabularies (seeds/reference/*.csv) that the extractor looks for in text.

Python only needs the words, to find them; turning a word into a code (以上 → ge, 力争 → aspirational,
万人次 → 人次 × 1e4) happens in dbt from the same CSVs, so a mapping is fixed in one place.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "seeds" / "reference"
# Kinds of unit whose "X以上" before a noun sets a threshold (营收1亿元以上企业) rather than a target.
THRESHOLD_KINDS = frozenset({"money", "money_usd", "area"})
# Kinds of unit that name a label (240小时过境免签, 15分钟生活圈) unless a cue makes them a target (压缩至3天).
DURATION_KINDS = frozenset({"duration", "duration_working"})


def _column(path: Path, column: str, where: tuple[str, str] | None = None) -> tuple[str, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    words = {row[column] for row in rows if where is None or row[where[0]] == where[1]}
    return tuple(sorted((w for w in words if w), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class Vocabulary:
    """Cue and unit words, each tuple sorted longest first so the first match is the longest."""

    units: tuple[str, ...]
    comparators_before: tuple[str, ...]
    comparators_after: tuple[str, ...]
    comparators_infix: tuple[str, ...]
    firmness: tuple[str, ...]
    measures: tuple[str, ...]
    threshold_units: frozenset[str]
    duration_units: frozenset[str]


@lru_cache(maxsize=4)
def load_vocabulary(reference_dir: Path = REFERENCE_DIR) -> Vocabulary:
    comparators = reference_dir / "comparator_cues.csv"
    units = set(_column(reference_dir / "units.csv", "symbol_zh"))
    units.update(_column(reference_dir / "unit_aliases.csv", "alias"))
    return Vocabulary(
        units=tuple(sorted(units, key=lambda w: (-len(w), w))),
        comparators_before=_column(comparators, "cue", ("position", "before")),
        comparators_after=_column(comparators, "cue", ("position", "after")),
        comparators_infix=_column(comparators, "cue", ("position", "infix")),
        firmness=_column(reference_dir / "firmness_cues.csv", "cue"),
        measures=_column(reference_dir / "measure_cues.csv", "cue"),
        threshold_units=_spellings_of_kinds(reference_dir, THRESHOLD_KINDS),
        duration_units=_spellings_of_kinds(reference_dir, DURATION_KINDS),
    )


def _spellings_of_kinds(reference_dir: Path, kinds: frozenset[str]) -> frozenset[str]:
    """Every spelling (symbol or alias) of the units whose quantity_kind is one of kinds."""
    with (reference_dir / "units.csv").open(encoding="utf-8", newline="") as handle:
        units = {row["unit_code"]: row for row in csv.DictReader(handle)}
    with (reference_dir / "unit_aliases.csv").open(encoding="utf-8", newline="") as handle:
        aliases = list(csv.DictReader(handle))
    codes = {code for code, row in units.items() if row["quantity_kind"] in kinds}
    return frozenset(
        [units[code]["symbol_zh"] for code in codes]
        + [a["alias"] for a in aliases if a["unit_code"] in codes]
    )


def match_at(text: str, position: int, words: tuple[str, ...]) -> str:
    """The longest word that starts at ``position`` (words sorted longest first), or ''."""
    for word in words:
        if text.startswith(word, position):
            return word
    return ""


def match_ending_at(text: str, position: int, words: tuple[str, ...]) -> str:
    """The longest word that ends just before ``position``, or ''."""
    for word in words:
        start = position - len(word)
        if start >= 0 and text.startswith(word, start):
            return word
    return ""
