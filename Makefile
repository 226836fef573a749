# The README's first two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate package playground screenshot clean

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
	$(BIN)/mypy

# The Agents Playground, pinned in package-lock.json. Without npm this only says so, and the
# e2e tests then skip with the reason (or fail under CI=true).
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the Agents Playground is not installed"; fi

# Chat with the bot in a local Teams-like client. AS_USER=anne.jensen@kommune.dk acts as a
# systemejer (not AS: make predefines that as the assembler); DEMO=1 stores a demo
# kortlægning first (until opsæt/tildel/start exist); PLAYGROUND_PORT=<n> if 56150 is taken.
playground: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m playground.launcher $(if $(AS_USER),--as $(AS_USER)) $(if $(DEMO),--demo) \
		$(if $(PLAYGROUND_PORT),--port $(PLAYGROUND_PORT))

# Retake the README's screenshots with the browser tests.
screenshot: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -q tests/e2e/test_browser.py tests/e2e/test_forslag_browser.py
	cp test-artifacts/playground-survey.png docs/playground-survey.png
	cp test-artifacts/test_an_unchanged_area_is_confirmed_and_submitted_with_two_presses/forslag-system-card.png \
		docs/playground-forslag.png

test: lint $(NODE_STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules test-artifacts data/*.db*
