# The two commands of the README:
#   make run   – set up and start the app on the embedded default (SQLite, in-process tasks and
#                the beat schedule in-process: manage.py serve, scr/scheduler.py)
#   make test  – install what is missing and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast test-machine install lint check-migrations frontend worker beat bench bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed static/build.mjs static/scss/app.scss static/js/app.js static/js/body-classes.js static/images/favicon.svg
	npm run --silent build
	touch $@

install: $(VENV)/.installed static/dist/.built

frontend: static/dist/.built

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Starting on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/python manage.py serve $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	SCR_TESTING=1 $(BIN)/mypy

check-migrations: install
	SCR_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

# The whole suite runs on PostgreSQL and the real broker, whatever the shell has set.
test: export DATABASE_URL ?= postgres://scr:scr@127.0.0.1:5432/scr
test: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/1
# Two processes (the machine's two cores), each with its own Redis database as broker
# (conftest.py), so tests with a real Celery worker may run side by side. The migrations run
# once from nothing per run, into a template database that each process's test database is
# cloned from (tests/dbtemplate.py; --create-db: rebuilt every run, as CI must).
PYTEST_ARGS ?= -n 2 --db-template --create-db
test: test-machine install lint check-migrations
	SCR_TESTING=1 $(BIN)/pytest $(PYTEST_ARGS)

# The quick check while working (under a minute on two cores): every test but the browser
# tests and those with a real Celery worker (markers browser, integration), no lint, on
# PostgreSQL as in make test; each test database is a copy of a template migrated once per
# set of migrations (tests/dbtemplate.py), so a run does not migrate from nothing.
test-fast: export DATABASE_URL ?= postgres://scr:scr@127.0.0.1:5432/scr
test-fast: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/1
FAST_ARGS ?= -n 2 --db-template -m "not browser and not integration"
test-fast: test-machine install
	SCR_TESTING=1 $(BIN)/pytest $(FAST_ARGS)

# Debian packages, PostgreSQL, Redis and the database role (scripts/test-machine.sh).
test-machine:
	scripts/test-machine.sh

worker: install
	$(BIN)/celery -A scr worker -Q default,pdf --loglevel=INFO

beat: install
	$(BIN)/celery -A scr beat --loglevel=INFO

bench: install
	SCR_TESTING=1 $(BIN)/python benchmarks/run_all.py

# 50 signed-in users against gunicorn (its own database scr_load); see benchmarks/README.md.
bench-load: install
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles
