from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from loaders.errors import LoaderError, LoadIssue
from loaders.manifest import Manifest, ManifestEntry, read_manifest
from loaders.regions import RegionIndex, default_regions_path

REPO_REPORTS = Path(__file__).resolve().parents[2] / "reports"
HEADER = "file,district,year,title,source_url"
THREE_FILES = {"a.txt": "x", "b.txt": "y", "c.txt": "z"}


@pytest.fixture(scope="module")
def regions() -> RegionIndex:
    return RegionIndex.from_csv(default_regions_path())


def make_reports(folder: Path, manifest: str | bytes, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    data = manifest if isinstance(manifest, bytes) else manifest.encode("utf-8")
    (folder / "manifest.csv").write_bytes(data)
    return folder


def read(folder: Path, manifest: str | bytes, files: dict[str, str], regions: RegionIndex) -> Manifest:
    return read_manifest(make_reports(folder, manifest, files), regions)


def only_issue(manifest: Manifest) -> LoadIssue:
    assert len(manifest.issues) == 1, manifest.issues
    return manifest.issues[0]


def only_entry(manifest: Manifest) -> ManifestEntry:
    assert manifest.issues == []
    (entry,) = manifest.entries
    return entry


def test_the_bundled_manifest_reads_without_issues(regions: RegionIndex) -> None:
    manifest = read_manifest(REPO_REPORTS, regions)
    assert manifest.issues == []
    by_file = {entry.file: entry for entry in manifest.entries}
    assert by_file["futian-2023-excerpt.txt"].district_code == "440304"
    assert by_file["luohu-2023-excerpt.txt"].district_code == "440303"
    assert {entry.year for entry in manifest.entries} == {2023}


def test_a_valid_row_becomes_an_entry(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(
        tmp_path,
        f"{HEADER},note\na.txt,广东省深圳市南山区,2024,南山区政府工作报告,https://example.org/a,ignored\n",
        {"a.txt": "正文"},
        regions,
    )
    assert manifest.issues == []
    (entry,) = manifest.entries
    assert entry.file == "a.txt"
    assert entry.path == (tmp_path / "a.txt").resolve()
    assert (entry.district_code, entry.year, entry.row) == ("440305", 2024, 2)
    assert (entry.title, entry.source_url) == ("南山区政府工作报告", "https://example.org/a")


def test_blank_optional_fields_are_none_and_optional_columns_may_be_absent(
    tmp_path: Path, regions: RegionIndex
) -> None:
    manifest = read(tmp_path, "file,district,year\na.txt,福田区,2023\n", {"a.txt": "x"}, regions)
    (entry,) = manifest.entries
    assert (entry.title, entry.source_url) == (None, None)


def test_a_byte_order_mark_is_accepted(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, "\ufefffile,district,year\na.txt,福田区,2023\n", {"a.txt": "x"}, regions)
    assert manifest.issues == []
    assert len(manifest.entries) == 1


def test_a_missing_manifest_is_fatal(tmp_path: Path, regions: RegionIndex) -> None:
    with pytest.raises(LoaderError, match=r"manifest\.csv"):
        read_manifest(tmp_path, regions)


def test_a_manifest_that_is_not_utf8_is_fatal_and_names_the_line(
    tmp_path: Path, regions: RegionIndex
) -> None:
    data = "file,district,year\na.txt,福田区,2023\nb.txt,罗湖区,2023\n".encode("gb18030")
    make_reports(tmp_path, data, {"a.txt": "x", "b.txt": "y"})
    with pytest.raises(LoaderError) as caught:
        read_manifest(tmp_path, regions)
    assert (caught.value.source, caught.value.line) == ("manifest.csv", 2)
    assert "not UTF-8" in str(caught.value)


@pytest.mark.parametrize("missing", ["file", "district", "year"])
def test_a_missing_required_column_is_fatal_and_named(
    tmp_path: Path, regions: RegionIndex, missing: str
) -> None:
    header = ",".join(column for column in ("file", "district", "year", "title") if column != missing)
    make_reports(tmp_path, f"{header}\na,b,c\n", {})
    with pytest.raises(LoaderError, match=f"missing required column '{missing}'") as caught:
        read_manifest(tmp_path, regions)
    assert (caught.value.source, caught.value.line) == ("manifest.csv", 1)


@pytest.mark.parametrize("content", ["", "\n\n", "file,district,year\n", "file,district,year\n,,\n"])
def test_an_empty_manifest_is_fatal(tmp_path: Path, regions: RegionIndex, content: str) -> None:
    make_reports(tmp_path, content, {})
    with pytest.raises(LoaderError, match=r"manifest\.csv.*is empty"):
        read_manifest(tmp_path, regions)


def test_a_row_whose_file_is_missing(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(
        tmp_path, "file,district,year\na.txt,福田区,2023\nnope.txt,罗湖区,2023\n", {"a.txt": "x"}, regions
    )
    issue = only_issue(manifest)
    assert (issue.source, issue.line) == ("manifest.csv", 3)
    assert issue.message.startswith("nope.txt: file not found")
    assert [entry.file for entry in manifest.entries] == ["a.txt"]


def test_a_report_file_missing_from_the_manifest(tmp_path: Path, regions: RegionIndex) -> None:
    files = {
        "a.txt": "x",
        "sub/b.DOCX": "y",
        "notes.md": "not a report",
        ".hidden.txt": "hidden",
        ".git/c.txt": "hidden folder",
    }
    manifest = read(tmp_path, "file,district,year\na.txt,福田区,2023\n", files, regions)
    assert manifest.issues == [LoadIssue("sub/b.DOCX", None, "report file not listed in manifest.csv")]
    assert len(manifest.entries) == 1


def test_an_unknown_district(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, "file,district,year\na.txt,火星区,2023\n", {"a.txt": "x"}, regions)
    issue = only_issue(manifest)
    assert (issue.source, issue.line) == ("manifest.csv", 2)
    assert issue.message == "a.txt: unknown district '火星区'"
    assert manifest.entries == []


def test_an_ambiguous_district_lists_the_candidates(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, "file,district,year\na.txt,南山区,2023\n", {"a.txt": "x"}, regions)
    issue = only_issue(manifest)
    assert issue.line == 2
    assert "ambiguous district '南山区'" in issue.message
    assert "230404 黑龙江省鹤岗市南山区" in issue.message
    assert "440305 广东省深圳市南山区" in issue.message


def test_district_code_takes_precedence(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(
        tmp_path,
        "file,district,year,district_code\na.txt,南山区,2023,440305\nb.txt,福田区,2023,\n",
        {"a.txt": "x", "b.txt": "y"},
        regions,
    )
    assert manifest.issues == []
    assert [entry.district_code for entry in manifest.entries] == ["440305", "440304"]


def test_an_unknown_district_code(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(
        tmp_path, "file,district,year,district_code\na.txt,福田区,2023,440399\n", {"a.txt": "x"}, regions
    )
    issue = only_issue(manifest)
    assert (issue.line, issue.message) == (2, "a.txt: unknown district_code '440399'")


@pytest.mark.parametrize("year", ["", "二〇二三", "2023年", "2023.0", "1948", "2101", "２０２３", "-2023"])
def test_a_bad_year(tmp_path: Path, regions: RegionIndex, year: str) -> None:
    manifest = read(tmp_path, f"file,district,year\na.txt,福田区,{year}\n", {"a.txt": "x"}, regions)
    issue = only_issue(manifest)
    assert issue.line == 2
    assert issue.message.startswith(f"a.txt: year '{year}' is not a whole number from 1949 to 2100")
    assert manifest.entries == []


@pytest.mark.parametrize("year", ["1949", "2100", " 2023 "])
def test_years_at_the_bounds_are_accepted(tmp_path: Path, regions: RegionIndex, year: str) -> None:
    manifest = read(tmp_path, f"file,district,year\na.txt,福田区,{year}\n", {"a.txt": "x"}, regions)
    assert manifest.issues == []
    assert manifest.entries[0].year == int(year)


def test_two_rows_for_one_file_name_both_and_load_neither(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(
        tmp_path,
        "file,district,year\na.txt,福田区,2023\nb.txt,罗湖区,2023\n./a.txt,福田区,2024\n",
        {"a.txt": "x", "b.txt": "y"},
        regions,
    )
    assert [(issue.line, issue.message) for issue in manifest.issues] == [
        (2, "a.txt: listed on more than one row (lines 2, 4); none of them is loaded"),
        (4, "./a.txt: listed on more than one row (lines 2, 4); none of them is loaded"),
    ]
    assert [entry.file for entry in manifest.entries] == ["b.txt"]


def test_a_path_escaping_the_reports_folder(tmp_path: Path, regions: RegionIndex) -> None:
    (tmp_path / "outside.txt").write_text("outside", encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "link.txt").symlink_to(tmp_path / "outside.txt")
    manifest = read(
        reports,
        f"file,district,year\n../outside.txt,福田区,2023\n{tmp_path / 'outside.txt'},福田区,2023\n"
        "link.txt,福田区,2023\n",
        {},
        regions,
    )
    assert [(issue.line, issue.message.split(": ", 1)[1]) for issue in manifest.issues] == [
        (2, "path escapes the reports folder"),
        (3, "path escapes the reports folder (absolute path)"),
        (
            4,
            f"is a symlink that leads outside the reports folder (to {tmp_path / 'outside.txt'}); "
            "copy the file into the reports folder",
        ),
    ]
    assert manifest.entries == []


def test_a_report_in_a_symlinked_folder_leading_outside(tmp_path: Path, regions: RegionIndex) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.txt").write_text("x", encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "sub").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    manifest = read(reports, "file,district,year\nsub/a.txt,福田区,2023\n", {}, regions)
    assert only_issue(manifest).message == (
        f"sub/a.txt: is a symlink that leads outside the reports folder (to {tmp_path / 'elsewhere' / 'a.txt'}); "
        "copy the file into the reports folder"
    )


def test_two_files_with_identical_content(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(
        tmp_path,
        "file,district,year\na.txt,福田区,2023\nb.txt,罗湖区,2023\nc.txt,深圳南山区,2023\n",
        {"a.txt": "same", "b.txt": "same", "c.txt": "different"},
        regions,
    )
    assert [(issue.line, issue.message) for issue in manifest.issues] == [
        (2, "a.txt: duplicate file: byte-identical to b.txt (line 3); none of them is loaded"),
        (3, "b.txt: duplicate file: byte-identical to a.txt (line 2); none of them is loaded"),
    ]
    assert [entry.file for entry in manifest.entries] == ["c.txt"]


def test_a_row_with_more_cells_than_columns(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, "file,district,year\na.txt,福田区,2023,stray\n", {"a.txt": "x"}, regions)
    assert only_issue(manifest) == LoadIssue("manifest.csv", 2, "a.txt: more cells than columns (stray)")


def test_line_numbers_count_quoted_multi_line_fields(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(
        tmp_path,
        'file,district,year,title\na.txt,福田区,2023,"a title\nover\nthree lines"\n\nb.txt,火星区,2023,t\n'
        "c.txt,罗湖区,2023,t\n",
        {"a.txt": "x", "b.txt": "y", "c.txt": "z"},
        regions,
    )
    assert only_issue(manifest).line == 6
    assert [(entry.file, entry.row) for entry in manifest.entries] == [("a.txt", 2), ("c.txt", 7)]
    assert manifest.entries[0].title == "a title\nover\nthree lines"


def test_every_problem_of_a_row_is_reported(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, "file,district,year\nnope.txt,火星区,19\n", {}, regions)
    assert [issue.line for issue in manifest.issues] == [2, 2, 2]
    assert [issue.message.split(": ")[1].split(" ")[0] for issue in manifest.issues] == [
        "file",
        "unknown",
        "year",
    ]


# --- hardening: control characters, unclosed quotes, huge groups, odd files ------------------------


def test_carriage_returns_and_tabs_in_a_title_or_url_become_spaces(
    tmp_path: Path, regions: RegionIndex
) -> None:
    manifest = read(
        tmp_path,
        f'{HEADER}\na.txt,福田区,2023,"lone\rreturn\ttab\r\nnext line","https://x.org/\ta"\n',
        {"a.txt": "x"},
        regions,
    )
    assert (only_entry(manifest).title, only_entry(manifest).source_url) == (
        "lone return tab\nnext line",
        "https://x.org/ a",
    )


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x1b", "\x7f", "\x85"])
def test_a_control_character_rejects_the_row(tmp_path: Path, regions: RegionIndex, char: str) -> None:
    manifest = read(
        tmp_path,
        f"{HEADER}\na.txt,福田区,2023,a{char}title,\nb.txt,罗湖区,2023,ok,\n",
        {"a.txt": "x", "b.txt": "y"},
        regions,
    )
    message = f"a.txt: control character U+{ord(char):04X} in column 'title'; remove it"
    assert only_issue(manifest) == LoadIssue("manifest.csv", 2, message)
    assert [entry.file for entry in manifest.entries] == ["b.txt"]


def test_a_nul_in_a_file_name_is_escaped_in_the_message(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, "file,district,year,x\na\x00.txt,福田区,2023,\x01\n", {}, regions)
    assert only_issue(manifest).message == "a\\x00.txt: control character U+0000 in column 'file'; remove it"


def test_a_control_character_in_an_extra_cell(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, "file,district,year\na.txt,福田区,2023,\x00\n", {"a.txt": "x"}, regions)
    assert only_issue(manifest).message == "a.txt: control character U+0000 in column 'column 4'; remove it"


@pytest.mark.parametrize(
    ("manifest", "line"),
    [
        (
            'file,district,year,title\na.txt,福田区,2023,"a, title\nb.txt,罗湖区,2023,t\nc.txt,南山区,2023,t\n',
            2,
        ),
        ('file,district,year,title\na.txt,福田区,2023,"t"\r\nb.txt,罗湖区,2023,"x""y\r\n', 3),
        ('file,district,year,title\na.txt,福田区,2023,t\n"b.txt,罗湖区,2023,t', 3),
    ],
    ids=["in a title", "after escaped quotes", "at a row's start"],
)
def test_an_unclosed_quote_names_the_line_where_it_opens(
    tmp_path: Path, regions: RegionIndex, manifest: str, line: int
) -> None:
    make_reports(tmp_path, manifest, THREE_FILES)
    with pytest.raises(LoaderError, match="opens a field that is never closed") as caught:
        read_manifest(tmp_path, regions)
    assert (caught.value.source, caught.value.line) == ("manifest.csv", line)


def test_closed_quotes_are_not_taken_for_unclosed_ones(tmp_path: Path, regions: RegionIndex) -> None:
    text = 'file,district,year,title\na.txt,福田区,2023,"x""y, ""z"""\nb.txt,罗湖区,2023,a"b\nc.txt,罗湖区,2024,"t"'
    manifest = read(tmp_path, text, THREE_FILES, regions)
    assert manifest.issues == []
    assert [entry.title for entry in manifest.entries] == ['x"y, "z"', 'a"b', "t"]


def test_ten_thousand_rows_naming_one_file_give_bounded_messages(
    tmp_path: Path, regions: RegionIndex
) -> None:
    started = time.perf_counter()
    manifest = read(
        tmp_path, "file,district,year\n" + "a.txt,福田区,2023\n" * 10_000, {"a.txt": "x"}, regions
    )
    assert time.perf_counter() - started < 10
    assert len(manifest.issues) == 10_000
    assert sum(len(issue.message) for issue in manifest.issues) < 2_000_000
    assert manifest.issues[0].message == (
        "a.txt: listed on more than one row (lines 2, 3, 4, 5, 6 and 9,995 more); none of them is loaded"
    )


def test_a_thousand_identical_files_give_bounded_messages(tmp_path: Path, regions: RegionIndex) -> None:
    files = {f"{n}.txt": "same" for n in range(1_000)}
    rows = "".join(f"{name},福田区,2023\n" for name in files)
    manifest = read(tmp_path, f"file,district,year\n{rows}", files, regions)
    assert len(manifest.issues) == 1_000
    assert sum(len(issue.message) for issue in manifest.issues) < 200_000
    assert manifest.issues[0].message == (
        "0.txt: duplicate file: byte-identical to 1.txt (line 3), 2.txt (line 4), 3.txt (line 5), "
        "4.txt (line 6), 5.txt (line 7) and 994 more; none of them is loaded"
    )


def test_a_fifo_or_folder_is_not_a_regular_file(tmp_path: Path, regions: RegionIndex) -> None:
    os.mkfifo(tmp_path / "a.txt")
    (tmp_path / "b.txt").mkdir()
    manifest = read(tmp_path, "file,district,year\na.txt,福田区,2023\nb.txt,罗湖区,2023\n", {}, regions)
    assert [issue.message for issue in manifest.issues] == [
        "a.txt: not a regular file (a FIFO)",
        "b.txt: not a regular file (a folder)",
    ]


def test_a_manifest_that_is_a_fifo(tmp_path: Path, regions: RegionIndex) -> None:
    os.mkfifo(tmp_path / "manifest.csv")
    with pytest.raises(LoaderError, match=r"^manifest\.csv: not a regular file \(a FIFO\)$"):
        read_manifest(tmp_path, regions)


def test_symlink_loops_are_named_not_raised(tmp_path: Path, regions: RegionIndex) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)  # a folder cycle
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    (tmp_path / "ping.txt").symlink_to("pong.txt")
    (tmp_path / "pong.txt").symlink_to("ping.txt")
    manifest = read(
        tmp_path, "file,district,year\nloop.txt,福田区,2023\na.txt,罗湖区,2023\n", {"a.txt": "x"}, regions
    )
    assert [(issue.source, issue.line, issue.message.split(" from ")[0]) for issue in manifest.issues] == [
        ("manifest.csv", 2, "loop.txt: cannot resolve the path: Symlink loop"),
        ("ping.txt", None, "cannot resolve the path: Symlink loop"),
        ("pong.txt", None, "cannot resolve the path: Symlink loop"),
    ]
    assert str(tmp_path / "loop.txt") in manifest.issues[0].message
    assert [entry.file for entry in manifest.entries] == ["a.txt"]


def test_a_reports_folder_that_is_a_symlink_loop(tmp_path: Path, regions: RegionIndex) -> None:
    (tmp_path / "reports").symlink_to("reports")
    with pytest.raises(LoaderError, match="cannot resolve the path") as caught:
        read_manifest(tmp_path / "reports", regions)
    assert caught.value.source == str(tmp_path / "reports")


def test_a_manifest_link_leading_outside_the_folder(tmp_path: Path, regions: RegionIndex) -> None:
    (tmp_path / "elsewhere.csv").write_text("file,district,year\na.txt,福田区,2023\n", encoding="utf-8")
    reports = tmp_path / "reports"
    make_reports(reports, "", {"a.txt": "x"})
    (reports / "manifest.csv").unlink()
    (reports / "manifest.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(LoaderError) as caught:
        read_manifest(reports, regions)
    assert str(caught.value) == (
        f"manifest.csv: is a symlink that leads outside the reports folder (to {tmp_path / 'elsewhere.csv'}); "
        "copy the file into the reports folder"
    )
    (reports / "lists").mkdir()
    (tmp_path / "elsewhere.csv").rename(reports / "lists" / "manifest.csv")
    (reports / "manifest.csv").unlink()
    (reports / "manifest.csv").symlink_to("lists/manifest.csv")
    assert [entry.file for entry in read_manifest(reports, regions).entries] == ["a.txt"]


def test_a_file_over_the_byte_limit_is_not_read(
    tmp_path: Path, regions: RegionIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("loaders.manifest.MAX_FILE_BYTES", 40)  # the manifest's own size
    manifest = read(tmp_path, "file,district,year\na.txt,福田区,2023\n", {"a.txt": "x" * 41}, regions)
    assert only_issue(manifest).message == "a.txt: file of 41 bytes is over the limit of 40 bytes"


def test_a_header_of_many_columns_costs_each_row_only_its_cells(tmp_path: Path, regions: RegionIndex) -> None:
    header = "file,district,year," + ",".join(f"note{n}" for n in range(50_000))
    started = time.perf_counter()
    manifest = read(tmp_path, header + "\na.txt,福田区,2023\n" * 1_000, {"a.txt": "x"}, regions)
    assert time.perf_counter() - started < 5
    assert len(manifest.issues) == 1_000  # the one file on every row


def test_a_file_name_too_long_for_the_file_system(tmp_path: Path, regions: RegionIndex) -> None:
    manifest = read(tmp_path, f"file,district,year\n{'a' * 300}.txt,福田区,2023\n", {}, regions)
    assert only_issue(manifest).message.endswith(".txt: cannot read file: File name too long")


NFC, NFD = "caf\u00e9.txt", "cafe\u0301.txt"  # é precomposed, and e + a combining acute accent


@pytest.mark.parametrize(
    ("first", "second"),
    [(NFC, NFD), ("\u91d1\u7530.txt", "\uf90a\u7530.txt")],  # 金 and its CJK compatibility form
    ids=["nfc-nfd", "cjk-compatibility"],
)
def test_names_that_differ_only_in_unicode_normalisation_are_rejected(
    tmp_path: Path, regions: RegionIndex, first: str, second: str
) -> None:
    manifest = read(
        tmp_path,
        f"file,district,year\n{first},福田区,2023\n{second},罗湖区,2023\nb.txt,深圳市南山区,2023\n",
        {first: "one", second: "two", "b.txt": "three"},
        regions,
    )
    assert [(issue.line, issue.message) for issue in manifest.issues] == [
        (
            2,
            f"{first}: the same name as {second} (line 3) but for Unicode normalisation (NFC/NFD): the rows "
            "cannot be told apart; rename one of the files; none of them is loaded",
        ),
        (
            3,
            f"{second}: the same name as {first} (line 2) but for Unicode normalisation (NFC/NFD): the rows "
            "cannot be told apart; rename one of the files; none of them is loaded",
        ),
    ]
    assert [entry.file for entry in manifest.entries] == ["b.txt"]


def test_a_name_in_another_normalisation_on_one_row_alone_loads(tmp_path: Path, regions: RegionIndex) -> None:
    assert (
        only_entry(read(tmp_path, f"file,district,year\n{NFD},福田区,2023\n", {NFD: "x"}, regions)).file
        == NFD
    )
