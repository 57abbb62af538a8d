# Two commands do all set-up on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
FAULTS_ARGS ?=
FAULTS_DATABASE_URL ?=
LOAD_ARGS ?=

.PHONY: run test install lint check-migrations pytest demo clean bench load faults security messages

# Installs again only when pyproject.toml changed.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py create_first_admin

run: demo
	@echo ""
	@echo "Amity is starting at http://$(HOST):$(PORT)/  (stop it with Ctrl+C)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r config relations delegations -ll

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

pytest: install
	@command -v chromium >/dev/null || echo "NOTE: Chromium is not installed, so the browser tests will be SKIPPED (apt-get install chromium)."
	@command -v msgfmt >/dev/null || echo "NOTE: GNU gettext is not installed, so the catalogue checks will be SKIPPED (apt-get install gettext)."
	$(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

test: lint check-migrations pytest

# Import/export speed beside plain bulk_create and values_list (bench/README.md); a
# throwaway database, about 10 minutes. e.g. BENCH_ARGS="--rows 10000".
bench: install
	$(PY) bench/import_export.py $(BENCH_ARGS)

# sqlmap (Debian's package) on the search and filter parameters and wapiti crawling the
# officers' pages, logged in, against gunicorn on a throwaway database (bench/security.py);
# fails on any injection, vulnerability or 500. 20-40 minutes; QUICK=1 about 5.
# wapiti3 pins an asgiref Django 5.2 cannot run with: it gets a virtualenv of its own.
WAPITI_VENV := var/wapiti-venv
$(WAPITI_VENV)/bin/wapiti:
	$(PYTHON) -m venv $(WAPITI_VENV)
	$(WAPITI_VENV)/bin/pip install --quiet "wapiti3>=3.2,<3.3"

security: install $(WAPITI_VENV)/bin/wapiti
	@command -v sqlmap >/dev/null || (echo "sqlmap is not installed (apt-get install sqlmap)"; exit 1)
	$(PY) bench/security.py

# Fault runs too long for the suite (bench/faults.py): an import killed while it writes,
# the database away during requests to gunicorn, officers saving one record at once.
# SQLite under /tmp, then PostgreSQL too when FAULTS_DATABASE_URL names a server (its
# test_<name> database is made and dropped); a few minutes each.
faults: install
	$(PY) bench/faults.py $(FAULTS_ARGS)
	$(if $(FAULTS_DATABASE_URL),$(PY) bench/faults.py --database-url $(FAULTS_DATABASE_URL) $(FAULTS_ARGS))

# 30 officers browsing gunicorn on loopback, SQLite then PostgreSQL, at generate_data
# scale 1 (bench/README.md); building the data takes minutes, LOAD_ARGS="--reuse" keeps it.
# e.g. LOAD_ARGS="--db sqlite --scale 0.1 --users 10 --duration 60".
load: install
	$(PY) bench/load.py $(LOAD_ARGS)

# Korean and Chinese catalogues: extract new strings, translate them in the .po files
# (the tests fail on a missing or fuzzy one), then compile. Needs GNU gettext.
messages: install
	$(PY) manage.py makemessages -l ko -l zh_Hans --no-location --no-obsolete \
		--ignore=tests --ignore=bench --ignore=var --ignore=static --ignore=locale
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/amity.sqlite3*
