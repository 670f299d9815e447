# `make run` and `make test` work from a fresh clone: each creates .venv and installs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format bench bench-tools bench-webhooks bench-pages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/bookhub serve

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/mypy src/domain src/application
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix src tests $(wildcard bench)
	$(BIN)/ruff format src tests $(wildcard bench)

# wrk and pgbench: installed when missing (as root, with apt-get), or one line says how.
bench-tools:
	@sh bench/tools.sh

bench: install bench-tools
	$(BIN)/python bench/run.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/pages.py

# Only the webhook ingest beside the bare echo and pgbench (about a minute and a half).
bench-webhooks: install bench-tools
	$(BIN)/python bench/webhooks.py

# Only the customer pages (catalog and day page over 100k bookings), about a minute and a half.
bench-pages: install bench-tools
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .schemathesis bookhub.db bookhub.db-*
