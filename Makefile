# Two entry points: `make lab` (learn) and `make test` (check). Both create .venv on first use.
# `make test-browser` runs the notebooks' widgets in JupyterLab in a real browser (Chromium from the system).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Jupyter refuses to start as root (containers, CI machines) unless told it may.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test test-browser unit notebooks benchmarks install clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

test: $(STAMP)
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider notebooks/

# Playwright drives the system's Chromium (`apt-get install -y chromium`; CHROMIUM=... for another): no browser download.
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,browser]"
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	@test -x $(CHROMIUM) || { echo "no Chromium at $(CHROMIUM): apt-get install -y chromium (or make test-browser CHROMIUM=/path/to/chromium)"; exit 1; }
	GANCOURSE_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -s -p no:cacheprovider tests/browser

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
