"""Cost of the coverage weights of a local search: the same searches with and without them.

Ingests ``bench/eval`` and runs the fake planner's searches of its 19 questions (each
sub-question with the question as context, as a standard report does) in rounds, taking
turns between the search as it is (each query weighed by how much of it its best passage
answers, context weight 1.0: :mod:`durable_research.research.coverage`) and the weights
before it (every query 1.0, the context 0.5, no coverage), in one process; prints the median
and fastest milliseconds per search of each and their ratio, and recall@10 of each as a
check that the two are what they claim.

    flock /tmp/bench.lock timeout 590 python bench/search_weights.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from durable_research.research import prompts
from durable_research.research.fusion import QUERY_WEIGHTS, WEIGHTS_BEFORE
from durable_research.research.localdocs import ingest_paths, search_collection
from durable_research.research.plan import parse_plan
from durable_research.store.directory import DirectoryStore
from durable_research.testing.fake_research import research_reply

EVAL = Path(__file__).resolve().parent / "eval"


def fake_plan(question: str) -> list[str]:
    """The fake planner's sub-questions for ``question`` at depth standard (at most 4)."""
    reply = research_reply(prompts.TASK_PLAN, prompts.plan_prompt(question, 4))
    if reply is None:
        raise RuntimeError("the fake LLM did not answer the plan prompt")
    return parse_plan(reply, 4)


def main() -> None:
    """Parse the arguments, time both in turns, print one line each and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    questions: list[dict[str, Any]] = json.loads(
        (EVAL / "questions.json").read_text(encoding="utf-8"))["questions"]
    searches = [(sub, q["question"]) for q in questions for sub in fake_plan(q["question"])]
    with tempfile.TemporaryDirectory(prefix="search-weights-") as tmp:
        store = DirectoryStore(Path(tmp))
        key = ingest_paths(store, [EVAL / "corpus"]).key
        search_collection(store, key, "warm up", 1)  # the index is built once, not timed
        times: dict[bool, list[float]] = {False: [], True: []}
        found: dict[bool, set[tuple[str, str]]] = {False: set(), True: set()}
        for _ in range(args.rounds):
            for before in (True, False):
                weights = WEIGHTS_BEFORE if before else QUERY_WEIGHTS
                started = time.perf_counter()
                for sub, question in searches:
                    hits = search_collection(store, key, sub, 10, [question], weights=weights)
                    found[before].update((question, h.url) for h in hits)
                times[before].append(1000 * (time.perf_counter() - started) / len(searches))
    gold = {(q["question"], g) for q in questions for g in q["gold_docs"]}
    for before, name in ((True, "weights before"), (False, "coverage weights")):
        print(f"{name:16} median {statistics.median(times[before]):.2f} ms per search, fastest "
              f"{min(times[before]):.2f}; recall@10 {len(gold & found[before])}/{len(gold)}")
    print(f"{len(searches)} searches x {args.rounds} rounds; ratio (coverage / before, "
          f"median): {statistics.median(times[False]) / statistics.median(times[True]):.2f}")


if __name__ == "__main__":
    main()
