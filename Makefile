# The two commands of the README: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LINT_VENV := .venv-lint
DEMO_LANDING ?= landing
DEMO_DATA ?= data
DEMO_START ?= 2026-11-01
DEMO_DAYS ?= 7
DEMO_END ?= 2026-11-07

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SODA_CORE_TELEMETRY_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: install demo test lint lint-python lint-sql reliability bench dev docs contracts clean

# The project's own modules are compiled at every command (compileall skips the fresh ones): where
# PYTHONDONTWRITEBYTECODE is set, each `cwh` process would recompile them (~0.35 s of its start).
install: $(VENV)/.installed
	@$(BIN)/python -m compileall -q assets orchestration simulator bench reliability > /dev/null

# Pinned, reproducible install: every version comes from constraints.txt. Bytecode is compiled at
# install time: where PYTHONDONTWRITEBYTECODE is set, every `cwh` and dbt process would otherwise
# recompile dagster, dbt and soda from source (~4 s per process start).
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade uv || true
	if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -c constraints.txt -e ".[dev]"; \
	else $(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"; fi
	touch $@

# Simulated data: the built-in development PII salt is fine here (a real deployment sets CWH_PII_SALT).
demo dev docs: export CWH_ALLOW_DEV_SALT = 1

demo: install
	$(BIN)/cwh generate --landing $(DEMO_LANDING) --start $(DEMO_START) --days $(DEMO_DAYS) --scale small --seed 7
	$(BIN)/cwh run --landing $(DEMO_LANDING) --data-dir $(DEMO_DATA) --start $(DEMO_START) --end $(DEMO_END)
	@echo
	@echo "Marts (DuckDB, read-only): $(abspath $(DEMO_DATA))/published/marts.duckdb"
	@echo "  query them:  $(BIN)/cwh query --data-dir $(DEMO_DATA) \"from kpi_daily order by activity_date\""
	@echo "  or:          duckdb -readonly $(DEMO_DATA)/published/marts.duckdb   (README.md, For analysts)"
	@echo "Daily review: $(abspath $(DEMO_DATA))/reports/latest.html   (open it in a browser; $(BIN)/cwh report --date D for another day)"
	@echo "Dagster UI:  make dev   ($(BIN)/cwh dev --landing $(DEMO_LANDING) --data-dir $(DEMO_DATA), http://127.0.0.1:3000)"
	@echo "dbt docs:    make docs  ($(BIN)/cwh docs --data-dir $(DEMO_DATA), http://127.0.0.1:8080)"

# Three workers on two cores: the pipeline tests wait on processes, daemons and sockets for about a
# fifth of their time (a quiet run: 11:58 with three workers, 12:55 with two).
# The ten slowest tests are listed at the end: where a faster suite would start.
test: install
	$(BIN)/python -c "from assets.warehouse.dbt_project import ensure_manifest; ensure_manifest()"  # parse once, before parallel workers
	$(BIN)/python -m pytest -q -n 3 --dist loadfile --durations=10

# Every reliability scenario (several minutes); the fast ones also run in `make test`. Writes the
# table into README.md.
reliability: install
	$(BIN)/python -m reliability --readme

# Performance figures against the floor: small, medium (with its 60-day history) and large scales,
# roughly 2 hours on 2 cores, most of it generating and loading the histories. Writes
# bench/results/<date>-<scale>.json and the README's table.
# A quick run: make bench BENCH_ARGS="--scales small --history 1 --repeat 1"
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# Lint: ruff (rules and line length in pyproject.toml) on the Python code, sqlfluff with the dbt
# templater on the dbt project (.sqlfluff). Both must pass; CI runs this before the tests.
lint: lint-python lint-sql

lint-python: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# SQL lint in its own venv: sqlfluff 4.4 needs click < 8.5, the project's pins carry 8.5 (DESIGN.md).
$(LINT_VENV)/.installed: lint/requirements-sql.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install -q -r lint/requirements-sql.txt
	touch $@

# The dbt templater compiles every model against a throwaway empty warehouse (no data needed, the
# full-rebuild branches are linted); dbt's target/ and logs/ go there too, away from the pipeline's.
# PYTHONPATH: the profile's plugin (assets/warehouse/pii_salt_variable.py) is the project's own.
lint-sql: $(LINT_VENV)/.installed
	tmp=$$(mktemp -d) && mkdir -p $$tmp/warehouse && \
	PYTHONPATH=$(CURDIR) CWH_DATA_DIR=$$tmp CWH_DELIVERY_DAYS= DBT_PROFILES_DIR=dbt_project DBT_TARGET_PATH=$$tmp/target \
	DBT_LOG_PATH=$$tmp/logs $(LINT_VENV)/bin/sqlfluff lint dbt_project; \
	rc=$$?; rm -rf $$tmp; exit $$rc

dev: install
	$(BIN)/cwh dev --landing $(DEMO_LANDING) --data-dir $(DEMO_DATA)

docs: install
	$(BIN)/cwh docs --data-dir $(DEMO_DATA)

# Re-render the raw-stage contracts after changing assets/feeds.py.
contracts: install
	$(BIN)/python -m assets.gates.raw_contracts

clean:
	rm -rf $(DEMO_LANDING) $(DEMO_DATA)
