"""How well a model answers the citation judge: verdicts given, and right, per call.

Builds (claim, source excerpt) pairs with known answers from the fixture corpus
``tests/data/conflict_docs.json``: each decoy sentence against the official sentence it
contradicts ("contradicts"), each key fact against itself in its paragraph ("supports"),
each decoy against an unrelated key fact ("neither"). Asks them with the app's judge prompt
and schema through ``completion_kwargs`` and litellm, in the activity's batches
(``LLM_JUDGE_BATCH``) and one pair a call, and reads the answers with the activity's
``parse_verdicts``. Model kinds: the embedded model (SmolLM2-135M, llama.cpp), any GGUF
file given with ``--gguf`` (served the same way), and the fake LLM as the conformant
baseline.

``--claims`` also runs the labelled claim sets (``tests/data/conflict_pairs.json``, per
split, and the all-held-out ``conflict_pairs_python.json`` and ``conflict_pairs_pg.json``)
through the checker (``durable_research.testing.claims_eval``) with the model as the judge,
one pair a call:
the rules alone, the rules with the model as judge (the product's path: the model is asked
what the rules leave open), the rules with the model reading every claim the rules do not
settle by its source's own words (``every``; ``cited`` and ``others`` its two parts, see
``crosscheck.JudgeReads``), and the model alone (every pair asked, no rule); with the
questions asked per claim (a hosted judge's token cost), the time per pair and the server's
peak memory. ``--claims-only`` skips the fixture's pairs; ``--splits holdout calibration``
runs the held-out splits first.

Usage::

    python bench/judge_bench.py [--no-local] [--gguf FILE ...] [--claims | --claims-only]
                                [--sets ...] [--splits holdout calibration]
                                [--modes rules judge cited others every alone]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

# litellm fetches a price map from the internet at import unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm

from durable_research.activities.checking import parse_verdicts
from durable_research.activities.llm import completion_kwargs
from durable_research.config import JUDGE_BATCH_DEFAULT, JUDGE_BATCH_MAX, Settings
from durable_research.contract.citations import ClaimStatus
from durable_research.contract.llm import AnswerSchema
from durable_research.embedded.localmodel import (
    LocalEndpoint,
    ensure_local_llm,
    local_model_available,
    stop_local_llm,
    with_local_endpoint,
)
from durable_research.research import prompts
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import Question
from durable_research.testing import claims_eval
from durable_research.testing.fake_llm import FakeLLM

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
FIXTURE = DATA / "conflict_docs.json"
# The evaluation corpus's decoy facts, each with the official sentence it contradicts.
DECOYS = Path(__file__).resolve().parent / "eval" / "decoys.json"
CLAIM_SETS = claims_eval.CLAIM_SETS
SPLITS = ("calibration", "holdout")
MODES = {claims_eval.Mode.RULES: "rules alone", claims_eval.Mode.JUDGE: "rules + judge",
         claims_eval.Mode.CITED: "rules + judge, (a) every cited passage",
         claims_eval.Mode.OTHERS: "rules + judge, (b) the closest other sources",
         claims_eval.Mode.EVERY: "rules + judge reading every claim",
         claims_eval.Mode.ALONE: "judge alone"}
# The modes run when --modes is not given (EVERY is asked for by name).
DEFAULT_MODES = [claims_eval.Mode.RULES, claims_eval.Mode.JUDGE, claims_eval.Mode.ALONE]


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


class ModelJudge:
    """A :data:`claims_eval.Judge` asking a model, ``batch`` pairs a call, as the activity
    does (prompt, schema, ``parse_verdicts``); each pair is asked once (answers cached)."""

    def __init__(self, settings: Settings, batch: int) -> None:
        self.settings, self.batch = settings, batch
        self.answers: dict[tuple[str, str], Relation | None] = {}
        self.calls = self.tokens = 0
        self.seconds = 0.0

    def ask(self, todo: list[tuple[str, str]]) -> list[Relation | None]:
        """The verdict on each (claim, excerpt), ``None`` where the model gave none."""
        items = [(i + 1, claim, excerpt) for i, (claim, excerpt) in enumerate(todo)]
        kwargs = completion_kwargs(self.settings, self.settings.llm_model, prompts.JUDGE_SYSTEM,
                                   prompts.judge_prompt(items), AnswerSchema.JUDGE)
        t0 = time.perf_counter()
        response = litellm.completion(**kwargs)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        self.tokens += int(response.usage.completion_tokens or 0)
        verdicts = parse_verdicts(response.choices[0].message.content or "")
        return [verdicts.get(i + 1) for i in range(len(todo))]

    def __call__(self, questions: list[Question]) -> dict[Question, Relation]:
        new = list(dict.fromkeys((q.claim, q.passage) for q in questions
                                 if (q.claim, q.passage) not in self.answers))
        for start in range(0, len(new), self.batch):
            chunk = new[start:start + self.batch]
            self.answers.update(zip(chunk, self.ask(chunk), strict=True))
        found = {q: self.answers[(q.claim, q.passage)] for q in questions}
        return {q: r for q, r in found.items() if r is not None}

    def prefetch(self, items: list[dict[str, Any]], mode: claims_eval.Mode) -> None:
        """Ask every pair the check of ``items`` will ask, ``batch`` a call in the order
        met, as the activity does: its batches hold the pairs of many claims of a report,
        where the check of one item asks only that claim's. Which pairs the check asks does
        not depend on the answers (the rules choose them)."""
        met: list[Question] = []

        def record(questions: list[Question]) -> dict[Question, Relation]:
            met.extend(questions)
            return {}

        for item in items:
            claims_eval.checked(item, mode, record)
        # The pairs of one passage together, passages in the order first met (the
        # activity's order), so a batch sends a passage once.
        first: dict[str, int] = {}
        for q in met:
            first.setdefault(q.passage, len(first))
        self(sorted(met, key=lambda q: first[q.passage]))

    def per_pair(self) -> str:
        """Seconds and answer tokens per pair asked."""
        n = max(len(self.answers), 1)
        return f"{self.seconds / n:.1f} s, {self.tokens / n:.0f} tok a pair"


def run(settings: Settings, label: str, batch: int) -> str:
    """One model kind over every pair, ``batch`` pairs a call; its table row."""
    todo = pairs()
    judge = ModelJudge(settings, batch)
    # One pair is in the list twice (a decoy against its official sentence, which is also a
    # key fact): asked once, counted twice, as before.
    asked = [Question(c, e, "", cited=False) for c, e, _r in todo]
    answers = judge(asked)
    given = sum(q in answers for q in asked)
    right = sum(answers.get(q) is r for q, (_c, _e, r) in zip(asked, todo, strict=True))
    return (f"| {label}, {batch} a call | {len(todo)} | {given} | {right} | "
            f"{judge.calls} | {judge.tokens / judge.calls:.0f} tok, "
            f"{judge.seconds / judge.calls:.1f} s |")


def decoy_items() -> list[dict[str, Any]]:
    """Each decoy fact of the evaluation corpus as a labelled item: the claim is the decoy
    sentence, cited from its own (decoy) page, and the one other source is the official
    sentence it contradicts. What the check does once both pages reach a report, whatever
    retrieval and the writer did (``research_eval.py`` prints the rules' share)."""
    decoys: list[dict[str, Any]] = json.loads(DECOYS.read_text(encoding="utf-8"))["decoys"]
    return [{"claim": d["decoy_sentence"], "cited": d["decoy_sentence"],
             "others": [d["official_sentence"]], "label": "disputed", "kind": d["kind"]}
            for d in decoys]


def decoy_rows(label: str, judge: claims_eval.Judge, modes: list[claims_eval.Mode]
               ) -> list[str]:
    """The decoy facts checked with ``judge``: disputed (caught) per mode, by kind."""
    rows = []
    items = decoy_items()
    for mode in modes:
        if isinstance(judge, ModelJudge):
            judge.prefetch(items, mode)
        caught: dict[str, list[int]] = {}
        for item in items:
            status = claims_eval.status_of(item, mode, judge)
            seen = caught.setdefault(item["kind"], [0, 0])
            seen[0] += status is ClaimStatus.DISPUTED
            seen[1] += 1
        total = sum(n for n, _m in caught.values())
        rows.append(f"| {label} | decoy facts ({len(items)}) | {MODES[mode]} | caught "
                    f"{total}/{len(items)} | " + ", ".join(
                        f"{kind} {n}/{m}" for kind, (n, m) in sorted(caught.items())) + " |")
        print(rows[-1], flush=True)
    return rows


def claims_rows(label: str, judge: claims_eval.Judge, args: argparse.Namespace) -> list[str]:
    """The labelled claim sets checked with ``judge``: one row per set, split and mode, in
    the order of ``--splits`` first, then of ``--sets`` (the held-out splits first: a slow
    model may not get through the rest)."""
    rows = []
    sets: list[str] = args.sets
    modes: list[claims_eval.Mode] = args.modes
    for split in args.splits:
        for name in sets:
            items = claims_eval.load_items(DATA / name)
            part = [i for i in items if i["split"] == split]
            for mode in modes if part else ():
                if isinstance(judge, ModelJudge):
                    judge.prefetch(part, mode)
                r: dict[str, Any] = claims_eval.evaluate(part, mode, judge)
                rows.append(f"| {label} | {name} {split} ({len(part)}) | {MODES[mode]} | "
                            f"{r['false_verified']:.3f} | {r['disputed_recall']:.2f} | "
                            f"{r['disputed_precision']:.2f} | {r['right_passed']:.2f} | "
                            f"{r['accuracy']:.2f} | "
                            f"{r['questions_per_claim']:.2f} |")
                print(rows[-1], flush=True)
    if args.decoys:
        rows += decoy_rows(label, judge, modes)
    return rows


def peak_memory(pid: int) -> str:
    """The process's peak resident memory (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:.0f} MB"
    return "?"


def served(label: str, gguf: Path | None, args: argparse.Namespace,
           rows: list[str], claim_rows: list[str]) -> None:
    """Serve one GGUF model (``None``: the packaged one) and run the benches on it."""
    data_dir = Path(tempfile.mkdtemp(prefix="judge-bench-"))
    t0 = time.perf_counter()
    endpoint: LocalEndpoint = ensure_local_llm(data_dir, gguf=gguf)
    print(f"{label}: server up in {time.perf_counter() - t0:.1f} s", flush=True)
    try:
        settings = with_local_endpoint(Settings(), endpoint)
        if not args.claims_only:
            rows.append(run(settings, label, JUDGE_BATCH_DEFAULT))
            rows.append(run(settings, label, 1))
            print(rows[-2], rows[-1], sep="\n", flush=True)
        if args.claims or args.claims_only:
            judge = ModelJudge(settings, args.batch)
            claim_rows += claims_rows(label, judge, args)
            print(f"{label}: {len(judge.answers)} pairs, {judge.per_pair()}, server peak "
                  f"memory {peak_memory(endpoint.pid)}", flush=True)
    finally:
        stop_local_llm(data_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-local", action="store_true", help="not the packaged model")
    parser.add_argument("--gguf", type=Path, action="append", default=[],
                        help="also a GGUF file served by llama.cpp (repeatable)")
    parser.add_argument("--claims", action="store_true", help="also the labelled claim sets")
    parser.add_argument("--claims-only", action="store_true",
                        help="the labelled claim sets only, not the fixture's pairs")
    parser.add_argument("--sets", nargs="*", default=list(CLAIM_SETS), choices=CLAIM_SETS,
                        help="the labelled claim sets (none: with --decoys, the decoys only)")
    parser.add_argument("--splits", nargs="+", default=list(SPLITS), choices=SPLITS,
                        help="the sets' splits, in this order (default: calibration holdout)")
    parser.add_argument("--decoys", action="store_true",
                        help="with --claims/--claims-only: also the evaluation corpus's decoy "
                             "facts, each against the official sentence it contradicts")
    parser.add_argument("--modes", nargs="+", type=claims_eval.Mode, default=DEFAULT_MODES,
                        choices=list(MODES), help="how the claims are checked (default: "
                        "rules judge alone)")
    parser.add_argument("--batch", type=int, default=1, choices=range(1, JUDGE_BATCH_MAX + 1),
                        metavar="N", help="with --claims/--claims-only: the judge's pairs "
                        "a call, in batches over all the claims of a set as a report's "
                        f"check asks them (default 1; the product asks {JUDGE_BATCH_DEFAULT})")
    args = parser.parse_args()
    missing = [str(g) for g in args.gguf if not g.is_file()]
    if missing:
        parser.error(f"--gguf: no such file: {', '.join(missing)}")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    rows: list[str] = []
    claim_rows: list[str] = []
    if not args.no_local and local_model_available():
        served("embedded SmolLM2-135M", None, args, rows, claim_rows)
    for gguf in args.gguf:
        served(gguf.stem, gguf, args, rows, claim_rows)
    fake = FakeLLM().start()
    try:
        rows.append(run(Settings(llm_model="openai/fake-model", llm_api_key="k",
                                 llm_api_base=fake.api_base), "fake LLM", JUDGE_BATCH_DEFAULT))
    finally:
        fake.stop()
    if args.claims or args.claims_only:
        claim_rows += claims_rows("fake LLM", claims_eval.fake_judge, args)
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    print("\n| model | pairs | verdicts given | right | calls | per call |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    if claim_rows:
        print("\n| judge | claims | mode | false verified | disputed recall | precision "
              "| right claims passed | exact | questions a claim |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        print("\n".join(claim_rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
