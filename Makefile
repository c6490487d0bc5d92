# netbook — two commands: `make lab` and `make test`.
# PYTHON picks the interpreter (3.11+), VENV the environment folder.
PYTHON ?= $(shell command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.netbook-installed
PYTEST_ARGS ?=

.PHONY: lab test venv peers unit notebooks js bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "netbook needs Python 3.11+ (found %s); run: make PYTHON=/path/to/python3.11 ..." % sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[lab,test,bench]'
	touch $(STAMP)

venv: $(STAMP)

# Real peers the tests talk to (Debian packages; apt-get when root).
peers:
	bash scripts/install-peers.sh

lab: venv
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root,) notebooks/00-tour.ipynb

unit: venv peers
	$(PY) -m pytest tests $(PYTEST_ARGS)

notebooks: venv peers
	cd notebooks && NETBOOK_LIVE_STATIC=0 ../$(PY) -m pytest --nbval -p no:cacheprovider --nbval-sanitize-with ../tests/nbval_sanitize.cfg --nbval-cell-timeout=300 . $(PYTEST_ARGS)

js: peers
	node --test widgets/test/

test: venv peers
	node --test widgets/test/
	$(PY) -m pytest tests $(PYTEST_ARGS)
	cd notebooks && NETBOOK_LIVE_STATIC=0 ../$(PY) -m pytest --nbval -p no:cacheprovider --nbval-sanitize-with ../tests/nbval_sanitize.cfg --nbval-cell-timeout=300 . $(PYTEST_ARGS)

bench: venv
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf .venv .venv-* build .pytest_cache
