# gongzhi — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo serve install env test test-pg test-browser test-fuzz test-all bench loadtest lint format migrations-check messages clean stack stack-down stack-city smoke backup restore-check

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

env: install
	$(PY) scripts/make_env.py

## make demo: set everything up (SQLite) and serve the Wangjiang demo on 127.0.0.1:$(PORT)
demo: env
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: env
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: the suite on SQLite (browser tests and the API fuzzing excluded; see below)
## (tests/api/conftest.py collects the fuzzing only when -m asks for it)
test: env
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) -m pytest -m "not browser" -n auto --dist loadgroup

test-pg: env
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -m "not browser" -n auto --dist loadgroup

## (two workers, each with its own live server and Chromium: 3.7 min instead of 5.5 here)
test-browser: env
	$(PY) -m pytest -m browser -n 2 --dist loadgroup

## make test-fuzz: schemathesis against the whole API, in process (≥ 5,000 calls)
test-fuzz: env
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) -m pytest -m fuzz

test-all: test test-pg test-browser test-fuzz

## make bench: benchmarks; figures are written to bench/results/ (bench/README.md).
## In-process benchmarks, then over HTTP against BENCH_BASE_URL (e.g. `make stack`'s
## nginx) or, without it, gunicorn started on DATABASE_URL (the city: seed_demo --scale city)
bench: env
	$(PY) bench/run.py
	$(PY) bench/http_bench.py

## make loadtest: locust, headless, 60 s, one app server killed a third of the way in
loadtest: env
	$(PY) bench/loadtest.py

## make stack: a production-like stack on loopback (PostgreSQL, Redis, two gunicorn app
## servers, nginx on 127.0.0.1:$${STACK_PORT:-8400}, Celery worker and beat); see
## scripts/stack.sh for its settings. STACK_DATA=city (or make stack-city) loads the
## city-scale data set. make stack-down stops what it started; make smoke checks it.
stack: env
	scripts/stack.sh up

stack-city: env
	STACK_DATA=city scripts/stack.sh up

stack-down:
	scripts/stack.sh down

smoke: env
	$(PY) scripts/smoke.py

## make backup: a consistent PostgreSQL backup with its manifest (docs/backups.md)
backup: env
	$(PY) manage.py backup --to $${BACKUP_DIR:-var/backups} --keep $${BACKUP_KEEP:-14}

restore-check: env
	$(PY) manage.py restore --from $(FROM) --check-only

lint: env
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(PY) manage.py makemigrations --check --dry-run -v0
	PYTHONPATH=src $(VENV)/bin/lint-imports --no-cache

format: env
	$(VENV)/bin/ruff check --fix src tests bench
	$(VENV)/bin/ruff format src tests bench

messages: env
	cd src/gongzhi && ../../$(PY) ../../manage.py makemessages -l zh_Hant -l en --no-location --no-obsolete -i '*/migrations/*'
	$(PY) manage.py build_zh_hant

clean:
	rm -rf $(VENV) var
