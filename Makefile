# mauna — fresh machine: `make demo` or `make test`. Both bootstrap .venv from python3 alone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export ETH_HASH_BACKEND ?= pysha3

.PHONY: venv tools demo test test-all lint typecheck pytest bench clean

# anvil (a real L1 for the derivation tests) ships as a binary inside an npm package.
ANVIL_VERSION := 1.7.1
ANVIL := .tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil

venv: $(STAMP)

tools: $(ANVIL)

$(ANVIL):
	npm install --silent --no-save --no-audit --no-fund --prefix .tools @foundry-rs/anvil-linux-amd64@$(ANVIL_VERSION)
	test -x $(ANVIL)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,rocksdb]'
	touch $(STAMP)

demo: venv
	$(VENV)/bin/mauna demo

lint: venv
	$(VENV)/bin/ruff check src tests bench

typecheck: venv
	$(VENV)/bin/mypy

pytest: venv tools
	$(PY) -m pytest -q -n 2

test: lint typecheck pytest

test-all: lint typecheck tools
	$(PY) -m pytest -q -n 2 -m ''

bench: venv tools
	$(PY) bench/executor.py
	$(PY) bench/derive.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
