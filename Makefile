# The two commands a new user runs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.polyqa-installed
TSTAMP := $(VENV)/.polyqa-test-installed

.PHONY: run test install install-test lint typecheck unit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: left to the resolver it would fetch the CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/python -m pip install --disable-pip-version-check -q -e .
	touch $@

$(TSTAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $@

install: $(STAMP)
install-test: $(TSTAMP)

run: install
	$(BIN)/polyqa chat

lint: install-test
	$(BIN)/ruff check corpus index bot tests bench
	$(BIN)/ruff format --check corpus index bot tests bench

typecheck: install-test
	$(BIN)/mypy

unit: install-test
	$(BIN)/python -m pytest

test: lint typecheck unit
