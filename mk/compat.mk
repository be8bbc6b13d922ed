# Compatibility check: the published warehouse must open with an older DuckDB, as bundled by BI drivers.
# `make compat` installs duckdb $(COMPAT_DUCKDB) into its own virtual environment and runs the test that
# reads a published copy with it (tests/python/compat_reader.py). Included from the Makefile.

PYTHON ?= .venv/bin/python
COMPAT_VENV ?= .venv-compat
COMPAT_DUCKDB ?= 1.4.*

.PHONY: compat
compat: $(COMPAT_VENV)/.installed
	GOVTARGETS_COMPAT_PYTHON=$(COMPAT_VENV)/bin/python $(PYTHON) -m pytest tests/python/test_publish.py -k compat -rs

$(COMPAT_VENV)/.installed:
	python3 -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/pip install --quiet 'duckdb==$(COMPAT_DUCKDB)'
	touch $@
