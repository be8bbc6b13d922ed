"""Turn reports into the rows of the extracted seed tables.

One report gives one ``reports`` row and its ``sections``, ``sentences`` and ``quantities`` rows. Keys
are hashes of stable content (the report's sha256 and character offsets), never row numbers, so a
rebuild gives the same keys and adding a report changes no other report's rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from operator import attrgetter, itemgetter

from loaders.errors import LoadIssue
from loaders.manifest import ManifestEntry
from loaders.quantities import Quantity, find_quantities
from loaders.read import ReportText, read_report
from loaders.seeds import render_csv
from loaders.segment import Section, Sentence, segment
from loaders.vocab import Vocabulary

TABLES: dict[str, tuple[str, ...]] = {
    "reports": (
        "report_id", "source_file", "district_code", "report_year", "title", "source_url",
        "encoding", "script", "char_count", "sha256", "report_text",
    ),
    "sections": (
        "section_id", "report_id", "section_no", "parent_section_id", "heading_level", "marker",
        "ordinal", "section_path", "title", "char_start", "char_end", "statement_kind",
    ),
    "sentences": (
        "sentence_id", "report_id", "sentence_no", "section_id", "paragraph_no", "char_start",
        "char_end", "sentence_text", "statement_kind", "kind_evidence", "lead_text", "in_main_targets",
    ),
    "quantities": (
        "quantity_id", "report_id", "sentence_id", "item_no", "char_start", "char_end",
        "clause_text", "span_start", "span_end", "number_text", "value", "value_upper",
        "multiplier_text", "numeral_kind", "unit_text", "comparator_before", "comparator_after",
        "approx_infix", "firmness_cue", "measure_cue", "base_cue", "distribution", "indicator",
        "baseline_number_text", "baseline_value", "baseline_multiplier_text",
    ),
    "rejected_inputs": ("source_file", "line", "message"),
}  # fmt: skip


def hashed_id(key: str) -> str:
    """The stable id of a key: its parts (the report's id and offsets) joined with |, written as an
    f-string (tens of thousands a run). The committed seeds pin the ids (``govtargets extract --check``)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _decimal(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class ExtractedReport:
    """The rows of one report, per table."""

    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


def _quantity_row(
    report_id: str, sentence_ids: dict[int, str], text: str, quantity: Quantity
) -> dict[str, object]:
    return {
        "quantity_id": hashed_id(f"{report_id}|{quantity.start}|{quantity.end}|{quantity.item_no}"),
        "report_id": report_id,
        "sentence_id": sentence_ids[quantity.sentence_no],
        "item_no": quantity.item_no,
        "char_start": quantity.clause_start,
        "char_end": quantity.clause_end,
        "clause_text": text[quantity.clause_start : quantity.clause_end],
        "span_start": quantity.start,
        "span_end": quantity.end,
        "number_text": quantity.number_text,
        "value": _decimal(quantity.value),
        "value_upper": _decimal(quantity.value_upper),
        "multiplier_text": quantity.multiplier_text,
        "numeral_kind": quantity.numeral_kind,
        "unit_text": quantity.unit_text,
        "comparator_before": quantity.comparator_before,
        "comparator_after": quantity.comparator_after,
        "approx_infix": quantity.approx_infix,
        "firmness_cue": quantity.firmness_cue,
        "measure_cue": quantity.measure_cue,
        "base_cue": quantity.base_cue,
        "distribution": quantity.distribution,
        "indicator": quantity.indicator,
        "baseline_number_text": quantity.baseline_number_text,
        "baseline_value": _decimal(quantity.baseline_value),
        "baseline_multiplier_text": quantity.baseline_multiplier_text,
    }


# Seed column names of the fields of a Section or Sentence that are not already named so.
_COLUMN_NAMES = {
    "start": "char_start", "end": "char_end", "kind": "statement_kind", "level": "heading_level",
    "path": "section_path", "lead": "lead_text",
}  # fmt: skip


# The seed columns of a section's fields, in field order, and a getter of those fields' values.
_SECTION_COLUMNS = tuple(_COLUMN_NAMES.get(f.name, f.name) for f in fields(Section))
_section_values = attrgetter(*(f.name for f in fields(Section)))


def _columns_of(section: Section) -> dict[str, object]:
    """A section's fields under their seed column names (the writer keeps the table's). Its fields are
    plain values, so they are read as they are (``asdict`` would deep-copy each one), all at once by one
    attrgetter."""
    return dict(zip(_SECTION_COLUMNS, _section_values(section), strict=True))


def _sentence_row(
    sentence: Sentence, report_id: str, sentence_id: str, section_id: str | None, text: str
) -> dict[str, object]:
    """A sentence's row: its fields under their seed column names (as _COLUMN_NAMES names them), then its
    keys and text. Written out as one dict display: a report has thousands of sentences, and this builds a
    row in a third of the time that zipping the fields' names and values and five assignments take."""
    return {
        "no": sentence.no,
        "section_no": sentence.section_no,
        "paragraph_no": sentence.paragraph_no,
        "char_start": sentence.start,
        "char_end": sentence.end,
        "statement_kind": sentence.kind,
        "kind_evidence": sentence.kind_evidence,
        "lead_text": sentence.lead,
        "in_main_targets": sentence.in_main_targets,
        "sentence_id": sentence_id,
        "report_id": report_id,
        "sentence_no": sentence.no,
        "section_id": section_id,
        "sentence_text": text[sentence.start : sentence.end],
    }


def extract_text(entry: ManifestEntry, report: ReportText, sha256: str, vocab: Vocabulary) -> ExtractedReport:
    """The rows of one decoded report."""
    report_id = sha256[:16]
    text = report.text
    segmentation = segment(report.normalized, entry.year, vocab)
    section_ids = {s.no: hashed_id(f"{report_id}|section|{s.start}|{s.level}") for s in segmentation.sections}
    sentence_ids = {
        s.no: hashed_id(f"{report_id}|sentence|{s.start}|{s.end}") for s in segmentation.sentences
    }
    quantities = find_quantities(report.normalized, segmentation, vocab)
    extracted = ExtractedReport()
    extracted.rows["reports"] = [
        {
            "report_id": report_id,
            "source_file": entry.file,
            "district_code": entry.district_code,
            "report_year": entry.year,
            "title": entry.title,
            "source_url": entry.source_url,
            "encoding": report.encoding,
            "script": report.script,
            "char_count": len(text),
            "sha256": sha256,
            "report_text": text,
        }
    ]
    extracted.rows["sections"] = [
        _columns_of(s)
        | {"section_id": section_ids[s.no], "report_id": report_id, "section_no": s.no}
        | {"parent_section_id": section_ids[s.parent_no] if s.parent_no else None}
        for s in segmentation.sections
    ]
    extracted.rows["sentences"] = [
        _sentence_row(
            s, report_id, sentence_ids[s.no], section_ids[s.section_no] if s.section_no else None, text
        )
        for s in segmentation.sentences
    ]
    extracted.rows["quantities"] = [_quantity_row(report_id, sentence_ids, text, q) for q in quantities]
    return extracted


def extract_report(entry: ManifestEntry, vocab: Vocabulary) -> ExtractedReport:
    """Read and extract one report; raises LoaderError naming the file when it cannot be loaded."""
    report = read_report(entry.path, entry.data)
    return extract_text(entry, report, entry.sha256, vocab)


# The order of each table's rows, so that the files are byte-identical from run to run. Every table but
# reports is ordered by report_id first, so one report's rows are one run of lines in its file.
_ROW_ORDER = {
    "reports": ("source_file",),
    "sections": ("report_id", "char_start", "heading_level"),
    "sentences": ("report_id", "char_start"),
    "quantities": ("report_id", "span_start", "item_no"),
}
# The tables a report has lines of (``RenderedReport.lines``); rejected inputs belong to no report.
REPORT_TABLES = frozenset(_ROW_ORDER)


@dataclass(frozen=True)
class RenderedReport:
    """One report as the seed files hold it: per table, its CSV lines (no header) in key order, and the
    counts a build's summary shows. This is what workers return and the extraction cache keeps: joining
    lines is all a build does with a report it has seen before."""

    source_file: str
    report_id: str
    lines: dict[str, str]
    targets: int  # quantities in plan sentences
    results: int  # quantities in review sentences
    sections: int
    sentences: int


def render_report(report: ExtractedReport) -> RenderedReport:
    (row,) = report.rows["reports"]
    lines = {}
    for name, rows in report.rows.items():
        ordered = sorted(rows, key=itemgetter(*_ROW_ORDER[name]))
        lines[name] = render_csv(TABLES[name], ordered, header=False)
    kind_of = {row["sentence_id"]: row["statement_kind"] for row in report.rows["sentences"]}
    kinds = [kind_of[quantity["sentence_id"]] for quantity in report.rows["quantities"]]
    return RenderedReport(
        source_file=str(row["source_file"]),
        report_id=str(row["report_id"]),
        lines=lines,
        targets=kinds.count("plan"),
        results=kinds.count("review"),
        sections=report.count("sections"),
        sentences=report.count("sentences"),
    )


def seed_files(reports: Iterable[RenderedReport], issues: Sequence[LoadIssue]) -> dict[str, str]:
    """The content of every extracted seed file: the header, then each report's lines in row order."""
    by_report = sorted(reports, key=lambda r: r.report_id)
    files = {
        name: render_csv(TABLES[name], [])
        + "".join(
            r.lines[name]
            for r in (sorted(by_report, key=lambda r: r.source_file) if name == "reports" else by_report)
        )
        for name in _ROW_ORDER
    }
    files["rejected_inputs"] = render_csv(
        TABLES["rejected_inputs"],
        [
            {"source_file": i.source, "line": i.line, "message": i.message}
            for i in sorted(issues, key=lambda i: (i.source, i.line or 0, i.message))
        ],
    )
    return files
