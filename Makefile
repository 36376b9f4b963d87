# The platform's commands. A fresh clone needs only python3.11 and make: `make run`, `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
DATA_DIR ?= var/data

export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
export UV_LINK_MODE := copy

.PHONY: help install browser run test test-fast test-sqlite lint check-packages format contracts token migrate demo clean bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(UV):
	python3.11 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml $(wildcard */pyproject.toml services/*/pyproject.toml libs/*/pyproject.toml) | $(UV)
	$(UV) sync --frozen --all-packages
	@touch $@

install: .venv/.synced ## install the pinned dependencies (uv.lock) into .venv

browser: install ## install Debian's chromium for the browser tests when it is missing (needs root)
	$(PY) tests/browser/browser_chromium.py

run: install ## start the whole platform on SQLite with demo data (Ctrl-C stops it)
	PLATFORM_DATA_DIR=$(abspath $(DATA_DIR)) $(PY) scripts/run_platform.py

test: install browser ## the whole suite: SQLite always, PostgreSQL too when one answers
	$(PY) -m pytest

test-fast: install ## the inner loop: everything but the process tests, on 2 workers (both backends)
	$(PY) -m pytest -n 2 -m "not processes" -q

test-sqlite: install browser ## the suite on SQLite only
	TEST_POSTGRES_URL=postgresql+asyncpg://nobody@127.0.0.1:1/none $(PY) -m pytest

# Tests are type-checked too: their bodies and their calls into the code, without asking every
# fixture and test function for annotations. One run per folder: each has its own conftest.
TEST_DIRS := libs/*/tests gateway/tests services/*/tests tests/processes tests/browser tests/deploy tests/bench
MYPY_TESTS := --allow-untyped-defs --allow-untyped-calls --allow-incomplete-defs --check-untyped-defs \
	--allow-any-generics --no-warn-return-any

lint: install ## ruff (lint, complexity, format check), mypy strict on every package, mypy on the tests
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy libs/*/src gateway/src services/*/src
	@for dir in $(wildcard $(TEST_DIRS)); do echo "mypy $$dir"; .venv/bin/mypy $(MYPY_TESTS) $$dir || exit 1; done

check-packages: install ## install each package on its own (uv sync --package) and import all of it
	$(PY) scripts/check_packages.py

format: install ## apply ruff's fixes and formatting
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

contracts: install ## regenerate contracts/ from the code
	$(PY) scripts/export_contracts.py

token: install ## print a token for the embedded run: make token ROLE=operator [COUNTY=03|VENDOR=<uuid>|ISIL=NO-2030000] [SUBJECT=kari]
	@test -n "$(ROLE)" || { echo "usage: make token ROLE=<role> [COUNTY=..|VENDOR=..|ISIL=..] [SUBJECT=..]" >&2; exit 2; }
	@PLATFORM_DATA_DIR=$(abspath $(DATA_DIR)) $(PY) scripts/platform_token.py --role "$(ROLE)" \
		$(if $(COUNTY),--county "$(COUNTY)") $(if $(VENDOR),--vendor-id "$(VENDOR)") $(if $(ISIL),--isil "$(ISIL)") \
		$(if $(SUBJECT),--subject "$(SUBJECT)")

bench: install ## the gateway's cost vs direct and nginx, catalogue reads and writes, ~20 min (BENCH_QUICK=1: ~3 min; BENCH_PROFILE=1)
	PYTHONPATH=bench $(PY) -m platform_bench $(BENCH_ARGS)

clean: ## remove the local data folder (the embedded databases and the signing key)
	rm -rf $(DATA_DIR)
