# The two commands of the README: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_LANDING ?= landing
DEMO_DATA ?= data
DEMO_START ?= 2026-11-01
DEMO_DAYS ?= 7
DEMO_END ?= 2026-11-07

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SODA_CORE_TELEMETRY_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: install demo test dev contracts clean

install: $(VENV)/.installed

# Pinned, reproducible install: every version comes from constraints.txt. Bytecode is compiled at
# install time: where PYTHONDONTWRITEBYTECODE is set, every `cwh` and dbt process would otherwise
# recompile dagster, dbt and soda from source (~4 s per process start).
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade uv || true
	if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -c constraints.txt -e ".[dev]"; \
	else $(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"; fi
	touch $@

demo: install
	$(BIN)/cwh generate --landing $(DEMO_LANDING) --start $(DEMO_START) --days $(DEMO_DAYS) --scale small --seed 7
	$(BIN)/cwh run --landing $(DEMO_LANDING) --data-dir $(DEMO_DATA) --start $(DEMO_START) --end $(DEMO_END)

test: install
	$(BIN)/python -c "from assets.warehouse.dbt_project import ensure_manifest; ensure_manifest()"  # parse once, before parallel workers
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

dev: install
	$(BIN)/cwh dev --landing $(DEMO_LANDING) --data-dir $(DEMO_DATA)

# Re-render the raw-stage contracts after changing assets/feeds.py.
contracts: install
	$(BIN)/python -m assets.gates.raw_contracts

clean:
	rm -rf $(DEMO_LANDING) $(DEMO_DATA)
