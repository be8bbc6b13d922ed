"""The explorer in a real browser: Debian's Chromium, driven by Playwright, loads the pages from file://
with no network. `make test` installs Chromium when it is absent (see the Makefile), so these run there."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

from govtargets.cli import main
from govtargets.site.build import SiteError, build_site

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("GOVTARGETS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "build" / "site-screenshots"
# As the machine's notes say: without the background-networking flags Chromium tries to reach Google's
# hosts at start, which would count as network requests.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
]  # fmt: skip


@pytest.fixture(scope="module")
def site(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "explorer"
    build_site(fixture_warehouse, out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} not found: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class _Visit:
    """A page opened from file://, with what it logged and what it requested beyond its own files."""

    def __init__(self, browser: Browser, path: Path) -> None:
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors: list[str] = []
        self.network: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", self._request)
        started = time.perf_counter()
        self.page.goto(path.as_uri(), wait_until="load")
        self.seconds = time.perf_counter() - started

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request: Request) -> None:
        if not request.url.startswith(("file://", "data:", "blob:")):
            self.network.append(request.url)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def _statement_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select report_id, count(*) from (select report_id from marts.fct_targets "
            "union all select report_id from marts.fct_results) group by report_id"
        ).fetchall()
    return {str(report): int(count) for report, count in rows}


def test_the_index_loads_clean_with_its_counts_and_charts(
    site: Path, browser: Browser, fixture_warehouse: Path
) -> None:
    visit = _Visit(browser, site / "index.html")
    assert visit.errors == []
    assert visit.network == []
    counts = _statement_counts(fixture_warehouse)
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        (targets,) = con.execute("select count(*) from marts.fct_targets").fetchone() or (0,)
    assert visit.page.inner_text("#count-reports") == str(len(counts))
    assert visit.page.inner_text("#count-targets") == str(targets)
    for chart in ("chart-domains", "chart-series", "chart-cascade"):
        assert visit.page.evaluate(f"Chart.getChart('{chart}').data.datasets.length") > 0, chart
    links = visit.page.locator("#reports-table a").count()
    assert links == len(counts)
    visit.screenshot("index.png")

    # a filter narrows the statements table to one region
    region = visit.page.locator("#filter-region option").nth(1).get_attribute("value")
    visit.page.select_option("#filter-region", region)
    shown = visit.page.locator("#statements-table tr").count() - 1
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        (expected,) = con.execute(
            "select count(*) from (select district_code from marts.fct_targets union all "
            "select district_code from marts.fct_results) where district_code = ?",
            [region],
        ).fetchone() or (0,)
    assert shown == expected > 0
    visit.screenshot("index-filtered.png")
    visit.page.close()


def test_every_statement_is_highlighted_and_a_click_shows_its_fields(
    site: Path, browser: Browser, fixture_warehouse: Path
) -> None:
    counts = _statement_counts(fixture_warehouse)
    assert counts
    for report_id, count in counts.items():
        visit = _Visit(browser, site / "reports" / f"{report_id}.html")
        assert visit.errors == []
        assert visit.network == []
        assert visit.page.locator("[data-statement-id]").count() == count, report_id
        visit.page.close()

    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        report_id, target_id, value, unit = con.execute(
            "select report_id, target_id, value, unit_as_written from marts.fct_targets "
            "where unit_as_written is not null order by report_id, char_start limit 1"
        ).fetchone() or ("", "", 0, "")
    visit = _Visit(browser, site / "reports" / f"{report_id}.html")
    mark = visit.page.locator(f'mark[data-statement-id="{target_id}"]')
    mark.click()
    details = visit.page.locator("#details")
    assert details.get_attribute("data-shown") == target_id
    text = details.inner_text()
    assert f"{float(value):g}" in text
    assert unit in text
    assert visit.page.locator("[data-statement-id]").count() == counts[report_id]  # the panel adds none
    visit.screenshot("report-clicked.png")
    mark.hover()
    assert visit.page.locator(".tooltip").is_visible()
    visit.page.close()


def test_the_outline_and_the_table_link_into_the_text(
    site: Path, browser: Browser, fixture_warehouse: Path
) -> None:
    report_id = max(_statement_counts(fixture_warehouse).items(), key=lambda item: item[1])[0]
    visit = _Visit(browser, site / "reports" / f"{report_id}.html")
    outline = visit.page.locator(".outline a")
    assert outline.count() > 0
    for link in outline.all():
        anchor = (link.get_attribute("href") or "").removeprefix("#")
        assert visit.page.locator(f"#{anchor}").count() == 1
    rows = visit.page.locator("#report-statements tbody a")
    assert rows.count() == visit.page.locator("[data-statement-id]").count()
    last = rows.last
    target = (last.get_attribute("href") or "").removeprefix("#st-")
    last.click()
    expect(visit.page.locator("#details")).to_have_attribute("data-shown", target)
    visit.page.close()


