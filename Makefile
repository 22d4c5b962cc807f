# Two commands do all set-up on a fresh machine:
#   make demo   create .venv, install, train the default next-character model (~2 min, CPU)
#   make test   create .venv, install, run the test suite once per Keras backend
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
BACKENDS ?= tensorflow jax torch
PYTEST_ARGS ?=

.PHONY: install demo test test-one bench bench-full clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[all]"
	touch $@

demo: install
	$(PY) recipes/predict_next_char.py --demo

test: install
	@status=0; summary=""; \
	for backend in $(BACKENDS); do \
		echo "=== pytest on KERAS_BACKEND=$$backend ==="; \
		if KERAS_BACKEND=$$backend $(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadfile $(PYTEST_ARGS); then \
			summary="$$summary\n  $$backend: passed"; \
		else \
			summary="$$summary\n  $$backend: FAILED"; status=1; \
		fi; \
	done; \
	printf "=== test summary ===$$summary\n"; \
	exit $$status

bench: install   # a few minutes; writes benchmarks/RESULTS.md
	$(PY) benchmarks/run.py --quick

bench-full: install   # issue #6's full run (sizes of the issue); run it on a quiet machine
	$(PY) benchmarks/run.py --json benchmarks/results.json

clean:
	rm -rf $(VENV) build *.egg-info
