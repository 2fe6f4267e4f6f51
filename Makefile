# Two commands on a fresh machine: `make run` (the service) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench residents totp synth clean browser

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 packages with pip<26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) -m chalicelib.local

test: $(STAMP) browser
	$(PY) -m pytest

# The portal's browser tests drive Debian's Chromium (and need a font with Arabic glyphs).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi dejavu || { \
	  echo "installing Debian's chromium and fonts-dejavu-core for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }

bench: $(STAMP)
	$(PY) -m bench

residents: $(STAMP)
	@$(PY) -m chalicelib.local.residents $(ARGS)

# The local admin's current TOTP code (LOCAL_ADMIN_TOTP_SECRET), or another secret's: make totp ARGS=SECRET
totp: $(STAMP)
	@$(PY) -m chalicelib.local.totp $(ARGS)

synth: $(STAMP)
	cd infrastructure && ../$(PY) app.py

clean:
	rm -rf $(VENV) infrastructure/cdk.out .pytest_cache
