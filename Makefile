# Two set-up commands, both from a fresh clone with Python 3.11+, bash and make:
#   make run    install into .venv and run the hub (SQLite, demo data, http://127.0.0.1:8000)
#   make test   install into .venv (with test tools and a headless Chromium where apt exists) and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install install-dev graphiql browser docs lint typecheck fuzz bench bench-tools bench-matching bench-matching-speed clean

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

run: install graphiql
	$(BIN)/mdm serve --host $(HOST) --port $(PORT)

# GraphiQL's and React's builds for the /graphql page, from the npm registry at the versions
# and sha256 pinned in mdm/graphql/static/assets.json; nothing is fetched when they are there.
graphiql: $(BIN)/python
	@$(BIN)/python scripts/fetch_graphiql.py

# Debian's chromium drives the steward console tests; without it those tests skip.
browser:
	@bash scripts/install-chromium.sh

test: install-dev graphiql browser
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The documentation site on http://127.0.0.1:8001, rebuilt on every change (.ci/run builds it
# with --strict, so a broken link or a page missing from the nav fails CI).
docs: install-dev
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_sizes.py
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

# Schemathesis against /openapi.json of a real server: no 5xx, only declared answers.
fuzz: install-dev
	BIN=$(BIN) bash scripts/fuzz-api.sh

bench-tools: install-dev
	$(BIN)/pip install --quiet -e ".[bench]"
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && \
		(apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)) \
		|| echo "wrk not installed: graphql_bench.py falls back to (slower) httpx clients"; }

# The quick set; README.md lists every benchmark with its full-size command.
bench: bench-tools
	$(BIN)/python benchmarks/ingest_bench.py
	$(BIN)/python benchmarks/graphql_bench.py --seconds 5
	$(BIN)/python benchmarks/matching_benchmark.py febrl3 febrl4 synth:10000
	$(BIN)/python benchmarks/hub_matching_bench.py --records 20000

# Issue 14: every data set through `mdm dedupe` beside Splink 5 (~10 min), then 100k + 1M speed.
bench-matching: install-dev
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/matching_benchmark.py --preset small --json benchmarks/out/matching.jsonl

bench-matching-speed: install-dev
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/matching_benchmark.py --preset speed --timeout 3600 --json benchmarks/out/matching.jsonl

clean:
	rm -rf $(VENV) .mdm .pytest_cache .mypy_cache .ruff_cache .hypothesis .schemathesis
