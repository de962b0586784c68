# The two commands of the README: `make run` and `make test`. Everything they need, they install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/scripts pwa/index.html pwa/vite.config.js pwa/package.json -type f 2>/dev/null)

.PHONY: run test install pwa chromium lint audit bench demo clean

run: install pwa demo
	@echo
	@$(BIN)/flask --app wsgi demo-accounts
	@echo
	@echo "  OneTrip 一次办 is starting on http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/api/docs)"
	@echo "  Payments go to the sandbox gateway on http://127.0.0.1:8010 (the QR code opens its payer page: 确认支付 / 模拟失败)."
	@echo "  The mini-program's platform API is the sandbox on http://127.0.0.1:8020 (docs/miniprogram.md)."
	@echo "  Demo accounts: see README.md (\"Demo accounts\"). Stop with Ctrl-C."
	@echo
	$(BIN)/honcho start -f Procfile

test: install pwa chromium lint audit
	$(BIN)/python -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

pwa: pwa/dist/index.html

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	npm --prefix pwa ci --no-audit --no-fund

pwa/dist/index.html: pwa/node_modules/.package-lock.json $(PWA_SOURCES)
	npm --prefix pwa run build

# Debian's chromium drives the browser tests (never a browser downloaded by a test tool).
# A Chinese font too, or the screenshots the browser tests save show empty boxes for every character.
chromium:
	@(command -v chromium >/dev/null && dpkg -s fonts-wqy-microhei >/dev/null 2>&1) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pip-audit over the .venv and npm audit over pwa/ (with and without dev dependencies), against the
# reviewed security/audit-allowlist.toml. Where the advisory services cannot be reached it prints
# NOT AUDITED and passes (docs/security.md, "Dependency audit"); AUDIT_FLAGS=--require-service fails then.
audit: install pwa/node_modules/.package-lock.json
	$(BIN)/python -m security.audit $(AUDIT_FLAGS)

demo: install
	$(BIN)/flask --app wsgi seed-demo

bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist var
