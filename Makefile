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

.PHONY: help setup lab test bench book clean hub classroom-bench lock FORCE

help:
	@echo "make lab    set up and open JupyterLab on notebooks/"
	@echo "make test   set up and run the whole test suite"
	@echo "make bench  set up and run the benchmarks (writes .bench/results.json)"
	@echo "make book   set up and build the rendered pages into book/_build/html"
	@echo "make hub    start a JupyterHub for a class on this machine (classroom/README.md)"
	@echo "make classroom-bench STUDENTS=N   N students press Run All at once (writes .bench/classroom.json)"
	@echo "make lock   re-resolve requirements.lock (newest releases within pyproject.toml's ranges)"
	@echo "make clean  remove the environment and build products"

setup: $(STAMP)

$(STAMP): FORCE
	@$(PYTHON) tools/envsetup.py $(VENV) --install '-e .[dev]' --kernel 'Python 3 (token-economy)'

FORCE:

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python tests/bench/run.py $(BENCH_ARGS)

book: $(STAMP)
	$(BIN)/python book/build.py $(BOOK_ARGS)

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
	rm -rf $(VENV) book/_build .pytest_cache .bench test-artifacts .hub
