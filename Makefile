# The README's first two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate package clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kortlaegning db upgrade
	$(BIN)/kortlaegning serve

migrate: $(STAMP)
	$(BIN)/kortlaegning db upgrade

# The Teams app zip for Teams admin center; needs MicrosoftAppId and an https PUBLIC_URL.
package: $(STAMP)
	$(BIN)/kortlaegning package

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data/*.db*
