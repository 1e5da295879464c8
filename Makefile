# The two set-up commands of the README:
#   make run PROMPT="..."   research a question on the embedded default (writes the PDF)
#   make test               run the whole test suite
PROMPT ?= Give me 5 fun and fascinating facts about tardigrades.
# The prompt is text, never make syntax: make expands a variable given on the command line
# (or from the environment) whenever it exports it, so `PROMPT='$(shell ...)'` ran the
# command. $(value ...) takes the text as it is, and := keeps it that way. It reaches the
# command through the environment, quoted by the shell ("$$PROMPT"), after `--` (a prompt
# starting with "-" is no option): no prompt can inject a command or an option.
override PROMPT := $(value PROMPT)
export PROMPT

.PHONY: run web test install lint bench lock lock-upgrade

install:
	@bash scripts/install.sh

run: install
	@.venv/bin/research run -- "$$PROMPT"

# The web app on http://127.0.0.1:8000 (embedded server and a worker included):
web: install
	@.venv/bin/research web

test:
	@bash scripts/install.sh --test
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/pytest -q

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy

# uv.lock pins every package with its hashes; scripts/install.sh installs exactly that.
# After editing dependencies in pyproject.toml (keeps every other pin):
lock:
	@bash scripts/uv.sh lock
# Move every package to its newest allowed version (then run `make test`):
lock-upgrade:
	@bash scripts/uv.sh lock --upgrade
