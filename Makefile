# Every target bootstraps .venv from pyproject.toml on a machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Two workers: the suite is ~2700 tests and must stay under 5 minutes on CI's 2 cores
# (serial it takes ~6). PYTEST_ARGS= (empty) runs it serially.
PYTEST_ARGS ?= -n 2

.PHONY: test lint typecheck pytest serve bench bench-instructions verify clean fuzz soak

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mock-calcom needs Python 3.11+; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# A fake Cal.com on http://127.0.0.1:8765 from the shipped demo config: fixed client id and
# secret (printed), so an app's .env survives a restart. SERVE_ARGS adds options (--set, --quiet).
serve: $(STAMP)
	$(BIN)/mock-calcom serve --config mock_calcom/configs/demo.toml $(SERVE_ARGS)

# Speed as ratios to bare Starlette, each with its target (benchmarks/bench_perf.py says
# what each figure is): the in-process OAuth dance, app-only ASGI cost, state growth,
# start-up, live load with wrk (sudo apt-get install wrk) and verify --profile dev.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_perf.py

# The same requests counted in instructions (callgrind: deterministic where time is noisy);
# sudo apt-get install valgrind.
bench-instructions: $(STAMP)
	$(BIN)/python benchmarks/bench_instructions.py

# Schemathesis against a running fake, from its own /_mock/openapi.json: >= 10 000 generated
# requests, 0 server errors (make test runs the same test with 2 examples per operation).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-150} FUZZ_MIN_REQUESTS=10000 FUZZ_REPORT=1 $(BIN)/pytest -q -s -p no:cacheprovider tests/fuzz

# 10^6 mixed requests through `mock-calcom serve`, RSS at start, plateau and end (not in make test).
soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
