# token-economy: two commands a teacher needs (`make lab`, `make test`) and a few more.
# Each target sets up its own environment: a .venv at the repository root, created
# when missing, repaired when broken (interpreter gone, pip missing), and reinstalled
# only when the dependencies change (a hash of pyproject.toml's dependency settings
# and requirements.lock, kept in .venv/.installed; a newer timestamp alone does nothing,
# so `make lab` works offline once set up). tools/envsetup.py does the work.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help setup lab lab-settings test bench book assignments clean hub classroom-bench lock FORCE

help:
	@echo "make lab    set up and open JupyterLab on the repository, at notebooks/00_start_here.ipynb"
	@echo "make test   set up and run the whole test suite"
	@echo "make bench  set up and run the benchmarks (writes .bench/results.json)"
	@echo "make book   set up and build the rendered pages into book/_build/html"
	@echo "make assignments   build student notebooks and the autograder into assignments/dist/ (assignments/README.md)"
	@echo "make hub    start a JupyterHub for a class on this machine (classroom/README.md)"
	@echo "make classroom-bench STUDENTS=N   N students press Run All at once (writes .bench/classroom.json)"
	@echo "make lock   re-resolve requirements.lock (newest releases within pyproject.toml's ranges)"
	@echo "make clean  remove the environment and build products"

setup: $(STAMP) lab-settings

$(STAMP): FORCE
	@$(PYTHON) tools/envsetup.py $(VENV) --install '-e .[dev]' --kernel 'Python 3 (token-economy)'

FORCE:

lab: $(STAMP) lab-settings
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# JupyterLab settings for this environment only (.venv), from jupyter/overrides.json: no "official
# Jupyter news" pop-up, no update check. Redone when that file changes; needs no network.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
lab-settings: $(LAB_OVERRIDES)
$(LAB_OVERRIDES): jupyter/overrides.json
	mkdir -p $(@D)
	cp jupyter/overrides.json $@

test: $(STAMP) lab-settings
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python tests/bench/run.py $(BENCH_ARGS)

book: $(STAMP)
	$(BIN)/python book/build.py $(BOOK_ARGS)

# Assignments for a class (see assignments/README.md): notebooks without solutions for students,
# and what `otter run` grades with, built offline into assignments/dist/.
assignments: $(STAMP)
	$(BIN)/python assignments/build.py $(ASSIGNMENT_ARGS)

# --- a classroom server (classroom/README.md) ---------------------------------------------
# The students' shared environment .hub/env gets the collection as a wheel (not editable),
# like a university hub's; ACCOUNTS=workshop (default) or unix, PORT, IP, PASSWORD: see the README.
HUB_ARGS ?=
hub: $(STAMP)
	$(BIN)/python classroom/hub.py $(HUB_ARGS) $(if $(ACCOUNTS),--accounts $(ACCOUNTS)) $(if $(PORT),--port $(PORT)) $(if $(IP),--ip $(IP))

STUDENTS ?= 5
classroom-bench: $(STAMP)
	$(BIN)/python tests/bench/classroom.py --students $(STUDENTS) $(CLASSROOM_BENCH_ARGS)

lock: $(STAMP)
	$(BIN)/python tools/lock.py

clean:
	rm -rf $(VENV) book/_build .pytest_cache .bench test-artifacts .hub assignments/dist
