"""The curated vocabularies (seeds/reference/*.csv) that the extractor looks for in text.

Python only needs the words, to find them; turning a word into a code (以上 → ge, 力争 → aspirational,
万人次 → 人次 × 1e4) happens in dbt from the same CSVs, so a mapping is fixed in one place.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "seeds" / "reference"
# The reference seeds the extractor reads (load_vocabulary); the extraction cache is keyed by them, so
# a change to any of them, and to no other seed, re-extracts the reports.
VOCABULARY_FILES = (
    "base_cues.csv", "comparator_cues.csv", "denominator_units.csv", "extraction_words.csv",
    "firmness_cues.csv", "kind_cues.csv", "measure_cues.csv", "multipliers.csv", "quantity_kind_roles.csv",
    "unit_aliases.csv", "units.csv",
)  # fmt: skip
# Forms rather than words: the year after a base cue of form before_year (比2020年), and the markers
# that open an item of a list (一是, 二是), cut from the start of an indicator with the lead words.
_YEAR = r"(?:19|20)\d{2}年"
_ENUMERATION = r"[一二三四五六七八九十]+是"


class Words(tuple[str, ...]):
    """Words of a vocabulary, longest first (so the first that matches is the longest), with those words
    by their first and by their last character: a match tries only the few words that begin (or end) with
    the character at hand (the unit words alone are a hundred), and most characters begin none."""

    by_first: dict[str, tuple[str, ...]]
    by_last: dict[str, tuple[str, ...]]
    pattern: re.Pattern[str]  # any one of the words: whether a text holds one is a single search

    def __new__(cls, words: Iterable[str]) -> Words:
        self = super().__new__(cls, sorted({w for w in words if w}, key=lambda w: (-len(w), w)))
        self.by_first = _by_character(self, 0)
        self.by_last = _by_character(self, -1)
        self.pattern = re.compile("|".join(map(re.escape, self)) or "(?!)")  # (?!) matches nothing
        return self

    def __getnewargs__(self) -> tuple[tuple[str, ...]]:
        return (tuple(self),)


def _by_character(words: tuple[str, ...], index: int) -> dict[str, tuple[str, ...]]:
    """The words by their character at index, each group in the order of words."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[index], []).append(word)
    return {character: tuple(group) for character, group in groups.items()}


def _column(path: Path, column: str, where: tuple[str, str] | None = None) -> Words:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Words(row[column] for row in rows if where is None or row[where[0]] == where[1])


