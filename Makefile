# icat-reports: `make all` builds every output into build/, `make test` runs the tests.
# The first run creates .venv, installs the package and any missing Debian packages.

SHELL := /bin/bash
# The interpreter .venv is made from: Debian's python3 when it is 3.11 or newer, else the first
# python3 on PATH. Debian builds Python with profile-guided and link-time optimization, and on
# this project that makes a build about 15 % faster than an interpreter compiled
# without them (pyenv's default). `make PYTHON=...` chooses another. Only a new .venv uses it.
PYTHON ?= $(or $(shell /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
                  2>/dev/null && echo /usr/bin/python3),python3)
VENV := .venv
PY := $(VENV)/bin/python
OUT := build
STAMP := $(VENV)/.installed
SYSTEM := $(VENV)/.system-deps

# Builds are reproducible: dates come from the last commit that touched content or templates.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct -- content templates 2>/dev/null)
export SOURCE_DATE_EPOCH

# What each output is made from, so that an unchanged output is not rebuilt.
CONTENT := $(wildcard content/*.yaml content/translations/*.po)
# Every language with a catalog is built too, into build/LANG/.
LANGS := $(if $(wildcard content/translations/*.po),--lang all)
DRAFTFLAG := $(if $(DRAFT),--draft)
CORE := build.py $(wildcard icat_reports/*.py icat_reports/engines/*.py icat_reports/data/*) icat_reports/render/__init__.py templates/theme.yaml $(CONTENT)
REPORT_HTML := icat_reports/render/html.py $(wildcard templates/report.* templates/blocks.*)
PDF_DEPS := $(CORE) $(REPORT_HTML) icat_reports/render/pdf.py
HTML_DEPS := $(CORE) $(REPORT_HTML)
DOCX_DEPS := $(CORE) $(wildcard icat_reports/render/word.py icat_reports/render/ooxml.py)
HANDOUT_DEPS := $(CORE) $(wildcard icat_reports/render/handout.py icat_reports/render/powerpoint.py \
                 templates/slides.* templates/notes.*)

# The report's files are named by `output:` in content/report.yaml.
REPORT := $(or $(shell sed -n 's/^  output: *\([A-Za-z0-9._-]*\).*/\1/p' content/report.yaml 2>/dev/null | head -1),report)
PDF := $(OUT)/$(REPORT).pdf
DOCX := $(OUT)/$(REPORT).docx
HTML := $(OUT)/$(REPORT).html
HANDOUT := $(OUT)/handout-slides.pdf $(OUT)/handout-notes.pdf $(OUT)/handout.pptx

A11Y := tools/a11y
A11Y_DEPS := $(A11Y)/node_modules/.package-lock.json

.PHONY: all pdf docx html handout check check-a11y test bench clean distclean setup preview
.DEFAULT_GOAL := all

# `all` asks make which outputs are out of date, then builds them in one process that
# loads the content once and renders the formats in parallel.
# `make all DRAFT=1` marks every page DRAFT and rebuilds everything; a build/.draft file then
# says so, and the next final `make all` rebuilds everything too, so that no draft is left
# beside a final output.
all: | $(STAMP) $(SYSTEM)
	@stale=""; \
	$(MAKE) -sq $(PDF) || stale="$$stale pdf"; \
	$(MAKE) -sq $(DOCX) || stale="$$stale docx"; \
	$(MAKE) -sq $(HTML) || stale="$$stale html"; \
	$(MAKE) -sq $(HANDOUT) || stale="$$stale handout"; \
	if [ -n "$(DRAFT)" ] || [ -e $(OUT)/.draft ]; then stale=" pdf docx html handout"; fi; \
	if [ -n "$$stale" ]; then echo "$(PY) build.py$$stale $(LANGS) $(DRAFTFLAG) --out $(OUT)"; \
	  $(PY) build.py $$stale $(LANGS) $(DRAFTFLAG) --out $(OUT) && \
	  if [ -n "$(DRAFT)" ]; then touch $(OUT)/.draft; else rm -f $(OUT)/.draft; fi; \
	else echo "$(OUT)/ is up to date"; fi
pdf: $(PDF)
docx: $(DOCX)
html: $(HTML)
handout: $(HANDOUT)
setup: $(STAMP) $(SYSTEM)

$(SYSTEM): scripts/system-deps.sh
	@mkdir -p $(VENV)
	scripts/system-deps.sh
	@touch $@

$(STAMP): pyproject.toml | $(SYSTEM)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

$(PDF): $(PDF_DEPS) | $(STAMP) $(SYSTEM)
	$(PY) build.py pdf $(LANGS) --out $(OUT)
$(DOCX): $(DOCX_DEPS) | $(STAMP) $(SYSTEM)
	$(PY) build.py docx $(LANGS) --out $(OUT)
$(HTML): $(HTML_DEPS) | $(STAMP) $(SYSTEM)
	$(PY) build.py html $(LANGS) --out $(OUT)
$(HANDOUT) &: $(HANDOUT_DEPS) | $(STAMP) $(SYSTEM)
	$(PY) build.py handout $(LANGS) --out $(OUT)

check: | $(STAMP)
	$(PY) build.py check

# A live preview on http://127.0.0.1:8000/ (the next free port if taken), rebuilt on every save.
preview: | $(STAMP) $(SYSTEM)
	$(PY) build.py preview

# axe-core and puppeteer-core (which drives Debian's chromium; it downloads no browser).
$(A11Y_DEPS): $(A11Y)/package.json $(A11Y)/package-lock.json | $(SYSTEM)
	npm ci --prefix $(A11Y) --no-audit --no-fund --ignore-scripts
	@touch $@

check-a11y: all | $(STAMP) $(A11Y_DEPS)
	$(PY) -m icat_reports.a11y $(OUT)

# Two test processes, each test file in one of them (its module fixtures built once): most
# tests wait on a build's subprocesses, LibreOffice or Chromium, and the suite takes 3 minutes
# instead of 4 on 2 cores. TEST_JOBS=1 runs them in one process.
TEST_JOBS ?= 2
test: | $(STAMP) $(SYSTEM) $(A11Y_DEPS)
	$(PY) -m pytest -q $(if $(filter-out 1,$(TEST_JOBS)),-n $(TEST_JOBS) --dist loadfile)

# Timings against pandoc (Debian's), printed as a table; see bench/README.md.
bench: | $(STAMP) $(SYSTEM)
	scripts/system-deps.sh pandoc
	$(PY) bench/run.py
	$(PY) bench/preview.py

clean:
	rm -rf $(OUT)

distclean: clean
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis $(A11Y)/node_modules
