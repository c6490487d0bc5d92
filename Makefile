# netbook — two commands: `make lab` and `make test`.
# PYTHON picks the interpreter (3.11+), VENV the test environment folder,
# LAB_VENV the labs' own (JupyterLab and netbook only: no test or benchmark packages).
PYTHON ?= $(shell command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.netbook-installed
LAB_VENV  ?= .venv-lab
LAB_STAMP := $(LAB_VENV)/.netbook-lab-installed
PYTEST_ARGS ?=

.PHONY: lab test lint venv lab-venv peers unit notebooks js bench clean

# Python 3.11+ with venv/ensurepip (Debian ships them apart: python3-venv)
define check_python
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "netbook needs Python 3.11+ (found %s); run: make PYTHON=/path/to/python3.11 ..." % sys.version.split()[0]'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "$(PYTHON) cannot make a venv: on Debian/Ubuntu run  sudo apt-get install python3-venv" >&2; exit 1; }
endef

$(STAMP): pyproject.toml
	$(check_python)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[lab,test,bench]'
	touch $(STAMP)

$(LAB_STAMP): pyproject.toml
	$(check_python)
	$(PYTHON) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install -q --upgrade pip
	$(LAB_VENV)/bin/python -m pip install -q -e '.[lab]'
	touch $(LAB_STAMP)

venv: $(STAMP)

lab-venv: $(LAB_STAMP)

# Real peers the tests talk to (Debian packages; apt-get when root).
peers:
	bash scripts/install-peers.sh

lab: lab-venv
	$(LAB_VENV)/bin/jupyter lab --ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root,) notebooks/00-tour.ipynb

unit: venv peers
	$(PY) -m pytest tests $(PYTEST_ARGS)

notebooks: venv peers
	cd notebooks && NETBOOK_LIVE_STATIC=0 ../$(PY) -m pytest --nbval -p no:cacheprovider --nbval-sanitize-with ../tests/nbval_sanitize.cfg --nbval-cell-timeout=300 . $(PYTEST_ARGS)

js: peers
	node --test widgets/test/

# ruff and mypy, configured in pyproject.toml; `make test` runs it first.
lint: venv
	$(PY) -m ruff check
	$(PY) -m mypy

test: lint peers
	node --test widgets/test/
	$(PY) -m pytest tests $(PYTEST_ARGS)
	cd notebooks && NETBOOK_LIVE_STATIC=0 ../$(PY) -m pytest --nbval -p no:cacheprovider --nbval-sanitize-with ../tests/nbval_sanitize.cfg --nbval-cell-timeout=300 . $(PYTEST_ARGS)

bench: venv
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf .venv .venv-* build .pytest_cache
