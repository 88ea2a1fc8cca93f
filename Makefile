# Quick start: `make run` (demo database, then the app) and `make test` (every test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The demo opens as the shop owner; any demo user works (owner, clerk, warehouse, finance).
RMA_USER ?= owner

.PHONY: run test lint demo bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(STAMP)

# The demo database lives apart from any real shop database (see README "Data paths").
run: $(STAMP)
	@db="$$($(BIN)/python -c 'from rma_tui.config import demo_db; print(demo_db())')"; \
	if [ ! -s "$$db" ]; then $(BIN)/rma --db "$$db" demo; fi; \
	$(BIN)/rma --db "$$db" --user "$(RMA_USER)"

# Three pytest workers (pytest-xdist) on the two cores of the CI machines: the Pilot tests
# wait on the screen's timers and the PostgreSQL and process tests on other processes for
# about a quarter of their time, which a third worker fills (measured: 512 s with two
# workers, 472 s with three). `make test PYTEST_ARGS=-n0` runs them in one process.
PYTEST_ARGS ?= -n 3
test: $(TEST_STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check rma_tui tests bench
	$(BIN)/mypy rma_tui

# The benchmark: builds its own databases; see bench/BASELINE.md. Not part of
# `make test` (it measures speed, it asserts nothing). BENCH_ARGS=--scale quick to try it.
BENCH_ARGS ?= --scale full --keep .bench
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

demo: $(STAMP)
	@db="$$($(BIN)/python -c 'from rma_tui.config import demo_db; print(demo_db())')"; \
	$(BIN)/rma --db "$$db" --user owner demo --force

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .bench
