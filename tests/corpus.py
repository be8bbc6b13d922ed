"""The real-report corpus in ../shared/corpus as a reports folder the loaders accept.

The corpus is never committed: this copies it into a folder of the caller's and writes a manifest from
the file names (national/YYYY.txt → 全国, YYYY; provinces-2025/2025年<region>政府工作报告.docx).
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
_PROVINCE_FILE = re.compile(r"^(?P<year>\d{4})年(?P<region>.+?)政府工作报告\.docx$")
_PROVINCE_NAMES = {
    "宁夏": "宁夏回族自治区",
    "广西": "广西壮族自治区",
    "新疆": "新疆维吾尔自治区",
    "西藏": "西藏自治区",
}


def corpus_rows() -> list[dict[str, str]]:
    """Manifest rows (file, district, year, title) for every report in the corpus."""
    rows = []
    for path in sorted((CORPUS / "national").glob("*.txt")):
        rows.append({"file": f"national/{path.name}", "district": "全国", "year": path.stem,
                     "title": f"{path.stem}年国务院政府工作报告"})  # fmt: skip
    for path in sorted((CORPUS / "provinces-2025").glob("*.docx")):
        match = _PROVINCE_FILE.match(path.name)
        if match is None:
            continue
        region = _PROVINCE_NAMES.get(match["region"], match["region"])
        rows.append({"file": f"provinces-2025/{path.name}", "district": region, "year": match["year"],
                     "title": path.stem})  # fmt: skip
    return rows


def make_corpus_reports(destination: Path) -> Path:
    """Copy the corpus into destination with a manifest.csv; returns destination."""
    rows = corpus_rows()
    for row in rows:
        target = destination / row["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / row["file"], target)
    _write_manifest(destination, rows)
    return destination


def make_scaled_reports(destination: Path, copies: int) -> Path:
    """The corpus ``copies`` times over (78 × 13 = 1,014 reports), each copy byte-distinct so that it is a
    report of its own (its own sha256): a text copy ends in as many extra newlines as its number, a .docx
    copy carries its number as the zip comment. Returns destination."""
    rows = []
    for copy in range(copies):
        for row in corpus_rows():
            file = f"copy{copy:02d}/{row['file']}"
            target = destination / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(CORPUS / row["file"], target)
            mark_copy(target, copy)
            rows.append(row | {"file": file})
    _write_manifest(destination, rows)
    return destination


def mark_copy(path: Path, copy: int) -> None:
    """Make path's bytes distinct for copy number ``copy`` without changing what it says."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path, "a") as package:
            package.comment = f"copy {copy}".encode()
    else:
        with path.open("ab") as handle:
            handle.write(b"\n" * copy)


def _write_manifest(destination: Path, rows: list[dict[str, str]]) -> None:
    with (destination / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "district", "year", "title"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """``python -m tests.corpus DEST``: lay the corpus out as a reports folder in DEST."""
    import sys

    if not CORPUS.exists():
        sys.exit(f"{CORPUS} not found: the corpus lives in ../shared and is never committed")
    destination = Path(sys.argv[1])
    shutil.rmtree(destination, ignore_errors=True)
    print(f"{len(corpus_rows())} reports in {make_corpus_reports(destination)}")


if __name__ == "__main__":
    main()
