"""``govtargets site``: the explorer, a static site of a warehouse.

Plain files that open from ``file://`` and from any static host: an index (counts, reports by region and
year, filters, charts), one page per report with every statement highlighted in its text, one page per
canonical indicator, and the dbt docs. Nothing is fetched: the pages' data is in the pages or in scripts
beside them, and the chart library is copied from the project's own npm packages. The site is written to
a folder beside ``out_dir`` and renamed into place, so a failure leaves the site that was there.

Every site carries a marker file (``.govtargets-site``), and ``out_dir`` is replaced only when it is a
folder with that marker, an empty folder, or none at all: a folder of someone's own is refused, and so is
a symbolic link, which is never followed. Every folder and file of the site, its root too, has the mode
the umask gives (the site is made with mkdir and plain writes, never copied with its source's mode).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import jinja2

from govtargets.processes import pid_alive
from govtargets.publish import check_warehouse_name
from govtargets.settings import PROJECT_DIR
from govtargets.site.data import Row, Warehouse, read_warehouse
from govtargets.site.docs import generate_docs
from govtargets.site.highlight import render_text
from loaders.errors import LoaderError

HERE = Path(__file__).resolve().parent
CHART_JS = PROJECT_DIR / "node_modules" / "chart.js"
# The marker of a folder this command wrote: a small regular file; its "written_by" is checked.
MARKER = ".govtargets-site"
WRITTEN_BY = "govtargets site"
MARKER_CONTENT = {
    "written_by": WRITTEN_BY,
    "note": "the next `govtargets site` here replaces this folder whole",
}
MARKER_MAX_BYTES = 4096
KIND_LABELS = {"target": "目标 target", "result": "成果 result"}
# The fields the index's filters and tables use, per statement.
_INDEX_FIELDS = (
    "kind", "statement_id", "report_id", "district_code", "report_year", "domain_code", "firmness",
    "indicator", "value_text", "unit_as_written", "indicator_code", "attainment", "clause",
)  # fmt: skip


class SiteError(LoaderError):
    """The site cannot be written; whatever site was there is unchanged."""


@dataclass(frozen=True)
class SiteSummary:
    out_dir: Path
    reports: int
    indicators: int
    statements: int
    seconds: float


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _json(value: object) -> str:
    """JSON safe inside a <script> element: no "<" at all, so no text can end the element or open a
    comment or script in it."""
    return json.dumps(value, ensure_ascii=False, default=_plain, separators=(",", ":")).replace(
        "<", "\\u003c"
    )


def _number(value: object) -> str:
    if value is None:
        return ""
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def _range_text(low: object, high: object) -> str:
    """A value, or a range (5–6) when it has an upper bound."""
    return f"{_number(low)}–{_number(high)}" if high is not None else _number(low)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _index_data(warehouse: Warehouse) -> dict[str, object]:
    names = {row["district_code"]: row for row in warehouse.reports}
    return {
        "reports": [
            {key: row[key] for key in ("report_id", "district_code", "report_year", "title", "source_file")}
            for row in warehouse.reports
        ],
        "districts": {
            code: {"name_zh": row["district_name_zh"], "name_en": row["district_name_en"]}
            for code, row in names.items()
        },
        "statements": [{key: row[key] for key in _INDEX_FIELDS} for row in warehouse.statements],
        "domains": warehouse.domains,
        "indicators": warehouse.indicators,
        "series": warehouse.series,
        "cascade": warehouse.cascade,
    }


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def _write_pages(warehouse: Warehouse, folder: Path) -> None:
    env = _environment()
    stamp = f"govtargets · {len(warehouse.reports)} 报告 reports"
    for row in warehouse.statements:
        row["value_text"] = _range_text(row["value"], row["value_upper"])
    counts = {
        "reports": len(warehouse.reports),
        "targets": sum(row["kind"] == "target" for row in warehouse.statements),
        "results": sum(row["kind"] == "result" for row in warehouse.statements),
        "checked": sum(row["attainment"] not in (None, "unknown") for row in warehouse.statements),
    }
    common = {"generated": stamp}
    _write(
        folder / "index.html",
        env.get_template("index.html").render(
            root="", title_zh="政府工作报告目标", title_en="Targets of government work reports",
            counts=counts, indicators=warehouse.indicators, **common,
        ),
    )  # fmt: skip
    _write(folder / "data" / "index.js", f"window.GOVTARGETS = {_json(_index_data(warehouse))};\n")
    sections: dict[str, list[Row]] = {}
    for section in warehouse.sections:
        sections.setdefault(str(section["report_id"]), []).append(section)
    report_page = env.get_template("report.html")
    for report in warehouse.reports:
        report_id = str(report["report_id"])
        statements = warehouse.statements_of(report_id)
        own_sections = sections.get(report_id, [])
        anchors = [(int(str(s["char_start"])), f"sec-{s['section_no']}") for s in own_sections]
        _write(
            folder / "reports" / f"{report_id}.html",
            report_page.render(
                root="../", title_zh=report["title"] or report["source_file"],
                title_en=f"{report['district_name_en']} {report['report_year']}", report=report,
                sections=own_sections, statements=statements, kind_labels=KIND_LABELS,
                text_html=render_text(warehouse.texts[report_id], statements, anchors),
                statements_json=_json({str(s["statement_id"]): s for s in statements}), **common,
            ),
        )  # fmt: skip
    indicator_page = env.get_template("indicator.html")
    for indicator in warehouse.indicators:
        series = [row for row in warehouse.series if row["indicator_code"] == indicator["indicator_code"]]
        for row in series:
            row["target_text"] = _range_text(row["target_value"], row["target_value_upper"])
        _write(
            folder / "indicators" / f"{indicator['indicator_code']}.html",
            indicator_page.render(
                root="../", title_zh=indicator["name_zh"], title_en=indicator["name_en"],
                indicator=indicator, series=series, series_json=_json(series), **common,
            ),
        )  # fmt: skip


def _copy_assets(folder: Path) -> None:
    """The site's scripts and styles, and Chart.js: copied as plain files, so they take the umask's mode."""
    assets = folder / "assets"
    assets.mkdir()
    for source in sorted((HERE / "assets").iterdir()):
        shutil.copyfile(source, assets / source.name)
    script = CHART_JS / "dist" / "chart.umd.min.js"
    if not script.is_file():
        raise SiteError(
            str(script), "not found: install the project's npm packages first (`npm ci`; make site does)"
        )
    shutil.copyfile(script, assets / "chart.umd.min.js")
    shutil.copyfile(CHART_JS / "LICENSE.md", assets / "chart.js-LICENSE.md")


def _is_site(folder: Path) -> bool:
    """Whether ``folder`` carries this command's marker: a regular file (no link, no folder, no FIFO: it
    is opened without following a link or blocking) naming it."""
    try:
        descriptor = os.open(folder / MARKER, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MARKER_MAX_BYTES:
            return False
        data = os.read(descriptor, MARKER_MAX_BYTES + 1)
    except OSError:
        return False
    finally:
        os.close(descriptor)
    try:
        content = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, not text, or nested too deep
        return False
    return isinstance(content, dict) and content.get("written_by") == WRITTEN_BY


def _check_out(out_dir: Path) -> None:
    """Refuse an ``out_dir`` this command may not replace: it takes a missing or empty folder, or a site
    it wrote (one with the marker)."""
    if not out_dir.name:
        raise SiteError(
            str(out_dir), "is the root of the filesystem: name a new or empty folder for the site"
        )
    if out_dir.is_symlink():
        raise SiteError(
            str(out_dir),
            f"is a symbolic link (to {os.readlink(out_dir)}): name a folder itself; no link is followed",
        )
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise SiteError(str(out_dir), "is a file, not a folder: name a new or empty folder for the site")
    if any(out_dir.iterdir()) and not _is_site(out_dir):
        raise SiteError(
            str(out_dir),
            f"is a folder this command did not write (it has no {MARKER} file): name a new or empty folder",
        )


def _make_staging(out_dir: Path) -> Path:
    """A new folder beside ``out_dir`` for the site. Made by mkdir, so its mode follows the umask, as the
    folders inside it do (tempfile.mkdtemp's is 0700, which a web server running as another user cannot
    read)."""
    staged = out_dir.with_name(f".{out_dir.name}.new-{os.getpid()}-{secrets.token_hex(6)}")
    staged.mkdir()
    return staged


def _discard(folder: Path) -> None:
    """Remove a folder this command wrote, its marker last: a run killed meanwhile leaves a folder the
    next run still knows as its own. Errors are ignored: that next run removes what is left."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.name == MARKER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        (folder / MARKER).unlink(missing_ok=True)
        folder.rmdir()


