"""Extraction quality against hand-annotated gold: precision, recall, comparator, firmness and domain,
by kind of statement (target, result, baseline).

Two golds:
- the bundled gold (``tests/python/data/gold_seed_targets.csv``): targets of the two bundled reports;
- the development gold (``tests/gold/dev/``): excerpts of ``../shared/corpus`` chosen and annotated by
  hand, each pointed to by corpus file and character range (``excerpts-*.csv``), with its statements in
  ``<excerpt_id>.csv``. Only the clauses are committed, never the corpus text. Each excerpt is loaded as
  a report of its own, as a news site or digest would reprint it.

A match is: the same report, overlapping clauses, the same value × multiplier, the same unit (any of its
spellings: 度 is 千瓦时) and the same kind. Gold rows whose note starts with ``optional`` are neither required nor wrong. Each gold row
matches at most one statement. ``make eval`` prints the figures.
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BUNDLED_GOLD = REPO / "tests" / "python" / "data" / "gold_seed_targets.csv"
DEV_GOLD = REPO / "tests" / "gold" / "dev"
KINDS = ("target", "result", "baseline")


@dataclass(frozen=True)
class Statement:
    report: str
    kind: str
    start: int
    end: int
    amount: Decimal
    unit: str
    comparator: str
    firmness: str
    domain: str  # one code, or alternatives joined by | in the gold


@dataclass(frozen=True)
class GoldRow:
    statement: Statement
    optional: bool
    clause: str


@dataclass
class Scores:
    kind: str
    gold: int  # required gold rows
    predicted: int  # predicted statements, those matching optional gold rows aside
    matched: int
    comparator: float | None
    firmness: float | None
    domain: float | None
    misses: list[GoldRow] = field(default_factory=list)
    extras: list[Statement] = field(default_factory=list)
    wrong_domains: list[tuple[GoldRow, Statement]] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None


def unit_codes(reference: Path = REPO / "seeds" / "reference") -> dict[str, str]:
    """Every spelling of a unit (symbol or alias) → its unit code, so 度 and 千瓦时 are the same unit."""
    codes: dict[str, str] = {}
    with (reference / "units.csv").open(encoding="utf-8", newline="") as handle:
        codes.update((row["symbol_zh"], row["unit_code"]) for row in csv.DictReader(handle))
    with (reference / "unit_aliases.csv").open(encoding="utf-8", newline="") as handle:
        codes.update((row["alias"], row["unit_code"]) for row in csv.DictReader(handle))
    return codes


_UNIT_CODES = unit_codes()


def _same_unit(gold: str, predicted: str) -> bool:
    return _UNIT_CODES.get(gold, gold) == _UNIT_CODES.get(predicted, predicted)


def _matches(gold: Statement, predicted: Statement) -> bool:
    return (
        gold.report == predicted.report
        and gold.kind == predicted.kind
        and gold.start < predicted.end
        and predicted.start < gold.end
        and gold.amount == predicted.amount
        and _same_unit(gold.unit, predicted.unit)
    )


def score(gold_rows: list[GoldRow], predicted: list[Statement], kind: str) -> Scores:
    """Scores of one kind: greedy one-to-one matching in gold order."""
    rows = [row for row in gold_rows if row.statement.kind == kind]
    unused = [p for p in predicted if p.kind == kind]
    pairs: list[tuple[GoldRow, Statement]] = []
    for row in rows:
        found = next((p for p in unused if _matches(row.statement, p)), None)
        if found is not None:
            unused.remove(found)
            pairs.append((row, found))
    required = [row for row in rows if not row.optional]
    matched = [(row, p) for row, p in pairs if not row.optional]

    def share(check: Callable[[Statement, Statement], bool]) -> float | None:
        return sum(1 for row, p in matched if check(row.statement, p)) / len(matched) if matched else None

    matched_rows = [row for row, _ in pairs]
    return Scores(
        kind=kind,
        gold=len(required),
        predicted=len(matched) + len(unused),
        matched=len(matched),
        comparator=share(lambda g, p: g.comparator == p.comparator),
        firmness=share(lambda g, p: g.firmness == p.firmness),
        domain=share(lambda g, p: p.domain in g.domain.split("|")),
        misses=[row for row in required if row not in matched_rows],
        extras=unused,
        wrong_domains=[(row, p) for row, p in matched if p.domain not in row.statement.domain.split("|")],
    )


def _gold_row(row: dict[str, str], report: str, text: str, kind: str, after: int = 0) -> GoldRow:
    """A gold row placed at its clause: the first occurrence at or after ``after`` (rows are written in
    text order, so a clause repeated later in the text is found where its row stands), else the first."""
    start = text.find(row["clause"], after)
    if start < 0:
        start = text.find(row["clause"])
    if start < 0:
        raise ValueError(f"gold clause not in {report}: {row['clause']}")
    statement = Statement(
        report=report,
        kind=kind,
        start=start,
        end=start + len(row["clause"]),
        amount=Decimal(row["value"]) * Decimal(row["multiplier"]),
        unit=row["unit"],
        comparator=row["comparator"],
        firmness=row["firmness"],
        domain=row["domain"],
    )
    return GoldRow(statement, row["note"].startswith("optional"), row["clause"])


def bundled_gold(reports_dir: Path) -> list[GoldRow]:
    """The bundled gold: every row a target of one of the bundled reports."""
    with BUNDLED_GOLD.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = {
        name: (reports_dir / name).read_text(encoding="utf-8") for name in {r["report_file"] for r in rows}
    }
    return [_gold_row(row, row["report_file"], texts[row["report_file"]], "target") for row in rows]


@dataclass(frozen=True)
class Excerpt:
    excerpt_id: str
    corpus_file: str
    start: int
    end: int
    district: str
    year: str

    @property
    def report(self) -> str:
        return f"{self.excerpt_id}.txt"


def dev_excerpts(gold_dir: Path = DEV_GOLD) -> list[Excerpt]:
    excerpts = []
    for path in sorted(gold_dir.glob("excerpts-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                excerpts.append(
                    Excerpt(
                        row["excerpt_id"],
                        row["corpus_file"],
                        int(row["char_start"]),
                        int(row["char_end"]),
                        row["district"],
                        row["year"],
                    )
                )
    return excerpts


def excerpt_text(excerpt: Excerpt, corpus: Path) -> str:
    from loaders.read import read_report

    return read_report(corpus / excerpt.corpus_file).text[excerpt.start : excerpt.end]


def dev_gold(excerpts: Iterable[Excerpt], texts: dict[str, str], gold_dir: Path = DEV_GOLD) -> list[GoldRow]:
    rows: list[GoldRow] = []
    for excerpt in excerpts:
        cursor = 0
        with (gold_dir / f"{excerpt.excerpt_id}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append(_gold_row(row, excerpt.report, texts[excerpt.excerpt_id], row["kind"], cursor))
                cursor = rows[-1].statement.start
    return rows


def write_excerpt_reports(excerpts: list[Excerpt], texts: dict[str, str], destination: Path) -> Path:
    """Each excerpt as a report of its own, with a manifest."""
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    for excerpt in excerpts:
        (destination / excerpt.report).write_text(texts[excerpt.excerpt_id], encoding="utf-8")
    with (destination / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "district", "year"])
        writer.writerows([e.report, e.district, e.year] for e in excerpts)
    return destination


def predicted(warehouse: Path) -> list[Statement]:
    """Targets, results and the starting levels recorded on them, of a built warehouse, as statements."""
    query = """
        with statements as (
            select 'target' as kind, * exclude (target_id) from marts.fct_targets
            union all by name
            select 'result' as kind, * exclude (result_id) from marts.fct_results
        ),
        with_baselines as (
            select kind, report_id, char_start, char_end, value, multiplier, unit_code, comparator, firmness,
                domain_code
            from statements
            union all
            select 'baseline', report_id, char_start, char_end, baseline_value, baseline_multiplier, unit_code,
                'eq', 'plain', domain_code
            from statements where baseline_value is not null
        )
        select r.source_file, s.kind, s.char_start, s.char_end, cast(s.value as varchar), s.multiplier,
               u.symbol_zh, s.comparator, s.firmness, s.domain_code
        from with_baselines as s
        inner join marts.dim_report as r on s.report_id = r.report_id
        inner join marts.dim_unit as u on s.unit_code = u.unit_code
    """
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(query).fetchall()
    return [
        Statement(f, kind, s, e, Decimal(v) * Decimal(int(m)), unit, comp, firm, dom)
        for f, kind, s, e, v, m, unit, comp, firm, dom in rows
    ]


def _figure(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "—"


def report(
    title: str, gold_rows: list[GoldRow], statements: list[Statement], details: bool = False
) -> list[Scores]:
    print(f"\n{title}")
    print(f"{'kind':9} {'gold':>5} {'found':>6} {'match':>6} {'precision':>9} {'recall':>7} "
          f"{'comparator':>10} {'firmness':>8} {'domain':>7}")  # fmt: skip
    all_scores = []
    for kind in KINDS:
        s = score(gold_rows, statements, kind)
        all_scores.append(s)
        print(
            f"{kind:9} {s.gold:5} {s.predicted:6} {s.matched:6} {_figure(s.precision):>9} {_figure(s.recall):>7} "
            f"{_figure(s.comparator):>10} {_figure(s.firmness):>8} {_figure(s.domain):>7}"
        )
        if details:
            for miss in s.misses:
                print(f"    missed {kind}: {miss.clause}")
            for extra in s.extras:
                print(
                    f"    extra {kind}: {extra.report} [{extra.start}:{extra.end}] {extra.amount} {extra.unit}"
                )
            for row, found in s.wrong_domains:
                print(f"    domain {kind}: {row.clause} (gold {row.statement.domain}, found {found.domain})")
    return all_scores


def main() -> None:
    """``make eval``: build the bundled and the development-gold reports and print the figures."""
    from govtargets.pipeline import build
    from govtargets.settings import BUNDLED_REPORTS, WORK_ROOT
    from tests.corpus import CORPUS

    details = "--details" in sys.argv
    bundled = WORK_ROOT / "eval" / "bundled" / "govtargets.duckdb"
    build(BUNDLED_REPORTS, bundled, progress=lambda _: None)
    report("bundled gold (2 district excerpts)", bundled_gold(BUNDLED_REPORTS), predicted(bundled), details)
    if not CORPUS.exists():
        print(f"\ndevelopment gold: skipped, {CORPUS} not found (../shared is not part of the repository)")
        return
    excerpts = dev_excerpts()
    texts = {e.excerpt_id: excerpt_text(e, CORPUS) for e in excerpts}
    reports = write_excerpt_reports(excerpts, texts, WORK_ROOT / "eval" / "dev-reports")
    warehouse = WORK_ROOT / "eval" / "dev" / "govtargets.duckdb"
    build(reports, warehouse, keep_going=True, progress=lambda _: None)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for source, message in con.execute(
            "select source_file, message from marts.rpt_load_issues"
        ).fetchall():
            print(f"rejected {source}: {message}")
    gold_rows = dev_gold(excerpts, texts)
    report(f"development gold ({len(excerpts)} corpus excerpts, {len(gold_rows)} rows)", gold_rows,
           predicted(warehouse), details)  # fmt: skip


if __name__ == "__main__":
    from govtargets.pipeline import BuildError
    from loaders.errors import LoaderError

    try:
        main()
    except (BuildError, LoaderError, ValueError) as error:
        sys.exit(f"make eval: error: {error}")
