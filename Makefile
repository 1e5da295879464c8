# The two set-up commands of the README:
#   make run PROMPT="..."   research a question on the embedded default (writes the PDF)
#   make test               run the whole test suite (make test-fast: lint and the unit tier)
PROMPT ?= Give me 5 fun and fascinating facts about tardigrades.
# The prompt is text, never make syntax: make expands a variable given on the command line
# (or from the environment) whenever it exports it, so `PROMPT='$(shell ...)'` ran the
# command. $(value ...) takes the text as it is, and := keeps it that way. It reaches the
# command through the environment, quoted by the shell ("$$PROMPT"), after `--` (a prompt
# starting with "-" is no option): no prompt can inject a command or an option.
override PROMPT := $(value PROMPT)
export PROMPT

.PHONY: run web test test-fast install lint bench lock lock-upgrade

install:
	@bash scripts/install.sh

run: install
	@.venv/bin/research run -- "$$PROMPT"

# The web app on http://127.0.0.1:8000 (embedded server and a worker included):
web: install
	@.venv/bin/research web

# The suite in TEST_PROCESSES processes (pytest-xdist): it waits on servers and subprocesses
# far more than it computes (load average < 1 on 2 cores in one process), so three share
# 2 cores well (docs/benchmarks.md, "Test suite: time and load"). loadgroup: tests are
# shared out one by one, except a module marked xdist_group (one costly server) stays in
# one process. TEST_PROCESSES=0: one process, as before. --durations=25 prints the 25
# slowest tests (setup and teardown included), so every run shows where the time goes.
TEST_PROCESSES ?= 3
test:
	@bash scripts/install.sh --test
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/mypy
	.venv/bin/pytest -q -n $(TEST_PROCESSES) --dist loadgroup --durations=25

# The fast tier: lint and the pure tests (tests/unit), plus the time-skipping workflow
# tests (tests/workflows) where that folder exists; no servers, browsers or subprocesses.
# The real components are in tests/e2e (run by `make test`).
FAST_TESTS := $(wildcard tests/unit tests/workflows)
test-fast:
	@bash scripts/install.sh --test
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/pytest -q $(FAST_TESTS)

lint:
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/mypy

# uv.lock pins every package with its hashes; scripts/install.sh installs exactly that.
# After `make lock` or `make lock-upgrade`: `make install`, then `.venv/bin/python
# scripts/precompile.py --record`: the list of files the install compiles is of one
# uv.lock (with another, the install imports every module instead: twice the CPU;
# tests/unit/test_precompile.py says so).
# After editing dependencies in pyproject.toml (keeps every other pin):
lock:
	@bash scripts/uv.sh lock
# Move every package to its newest allowed version (then run `make test`):
lock-upgrade:
	@bash scripts/uv.sh lock --upgrade
