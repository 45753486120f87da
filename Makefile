# casehub — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install bytecode jars connect postgres browser lint typecheck unit integration clean

demo: install bytecode jars  ## run the hub with demo data until Ctrl-C (SQLite unless CASEHUB_DATABASE_URL is set)
	$(BIN)/casehub up

# `make test` runs pytest-xdist workers (each its own broker, PostgreSQL and CASEHUB_HOME; a test file stays on
# one worker, so module fixtures are built once); PYTEST_WORKERS=0 runs it serially.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile

test: install bytecode jars connect postgres browser lint typecheck  ## lint, type-check, unit + integration tests on a real broker and databases
	$(BIN)/casehub schemas check
	$(BIN)/pytest $(PYTEST_PARALLEL) --durations=20

bench: install bytecode jars connect postgres  ## the full benchmark table (real broker + PostgreSQL; ~15-30 min); figures in bench.json
	$(BIN)/casehub bench --json bench.json

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

# An editable install leaves our own modules uncompiled, and with PYTHONDONTWRITEBYTECODE set (as on the CI
# machine) every process compiled them again: ~0.3 s of CPU per start of a member, replay or CLI process.
# compileall writes the .pyc files anyway and only for changed sources; a stale one is never used.
bytecode: install  ## compile our modules' bytecode once (each process would compile them at every start)
	$(BIN)/python -m compileall -q -j 0 producers consumers schemas services deploy bench

jars: install  ## Apache Kafka broker jars from Maven Central into deploy/kafka/libs (cached)
	$(BIN)/python -m deploy jars

connect: install  ## the benchmark peer: Kafka Connect + Debezium's JDBC sink from Maven Central into deploy/connect (cached)
	$(BIN)/python -m deploy connect

postgres: install  ## PostgreSQL server from Debian's packages when absent (tests start a throwaway cluster)
	$(BIN)/python -m deploy postgres

browser:  ## Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded at run time)
	@command -v chromium >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/unit

integration: install jars postgres
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/integration

clean:
	-$(BIN)/casehub broker stop
	rm -rf .casehub .pytest_cache .mypy_cache .ruff_cache
