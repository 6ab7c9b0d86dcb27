# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
STATIC_STAMP := src/crampcheck/web/static/vendor/.built

.PHONY: run test lint typecheck pytest bench static install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The NHS.UK frontend CSS/JS/images are built from npm into the package's static folder
# (not committed); pip then ships them inside the package.
$(STATIC_STAMP): package.json package-lock.json scripts/build_static.sh
	bash scripts/build_static.sh

static: $(STATIC_STAMP)

$(STAMP): $(BIN)/python pyproject.toml $(STATIC_STAMP)
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/crampcheck serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy src/crampcheck

pytest: $(DEV_STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

# wrk (load generator) comes from Debian; installed here when missing and we may (root, as in CI).
bench: $(DEV_STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || echo "wrk missing: apt-get install wrk"
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules src/crampcheck/web/static/vendor
