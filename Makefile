# outreach: `make run` builds .venv/ and runs the pipeline; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# argostranslate is installed without its dependencies: they pull stanza,
# spacy and torch (~6 GB), none of which the pipeline imports.
ARGOS := argostranslate==1.11.0
STAMP := $(VENV)/.installed

.PHONY: run test test-quick golden gettext clean help

help:
	@echo "make run     build .venv/ and run the pipeline on source_texts/"
	@echo "make test    run the whole test suite"
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

test: $(STAMP) gettext
	$(BIN)/pytest -q

test-quick: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

golden: $(STAMP)
	$(BIN)/python tests/golden_cases.py --regenerate

clean:
	rm -rf $(VENV) build .outreach .pytest_cache
