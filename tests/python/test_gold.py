"""Extraction quality on the bundled reports, against the hand-annotated gold targets.

A match is: same report, overlapping clause, same value × multiplier, same unit. Gold rows whose note
starts with ``optional`` are neither required nor wrong. Each gold row matches at most one target.
The figures are printed (run with ``-s``) and asserted against the floors of issue 2.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.evaluation import GoldRow, Statement, bundled_gold, predicted, report, score

REPORTS = Path(__file__).resolve().parents[2] / "reports"


def test_scoring_counts_a_miss_an_extra_and_a_wrong_kind() -> None:
    target = Statement("a", "target", 0, 5, Decimal(3), "所", "eq", "plain", "education")
    gold = [GoldRow(target, False, "新建学校3所")]
    wrong_unit = Statement("a", "target", 1, 4, Decimal(3), "个", "eq", "plain", "education")
    as_result = Statement("a", "result", 0, 5, Decimal(3), "所", "eq", "plain", "education")
    scores = score(gold, [wrong_unit, target, as_result], "target")
    assert (scores.recall, scores.precision) == (1.0, 0.5)
    assert scores.extras == [wrong_unit]
    results = score(gold, [wrong_unit, target, as_result], "result")
    assert (results.gold, results.predicted, results.recall, results.precision) == (0, 1, None, 0.0)


def test_an_optional_gold_row_is_neither_required_nor_wrong() -> None:
    optional = Statement("a", "target", 0, 5, Decimal(8), "连冠", "eq", "plain", "governance")
    scores = score([GoldRow(optional, True, "八连冠")], [optional], "target")
    assert (scores.gold, scores.predicted, scores.recall, scores.precision) == (0, 0, None, None)


def test_extraction_meets_the_floors_on_the_bundled_reports(warehouse: Path) -> None:
    (targets, *_) = report("bundled gold", bundled_gold(REPORTS), predicted(warehouse), details=True)
    assert targets.recall is not None and targets.recall >= 0.95
    assert targets.precision is not None and targets.precision >= 0.95
    assert targets.comparator is not None and targets.comparator >= 0.95
    assert targets.firmness is not None and targets.firmness >= 0.95
    assert targets.domain is not None and targets.domain >= 0.90


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


def test_the_development_gold_points_into_the_corpus() -> None:
    """Every excerpt of tests/gold/dev lies in its corpus file and every clause in its excerpt."""
    from collections import Counter

    from tests.evaluation import dev_excerpts, dev_gold, excerpt_text
    from tests.python.conftest import shared_dir

    corpus = shared_dir("corpus")
    excerpts = dev_excerpts()
    texts = {e.excerpt_id: excerpt_text(e, corpus) for e in excerpts}
    assert all(len(text) == e.end - e.start for e, text in zip(excerpts, texts.values(), strict=True))
    rows = dev_gold(excerpts, texts)  # raises when a clause is not in its excerpt
    kinds = Counter(row.statement.kind for row in rows)
    assert len(excerpts) >= 12 and len(rows) >= 600
    assert kinds["target"] and kinds["result"] and kinds["baseline"]
    for row in rows:
        text = texts[row.statement.report.removesuffix(".txt")]
        assert text[row.statement.start : row.statement.end] == row.clause
