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

# The notebooks' checked numbers come from torch's AVX2 kernels; on an AVX-512 CPU torch picks kernels whose float
# rounding moves the last printed digit of a few of them. Pinning the kernels makes both kinds of CPU print the same.
AVX2_KERNELS := ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2

test: $(STAMP)
	$(BIN)/python -m pytest tests
	$(AVX2_KERNELS) $(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider notebooks/

# Playwright drives the system's Chromium (`apt-get install -y chromium`; CHROMIUM=... for another): no browser download.
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,browser]"
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	@test -x $(CHROMIUM) || { echo "no Chromium at $(CHROMIUM): apt-get install -y chromium (or make test-browser CHROMIUM=/path/to/chromium)"; exit 1; }
	GANCOURSE_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -s -p no:cacheprovider tests/browser

# Re-execute notebooks in place, top to bottom, as they are committed (NB=notebooks/05_*.ipynb for one).
NB ?= notebooks/[0-9][0-9]_*.ipynb
notebooks: $(STAMP)
	for nb in $(NB); do $(AVX2_KERNELS) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=900 $$nb || exit 1; done

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
