# Two commands on a fresh machine: `make run` and `make test` (both set up .venv first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_models/target/manifest.json
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
DBT_SOURCES := $(shell find dbt_models/models dbt_models/macros dbt_models/tests dbt_models/seeds -type f 2>/dev/null) \
               dbt_models/dbt_project.yml dbt_models/profiles.yml

.PHONY: setup run test dev clean fetch-demo bench

setup: $(STAMP) $(MANIFEST)

# Idempotent: re-installs only when the lock file or pyproject.toml changed. Bytecode is compiled at
# install: where PYTHONDONTWRITEBYTECODE is set (as on CI machines) every process - each worker, each
# dbt invocation - would otherwise compile Dagster, dbt and polars from source (seconds per process).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	$(BIN)/python -m compileall -q gov_pipeline >/dev/null
	touch $(STAMP)

# The dagster-dbt code location needs the dbt manifest before it loads (built, never committed).
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	cd dbt_models && ../$(BIN)/dbt parse --project-dir . --profiles-dir . --quiet
	touch $(MANIFEST)

# Debian's Chromium for the browser test (never a browser downloaded by a test tool). Not fatal: without
# it that one test skips and says why.
$(CHROMIUM):
	-$(SUDO) apt-get install -y -q chromium >/dev/null 2>&1 || \
	  ($(SUDO) apt-get update -q >/dev/null 2>&1 && $(SUDO) apt-get install -y -q chromium >/dev/null 2>&1) || \
	  echo "chromium could not be installed: the browser test will be skipped"

# Recorded in dagster_home/ (the CLI's default DAGSTER_HOME), the instance `make dev` shows.
run: setup
	$(BIN)/gov-pipeline run --raw-dir data/raw --db data/warehouse.duckdb

# The guardrails first (lint, types, the import layers, SQL lint), then the tests.
test: setup $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint dbt_models/models
	$(BIN)/sqlfluff lint --templater placeholder gov_pipeline/warehouse/sql
	$(BIN)/python -m pytest

# The real path at corpus scale (benchmarks/bench_run.py): 1 000 and 10 000 generated documents through
# `gov-pipeline run`, per-step and per-dbt-node times, peak memory, the lexbor floor. BENCH_N=100000 for 100k.
bench: setup
	$(BIN)/python benchmarks/bench_run.py $(if $(BENCH_N),--sizes $(BENCH_N))

# Collection walk-through (README "Collecting reports"): a local fake site -> fetch -> run -> scores.
fetch-demo: setup
	sh scripts/fetch_demo.sh

dev: setup
	DAGSTER_HOME=$(CURDIR)/dagster_home $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf $(VENV) dbt_models/target dbt_models/logs data/warehouse.duckdb
	find dagster_home -mindepth 1 ! -name dagster.yaml -exec rm -rf {} +
