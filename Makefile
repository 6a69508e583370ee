# Each target does its own set-up: a virtual environment in .venv with the project installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/tekup-envlint: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,live]'
	touch $@

demo: $(BIN)/tekup-envlint  ## run the linter on the embedded demo workspace
	-$(BIN)/tekup-envlint check examples/tekup-workspace
	$(BIN)/tekup-envlint map examples/tekup-workspace

test: $(BIN)/tekup-envlint  ## run the whole test suite
	$(BIN)/python -m pytest

bench: $(BIN)/tekup-envlint  ## reproduce docs/performance.md
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info
