# Two commands from nothing: `make demo` and `make test`. Each creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-all lint bench docs clean-venv

$(BIN)/pratique: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

demo: $(BIN)/pratique
	$(BIN)/pratique train

# `make test` leaves out the tests marked slow (large models: VGG, ResNet-50, Inception...;
# two-process DDP); `make test-all` runs every test.
test: $(BIN)/pratique
	$(BIN)/python -m pytest -q -m "not slow"

test-all: $(BIN)/pratique
	$(BIN)/python -m pytest -q

lint: $(BIN)/pratique
	$(BIN)/ruff check src tests

bench: $(BIN)/pratique
	$(BIN)/python bench/fit_throughput.py

docs: $(BIN)/pratique
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site
