# The two commands a new user runs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.polyqa-installed
TSTAMP := $(VENV)/.polyqa-test-installed

.PHONY: run test install install-test browser-deps lint typecheck unit screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: left to the resolver it would fetch the CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/python -m pip install --disable-pip-version-check -q -e .
	touch $@

# The optional extras too (Ray, Milvus), so the tests exercise both.
$(TSTAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test,ray,milvus]'
	touch $@

# The browser tests drive Debian's Chromium (`playwright install` cannot download browsers
# here) and need fonts with Devanagari and Han glyphs. Installed only when missing (dpkg-query),
# so a machine that has them is not touched; without root (or sudo) the step says so and
# the browser tests skip. apt waits for the dpkg lock (another install on a shared machine)
# instead of failing the run.
APT_TEST_PKGS := chromium fonts-noto-core fonts-noto-cjk

browser-deps:
	@command -v dpkg >/dev/null || { echo "browser-deps: not Debian, skipped"; exit 0; }; \
	missing=""; \
	for p in $(APT_TEST_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null; then sudo="sudo -n"; \
	else echo "browser-deps: need root to apt-get install$$missing; browser tests will skip"; exit 0; fi; \
	echo "apt-get install$$missing"; \
	$$sudo apt-get update -q -o DPkg::Lock::Timeout=600 && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends $$missing

install: $(STAMP)
install-test: $(TSTAMP) browser-deps

run: install
	$(BIN)/polyqa chat

lint: install-test
	$(BIN)/ruff check corpus index bot tests bench
	$(BIN)/ruff format --check corpus index bot tests bench

typecheck: install-test
	$(BIN)/mypy

unit: install-test
	$(BIN)/python -m pytest

test: lint typecheck unit

# Re-draw docs/screenshot.png (the README's picture) with the browser test that takes it.
screenshot: install-test
	POLYQA_SCREENSHOT=$(CURDIR)/docs/screenshot.png $(BIN)/python -m pytest -q \
		tests/bot/chat/test_app_browser.py -k screenshot