def _replace(staged: Path, out_dir: Path) -> None:
    """Put the staged site where out_dir is, by renames: the old site is moved aside, then removed."""
    _check_out(out_dir)  # again: out_dir may have changed while the site was written
    if not out_dir.exists():
        os.replace(staged, out_dir)
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{staged.name.rsplit('-', 1)[-1]}")
    os.replace(out_dir, old)
    os.replace(staged, out_dir)
    _discard(old)


def _left_by_this_command(folder: Path) -> bool:
    """A real folder (no link) that carries the marker, or an empty one (a run killed as it began)."""
    return folder.is_dir() and not folder.is_symlink() and (_is_site(folder) or not any(folder.iterdir()))


def _remove_stale(out_dir: Path) -> None:
    """Folders a killed run of this command left beside out_dir: named with its pid, and its own by
    ``_left_by_this_command``. Anything else of that name stays, and so does a live run's folder."""
    name = re.compile(rf"\.{re.escape(out_dir.name)}\.(?:new|old)-(\d+)-\w+")
    for entry in out_dir.parent.iterdir():
        match = name.fullmatch(entry.name)
        if match and not pid_alive(int(match[1])) and _left_by_this_command(entry):
            _discard(entry)


def build_site(warehouse: Path, out_dir: Path) -> SiteSummary:
    """Write the explorer of ``warehouse`` into ``out_dir`` (replacing a site there only once it is whole).

    ``out_dir`` is taken as an absolute path without "." or ".." parts (made so by its text, as
    os.path.abspath does), so that "." is the current folder by its name, with a folder to stage beside.
    """
    started = time.perf_counter()
    out_dir = Path(os.path.abspath(out_dir))
    if not warehouse.is_file():
        raise SiteError(
            str(warehouse),
            "no warehouse there: build one first (`make warehouse`) or name it with --warehouse",
        )
    check_warehouse_name(warehouse)  # dbt docs work on a copy of the same name
    _check_out(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out_dir)
    staged = _make_staging(out_dir)
    try:
        (staged / MARKER).write_text(
            json.dumps(MARKER_CONTENT) + "\n", encoding="utf-8"
        )  # first: the folder is its own
        scratch = staged / ".docs-work"  # the warehouse copy dbt works on; removed before the site is whole
        scratch.mkdir()
        (staged / "docs").mkdir()
        docs_error: list[BaseException] = []

        def docs() -> None:
            try:
                generate_docs(warehouse, scratch, staged / "docs" / "index.html")
            except BaseException as error:  # reported by the main thread
                docs_error.append(error)

        worker = threading.Thread(target=docs, name="dbt docs")
        worker.start()  # dbt runs as a process of its own while the pages are written
        try:
            data = read_warehouse(warehouse)
            _write_pages(data, staged)
            _copy_assets(staged)
        finally:
            worker.join()
        if docs_error:
            raise docs_error[0]
        shutil.rmtree(scratch)
        _replace(staged, out_dir)
    except BaseException:
        _discard(staged)
        raise
    return SiteSummary(
        out_dir=out_dir,
        reports=len(data.reports),
        indicators=len(data.indicators),
        statements=len(data.statements),
        seconds=time.perf_counter() - started,
    )
