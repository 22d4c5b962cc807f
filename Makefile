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
	$(PY) recipes/predict_next_char.py --demo --backend jax

test: install
	@status=0; summary=""; \
	for backend in $(BACKENDS); do \
		echo "=== pytest on KERAS_BACKEND=$$backend ==="; \
		if KERAS_BACKEND=$$backend $(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations=10 $(PYTEST_ARGS); then \
			summary="$$summary\n  $$backend: passed"; \
		else \
			summary="$$summary\n  $$backend: FAILED"; status=1; \
		fi; \
	done; \
	printf "=== test summary ===$$summary\n"; \
	exit $$status

bench: install   # a few minutes; writes runs/benchmarks/<date-time>/RESULTS.md (benchmarks/RESULTS.md is left alone)
	$(PY) benchmarks/run.py --quick

bench-full: install   # the full run the speed targets are set for (~30 minutes); run it on a quiet machine
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