@dataclass(frozen=True)
class KindCue:
    """A word that points to a statement kind, with its weight and the longer words it does not count in
    (了 counts in 解决了, not in 为了)."""

    cue: str
    kind: str
    weight: int
    not_in: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Cue and unit words (each tuple sorted longest first so the first match is the longest), the
    spellings of the units of a quantity-kind role, and the patterns of base cues and lead words."""

    units: Words
    comparators_before: Words
    comparators_after: Words
    comparators_infix: Words
    firmness: Words
    measures: Words
    threshold_units: frozenset[str]
    duration_units: frozenset[str]
    money_units: frozenset[str]
    ratio_units: frozenset[str]
    base_cue: re.Pattern[str]
    indicator_lead: re.Pattern[str]
    indicator_verbs: frozenset[str]
    rank_units: frozenset[str]
    ordinal_marks: Words
    label_suffixes: Words
    threshold_after: frozenset[str]
    threshold_before: frozenset[str]
    kind_cues: dict[str, tuple[KindCue, ...]]  # by their first character: a sentence holds few of them
    kind_cue_starts: re.Pattern[str]  # one of those first characters (the keys of kind_cues)
    baseline_openers: Words
    denominator_marks: Words
    indicator_trails: Words
    denominators: Words  # what may follow a slash in a rate unit: any unit, or a time word (日)
    multiplier_words: Words  # 万, 亿 … (seeds/reference/multipliers.csv), for 吨标准煤/万元
    level_targets: Words  # level cues that end in 到, 至 or 为: 提高到, 降至, 减为


@lru_cache(maxsize=4)
def load_vocabulary(reference_dir: Path = REFERENCE_DIR) -> Vocabulary:
    comparators = reference_dir / "comparator_cues.csv"
    words = reference_dir / "extraction_words.csv"
    units = set(_column(reference_dir / "units.csv", "symbol_zh"))
    units.update(_column(reference_dir / "unit_aliases.csv", "alias"))
    kind_cues = _by_first_character(_kind_cues(reference_dir / "kind_cues.csv"))
    return Vocabulary(
        units=Words(units),
        comparators_before=_column(comparators, "cue", ("position", "before")),
        comparators_after=_column(comparators, "cue", ("position", "after")),
        comparators_infix=_column(comparators, "cue", ("position", "infix")),
        firmness=_column(reference_dir / "firmness_cues.csv", "cue"),
        measures=_column(reference_dir / "measure_cues.csv", "cue"),
        threshold_units=_unit_spellings(reference_dir, "threshold"),
        duration_units=_unit_spellings(reference_dir, "duration_label"),
        money_units=_unit_spellings(reference_dir, "money"),
        ratio_units=_unit_spellings(reference_dir, "ratio"),
        base_cue=_base_cue_pattern(reference_dir / "base_cues.csv"),
        indicator_lead=_lead_pattern(_column(words, "word", ("role", "indicator_lead"))),
        indicator_verbs=frozenset(_column(words, "word", ("role", "indicator_verb"))),
        rank_units=frozenset(_column(words, "word", ("role", "rank_unit"))),
        ordinal_marks=_column(words, "word", ("role", "ordinal_mark")),
        label_suffixes=_column(words, "word", ("role", "label_suffix")),
        threshold_after=frozenset(_column(words, "word", ("role", "threshold_after"))),
        threshold_before=frozenset(_column(words, "word", ("role", "threshold_before"))),
        kind_cues=kind_cues,
        kind_cue_starts=_one_of(kind_cues),
        baseline_openers=_column(words, "word", ("role", "baseline_opener")),
        denominator_marks=_column(words, "word", ("role", "denominator_mark")),
        indicator_trails=_column(words, "word", ("role", "indicator_trail")),
        denominators=Words(units | set(_column(reference_dir / "denominator_units.csv", "spelling"))),
        multiplier_words=_column(reference_dir / "multipliers.csv", "multiplier_text"),
        level_targets=Words(
            cue
            for cue in _column(reference_dir / "measure_cues.csv", "cue", ("measure", "level"))
            if len(cue) > 1 and cue.endswith(("到", "至", "为"))
        ),
    )


def _kind_cues(path: Path) -> tuple[KindCue, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        cues = [
            KindCue(
                row["cue"],
                row["statement_kind"],
                int(row["weight"]),
                tuple(filter(None, row["not_in"].split("|"))),
            )
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted(cues, key=lambda cue: (-len(cue.cue), cue.cue)))


def _by_first_character(cues: tuple[KindCue, ...]) -> dict[str, tuple[KindCue, ...]]:
    index: dict[str, list[KindCue]] = {}
    for cue in cues:
        index.setdefault(cue.cue[0], []).append(cue)
    return {first: tuple(found) for first, found in index.items()}


def _one_of(characters: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any one of the characters (nothing when there are none)."""
    escaped = "".join(map(re.escape, characters))
    return re.compile(f"[{escaped}]" if escaped else "(?!)")


def _base_cue_pattern(path: Path) -> re.Pattern[str]:
    """比上年, 同比 … as written (form word), and 比2020年 (form before_year: the cue, a year, 年)."""
    words = [re.escape(cue) for cue in _column(path, "cue", ("form", "word"))]
    before_year = [re.escape(cue) + _YEAR for cue in _column(path, "cue", ("form", "before_year"))]
    return re.compile("|".join(words + before_year) or "(?!)")  # (?!) matches nothing


def _lead_pattern(leads: tuple[str, ...]) -> re.Pattern[str]:
    """A run of lead words and enumeration markers at the start of an indicator (全年进一步, 一是)."""
    alternatives = "|".join([*map(re.escape, leads), _ENUMERATION])
    return re.compile(f"^(?:{alternatives})+")


def _unit_spellings(reference_dir: Path, role: str) -> frozenset[str]:
    """Every spelling (symbol or alias) of the units whose quantity_kind has role (quantity_kind_roles)."""
    kinds = _column(reference_dir / "quantity_kind_roles.csv", "quantity_kind", ("role", role))
    with (reference_dir / "units.csv").open(encoding="utf-8", newline="") as handle:
        units = {row["unit_code"]: row for row in csv.DictReader(handle)}
    with (reference_dir / "unit_aliases.csv").open(encoding="utf-8", newline="") as handle:
        aliases = list(csv.DictReader(handle))
    codes = {code for code, row in units.items() if row["quantity_kind"] in kinds}
    return frozenset(
        [units[code]["symbol_zh"] for code in codes]
        + [a["alias"] for a in aliases if a["unit_code"] in codes]
    )


def match_at(text: str, position: int, words: Words) -> str:
    """The longest word that starts at ``position`` (0 <= position), or ''."""
    for word in words.by_first.get(text[position : position + 1], ()):
        if text.startswith(word, position):
            return word
    return ""


def match_ending_at(text: str, position: int, words: Words) -> str:
    """The longest word that ends just before ``position`` (0 <= position <= len(text)), or ''."""
    for word in words.by_last.get(text[position - 1 : position] if position else "", ()):
        if text.endswith(word, 0, position):
            return word
    return ""
