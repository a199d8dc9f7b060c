# The two commands: `make run` serves the hub, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ANALYTICS_HUB_ENV ?= development
export ANALYTICS_HUB_ENV

.PHONY: run test lint chromium clean

run: $(VENV)/.installed-app  ## install, create and seed the database on first run, serve on 127.0.0.1:8501
	$(BIN)/gunicorn -c gunicorn.conf.py app:server

test: $(VENV)/.installed-test chromium  ## install what the tests need and run them all
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

$(VENV)/.installed-app: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-app
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium (never a downloaded browser build).
chromium:
	@if command -v chromium >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium is missing and apt-get is not usable: browser tests will be skipped"; \
	fi

clean:
	rm -rf $(VENV) var logs .pytest_cache .ruff_cache
