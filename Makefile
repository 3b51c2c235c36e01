# Khanij R&D: the two everyday commands are `make run` and `make test`.

PORT ?= 8000
export PORT
# Links in the e-mails the demo sends point at the port it runs on.
export KHANIJ_SITE_URL ?= http://127.0.0.1:$(PORT)
# Log lines from web, worker and beat appear as they happen, not when a buffer fills.
export PYTHONUNBUFFERED := 1

VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The browser the browser tests drive: Debian's chromium package, never a download.
CHROMIUM ?= $(or $(KHANIJ_CHROMIUM),/usr/bin/chromium)
# apt-get needs root; use sudo when not root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install catalogues messages pdf-libraries pdf-tools run test test-browser lint bench loadtest

help:
	@echo "make run    start the app with demo data on http://127.0.0.1:$(PORT)/"
	@echo "make test   run the test suite (PYTEST_ARGS=... passes options to pytest)"
	@echo "make test-browser  journeys, keyboard and axe-core checks in Chromium;"
	@echo "            installs Chromium and axe-core when missing; screenshots in var/screenshots/"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make bench  benchmarks (minutes); results in docs/benchmarks.md"

# The virtual environment is made once; packages are installed again only when a
# requirements file is newer than the stamp, so a second `make run` starts at once.
install: $(STAMP)

$(PYTHON):
	python3 -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PYTHON)
	$(PYTHON) -m pip install -r requirements-dev.txt
	touch $@

# The Hindi catalogue is compiled from its .po whenever the .po is newer (polib,
# no gettext needed); the .mo files are not kept in git.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
catalogues: $(CATALOGUES)

locale/%.mo: locale/%.po | $(STAMP)
	$(PYTHON) manage.py compile_catalogues

# After adding or changing a translatable string: collect the catalogue's messages
# again (new ones arrive untranslated, and the suite fails until they are translated).
messages: install $(XGETTEXT)
	$(PYTHON) manage.py makemessages -l hi --no-obsolete --ignore='tests/*' \
		--ignore='.venv/*' --ignore='node_modules/*' --ignore='var/*' --ignore='bench/*'

# GNU gettext: the suite checks that makemessages finds nothing the catalogue lacks.
XGETTEXT := /usr/bin/xgettext
$(XGETTEXT):
	$(SUDO) apt-get install -y gettext || { $(SUDO) apt-get update && $(SUDO) apt-get install -y gettext; }

# Documents are rendered by WeasyPrint, which needs Debian's Pango and HarfBuzz's
# font subsetter; the suite reads PDFs back with poppler's pdftotext and pdffonts.
PDF_LIBRARIES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
pdf-libraries:
	@dpkg -s $(PDF_LIBRARIES) >/dev/null 2>&1 || $(SUDO) apt-get install -y $(PDF_LIBRARIES) || \
		{ $(SUDO) apt-get update && $(SUDO) apt-get install -y $(PDF_LIBRARIES); }

pdf-tools: pdf-libraries
	@command -v pdftotext >/dev/null || $(SUDO) apt-get install -y poppler-utils || \
		{ $(SUDO) apt-get update && $(SUDO) apt-get install -y poppler-utils; }

run: install catalogues pdf-libraries
	mkdir -p var/mail var/celery/queue var/celery/control var/media
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py seed_demo
	@echo
	@echo "Khanij R&D is starting on the embedded default (SQLite, filesystem broker,"
	@echo "e-mail written to var/mail/). Stop it with Ctrl-C."
	@echo
	@echo "  The app                             http://127.0.0.1:$(PORT)/"
	@echo "  Django admin                        http://127.0.0.1:$(PORT)/admin/"
	@echo
	@echo "  Demo logins (illustrative data only):"
	@echo "    officer            / demo-officer-pass   programme officer"
	@echo "    finance            / demo-finance-pass   finance officer"
	@echo "    admin              / demo-admin-pass     superuser"
	@echo "    divhead            / demo-divhead-pass   division head (90-day escalations)"
	@echo "    pi-<org-slug>      / demo-grantee-pass   grantee principal investigator,"
	@echo "                                             e.g. pi-calcinova-metals, pi-konkan-ust"
	@echo "    fo-<org-slug>      / demo-grantee-pass   grantee finance officer,"
	@echo "                                             e.g. fo-calcinova-metals"
	@echo "    expert-iyer        / demo-expert-pass    external expert (PERC and TEC chair): /review/"
	@echo "    expert-konkan      / demo-expert-pass    external expert from Konkan UST (PERC)"
	@echo
	exec $(VENV)/bin/honcho start -f Procfile

# Tests that need Redis use REDIS_URL; they skip, with the reason shown, when it
# does not answer (CI sets KHANIJ_REQUIRE_REDIS=1 to make them fail instead).
test: install catalogues $(XGETTEXT) pdf-tools
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" $(VENV)/bin/pytest $(PYTEST_ARGS)

# Real-browser tests (tests/browser, marked `browser`): Playwright drives Debian's
# Chromium against the live server; axe-core comes from npm (package-lock.json).
# Screenshots go to var/screenshots/, axe-core reports to var/axe/.
test-browser: install catalogues pdf-tools node_modules/.package-lock.json $(CHROMIUM)
	KHANIJ_CHROMIUM=$(CHROMIUM) $(VENV)/bin/pytest -m browser tests/browser $(PYTEST_ARGS)

node_modules/.package-lock.json: package.json package-lock.json
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y npm; }
	npm ci --no-audit --no-fund

$(CHROMIUM):
	$(SUDO) apt-get install -y chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks on generated data in throwaway databases; results go to
# docs/benchmarks.md and docs/benchmarks.json. The reminder sweep runs on the
# embedded default, or on PostgreSQL and Redis with DATABASE_URL and
# CELERY_BROKER_URL set. The pages run on SQLite (1,000 and 10,000 projects) and
# on PostgreSQL (1,000, 10,000 and 100,000) at DATABASE_URL or, when that is not
# set, BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/ unless given);
# PostgreSQL is skipped with a note when it does not answer. On PostgreSQL the
# dashboard is also served by gunicorn (2 workers) to 8 staff sessions at once.
# The sweep goes first because the pages' "Targets" section reads its figures.
bench: install catalogues pdf-tools
	$(PYTHON) bench/sweep.py
	$(PYTHON) bench/pages.py
	$(PYTHON) bench/documents.py
	$(PYTHON) bench/imports.py

# 50 grantees submitting reports and 10 staff browsing for 60 s against gunicorn on
# 127.0.0.1; writes docs/loadtest.md (p50 and p95 of every page). Not part of
# `make test`.
loadtest: install catalogues
	$(PYTHON) bench/loadtest.py
