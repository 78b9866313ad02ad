# Pegasus: two commands on a fresh machine.
#   make run   installs what is missing, migrates, loads the demo into an empty database, serves :8000 with a task worker
#   make test  installs what is missing, runs lint and the whole suite on SQLite, then on PostgreSQL if reachable
SHELL := /bin/bash
.DEFAULT_GOAL := run
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PYTHON_RUN = $(UV) run --frozen
PG_URL ?= postgres://postgres@127.0.0.1:5432/pegasus
HOST ?= 127.0.0.1
PORT ?= 8000
export PEGASUS_AS_AT ?= 2019-05-23
# The suite runs on every core; tests that share one built deployment run on the same one. The test modules'
# rewritten asserts are cached as bytecode (where PYTHONDONTWRITEBYTECODE is set, every worker of both runs would
# rewrite them again).
PYTEST_WORKERS ?= auto
PYTEST = PYTHONDONTWRITEBYTECODE= $(PYTHON_RUN) pytest -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: run test install bytecode static lint test-sqlite test-postgres screenshots browser-deps doc-deps migrate demo bench clean

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

# Bytecode is compiled when installing, so that commands start in a fraction of a second even where
# PYTHONDONTWRITEBYTECODE stops Python from caching it (as on the CI machine).
.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	touch $@

bytecode: .venv/.synced
	@$(PYTHON_RUN) python -m compileall -q src

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build/frontend/BUILT: node_modules/.installed frontend/build.mjs frontend/pegasus.scss
	node frontend/build.mjs

# WeasyPrint draws decision PDFs with Pango and HarfBuzz from the system, in the fonts fontconfig finds.
doc-deps:
	@ldconfig -p | grep -q libpango-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0 && fc-list | grep -qi dejavu || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fontconfig >/dev/null)

install: .venv/.synced bytecode build/frontend/BUILT doc-deps

static: build/frontend/BUILT

migrate: install
	$(PYTHON_RUN) pegasus migrate --no-input

demo: migrate
	$(PYTHON_RUN) pegasus demo --if-empty

# The web server and the task worker that runs queued work (ticket uploads, the optimiser) together; Ctrl-C stops both.
run: demo
	@echo "Pegasus on http://$(HOST):$(PORT)/ (estate read as at $(PEGASUS_AS_AT); set PEGASUS_AS_AT= for today)"
	$(PYTHON_RUN) pegasus serve --bind $(HOST):$(PORT)

# Debian's Chromium headless shell drives the browser tests; nothing is downloaded by the test tools themselves.
browser-deps:
	@test -x /usr/lib/chromium/chromium-headless-shell || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null)

lint: install
	$(PYTHON_RUN) ruff check src tests benchmarks scripts
	$(PYTHON_RUN) ruff format --check src tests benchmarks scripts
	$(PYTHON_RUN) mypy
	$(PYTHON_RUN) lint-imports --no-logo

test-sqlite: install browser-deps
	PEGASUS_ENV=test PEGASUS_AS_AT= DATABASE_URL= $(PYTEST)

test-postgres: install browser-deps
	@if $(PYTHON_RUN) python -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL reachable on 127.0.0.1:5432: running the suite on it"; \
		PEGASUS_ENV=test PEGASUS_AS_AT= DATABASE_URL=$(PG_URL) $(PYTEST); \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: suite ran on SQLite only"; fi

test: lint test-sqlite test-postgres

# The browser tests again, saving a full-page PNG of every page they visit under test-results/screenshots.
screenshots: install browser-deps
	PEGASUS_ENV=test PEGASUS_AS_AT= DATABASE_URL= PEGASUS_SCREENSHOTS=1 $(PYTEST) -m browser

bench: install
	PEGASUS_ENV=test $(PYTHON_RUN) python benchmarks/register.py

clean:
	rm -rf build var .venv node_modules
