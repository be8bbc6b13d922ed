"""The extractor's words come from the reference seeds: a word added to a seed changes what it finds."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from loaders.quantities import Quantity, find_quantities
from loaders.read import normalize
from loaders.segment import segment
from loaders.vocab import REFERENCE_DIR, Vocabulary, load_vocabulary


def _reference_copy(tmp_path: Path, seed: str, row: dict[str, str]) -> Path:
    """A copy of seeds/reference with ``row`` appended to ``seed`` (its other columns left empty)."""
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, copy)
    with (copy / seed).open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    with (copy / seed).open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n").writerow(row)
    return copy


def _quantities(text: str, vocab: Vocabulary) -> list[Quantity]:
    normalized = normalize(text)
    return find_quantities(normalized, segment(normalized, 2025), vocab)


def _indicators(text: str, vocab: Vocabulary) -> list[str]:
    return [quantity.indicator for quantity in _quantities(text, vocab)]


@pytest.mark.parametrize(
    ("verb", "text", "completed"),
    [("走访", "走访15万户。", "走访户"), ("奖补", "奖补2亿元。", "奖补额")],
)
def test_a_lone_verb_is_completed_when_the_seed_lists_it(
    tmp_path: Path, verb: str, text: str, completed: str
) -> None:
    assert _indicators(text, load_vocabulary()) == [verb]
    reference = _reference_copy(tmp_path, "extraction_words.csv", {"word": verb, "role": "indicator_verb"})
    assert _indicators(text, load_vocabulary(reference)) == [completed]


@pytest.mark.parametrize(
    ("seed", "row"),
    [
        ("extraction_words.csv", {"word": "全力", "role": "indicator_lead"}),
        ("firmness_cues.csv", {"cue": "全力", "firmness_code": "binding"}),
    ],
)
def test_a_lead_word_or_firmness_cue_is_cut_from_the_indicator(
    tmp_path: Path, seed: str, row: dict[str, str]
) -> None:
    text = "全力新建学校5所。"
    assert _indicators(text, load_vocabulary()) == ["全力新建学校"]
    assert _indicators(text, load_vocabulary(_reference_copy(tmp_path, seed, row))) == ["新建学校"]


def test_a_base_cue_comes_from_the_seed(tmp_path: Path) -> None:
    text = "单位能耗比基期下降5%。"
    assert [q.base_cue for q in _quantities(text, load_vocabulary())] == [""]
    reference = _reference_copy(tmp_path, "base_cues.csv", {"cue": "比基期", "form": "word"})
    found = _quantities(text, load_vocabulary(reference))
    assert [(q.base_cue, q.indicator) for q in found] == [("比基期", "单位能耗")]


@pytest.mark.parametrize(("kind", "indicator"), [("money", "投资额"), ("count", "投资港元")])
def test_money_units_follow_the_quantity_kind(tmp_path: Path, kind: str, indicator: str) -> None:
    unit = {"unit_code": "hkd", "symbol_zh": "港元", "quantity_kind": kind, "base_unit_code": "hkd"}
    reference = _reference_copy(tmp_path, "units.csv", unit)
    assert _indicators("投资2亿港元。", load_vocabulary(reference)) == [indicator]


def test_the_role_of_a_quantity_kind_comes_from_the_seed(tmp_path: Path) -> None:
    assert _indicators("新增10家。", load_vocabulary()) == ["新增家"]
    reference = _reference_copy(
        tmp_path, "quantity_kind_roles.csv", {"quantity_kind": "count", "role": "money"}
    )
    assert _indicators("新增10家。", load_vocabulary(reference)) == ["新增额"]


def _words(seed: str, column: str, role: str | None = None) -> set[str]:
    with (REFERENCE_DIR / seed).open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle) if role is None or row["role"] == role}


def test_firmness_cues_are_not_repeated_as_lead_words() -> None:
    leads = _words("extraction_words.csv", "word", "indicator_lead")
    assert leads
    assert leads.isdisjoint(_words("firmness_cues.csv", "cue"))
