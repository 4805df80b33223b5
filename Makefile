# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install system-deps lint typecheck migrate demo worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: system-deps $(VENV)/.installed

# Debian packages the product needs at run time (installed only when missing).
system-deps:
	@./scripts/system-deps.sh fonts-wqy-microhei

run: install
	$(BIN)/gridline migrate
	$(BIN)/gridline load-catalog
	$(BIN)/gridline demo
	$(BIN)/gridline serve --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) gridline.db gridline.db-wal gridline.db-shm
