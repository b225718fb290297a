# Elevsag. `make run` serves the app with demo data; `make test` runs every test.
# Both set up what they need first: the virtualenv, DKFDS and the compiled translations.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := ELEVSAG_CONFIG=development $(BIN)/flask --app wsgi
DKFDS  := app/static/vendor/dkfds
PO     := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)
CHROMIUM ?= $(or $(CHROMIUM_PATH),/usr/bin/chromium)
PORT   ?= 5000

.PHONY: run serve-prod prod-smoke test lint bench bench-pg bench-scale bench-tools check-migrations e2e-browser assets translations-extract clean help

help:
	@echo "make run    - install, migrate, load demo data (first run) and serve on http://127.0.0.1:5000 (PORT=8080 make run for another port)"
	@echo "make test   - install test tools and run the whole test suite"
	@echo "make serve-prod - the production profile: gunicorn workers and the mail worker on PostgreSQL and Redis (README, Drift)"
	@echo "make lint   - ruff check and the architecture rules (lint-imports)"
	@echo "make bench  - build the regional database and time the main pages (see README)"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# DKFDS is installed from the npm registry and served from app/static; no CDN, no bundler.
$(DKFDS)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(DKFDS) && mkdir -p $(DKFDS)
	cp -R node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/fonts node_modules/dkfds/dist/img $(DKFDS)/
	touch $@

%.mo: %.po $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -i $< -o $@

assets: $(DKFDS)/.installed $(MO)

run: $(VENV)/.runtime assets
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	$(FLASK) figures refresh --if-missing
	$(FLASK) risk refresh
	$(FLASK) notify-transitions
	@$(FLASK) demo-logins
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The production profile (README, "Drift (produktion)"): migrate, then WEB_CONCURRENCY gunicorn
# workers and `flask mail worker`, on PostgreSQL and Redis. SECRET_KEY must be set; DATABASE_URL,
# REDIS_URL and MAIL_QUEUE_URL default to PostgreSQL and Redis on 127.0.0.1.
serve-prod: $(VENV)/.runtime assets
	PORT=$(if $(filter command line environment,$(origin PORT)),$(PORT),8000) scripts/serve-prod

# The smoke test of that profile (CI runs it after the suites): a fresh database with a little
# demo data, an SMTP server on loopback; log in over HTTP, write a handover note and wait for
# the mail worker to deliver the supervisor's mail.
prod-smoke: $(VENV)/.dev assets
	$(BIN)/python tests/smoke/prod_smoke.py

# The browser tests drive Debian's Chromium (Playwright's own download is not used). Install
# it if we can (root + apt-get); say plainly if not: pytest then skips the browser tests.
e2e-browser:
	@if [ -x "$(CHROMIUM)" ]; then \
	  echo "Browser tests use $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser tests (apt-get install chromium)..."; \
	  log=$$(mktemp); \
	  export DEBIAN_FRONTEND=noninteractive; \
	  if apt-get install -y -q chromium >"$$log" 2>&1 || \
	     { apt-get update -q >>"$$log" 2>&1 && apt-get install -y -q chromium >>"$$log" 2>&1; }; then \
	    rm -f "$$log"; \
	  else \
	    tail -n 5 "$$log"; rm -f "$$log"; \
	  fi; \
	  if [ -x "$(CHROMIUM)" ]; then echo "Chromium installed at $(CHROMIUM)."; else \
	    echo "WARNING: no Chromium at $(CHROMIUM) after apt-get install chromium."; \
	    echo "WARNING: the browser tests (tests/e2e) will be SKIPPED."; \
	  fi; \
	else \
	  echo "WARNING: $(CHROMIUM) not found and cannot be installed here (needs root and apt-get)."; \
	  echo "WARNING: the browser tests (tests/e2e) will be SKIPPED. Install Debian's chromium,"; \
	  echo "         or set CHROMIUM_PATH to a Chromium binary, to run them."; \
	fi

# -rfEs: the summary names failures, errors and skips (with the reason, e.g. no Chromium).
test: $(VENV)/.dev assets e2e-browser
	ELEVSAG_CONFIG=test CHROMIUM_PATH=$(CHROMIUM) $(BIN)/pytest -rfEs $(PYTEST_ARGS)

