# dash-personas — the two commands a fresh machine needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
DEMO_DIR ?= demo-output
PYTEST_ARGS ?=

.PHONY: demo test lint bench clean browsers postgres screenshots

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamp files re-run the install whenever the project metadata changes.
# plugins/ holds separately installable distributions (Dash hooks, Jupyter extension).
PLUGINS := plugins/dash-hooks plugins/jupyter
PLUGIN_META := $(addsuffix /pyproject.toml,$(PLUGINS))

$(VENV)/.installed-demo: $(PY) pyproject.toml $(PLUGIN_META)
	$(PIP) install --quiet -e . $(addprefix -e ,$(PLUGINS))
	@touch $@

$(VENV)/.installed-test: $(PY) pyproject.toml $(PLUGIN_META)
	$(PIP) install --quiet -e ".[dev]" $(addprefix -e ,$(PLUGINS))
	@touch $@

demo: $(VENV)/.installed-demo
	$(VENV)/bin/dash-personas demo --out $(DEMO_DIR)

# The SurveyJS export is checked with survey-core's linter (node); package-lock.json pins it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian chromium + chromium-driver for the browser tests (tests/dashboard, marker "browser").
browsers:
	bash tools/install-chromium.sh

# Debian's PostgreSQL server: the tracking and SQL-export tests start a throwaway cluster
# (tests/tracking, tests/activation).
postgres:
	bash tools/install-postgresql.sh

test: $(VENV)/.installed-test node_modules/.package-lock.json browsers postgres
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(PIP) install --quiet -e ".[dev,bench]"
	@touch $@

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/bench_engine.py

# README's dashboard screenshots (docs/dashboard-{desktop,phone}-{light,dark}.png) of the
# demo's personas, in headless Chromium; builds the demo files first when they are missing.
screenshots: $(VENV)/.installed-test browsers
	$(PY) docs/make_screenshots.py --demo $(DEMO_DIR)

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache .hypothesis
