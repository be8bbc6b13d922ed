"""``python -m govtargets.dbt_main ARGS``: dbt's own command line, able to load seeds of long reports.

dbt reads every seed with Python's csv module, whose default field limit (131,072 characters) is shorter
than a long report's text. This entry point lifts that limit, then hands over to dbt's CLI unchanged.
"""

from __future__ import annotations

import csv
import sys

from dbt.cli.main import cli

# The largest field a seed may hold: a report's whole text (read.py limits a report's length below it).
FIELD_SIZE_LIMIT = 2**31 - 1

if __name__ == "__main__":
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    sys.argv[0] = "dbt"
    sys.exit(cli())
