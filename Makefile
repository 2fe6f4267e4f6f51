# Two commands on a fresh machine: `make run` (the service) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test bench residents synth clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 packages with pip<26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) -m chalicelib.local

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench

residents: $(STAMP)
	@$(PY) -m chalicelib.local.residents $(ARGS)

synth: $(STAMP)
	cd infrastructure && ../$(PY) app.py

clean:
	rm -rf $(VENV) infrastructure/cdk.out .pytest_cache
