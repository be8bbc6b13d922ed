"""The ``govtargets`` command line."""

from __future__ import annotations

import argparse
import errno
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2

from govtargets.export import export_parquet
from govtargets.pipeline import (
    BuildError,
    BuildSummary,
    ExtractSummary,
    build,
    build_postgres,
    check_seeds,
    extract,
    listing,
)
from govtargets.postgres import first_line
from govtargets.settings import (
    BUNDLED_REPORTS,
    DEFAULT_WAREHOUSE,
    DOCS_TARGET,
    EXTRACT_CACHE,
    PROJECT_DIR,
    seeds_dir_for,
)
from govtargets.signals import Interrupted, stops_as_exceptions
from loaders.errors import LoaderError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govtargets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="extract → dbt build → expectations → publish")
    build_cmd.add_argument("--reports", type=Path, default=BUNDLED_REPORTS, help="folder with manifest.csv")
    build_cmd.add_argument(
        "--target",
        choices=["duckdb", "postgres"],
        default="duckdb",
        help="a DuckDB file (the default) or a PostgreSQL database (see --dsn)",
    )
    build_cmd.add_argument(
        "--warehouse", type=Path, help=f"published DuckDB file (default: {DEFAULT_WAREHOUSE})"
    )
    build_cmd.add_argument(
        "--dsn",
        help="PostgreSQL connection string or URI (default: the PGHOST, PGPORT, PGUSER, PGPASSWORD and "
        "PGDATABASE variables)",
    )
    build_cmd.add_argument("--keep-going", action="store_true", help="load the good reports, list the rest")
    build_cmd.add_argument("--storage-version", help="DuckDB storage version of the published file")
    build_cmd.add_argument("--wait", action="store_true", help="wait for a running build instead of exiting")
    build_cmd.add_argument(
        "--full-refresh",
        action="store_true",
        help="build from an empty file, even where the build could add to the published warehouse",
    )
    _add_extract_options(build_cmd)
    build_cmd.add_argument(
        "--require-test-data",
        action="store_true",
        help="fail when a dbt test or expectation has no rows to check (for fixture builds)",
    )

    extract_cmd = commands.add_parser("extract", help="write the extracted seed CSVs only")
    extract_cmd.add_argument("--reports", type=Path, default=BUNDLED_REPORTS)
    extract_cmd.add_argument("--out", type=Path, help="seed folder (default: seeds/extracted for reports/)")
    extract_cmd.add_argument("--keep-going", action="store_true")
    extract_cmd.add_argument("--check", action="store_true", help="fail if the committed seeds are stale")
    _add_extract_options(extract_cmd)

    site_cmd = commands.add_parser("site", help="write the explorer: a static site of the warehouse")
    site_cmd.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    site_cmd.add_argument(
        "out",
        type=Path,
        help="a new or empty folder, or a site this command wrote (replaced only once the new one is whole)",
    )

    export_cmd = commands.add_parser("export", help="export the marts for tools that cannot read DuckDB")
    export_cmd.add_argument("--format", choices=["parquet"], default="parquet")
    export_cmd.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    export_cmd.add_argument("out", type=Path, help="folder for one file per mart")
    return parser