# The regional benchmark (README, "Performance"): builds the regional database once (SQLite in
# instance/bench.sqlite, and PostgreSQL database elevsag_bench if a server answers on
# 127.0.0.1:5432), times the main pages and the floor page in-process, then load-tests the
# floor and the student page under gunicorn with wrk, on each database. `make bench-scale`
# repeats the PostgreSQL timings with three times the students and compares the two.
BENCH_SQLITE := sqlite:///$(CURDIR)/instance/bench.sqlite
BENCH_PG     := postgresql+psycopg://postgres@127.0.0.1:5432/elevsag_bench
BENCH_STUDENTS ?= 50000
BENCH_REQUESTS ?= 200
BENCH_PROFILE_REQUESTS ?= 50
BENCH_SECONDS  ?= 20
PG_READY := pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null
# create_pg_db NAME: create the database unless it exists, with the planner cost of SSD storage
# (README, "Drift (produktion)").
create_pg_db = { psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(1)'" | grep -q 1 || \
	psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $(1)"; } && \
	psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER DATABASE $(1) SET random_page_cost = 1.1"
# bench_db URL LABEL SAVE: migrate, load the regional data once, the nightly jobs (figures,
# risk flags), time in-process, load-test.
define bench_db
	DATABASE_URL=$(1) $(FLASK) db upgrade
	DATABASE_URL=$(1) $(FLASK) regional-data --if-empty --students $(BENCH_STUDENTS)
	DATABASE_URL=$(1) $(FLASK) figures refresh
	DATABASE_URL=$(1) $(FLASK) risk refresh
	DATABASE_URL=$(1) $(FLASK) bench --requests $(BENCH_REQUESTS) --label $(2) --save $(3)
	DATABASE_URL=$(1) $(FLASK) bench-profile --requests $(BENCH_PROFILE_REQUESTS)
	DATABASE_URL=$(1) $(FLASK) bench-load --seconds $(BENCH_SECONDS) --label $(2)
endef

bench: $(VENV)/.runtime assets bench-tools
	@mkdir -p instance
	$(call bench_db,$(BENCH_SQLITE),SQLite,instance/bench-sqlite.json)
	DATABASE_URL=$(BENCH_SQLITE) $(FLASK) bench-import
	@if $(PG_READY); then { $(call create_pg_db,elevsag_bench); } && $(MAKE) --no-print-directory bench-pg; \
	else echo "PostgreSQL is not reachable on 127.0.0.1:5432: it is left out."; fi

bench-pg:
	$(call bench_db,$(BENCH_PG),PostgreSQL,instance/bench-pg-$(BENCH_STUDENTS).json)
	DATABASE_URL=$(BENCH_PG) $(FLASK) bench-import

# Three times the region on PostgreSQL (database elevsag_bench_150000, built once, about
# 15 minutes), timed in-process and compared with the regional run's saved figures.
bench-scale: $(VENV)/.runtime assets
	@test -f instance/bench-pg-$(BENCH_STUDENTS).json || $(MAKE) --no-print-directory bench
	$(call create_pg_db,elevsag_bench_150000)
	DATABASE_URL=$(BENCH_PG)_150000 $(FLASK) db upgrade
	DATABASE_URL=$(BENCH_PG)_150000 $(FLASK) regional-data --if-empty --students 150000
	DATABASE_URL=$(BENCH_PG)_150000 $(FLASK) figures refresh
	DATABASE_URL=$(BENCH_PG)_150000 $(FLASK) risk refresh
	DATABASE_URL=$(BENCH_PG)_150000 $(FLASK) bench --requests $(BENCH_REQUESTS) --label "PostgreSQL, 150000" --save instance/bench-pg-150000.json
	DATABASE_URL=$(BENCH_PG) $(FLASK) bench-compare instance/bench-pg-$(BENCH_STUDENTS).json instance/bench-pg-150000.json

# The load generator, wrk, from Debian's packages (as Chromium for the browser tests).
bench-tools:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing wrk for the load test (apt-get install wrk)..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }; \
	  else echo "wrk is missing: install it (Debian: apt-get install wrk) for the load test"; exit 1; fi; }

# ruff, then the architecture rules in .importlinter (see docs/architecture.md).
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The migrations, run on an empty SQLite database, must give exactly the models.
check-migrations: $(VENV)/.runtime
	@dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	export DATABASE_URL="sqlite:///$$dir/check.sqlite"; \
	set -e; \
	$(FLASK) db upgrade; \
	$(FLASK) db check

# After adding or changing UI text: update the catalogues, then translate the new entries.
translations-extract: $(VENV)/.dev
	$(BIN)/pybabel extract --no-location --ignore-dirs=".* node_modules" -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k N_ -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations

clean:
	rm -rf $(VENV) node_modules $(DKFDS) instance/elevsag.sqlite
