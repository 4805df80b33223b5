# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# PWA_TESTS=0 skips the PWA's unit and end-to-end tests (CI runs them once, on the SQLite pass).
PWA_TESTS ?= 1
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html pwa/vite.config.ts \
	pwa/tsconfig.json pwa/package.json

.PHONY: run test install system-deps lint typecheck migrate demo worker clean pwa pwa-test pwa-e2e

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

# The app is rebuilt only when its sources changed; node modules only when the lock file did.
pwa/node_modules/.installed: pwa/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20.19+ with npm is needed to build pwa/"; exit 1; }
	cd pwa && npm ci --no-audit --no-fund
	touch $@

pwa/dist/index.html: pwa/node_modules/.installed $(PWA_SOURCES)
	cd pwa && npm run build

pwa: pwa/dist/index.html

run: install pwa
	$(BIN)/gridline migrate
	$(BIN)/gridline load-catalog
	$(BIN)/gridline demo
	$(BIN)/gridline serve --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest -n auto
ifneq ($(PWA_TESTS),0)
	$(MAKE) pwa-test pwa-e2e
endif

pwa-test: pwa/node_modules/.installed
	cd pwa && npx vitest run

# End-to-end in Debian's Chromium against the real backend (the test starts it on SQLite).
pwa-e2e: install pwa
	@./scripts/system-deps.sh chromium
	cd pwa && npm run test:e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) gridline.db gridline.db-wal gridline.db-shm