def _add_extract_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--jobs", type=_positive, help="worker processes for extraction (default: one per processor)"
    )
    command.add_argument(
        "--no-cache", action="store_true", help="extract every report again instead of reusing the cache"
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def _print_reports(summary: ExtractSummary) -> None:
    """The reports loaded, and the rejected input bounded like every listing (the seed rejected_inputs and
    marts.rpt_load_issues hold all of it)."""
    print(f"{'report':40} {'targets':>8} {'results':>8} {'sections':>8}  warnings")
    for report in summary.reports:
        print(
            f"{report.file:40} {report.targets:>8} {report.results:>8} {report.sections:>8}  "
            + "; ".join(report.warnings)
        )
    if summary.issues:
        print(listing("rejected", [str(issue) for issue in summary.issues]))


def _print_build(summary: BuildSummary) -> None:
    _print_reports(summary.extract)
    targets = sum(r.targets for r in summary.extract.reports)
    results = sum(r.results for r in summary.extract.reports)
    tests = {k: v for k, v in summary.dbt_nodes.items() if k.startswith(("test", "unit_test"))}
    passed = sum(v for k, v in tests.items() if k.endswith("pass"))
    print(
        f"summary: {len(summary.extract.reports)} reports ({summary.extract.cached} from the extraction cache), "
        f"{targets} targets, {results} results, "
        f"{len(summary.extract.issues)} rejected; dbt tests passed {passed}/{sum(tests.values())}; "
        f"expectations passed {summary.expectations_passed}/{summary.expectations_evaluated}; "
        f"published {summary.warehouse}{' (incremental)' if summary.incremental else ''}"
    )


def _run(args: argparse.Namespace) -> int:
    if args.command == "build" and args.target == "postgres":
        for given, flag in ((args.warehouse, "--warehouse"), (args.storage_version, "--storage-version")):
            if given is not None:
                raise BuildError(f"{flag} is for DuckDB builds; a PostgreSQL build is named by --dsn or PG*")
        _print_build(
            build_postgres(
                args.reports,
                args.dsn,
                args.keep_going,
                args.wait,
                require_test_data=args.require_test_data,
                jobs=args.jobs,
                cache_dir=None if args.no_cache else EXTRACT_CACHE,
            )
        )
    elif args.command == "build":
        if args.dsn is not None:
            raise BuildError("--dsn is for PostgreSQL builds: add --target postgres")
        summary = build(
            args.reports,
            args.warehouse or DEFAULT_WAREHOUSE,
            args.keep_going,
            args.storage_version,
            args.wait,
            require_test_data=args.require_test_data,
            jobs=args.jobs,
            cache_dir=None if args.no_cache else EXTRACT_CACHE,
            full_refresh=args.full_refresh,
        )
        _print_build(summary)
    elif args.command == "extract" and args.check:
        stale = check_seeds(args.reports)
        if stale:
            print(f"seeds are stale, run `govtargets extract` and commit: {', '.join(stale)}")
            return 1
        print("seeds are up to date")
    elif args.command == "extract":
        seeds = args.out or seeds_dir_for(args.reports)
        cache = None if args.no_cache else EXTRACT_CACHE
        _print_reports(extract(args.reports, seeds, args.keep_going, jobs=args.jobs, cache_dir=cache))
    elif args.command == "site":
        from govtargets.site.build import build_site  # jinja2 and the site code: only when used

        site = build_site(args.warehouse, args.out)
        print(
            f"site: {site.reports} report pages, {site.indicators} indicator pages, {site.statements} "
            f"statements, dbt docs; wrote {site.out_dir}/index.html in {site.seconds:.1f} s"
        )
    else:
        for path in export_parquet(args.warehouse, args.out):
            print(f"wrote {path}")
    return 0


@dataclass(frozen=True)
class _Place:
    """A folder a command writes in, and what to do when it may not write there."""

    folder: Path
    remedy: str


_PROJECT_REMEDY = "make the project folder writable (its work folders: build/, target/, seeds/extracted/)"


def _written_places(args: argparse.Namespace) -> list[_Place]:
    """The folders the command writes in: the one it was given, and the project's work folders."""
    places = [_Place(PROJECT_DIR, _PROJECT_REMEDY)]
    if args.command == "build" and args.target == "duckdb":
        places.append(_Place((args.warehouse or DEFAULT_WAREHOUSE).parent, "choose another --warehouse"))
    elif args.command == "extract" and args.out is not None:
        places.append(_Place(args.out, "choose another --out"))
    elif args.command == "site":
        # the site is staged beside its folder; dbt's docs are generated in the project's build/
        places.append(_Place(args.out.parent, "choose another folder for the site"))
        places.append(_Place(DOCS_TARGET, _PROJECT_REMEDY))
    elif args.command == "export":
        places.append(_Place(args.out, "choose another folder for the export"))
    return places


def _write_remedy(path: str | None, args: argparse.Namespace) -> str:
    """What to do about a folder the command may not write in (read-only, or not this user's): the
    remedy of the innermost place that holds the path."""
    failed = Path(path).resolve() if path else None
    holding = [p for p in _written_places(args) if failed and failed.is_relative_to(p.folder.resolve())]
    if not holding:
        return "make that folder writable for this user"
    return max(holding, key=lambda place: len(place.folder.resolve().parts)).remedy


def _os_error(error: OSError, args: argparse.Namespace) -> str:
    """One line for a failed file operation: the path, what went wrong, and what to do."""
    path = error.filename or "(unknown path)"
    if error.errno in (errno.EACCES, errno.EROFS):
        return f"{path}: {error.strerror or error}; {_write_remedy(error.filename, args)}"
    advice = {
        errno.ENOSPC: "free some space on that disk and build again",
        errno.EDQUOT: "free some space on that disk and build again",
        errno.ELOOP: "a symbolic link there points to itself: remove the loop",
        errno.EISDIR: "name a file, not a folder",
        errno.ENOTDIR: "a part of that path is a file, not a folder",
    }.get(error.errno or 0, "check the path and try again")
    return f"{path}: {error.strerror or error}; {advice}"


def main(argv: list[str] | None = None) -> int:
    """Run one command; any failure is one line on stderr and a non-zero exit, never a traceback."""
    args = _parser().parse_args(argv)
    try:
        with stops_as_exceptions():
            return _run(args)
    except Interrupted as stop:
        if stop.published:
            print(
                f"govtargets: {stop} after publishing {stop.published}: the new warehouse is in service",
                file=sys.stderr,
            )
        else:
            print(f"govtargets: {stop}; nothing was published, the warehouse is as it was", file=sys.stderr)
        return 128 + stop.signum
    except (BuildError, LoaderError) as error:
        message = str(error)
    except OSError as error:
        message = _os_error(error, args)
    except duckdb.Error as error:
        message = f"DuckDB: {str(error).splitlines()[0]}"
    except psycopg2.Error as error:
        message = f"PostgreSQL: {first_line(error)}"
    print(f"govtargets: error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