def test_indicator_pages_and_the_docs_load_clean(site: Path, browser: Browser) -> None:
    pages = sorted((site / "indicators").glob("*.html"))
    assert len(pages) > 30
    visit = _Visit(browser, site / "indicators" / "gdp_growth.html")
    assert visit.errors == [] and visit.network == []
    assert visit.page.evaluate("Chart.getChart('chart-indicator').data.labels.length") > 0
    visit.screenshot("indicator.png")
    visit.page.close()
    docs = (site / "docs" / "index.html").read_text(encoding="utf-8")
    assert "fct_targets" in docs and "int_quantity_domains" in docs


def test_the_command_replaces_a_site_only_when_the_new_one_is_whole(
    site: Path, fixture_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(site, out)
    before = (out / "index.html").read_bytes()
    assert main(["site", "--warehouse", str(tmp_path / "missing.duckdb"), str(out)]) == 1
    assert "missing.duckdb: no warehouse there" in capsys.readouterr().err
    assert (out / "index.html").read_bytes() == before
    assert main(["site", "--warehouse", str(fixture_warehouse), str(out)]) == 0
    assert "report pages" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing staged is left behind


def test_a_starting_level_is_marked_in_its_own_style(
    site: Path, browser: Browser, fixture_warehouse: Path
) -> None:
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        baselines = con.execute(
            "select report_id, target_id, baseline_value from marts.fct_targets where baseline_value is not null"
        ).fetchall()
    assert baselines, "the fixture reports state a starting level (从5.8%提高到6.2%)"
    for report_id, target_id, baseline in baselines:
        visit = _Visit(browser, site / "reports" / f"{report_id}.html")
        mark = visit.page.locator(f'mark.st-baseline[data-baseline-of="{target_id}"]')
        assert mark.count() == 1
        assert f"{float(baseline):g}" in mark.inner_text()
        assert mark.inner_text() != visit.page.locator(f'mark[data-statement-id="{target_id}"]').inner_text()
        visit.page.close()


def test_what_a_killed_run_left_beside_the_site_is_removed(
    site: Path, fixture_warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = [tmp_path / f".out.new-{dead.pid}-abc123", tmp_path / f".out.old-{dead.pid}-def456"]
    running = tmp_path / f".out.new-{os.getpid()}-ghi789"  # this process is alive: its folder stays
    for folder in [*left, running]:
        folder.mkdir()
    shutil.copytree(site, tmp_path / f".out.old-{dead.pid}-jkl012")  # a whole site moved aside
    left.append(tmp_path / f".out.old-{dead.pid}-jkl012")
    # named like a left folder, but not one this command wrote: they stay, and so does what they hold
    mine = _user_project(tmp_path / f".out.old-{dead.pid}-mine")
    (tmp_path / f".out.new-{dead.pid}-link").symlink_to(_user_project(tmp_path / "elsewhere"))
    (tmp_path / f".out.new-{dead.pid}-file").write_text("a file\n", encoding="utf-8")
    kept = {name: _tree(tmp_path / name) for name in (mine.name, "elsewhere")}
    build_site(fixture_warehouse, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            "out",
            running.name,
            mine.name,
            "elsewhere",
            f".out.new-{dead.pid}-link",
            f".out.new-{dead.pid}-file",
        ]
    )
    assert {name: _tree(tmp_path / name) for name in kept} == kept


def _tree(root: Path) -> dict[str, object]:
    """Every path under ``root`` with what it is: a link's target, a file's bytes, or a folder."""
    tree: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            tree[name] = ("link", os.readlink(path))
        elif path.is_file():
            tree[name] = path.read_bytes()
        elif path.is_fifo():
            tree[name] = "fifo"
        else:
            tree[name] = "folder"
    return tree


def _user_project(folder: Path) -> Path:
    """A folder of someone's own: an index.html, a warehouse, notes."""
    (folder / "warehouse").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>my project</h1>\n", encoding="utf-8")
    (folder / "warehouse" / "govtargets.duckdb").write_bytes(b"my warehouse")
    (folder / "notes.txt").write_text("keep me\n", encoding="utf-8")
    return folder


def _refused(
    argv_out: str, fixture_warehouse: Path, capsys: pytest.CaptureFixture[str], shown: Path, why: str
) -> None:
    """The command exits 1 with one line naming ``shown`` and saying ``why``, and prints nothing else."""
    assert main(["site", "--warehouse", str(fixture_warehouse), argv_out]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith(f"govtargets: error: {shown}: "), captured.err
    assert why in captured.err


def _someone_elses(out: Path, site: Path) -> None:
    _user_project(out)


def _marker_is_a_folder(out: Path, site: Path) -> None:
    shutil.copytree(site, out)
    (out / ".govtargets-site").unlink()
    (out / ".govtargets-site").mkdir()


def _marker_is_a_link(out: Path, site: Path) -> None:
    shutil.copytree(site, out)
    (out / ".govtargets-site").unlink()
    (out / ".govtargets-site").symlink_to(site / ".govtargets-site")


def _marker_is_someone_elses(out: Path, site: Path) -> None:
    _user_project(out)
    (out / ".govtargets-site").write_text("my own notes on govtargets sites\n", encoding="utf-8")


def _marker_is_a_fifo(out: Path, site: Path) -> None:
    shutil.copytree(site, out)
    (out / ".govtargets-site").unlink()
    os.mkfifo(out / ".govtargets-site")  # read without O_NONBLOCK, it would wait for a writer forever


def _marker_nests_too_deep(out: Path, site: Path) -> None:
    _user_project(out)
    (out / ".govtargets-site").write_text("[" * 4000, encoding="utf-8")  # json.loads: RecursionError


@pytest.mark.parametrize(
    "make_out",
    [
        _someone_elses,
        _marker_is_a_folder,
        _marker_is_a_link,
        _marker_is_someone_elses,
        _marker_is_a_fifo,
        _marker_nests_too_deep,
    ],
    ids=lambda make: make.__name__.strip("_"),
)
def test_a_folder_the_command_did_not_write_is_refused_and_left_as_it_was(
    make_out: Callable[[Path, Path], None],
    site: Path,
    fixture_warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "project"
    make_out(out, site)
    before = _tree(tmp_path)
    _refused(str(out), fixture_warehouse, capsys, out, "did not write")
    assert _tree(tmp_path) == before


def test_a_file_or_a_symbolic_link_is_refused_and_left_as_it_was(
    site: Path, fixture_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _user_project(tmp_path / "mine")
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "to-mine").symlink_to(mine)
    (tmp_path / "to-a-site").symlink_to(site)  # even a site this command wrote: never through a link
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    site_before = _tree(site)
    before = _tree(tmp_path)
    _refused(str(tmp_path / "a-file"), fixture_warehouse, capsys, tmp_path / "a-file", "is a file")
    for link in ("to-mine", "to-a-site", "dangling"):
        _refused(str(tmp_path / link), fixture_warehouse, capsys, tmp_path / link, "is a symbolic link")
    assert _tree(tmp_path) == before
    assert _tree(site) == site_before


def test_the_current_folder_and_the_root_are_refused(
    fixture_warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = _user_project(tmp_path / "project")
    before = _tree(tmp_path)
    monkeypatch.chdir(project)
    _refused(".", fixture_warehouse, capsys, project, "did not write")
    _refused(f"../{project.name}/warehouse/..", fixture_warehouse, capsys, project, "did not write")
    _refused("/", fixture_warehouse, capsys, Path("/"), "root")
    assert _tree(tmp_path) == before
    with pytest.raises(SiteError, match="did not write"):
        build_site(fixture_warehouse, project)
    assert _tree(tmp_path) == before


def test_an_empty_folder_is_used_and_a_site_the_command_wrote_is_replaced(
    fixture_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert main(["site", "--warehouse", str(fixture_warehouse), str(out)]) == 0
    assert "report pages" in capsys.readouterr().out
    marker = out / ".govtargets-site"
    assert marker.is_file() and not marker.is_symlink()
    assert json.loads(marker.read_text(encoding="utf-8"))["written_by"] == "govtargets site"
    (out / "reports" / "an-older-report.html").write_text("<p>old</p>\n", encoding="utf-8")
    build_site(fixture_warehouse, out)
    assert not (out / "reports" / "an-older-report.html").exists()
    assert (out / "index.html").is_file() and marker.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask 022", "umask 027"])
def test_the_site_and_its_root_follow_the_umask(
    umask: int, fixture_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    previous = os.umask(umask)
    try:
        build_site(fixture_warehouse, out)  # a new folder
        modes = _modes(out)
        assert main(["site", "--warehouse", str(fixture_warehouse), str(out)]) == 0  # replacing it
        assert _modes(out) == modes
    finally:
        os.umask(previous)
    capsys.readouterr()
    assert modes[""] == 0o777 & ~umask
    assert set(modes.values()) == {0o777 & ~umask, 0o666 & ~umask}  # every folder, every file


def _modes(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)) if path != root else "": stat.S_IMODE(path.lstat().st_mode)
        for path in [root, *root.rglob("*")]
    }


@pytest.mark.parametrize("name", ["it's.duckdb", "a#b.duckdb", ".hidden.duckdb"])
def test_a_warehouse_name_dbt_cannot_take_is_refused_before_any_work(
    name: str, fixture_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / name
    shutil.copyfile(fixture_warehouse, warehouse)
    out = tmp_path / "site"
    assert main(["site", "--warehouse", str(warehouse), str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith(f"govtargets: error: {warehouse}: the file name"), captured.err
    assert not out.exists()
