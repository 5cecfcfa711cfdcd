# dme_service: `make run` serves the app, `make test` runs every check.
# Both install what is missing first (Debian packages, .venv, database), so a
# fresh Debian machine (as root) needs nothing but this repository.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := libharfbuzz-subset0 poppler-utils chromium fonts-dejavu-core postgresql nginx-light
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
JOBS ?= 2
AXE := node_modules/axe-core/axe.min.js
AXE_VERSION := 4.10.3

.PHONY: run test lint format bench load fuzz-times screenshots system deps db demo serve clean-venv

## run: install, create or upgrade the database, seed the demo clinic if empty, serve on :5000
run: deps db demo serve

## test: install, lint, then the whole suite on SQLite and again on a throwaway PostgreSQL
# pytest exits 5 when it collects nothing, which fails the target like any failure.
# The PostgreSQL run leaves out the tests marked slow (fuzz at the size limits, the
# every-download-path freshness tables): their logic is engine-neutral and already ran on SQLite,
# and repeating them pushed `make test` past its 15 minutes. Engine-specific input checks (NUL
# bytes, lengths) have fast tests of their own (tests/web/api/test_bounds.py) that do run there.
# The browser run collects tests/browser alone (collecting the whole suite took each worker
# longer than several browser tests; tests/conftest.py refuses a browser test anywhere else).
test: deps lint
	$(PY) -m pytest -n $(JOBS) -m "not browser" $(PYTEST_ARGS)
	$(PY) -m pytest -n $(JOBS) -m browser $(PYTEST_ARGS) tests/browser
	bash .ci/with-postgres.sh $(PY) -m pytest -n $(JOBS) -m "not browser and not slow" $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r dme_service -ll
	$(VENV)/bin/lint-imports

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: deps
	$(PY) -m bench

## load: 50 users for 60 s through the real flows (locust, loopback only), on SQLite (1 node) and
## on a throwaway PostgreSQL (2 nodes), reconciled; figures into docs/performance.md. Minutes.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
load: deps
	$(PY) -m bench.load --engine sqlite --users $(LOAD_USERS) --seconds $(LOAD_SECONDS)
	bash .ci/with-postgres.sh $(PY) -m bench.load --engine postgresql --nodes 2 \
	  --users $(LOAD_USERS) --seconds $(LOAD_SECONDS)

## fuzz-times: the fuzz at the size limits with every request's wall and CPU time recorded;
## max and p99 per endpoint into docs/performance.md; fails on a 5xx or a request over 2 s of CPU
fuzz-times: deps
	$(PY) -m bench.fuzz --jobs $(JOBS)

## screenshots: refresh docs/screenshots/ (the README's pictures) from the browser tests
screenshots: deps
	DME_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -m browser -q

deps: system $(STAMP) $(AXE)

# Debian packages: installed only when one is missing, so a second run is instant.
system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "need root (or sudo) to apt-get install$$missing" >&2; exit 1; fi; \
	  apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The dependencies are in setup.cfg; pyproject.toml holds tool settings (pytest markers, ruff,
# import contracts) whose edits must not reinstall every package.
$(STAMP): setup.cfg
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m dme_service codes build
	touch $(STAMP)

# axe-core (accessibility checks injected into pages by the browser tests), from the npm registry.
$(AXE):
	npm install --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION) >/dev/null

db: deps
	$(PY) -m dme_service db upgrade

demo: db
	$(PY) -m dme_service demo --if-empty

# serve: workers, preload, staggered recycling and the audit sealer are in gunicorn.conf.py
serve: deps
	$(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT)

clean-venv:
	rm -rf $(VENV)
