# The two commands: `make run` serves the hub, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ANALYTICS_HUB_ENV ?= development
export ANALYTICS_HUB_ENV

.PHONY: run test lint system-packages test-packages plotly-bundle clean bench-load bench-soak bench-faults bench-cache

run: $(VENV)/.installed-app system-packages plotly-bundle  ## install, create and seed the database on first run, serve on 127.0.0.1:8501
	$(BIN)/gunicorn -c gunicorn.conf.py app:server

test: $(VENV)/.installed-test system-packages test-packages plotly-bundle  ## install what the tests need and run them all
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# xstatic-bootstrap (Bootstrap's right-to-left CSS) is published as source only and its build
# needs setuptools' pkg_resources, which setuptools 81 removed: build-constraints.txt pins it.
$(VENV)/.installed-app: pyproject.toml build-constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --build-constraint build-constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-app
	$(BIN)/python -m pip install --quiet --build-constraint build-constraints.txt -e '.[test]'
	touch $@

# Load, faults and cache size, for a quiet machine (see bench/README.md); results in bench/results/.
bench-load: $(VENV)/.installed-bench system-packages  ## 10, 25 and 50 users, 60 s each
	$(BIN)/python bench/load.py

bench-soak: $(VENV)/.installed-bench system-packages  ## 25 users for 10 minutes: does throughput hold?
	$(BIN)/python bench/load.py --users 25 --seconds 600 --output soak.json

bench-faults: $(VENV)/.installed-test system-packages  ## every fault at full length
	$(BIN)/python bench/faults.py

bench-cache: $(VENV)/.installed-app  ## set/get cost as the cache fills to 100,000 entries
	$(BIN)/python bench/cache_size.py

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

# The partial plotly.js bundle into var/vendor/ (see the script; the Dockerfile runs it too).
plotly-bundle: $(VENV)/.installed-app system-packages
	@scripts/fetch_plotly_bundle.sh $(BIN)/python .

# Debian's Chromium renders PNG exports and runs the browser tests (never a downloaded browser
# build); Noto fonts draw Arabic in PNG, PDF and the browser; npm fetches the partial plotly.js. Installed when missing and apt is usable.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	[ -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] || missing="$$missing fonts-noto-core"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "Missing$$missing and apt-get is not usable: PNG export and the browser tests will say so"; \
	fi

# For the tests only (not in the image): Tesseract with its Arabic data reads an exported Arabic
# PNG back, to prove its letters are drawn and not empty boxes.
test-packages:
	@wanted=""; \
	command -v tesseract >/dev/null || wanted="tesseract-ocr"; \
	ls /usr/share/tesseract-ocr/*/tessdata/ara.traineddata >/dev/null 2>&1 || wanted="$$wanted tesseract-ocr-ara"; \
	if [ -z "$$wanted" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages for the tests:$$wanted"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$wanted >/dev/null; \
	else \
		echo "Missing$$wanted and apt-get is not usable: the Arabic PNG test will say so"; \
	fi

clean:
	rm -rf $(VENV) var logs .pytest_cache .ruff_cache
