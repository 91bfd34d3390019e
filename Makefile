# token-economy: two commands a teacher needs (`make lab`, `make test`) and a few more.
# Each target sets up its own environment: a .venv at the repository root,
# created when missing and reinstalled only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help setup lab lab-settings test bench book clean

help:
	@echo "make lab    set up and open JupyterLab on the repository, at notebooks/00_start_here.ipynb"
	@echo "make test   set up and run the whole test suite"
	@echo "make bench  set up and run the benchmarks (writes .bench/results.json)"
	@echo "make book   set up and build the rendered pages into book/_build/html"
	@echo "make clean  remove the environment and build products"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "token-economy needs Python 3.11 or newer; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (token-economy)" >/dev/null
	touch $(STAMP)

lab: $(STAMP) lab-settings
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# JupyterLab settings for this environment only (.venv), from jupyter/overrides.json: no "official
# Jupyter news" pop-up, no update check. Redone when that file changes; needs no network.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
lab-settings: $(LAB_OVERRIDES)
$(LAB_OVERRIDES): jupyter/overrides.json
	mkdir -p $(@D)
	cp jupyter/overrides.json $@

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python tests/bench/run.py $(BENCH_ARGS)

book: $(STAMP)
	$(BIN)/python book/build.py $(BOOK_ARGS)

clean:
	rm -rf $(VENV) book/_build .pytest_cache .bench test-artifacts

# Assignments for a class (see assignments/README.md): notebooks without solutions for students,
# and what `otter run` grades with, built offline into assignments/dist/.
.PHONY: assignments
assignments: $(STAMP)
	$(BIN)/python assignments/build.py $(ASSIGNMENT_ARGS)
