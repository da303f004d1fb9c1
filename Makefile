# mauna — fresh machine: `make demo` or `make test`. Both bootstrap .venv from python3 alone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export ETH_HASH_BACKEND ?= pysha3

.PHONY: venv demo test test-all lint typecheck pytest bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: venv
	$(VENV)/bin/mauna demo

lint: venv
	$(VENV)/bin/ruff check src tests bench

typecheck: venv
	$(VENV)/bin/mypy

pytest: venv
	$(PY) -m pytest -q -n 2

test: lint typecheck pytest

test-all: lint typecheck
	$(PY) -m pytest -q -n 2 -m ''

bench: venv
	$(PY) bench/executor.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
