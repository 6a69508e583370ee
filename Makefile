# Each target does its own set-up: a virtual environment in .venv with the project installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A .venv whose interpreter is not $(PYTHON)'s (left by a failed set-up with another Python)
# is recreated instead of reused: the set-up runs whenever the two differ.
WANT := $(shell $(PYTHON) -c 'import sys; print(sys.base_prefix, *sys.version_info[:3])' 2>/dev/null)
HAVE := $(shell $(BIN)/python -c 'import sys; print(sys.base_prefix, *sys.version_info[:3])' 2>/dev/null)
ifneq ($(WANT),$(HAVE))
.PHONY: $(BIN)/tekup-envlint
endif

.PHONY: demo test bench clean

$(BIN)/tekup-envlint: pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,live]'
	touch $@

demo: $(BIN)/tekup-envlint  ## run the linter on the embedded demo workspace
	@$(BIN)/tekup-envlint check examples/tekup-workspace; status=$$?; \
	if [ $$status -eq 1 ]; then echo "(check exited 1, which means findings: the demo workspace has them on purpose)"; \
	elif [ $$status -ne 0 ]; then exit $$status; fi
	$(BIN)/tekup-envlint map examples/tekup-workspace

test: $(BIN)/tekup-envlint  ## run the whole test suite
	$(BIN)/python -m pytest

bench: $(BIN)/tekup-envlint  ## reproduce docs/performance.md
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info
