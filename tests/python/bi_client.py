"""A BI client, as Superset connects: SQLAlchemy 2.0 + duckdb-engine, read-only, no connection pool.

``python bi_client.py PATH`` prints JSON: the marts' tables, fct_targets' columns with their comments, the
table comment, a dashboard query's rows, and what happens on an attempted write. Run in its own process
by test_bi_access.py, like a BI server would be.
"""

from __future__ import annotations

import json
import sys

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool


def main(path: str) -> None:
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True}, poolclass=NullPool)
    inspector = inspect(engine)
    report: dict[str, object] = {
        "schemas": sorted(inspector.get_schema_names()),
        "marts": sorted(inspector.get_table_names(schema="marts")),
        "staging_views": sorted(inspector.get_view_names(schema="staging")),
        "columns": {c["name"]: c["comment"] for c in inspector.get_columns("fct_targets", schema="marts")},
        "table_comment": inspector.get_table_comment("fct_targets", schema="marts")["text"],
    }
    query = text(
        "select district_name_zh, domain_name_en, sum(target_count) as targets "
        "from marts.rpt_targets_by_district_year_domain group by all order by targets desc, district_name_zh, domain_name_en"
    )
    with engine.connect() as connection:
        report["dashboard"] = [list(row) for row in connection.execute(query).all()]
        try:
            connection.execute(text("create table marts.scratch (x integer)"))
            report["write"] = "allowed"
        except DBAPIError as error:
            report["write"] = str(error.orig)
    engine.dispose()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
