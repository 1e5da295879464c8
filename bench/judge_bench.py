"""How well a model answers the citation judge: verdicts given, and right, per call.

Builds (claim, source excerpt) pairs with known answers from the fixture corpus
``tests/data/conflict_docs.json``: each decoy sentence against the official sentence it
contradicts ("contradicts"), each key fact against itself in its paragraph ("supports"),
each decoy against an unrelated key fact ("neither"). Asks them in the activity's batches
(``JUDGE_BATCH``) with the app's judge prompt and schema through ``completion_kwargs``
and litellm, and reads the answers with the activity's ``parse_verdicts``. Model kinds:
the embedded model (SmolLM2-135M, llama.cpp), and the fake LLM as the conformant
baseline.

Usage::

    python bench/judge_bench.py [--no-local]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

# litellm fetches a price map from the internet at import unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm

from durable_research.activities.checking import JUDGE_BATCH, parse_verdicts
from durable_research.activities.llm import completion_kwargs
from durable_research.config import Settings
from durable_research.contract.llm import AnswerSchema
from durable_research.embedded.localmodel import (
    ensure_local_llm,
    local_model_available,
    stop_local_llm,
    with_local_endpoint,
)
from durable_research.research import prompts
from durable_research.research.claims import Relation
from durable_research.testing.fake_llm import FakeLLM

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "data" / "conflict_docs.json"


def pairs() -> list[tuple[str, str, Relation]]:
    """(claim, excerpt, right answer) from the fixture's decoys and key facts."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    facts = [f["quote"] for f in data["key_facts"]]
    out = [(d["decoy_sentence"], d["official_sentence"], Relation.CONTRADICTS)
           for d in data["decoys"]]
    out += [(f, f"{facts[i - 1]} {f}", Relation.SUPPORTS) for i, f in enumerate(facts)]
    out += [(d["decoy_sentence"], facts[i % len(facts)], Relation.NEITHER)
            for i, d in enumerate(data["decoys"])]
    return out


def run(settings: Settings, label: str) -> str:
    """One model kind over every pair; its table row."""
    todo = pairs()
    given = right = calls = tokens = 0
    seconds = 0.0
    for start in range(0, len(todo), JUDGE_BATCH):
        batch = todo[start:start + JUDGE_BATCH]
        items = [(i + 1, claim, excerpt) for i, (claim, excerpt, _r) in enumerate(batch)]
        kwargs = completion_kwargs(settings, settings.llm_model, prompts.JUDGE_SYSTEM,
                                   prompts.judge_prompt(items), AnswerSchema.JUDGE)
        t0 = time.perf_counter()
        response = litellm.completion(**kwargs)
        seconds += time.perf_counter() - t0
        calls += 1
        tokens += int(response.usage.completion_tokens or 0)
        verdicts = parse_verdicts(response.choices[0].message.content or "")
        for i, (_c, _e, answer) in enumerate(batch):
            if i + 1 in verdicts:
                given += 1
                right += verdicts[i + 1] is answer
    return (f"| {label} | {len(todo)} | {given} | {right} | {calls} | "
            f"{tokens / calls:.0f} tok, {seconds / calls:.1f} s |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-local", action="store_true", help="only the fake LLM")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    rows = []
    if not args.no_local and local_model_available():
        data_dir = Path(tempfile.mkdtemp(prefix="judge-bench-"))
        endpoint = ensure_local_llm(data_dir)
        try:
            local = with_local_endpoint(Settings(), endpoint)
            rows.append(run(local, "embedded SmolLM2-135M, schema"))
        finally:
            stop_local_llm(data_dir)
    fake = FakeLLM().start()
    try:
        rows.append(run(Settings(llm_model="openai/fake-model", llm_api_key="k",
                                 llm_api_base=fake.api_base), "fake LLM"))
    finally:
        fake.stop()
    print("\n| model | pairs | verdicts given | right | calls | per call |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
