"""Recall of local-document search: the current search against the plain one it replaced.

Ingests a corpus folder into a temporary artifact store and, for each question of a
question file, runs the report's searches (its sub-questions with the question as
context, or the question alone) with each search: the plain one, the current one before
its second pass (``first pass``) and the current one; prints recall@k of the gold
documents, how many questions got a decoy into their top k and the time of one search,
over all questions and over the tuning (odd-numbered) and held-out (even) questions.

    python bench/retrieval_eval.py tests/data/retrieval/docs tests/data/retrieval/questions.json
    python bench/retrieval_eval.py CORPUS QUESTIONS --embedding-model openai/text-embedding-3-small
    python bench/retrieval_eval.py CORPUS QUESTIONS --clauses --prefer-path docs

With ``--embedding-model`` the current search also ranks densely (the LLM_* settings of
the environment supply key and base URL, as on a worker).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from durable_research.config import load_settings
from durable_research.research.localdocs import ingest_paths
from durable_research.research.secondpass import FIRST_PASS_ONLY
from durable_research.store.directory import DirectoryStore
from durable_research.testing import retrieval_eval as ev


def main() -> None:
    """Parse the arguments, measure, print one line per search and k."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--k", type=int, nargs="+", default=[3, 5, 10])
    parser.add_argument("--embedding-model", default="")
    parser.add_argument("--prefer-path", action="append", default=[],
                        help="also measure the current search with these preferred paths")
    parser.add_argument("--missed", action="store_true", help="list the gold documents missed")
    parser.add_argument("--clauses", action="store_true",
                        help="questions without sub-questions: search each clause of a "
                             "compound question (with the question as context)")
    args = parser.parse_args()
    questions, decoys = ev.load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="retrieval-eval-") as tmp:
        store = DirectoryStore(Path(tmp))
        collection = ingest_paths(store, [args.corpus])
        embedder = None
        if args.embedding_model:
            from durable_research.research.embeddings import Embedder

            settings = replace(load_settings(), embedding_model=args.embedding_model)
            embedder = Embedder(settings, store)
        searches = {"plain": ev.plain(store, collection.key),
                    "first pass": ev.current(store, collection.key, embedder,
                                             tuning=FIRST_PASS_ONLY),
                    "current": ev.current(store, collection.key, embedder)}
        if args.prefer_path:
            searches["preferred"] = ev.current(store, collection.key, embedder, args.prefer_path)
        for search in searches.values():
            search("warm up", [], 1)  # the index is built once, not timed
        print(f"{len(collection.docs)} documents, {len(questions)} questions, "
              f"{sum(len(q.gold) for q in questions)} gold documents")
        for k in args.k:
            for name, search in searches.items():
                for part, chosen in ev.split(questions).items():
                    found = ev.measure(search, chosen, k, decoys, args.clauses)
                    print(f"k={k:<3} {name:<10} {part:<15} recall {found.recall:.2f} "
                          f"({found.found}/{found.gold}), decoy in top {k}: "
                          f"{found.with_decoy}/{found.questions} questions, "
                          f"{found.ms_per_search:.1f} ms per search")
                    if args.missed and part == "all":
                        for line in found.missed:
                            print(f"    missed {line}")


if __name__ == "__main__":
    main()
