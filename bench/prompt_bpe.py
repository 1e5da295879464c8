"""Prompt tokens of dumped research prompts in a real tokenizer's tokens, beside the fake
LLM's (its tokens are words).

Usage: python bench/prompt_bpe.py DUMP [DUMP ...] [--model gpt-4o-mini]

Each DUMP is the file ``bench/research_eval.py --dump-prompts FILE`` writes (one JSON
object a call: question, task, system, user). Prints, per file and kind of call, the words
and the model's tokens a report (litellm's ``token_counter``: tiktoken's encoding for the
model, offline), system and user apart: a cut measured in words can be a smaller one in
tokens (a label of one word of punctuation), and the fixed instructions (the system
prompt) are what a provider's prompt cache can reuse.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from pathlib import Path

# litellm fetches a price map from the internet at import unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm

# The counts of one kind of call: calls, system words, user words, system tokens, user tokens.
Counts = list[int]


def count(path: Path, model: str) -> tuple[int, dict[str, Counts]]:
    """The questions of a dump and, per kind of call (its ``TASK:`` line), its counts."""
    kinds: dict[str, Counts] = defaultdict(lambda: [0, 0, 0, 0, 0])
    questions: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        call = json.loads(line)
        questions.add(call["question"])
        row = kinds[call["task"].removeprefix("TASK: ")]
        row[0] += 1
        for at, part in ((1, call["system"]), (2, call["user"])):
            row[at] += len(part.split())
            row[at + 2] += litellm.token_counter(model=model, text=part)
    return len(questions), dict(kinds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dumps", nargs="+", type=Path)
    parser.add_argument("--model", default="gpt-4o-mini",
                        help="whose tokenizer counts (litellm's name)")
    args = parser.parse_args()
    print(f"prompt words and {args.model} tokens a report (system + user):")
    for path in args.dumps:
        reports, kinds = count(path, args.model)
        print(f"{path} ({reports} reports)")
        total = [0, 0, 0, 0, 0]
        for kind, row in sorted(kinds.items(), key=lambda kr: -kr[1][2] - kr[1][1]):
            total = [a + b for a, b in zip(total, row, strict=True)]
            print(f"  {kind:<9} {row[0] / reports:5.1f} calls  words {row[1] / reports:6,.0f} "
                  f"+ {row[2] / reports:6,.0f}  tokens {row[3] / reports:6,.0f} + "
                  f"{row[4] / reports:6,.0f} = {(row[3] + row[4]) / reports:6,.0f}")
        print(f"  {'all':<9} {total[0] / reports:5.1f} calls  words {total[1] / reports:6,.0f} "
              f"+ {total[2] / reports:6,.0f}  tokens {total[3] / reports:6,.0f} + "
              f"{total[4] / reports:6,.0f} = {(total[3] + total[4]) / reports:6,.0f}")


if __name__ == "__main__":
    main()
