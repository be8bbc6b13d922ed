"""Extraction quality on the bundled reports, against the hand-annotated gold targets.

A match is: same report, overlapping clause, same value × multiplier, same unit. Gold rows whose note
starts with ``optional`` are neither required nor wrong. Each gold row matches at most one target.
The figures are printed (run with ``-s``) and asserted against the floors of issue 2.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

GOLD = Path(__file__).parent / "data" / "gold_seed_targets.csv"
REPORTS = Path(__file__).resolve().parents[2] / "reports"


@dataclass(frozen=True)
class Target:
    report: str
    start: int
    end: int
    amount: Decimal
    unit: str
    comparator: str
    firmness: str
    domain: str


@dataclass(frozen=True)
class GoldRow:
    target: Target
    optional: bool


def _gold() -> list[GoldRow]:
    rows = []
    with GOLD.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (REPORTS / row["report_file"]).read_text(encoding="utf-8")
            start = text.find(row["clause"])
            assert start >= 0, f"gold clause not in {row['report_file']}: {row['clause']}"
            target = Target(
                report=row["report_file"],
                start=start,
                end=start + len(row["clause"]),
                amount=Decimal(row["value"]) * Decimal(row["multiplier"]),
                unit=row["unit"],
                comparator=row["comparator"],
                firmness=row["firmness"],
                domain=row["domain"],
            )
            rows.append(GoldRow(target, row["note"].startswith("optional")))
    return rows


def _predicted(warehouse: Path) -> list[Target]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            """
            select r.source_file, t.char_start, t.char_end, cast(t.value as varchar),
                   t.multiplier, u.symbol_zh, t.comparator, t.firmness, t.domain_code
            from marts.fct_targets as t
            inner join marts.dim_report as r using (report_id)
            inner join marts.dim_unit as u using (unit_code)
            """
        ).fetchall()
    return [
        Target(f, s, e, Decimal(v) * Decimal(int(m)), unit, comp, firm, dom)
        for f, s, e, v, m, unit, comp, firm, dom in rows
    ]


def _matches(gold: Target, predicted: Target) -> bool:
    return (
        gold.report == predicted.report
        and gold.start < predicted.end
        and predicted.start < gold.end
        and gold.amount == predicted.amount
        and gold.unit == predicted.unit
    )


@dataclass(frozen=True)
class Scores:
    recall: float
    precision: float
    comparator: float
    firmness: float
    domain: float
    misses: list[Target]
    extras: list[Target]


def score(gold_rows: list[GoldRow], predicted: list[Target]) -> Scores:
    unused = list(predicted)
    pairs: list[tuple[GoldRow, Target]] = []
    for row in gold_rows:
        found = next((p for p in unused if _matches(row.target, p)), None)
        if found is not None:
            unused.remove(found)
            pairs.append((row, found))
    required = [row for row in gold_rows if not row.optional]
    matched_required = [row for row, _ in pairs if not row.optional]
    counted = [p for row, p in pairs if not row.optional] + unused

    def share(check: object) -> float:
        return sum(1 for row, p in pairs if check(row.target, p)) / len(pairs)  # type: ignore[operator]

    return Scores(
        recall=len(matched_required) / len(required),
        precision=len(matched_required) / len(counted) if counted else 0.0,
        comparator=share(lambda g, p: g.comparator == p.comparator),
        firmness=share(lambda g, p: g.firmness == p.firmness),
        domain=share(lambda g, p: p.domain in g.domain.split("|")),
        misses=[row.target for row in required if row not in [r for r, _ in pairs]],
        extras=unused,
    )


def test_scoring_counts_a_miss_and_an_extra() -> None:
    gold = [GoldRow(Target("a", 0, 5, Decimal(3), "所", "eq", "plain", "education"), False)]
    wrong_unit = Target("a", 1, 4, Decimal(3), "个", "eq", "plain", "education")
    scores = score(gold, [wrong_unit, gold[0].target])
    assert (scores.recall, scores.precision) == (1.0, 0.5)
    assert scores.extras == [wrong_unit]


def test_extraction_meets_the_floors_on_the_bundled_reports(warehouse: Path) -> None:
    scores = score(_gold(), _predicted(warehouse))
    print(
        f"\ngold: recall {scores.recall:.3f}, precision {scores.precision:.3f}, "
        f"comparator {scores.comparator:.3f}, firmness {scores.firmness:.3f}, domain {scores.domain:.3f}"
    )
    for miss in scores.misses:
        print(f"  missed {miss}")
    for extra in scores.extras:
        print(f"  extra  {extra}")
    assert scores.recall >= 0.95
    assert scores.precision >= 0.95
    assert scores.comparator >= 0.95
    assert scores.firmness >= 0.95
    assert scores.domain >= 0.90


@pytest.mark.parametrize("label", ["5G", "PM2.5", "8+N", "1+10+81+N", "三级", "三县", "九大", "八大",
                                   "第七届", "首届", "二期", "二、三类", "福田十景", "一馆一中心"])  # fmt: skip
def test_names_and_labels_are_not_targets(warehouse: Path, label: str) -> None:
    """No target's span (number, unit and cue words) overlaps any occurrence of the label."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        reports = connection.execute("select report_id, report_text from marts.dim_report_text").fetchall()
        spans = connection.execute(
            """
            select q.report_id, q.span_start, q.span_end, q.number_text
            from seeds.quantities as q
            inner join marts.fct_targets as t on t.target_id = q.quantity_id
            """
        ).fetchall()
    occurrences = [
        (report_id, at, at + len(label))
        for report_id, text in reports
        for at in range(len(text))
        if text.startswith(label, at)
    ]
    assert occurrences, f"{label} does not occur in the bundled reports"
    overlapping = [
        (number_text, label)
        for report_id, start, end, number_text in spans
        for other_id, label_start, label_end in occurrences
        if report_id == other_id and start < label_end and label_start < end
    ]
    assert overlapping == []
