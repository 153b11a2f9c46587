# Lesmark — `make run` serves the demo, `make test` runs every test. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help install install-test lock translations db content demo run test lint check-content bench browser redis clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions come from the lock files (make lock re-pins them); the app itself is installed
# without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.lock
	touch $@

PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-header --allow-unsafe --no-emit-index-url \
	--no-emit-find-links $(if $(UPGRADE),--upgrade)

.PHONY: lock
lock: | $(BIN)/activate ## Pin every dependency in requirements*.lock from pyproject.toml (UPGRADE=1: newest versions)
	$(BIN)/pip install --quiet pip-tools==7.6.2
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra test -o requirements-test.lock pyproject.toml

install: $(VENV)/.installed translations ## Create .venv and install the app

install-test: $(VENV)/.installed-test translations browser redis ## Install what the tests need (Chromium and Redis included)

translations: $(VENV)/.installed ## Compile the interface translations (.po -> .mo)
	@$(BIN)/pybabel compile -q -d app/translations 2>/dev/null || $(BIN)/pybabel compile -d app/translations

.PHONY: i18n-update
i18n-update: $(VENV)/.installed ## Extract interface strings into messages.pot and update every catalogue
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --add-location=file --add-comments=Translators: \
	  --project=Lesmark --copyright-holder="Lesmark contributors" -o app/translations/messages.pot .
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations --ignore-obsolete
	@# English is the source language: its catalogue is the identity (msgstr = msgid)
	@$(BIN)/python -c 'import io, pathlib; from babel.messages.pofile import read_po, write_po; \
	  p = pathlib.Path("app/translations/en/LC_MESSAGES/messages.po"); c = read_po(io.BytesIO(p.read_bytes())); \
	  [(setattr(m, "string", m.id), m.flags.discard("fuzzy")) for m in c if m.id]; \
	  b = io.BytesIO(); write_po(b, c, ignore_obsolete=True); p.write_bytes(b.getvalue())'
	@echo "Now translate the new or fuzzy entries in app/translations/{nl,hu,fi}/LC_MESSAGES/messages.po, then: make translations"

browser: ## Install Debian's Chromium for the browser tests (if missing)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium (Debian package) for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

redis: ## Install Debian's redis-server for the rate-limit tests (if missing; the tests start their own)
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "Installing redis-server (Debian package) for the rate-limit tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; }

db: install ## Apply database migrations
	$(BIN)/flask db upgrade

content: db ## Load lessons/ and quizzes/ into the database
	$(BIN)/flask content sync

demo: content ## Create the demo accounts and the demo class (development only)
	$(BIN)/flask demo

run: demo ## Install, migrate, load content, create demo accounts and serve on http://127.0.0.1:5000
	@echo "Lesmark runs on http://$(HOST):$(PORT)  (Ctrl+C stops it)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

check-content: install ## Check every lesson and quiz file (item-writing warnings fail too)
	$(BIN)/flask content check --strict

lint: $(VENV)/.installed-test ## ruff
	$(BIN)/ruff check .

test: install-test ## Run every test (unit, web on SQLite and PostgreSQL, browser)
	$(BIN)/ruff check .
	$(BIN)/mypy
	@# pytest exits 5 when it collects no test: that must fail the run, never pass it.
	$(BIN)/python -m pytest || { rc=$$?; [ $$rc -eq 5 ] && echo "pytest: no tests collected" >&2; exit $$rc; }

bench: install-test ## Load benchmark on 127.0.0.1 (gunicorn), results as ratios
	$(BIN)/python bench/run.py

clean: ## Remove the venv and the local database
	rm -rf $(VENV) instance/*.sqlite*
