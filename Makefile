# Two commands matter: `make demo` and `make test`. Each creates the environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test-fast faults quality schemas bench clean kafka-up kafka-down

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
test: venv
	$(BIN)/python -m pytest -q -ra

## Tests that need no broker.
test-fast: venv
	$(BIN)/python -m pytest -q -m "not kafka and not faults"

faults: venv
	$(BIN)/python -m pytest -q -m faults

schemas: venv
	$(BIN)/python -m schemas.export

bench: venv
	$(BIN)/stance bench

kafka-up: venv
	$(BIN)/stance kafka up

kafka-down: venv
	$(BIN)/stance kafka down

clean:
	rm -rf $(VENV) var build *.egg-info
