# Tabadul — every target builds the virtual environment it needs, so a fresh
# clone needs nothing installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DATA   ?= var/node
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_DIR ?= var/demo
# TABADUL_DEMO=0 make run: a node without the demonstration users and reports.
TABADUL_DEMO ?= 1
DEMO_FLAG := $(if $(filter 0 false no,$(TABADUL_DEMO)),,--demo)

.PHONY: run demo demo-stop test check lint types bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: start a node on the embedded SQLite database (initialised on first use,
##      with demonstration users and synthetic reports unless TABADUL_DEMO=0)
run: $(STAMP)
	@test -f $(DATA)/node.json || $(BIN)/tabadul init --data-dir $(DATA) \
		--name "Tabadul development node" --country MA --url http://$(HOST):$(PORT) $(DEMO_FLAG)
	$(BIN)/tabadul serve --data-dir $(DATA) --host $(HOST) --port $(PORT)

## demo: three linked nodes on ports 8001-8003 playing the scripted exchange
demo: $(STAMP)
	$(BIN)/tabadul demo start --dir $(DEMO_DIR)

## demo-stop: stop the three demonstration nodes
demo-stop: $(STAMP)
	$(BIN)/tabadul demo stop --dir $(DEMO_DIR)

## test: the whole suite (SQLite; PostgreSQL too when TABADUL_TEST_DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

## check: lint, types, import layers, then the tests
check: lint types test

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy

## bench: the benchmarks that print the figures in docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/web_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'  # nomenklatura, for comparison
	$(BIN)/python bench/names_eval.py --data ../shared/data/names
	$(BIN)/python bench/names_speed.py
	$(BIN)/python bench/exchange_bench.py

## messages: add new interface strings to the Arabic and French catalogues
messages: $(STAMP)
	$(BIN)/python -m tabadul.web.catalogues

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
