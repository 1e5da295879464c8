# The two set-up commands of the README:
#   make run PROMPT="..."   research a question on the embedded default (writes the PDF)
#   make test               run the whole test suite
PROMPT ?= Give me 5 fun and fascinating facts about tardigrades.
# The prompt reaches the command through the environment, quoted by the shell, so no
# prompt can inject a command into the recipe.
export PROMPT

.PHONY: run test install lint bench

install:
	@bash scripts/install.sh

run: install
	@.venv/bin/research run "$$PROMPT"

test:
	@bash scripts/install.sh --test
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/pytest -q

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
