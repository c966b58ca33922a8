# Two set-up commands, both from a fresh clone with Python 3.11+, bash and make:
#   make run    install into .venv and run the hub (SQLite, demo data, http://127.0.0.1:8000)
#   make test   install into .venv (with test tools and a headless Chromium where apt exists) and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install install-dev browser lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/mdm serve --host $(HOST) --port $(PORT)

# Debian's chromium drives the steward console tests; without it those tests skip.
browser:
	@bash scripts/install-chromium.sh

test: install-dev browser
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

bench: install-dev
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .mdm .pytest_cache .mypy_cache .ruff_cache
