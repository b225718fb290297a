# Elevsag. `make run` serves the app with demo data; `make test` runs every test.
# Both set up what they need first: the virtualenv, DKFDS and the compiled translations.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := ELEVSAG_CONFIG=development $(BIN)/flask --app wsgi
DKFDS  := app/static/vendor/dkfds
PO     := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint check-migrations e2e-browser translations-extract clean help

help:
	@echo "make run    - install, migrate, load demo data (first run) and serve on http://127.0.0.1:5000"
	@echo "make test   - install test tools and run the whole test suite"
	@echo "make lint   - ruff check"

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
	$(FLASK) notify-transitions
	@$(FLASK) demo-logins
	$(FLASK) run --host 127.0.0.1 --port 5000

# The browser test drives Debian's Chromium. Install it if we can; say so plainly if not.
e2e-browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the end-to-end test (apt-get install chromium)..."; \
	  (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null)) || \
	  echo "WARNING: could not install Chromium; the end-to-end browser test will be SKIPPED."; \
	else \
	  echo "WARNING: $(CHROMIUM) not found and cannot be installed here (needs root + apt-get)."; \
	  echo "         The end-to-end browser test will be SKIPPED. Install Debian's chromium to run it."; \
	fi

test: $(VENV)/.dev assets e2e-browser
	ELEVSAG_CONFIG=test $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

check-migrations: $(VENV)/.runtime
	@rm -f /tmp/elevsag-migration-check.sqlite
	DATABASE_URL=sqlite:////tmp/elevsag-migration-check.sqlite $(FLASK) db upgrade
	DATABASE_URL=sqlite:////tmp/elevsag-migration-check.sqlite $(FLASK) db check

# After adding or changing UI text: update the catalogues, then translate the new entries.
translations-extract: $(VENV)/.dev
	$(BIN)/pybabel extract --no-location --ignore-dirs=".* node_modules" -F babel.cfg -k _l -k lazy_gettext -k N_ -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations

clean:
	rm -rf $(VENV) node_modules $(DKFDS) instance/elevsag.sqlite
