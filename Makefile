# Two commands matter: `make demo` and `make test`. Each creates the environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test-fast faults quality schemas bench clean kafka-up kafka-down browser attribution-train attribution-score

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Start a local broker and the worker, publish the sample articles, show the results, stop.
demo: venv
	$(BIN)/python -m stream.devtools.demo

## Every test; the session fixture starts and stops a throwaway Kafka broker.
test: venv browser
	$(BIN)/python -m pytest -q -ra --durations=12

## Headless Chromium and its driver from Debian's packages, for the browser test; installed only when missing.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "make: no Chromium here: installing Debian's chromium and chromium-driver for the browser test (log: var/apt-chromium.log)"; \
	  mkdir -p var; SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver \
	    || { $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }; \
	  } >var/apt-chromium.log 2>&1 || { echo "make: installing Chromium failed, see var/apt-chromium.log"; exit 1; }; \
	else echo "make: no Chromium and no apt-get: the browser test will be skipped (install chromium and chromedriver)"; fi

## Tests that need no broker.
test-fast: venv
	$(BIN)/python -m pytest -q -m "not kafka and not faults"

faults: venv
	$(BIN)/python -m pytest -q -m faults

schemas: venv
	$(BIN)/python -m schemas.export

bench: venv
	$(BIN)/stance bench

SHARED ?= ../shared

## Retrain the attribution tagger from PolNeAR's training split into the package (about 40 min on 2 cores).
attribution-train: venv
	$(BIN)/stance train attribution --shared $(SHARED)

## Score the pipeline's attributions on PolNeAR dev (the gate in tests/quality runs the same).
attribution-score: venv
	mkdir -p var
	$(BIN)/python $(SHARED)/eval/polnear.py articles $(SHARED)/eval/polnear-dev > var/polnear-dev.jsonl
	$(BIN)/stance process var/polnear-dev.jsonl --out var/polnear-dev-out
	$(BIN)/python $(SHARED)/eval/polnear.py score $(SHARED)/eval/polnear-dev var/polnear-dev-out

kafka-up: venv
	$(BIN)/stance kafka up

kafka-down: venv
	$(BIN)/stance kafka down

clean:
	rm -rf $(VENV) var build *.egg-info
