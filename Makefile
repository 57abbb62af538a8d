# Two commands do all set-up on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test install lint check-migrations pytest demo clean bench messages

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

# Korean and Chinese catalogues: extract new strings, translate them in the .po files
# (the tests fail on a missing or fuzzy one), then compile. Needs GNU gettext.
messages: install
	$(PY) manage.py makemessages -l ko -l zh_Hans --no-location --no-obsolete \
		--ignore=tests --ignore=bench --ignore=var --ignore=static --ignore=locale
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/amity.sqlite3*
