"""The ``govtargets`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govtargets.export import export_parquet
from govtargets.pipeline import BuildError, BuildSummary, ExtractSummary, build, check_seeds, extract
from govtargets.settings import BUNDLED_REPORTS, DEFAULT_WAREHOUSE, seeds_dir_for
from loaders.errors import LoaderError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govtargets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="extract → dbt build → expectations → publish")
    build_cmd.add_argument("--reports", type=Path, default=BUNDLED_REPORTS, help="folder with manifest.csv")
    build_cmd.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="published DuckDB file")
    build_cmd.add_argument("--keep-going", action="store_true", help="load the good reports, list the rest")
    build_cmd.add_argument("--storage-version", help="DuckDB storage version of the published file")
    build_cmd.add_argument("--wait", action="store_true", help="wait for a running build instead of exiting")
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

    export_cmd = commands.add_parser("export", help="export the marts for tools that cannot read DuckDB")
    export_cmd.add_argument("--format", choices=["parquet"], default="parquet")
    export_cmd.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    export_cmd.add_argument("out", type=Path, help="folder for one file per mart")
    return parser


def _print_reports(summary: ExtractSummary) -> None:
    print(f"{'report':40} {'targets':>8} {'results':>8} {'sections':>8}  warnings")
    for report in summary.reports:
        print(
            f"{report.file:40} {report.targets:>8} {report.results:>8} {report.sections:>8}  "
            + "; ".join(report.warnings)
        )
    for issue in summary.issues:
        print(f"rejected {issue.source}{f':{issue.line}' if issue.line else ''}: {issue.message}")


def _print_build(summary: BuildSummary) -> None:
    _print_reports(summary.extract)
    targets = sum(r.targets for r in summary.extract.reports)
    results = sum(r.results for r in summary.extract.reports)
    tests = {k: v for k, v in summary.dbt_nodes.items() if k.startswith(("test", "unit_test"))}
    passed = sum(v for k, v in tests.items() if k.endswith("pass"))
    print(
        f"summary: {len(summary.extract.reports)} reports, {targets} targets, {results} results, "
        f"{len(summary.extract.issues)} rejected; dbt tests passed {passed}/{sum(tests.values())}; "
        f"expectations passed {summary.expectations_passed}/{summary.expectations_evaluated}; "
        f"published {summary.warehouse}"
    )


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        summary = build(
            args.reports,
            args.warehouse,
            args.keep_going,
            args.storage_version,
            args.wait,
            require_test_data=args.require_test_data,
        )
        _print_build(summary)
    elif args.command == "extract" and args.check:
        stale = check_seeds(args.reports)
        if stale:
            print(f"seeds are stale, run `govtargets extract` and commit: {', '.join(stale)}")
            return 1
        print("seeds are up to date")
    elif args.command == "extract":
        _print_reports(extract(args.reports, args.out or seeds_dir_for(args.reports), args.keep_going))
    else:
        for path in export_parquet(args.warehouse, args.out):
            print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (BuildError, LoaderError) as error:
        print(f"govtargets {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
