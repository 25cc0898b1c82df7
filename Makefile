# `make app` runs the demo, `make test` runs the test suite; both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: app search test lint bench chromium

$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

app: $(BIN)/.installed
	$(BIN)/python app.py

search: $(BIN)/.installed
	$(BIN)/faq-engine search "How can Medicare help me?"

chromium:
	@command -v chromium >/dev/null || scripts/install-chromium

lint: $(BIN)/.installed
	$(BIN)/ruff check .

test: $(BIN)/.installed chromium
	$(BIN)/python -m pytest
