# crewsim: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SCENARIO ?= scenarios/vyzov_2021.yaml

.PHONY: run test bench lint format clean help

help:
	@echo "make run    - install into .venv and run the baseline scenario (results/ ...)"
	@echo "make test   - install with test extras and run the whole test suite"
	@echo "make bench  - run the benchmark suite (prints replications/s, peak memory)"
	@echo "make lint   - ruff check + format check"

# The venv is (re)built when missing or when pyproject.toml is newer than it.
$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,cluster,orbit]'
	@touch $@

run: $(BIN)/.installed
	$(BIN)/crewsim run $(SCENARIO)

test: $(BIN)/.installed-test
	CREWSIM_FAST=1 MPLBACKEND=Agg $(BIN)/python -m pytest -q -p no:cacheprovider --nbmake tests notebooks

bench: $(BIN)/.installed-test
	MPLBACKEND=Agg $(BIN)/python benchmarks/run_benchmarks.py

lint: $(BIN)/.installed-test
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks

format: $(BIN)/.installed-test
	$(BIN)/ruff check --fix sim tests benchmarks
	$(BIN)/ruff format sim tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
