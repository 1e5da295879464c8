"""Research quality on the evaluation set: retrieval, citations, decoys, key facts, checker.

Usage: python bench/research_eval.py [--limit N] [--model M] [--depth standard|deep]
                                     [--corpus DIR] [--questions FILE] [--decoys FILE]
                                     [--adversarial] [--only ID ...]
                                     [--judge-gguf FILE | --judge-url URL --judge-model M]

Runs the real pipeline on each question of ``bench/eval/questions.json`` — the client
functions ``research run --sources bench/eval/corpus --no-web`` uses (ingest, start, wait),
a private Temporal dev server and an in-process worker — with the fake LLM (scripted: it
quotes its excerpts, plans from the question's parts, judges by shared words, numbers and
negations), and with ``--model M`` also with a real model configured by the LLM_*
variables of the environment (``--model embedded``: the embedded offline model). Prints,
side by side with a plain-BM25 baseline measured in the same run:

* retrieval recall@5/@10 of the gold documents over the report's searches (its plan's
  sub-questions, each with the question as context): the plain BM25 search, the current
  one without its second pass (feedback words, links) and the current one; how many
  questions got a decoy page into the top k; the time of one search; over all questions
  and over the tuning (odd-numbered) and held-out (even-numbered) ones;
* citation support (verified or corroborated / cited sentences), corroborated and
  disputed sentences;
* decoy citations, decoy facts stated in reports and how they were printed (disputed,
  unverified, verified) — and what the own-source check alone would have printed;
* key-fact recall (gold facts a report states);
* the checker's precision/recall on the labelled claims (tests/data/conflict_pairs.json
  and the all-held-out tests/data/conflict_pairs_python.json):
  own-source check, rules across sources, rules plus the fake judge;
* plan validity (first answer valid) and notes validity (notes calls whose notes were
  usable); tokens and wall time per report, tokens per verified cited sentence, and (fake
  LLM) the prompt tokens of each kind of call, with the share a provider's prompt cache
  could reuse (the prompt's start shared with an earlier call of the same kind and report).

``--adversarial`` scripts the fake LLM to believe the decoy pages (issue 21): it quotes
every decoy sentence of ``decoys.json`` found in its excerpts and writes it as fact, taking
its side where told the sources disagree. It then also prints, per run and per decoy kind,
the decoy facts that reached reports, how they were printed, and whether the official page
contradicting each was among the check's sources (read by research, or found by the check's
own search for the claim): a retrieval miss told apart from a checker miss.

``--judge-gguf FILE`` (a GGUF model served by the embedded llama.cpp server, as
``judge_bench.py --gguf`` does) or ``--judge-url URL --judge-model M`` (any OpenAI-protocol
server; its key in ``JUDGE_API_KEY``): the fake LLM still plans, notes and writes, but
forwards the citation judge's requests, as the product sent them through litellm, to that
model (``FakeLLM.configure(judge_upstream=...)``); with ``--adversarial`` it prints, per
decoy fact stated, what the judge was asked about it and what it answered
(``--judge-batch N``: the product's ``LLM_JUDGE_BATCH``, pairs a judge call; 1 as
``judge_bench.py`` asks by default). ``--only ID``:
only these questions (by id).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from _common import ROOT, DevServer, connect, machine, run_main, start_fake_llm
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from durable_research.activities.checking import COLLECTION_HITS, MARKERS
from durable_research.client import research as cr
from durable_research.client.reports import start_report
from durable_research.config import JUDGE_BATCH_DEFAULT, JUDGE_BATCH_MAX, Settings
from durable_research.contract.keys import meta_key, notes_name, run_key, text_key
from durable_research.contract.report import ReportInput, ReportResult
from durable_research.research.citations import cited_sentences
from durable_research.research.localdocs import load_collection, search_collection
from durable_research.research.secondpass import FIRST_PASS_ONLY
from durable_research.research.types import SubResearchResult
from durable_research.store import get_text
from durable_research.store.factory import open_store
from durable_research.testing import claims_eval
from durable_research.testing import retrieval_eval as rev
from durable_research.testing.decoy_reach import (
    HEAD,
    DecoyOutcome,
    check_search,
    reach,
    sent_to_notes,
    table,
)
from durable_research.testing.fake_forward import Upstream
from durable_research.testing.fake_llm import FakeLLM, SentPrompt
from durable_research.testing.fake_research import judge_items
from durable_research.testing.report_eval import ReportScore, score_report, states
from durable_research.worker.build import build_worker

EVAL = ROOT / "bench" / "eval"
UNUSABLE_NOTES = "the model's notes were unusable"
# Issue 26, goal 5's baseline: prompt tokens per report of the default set (19 questions,
# standard depth, the fake LLM) before the issue's work, measured on 0deecf9's src/ with
# this script (docs/benchmarks.md, "Goal 5: prompt tokens").
TOKENS_BEFORE = 7506


@dataclass
class Run:
    """One model's reports over the question set."""

    label: str
    scores: list[ReportScore] = field(default_factory=list)
    # The question id of each score (a failed report has none).
    scored_ids: list[str] = field(default_factory=list)
    results: list[ReportResult] = field(default_factory=list)
    searches: list[list[str]] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    plans: int = 0
    plans_first_try: int = 0
    notes_calls: int = 0
    notes_usable: int = 0
    failed: list[str] = field(default_factory=list)
    # The fake LLM's calls, one list per report (empty with a real model).
    sent: list[list[SentPrompt]] = field(default_factory=list)
    sent_ids: list[str] = field(default_factory=list)
    # Each decoy fact a report stated, with where its official page was (--adversarial).
    outcomes: list[DecoyOutcome] = field(default_factory=list)


def settings_for(model: str, tmp: Path, address: str, fake_base: str,
                 slow_judge: bool = False, judge_batch: int = JUDGE_BATCH_DEFAULT
                 ) -> Settings:
    """The worker's settings: the fake LLM, the environment's model, or the embedded one
    (``slow_judge``: the fake forwards the judge's requests to a real model, whose batches
    queue behind each other on a CPU: the longer timeout), and the judge's pairs a call."""
    base = Settings(temporal_address=address, task_queue=f"eval-{uuid.uuid4().hex[:8]}",
                    data_dir=str(tmp / "data"), output_dir=str(tmp / "reports"),
                    embedded="never", llm_timeout_s=600, llm_judge_batch=judge_batch)
    if not model:
        return replace(base, llm_model="openai/fake-model", llm_api_key="eval-key",
                       llm_api_base=fake_base, llm_timeout_s=600 if slow_judge else 120)
    if model == "embedded":
        from durable_research.embedded.localmodel import ensure_local_llm

        endpoint = ensure_local_llm(tmp / "local-llm")
        return replace(base, llm_model=endpoint.model, llm_api_base=endpoint.api_base,
                       llm_api_key=endpoint.api_key)
    from durable_research.config import load_settings

    env = load_settings()
    return replace(base, llm_model=model, llm_api_key=env.llm_api_key,
                   llm_api_base=env.llm_api_base, llm_max_tokens=env.llm_max_tokens)


async def plan_attempts(client: Client, workflow_id: str) -> int:
    """How many times the report asked for a plan (``llm_call`` activities in its history)."""
    count = 0
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED and \
                event.activity_task_scheduled_event_attributes.activity_type.name == "llm_call":
            count += 1
    return count


def notes_summaries(settings: Settings, workflow_id: str, children: int) -> list[str]:
    """The summary of every notes call of the report's sub-questions (from the store)."""
    store = open_store(settings)
    out = []
    for i in range(1, children + 1):
        for r in range(4):
            key = run_key(f"{workflow_id}/q{i}", meta_key(notes_name(r)))
            if store.exists(key):
                out.append(str(json.loads(store.get(key))["summary"]))
    return out


async def sources_read(client: Client, workflow_id: str, children: int) -> set[str]:
    """The URLs (paths, for local documents) of every source the report's sub-questions
    read, quoted or not: the sources the citation check reads besides its own search."""
    read: set[str] = set()
    for i in range(1, children + 1):
        handle = client.get_workflow_handle(f"{workflow_id}/q{i}",
                                            result_type=SubResearchResult)
        read |= {src.url for src in (await handle.result()).sources if src.ok}
    return read


async def trace_decoys(client: Client, settings: Settings, collection: str, qid: str,
                       workflow_id: str, score: ReportScore, children: int,
                       decoys: list[dict[str, Any]], body: str) -> list[DecoyOutcome]:
    """Each decoy fact the report stated, and whether the official page contradicting it
    was among the check's sources: read by research, or among the collection's best
    documents for any of the report's claims (``body``: the check's own search, replayed;
    its sources are one pool)."""
    if not score.stated:
        return []
    by_id = {d["id"]: d for d in decoys}
    read = await sources_read(client, workflow_id, children)
    store = open_store(settings)
    for marker in MARKERS.values():  # the check searched for the sentences before marking
        body = body.replace(marker, "")
    searched = check_search(
        [s.sentence for s in cited_sentences(body)],
        lambda claim: [h.url for h in search_collection(store, collection, claim,
                                                        COLLECTION_HITS)])
    out = []
    for stated in score.stated:
        decoy = by_id[stated.ident]
        out.append(DecoyOutcome(qid, stated.ident, decoy["kind"], stated.printed,
                                decoy["official_doc"],
                                reach(decoy["official_doc"], read, searched)))
    return out


async def run_questions(client: Client, settings: Settings, run: Run, collection: str,
                        questions: list[dict[str, Any]], decoys: list[dict[str, Any]],
                        depth: str, fake: FakeLLM | None = None, trace: bool = False) -> None:
    """Each question as one report; its score, searches, plan and notes validity (and
    with ``fake``, the calls it answered for the report; with ``trace``, where the
    official page of each decoy fact it stated was)."""
    store = open_store(settings)
    async with build_worker(client, settings):
        for q in questions:
            before = len(fake.sent()) if fake is not None else 0
            started = time.monotonic()
            params = ReportInput(prompt=q["question"], depth=depth, collection=collection,
                                 web=False, formats=["md"], output_dir=settings.output_dir)
            handle = await start_report(client, settings, params)
            result = await handle.result()
            run.walls.append(time.monotonic() - started)
            run.results.append(result)
            if fake is not None:
                run.sent.append(fake.sent()[before:])
                run.sent_ids.append(q["id"])
            if result.status != "completed" or not result.paths:
                run.failed.append(f"{q['id']}: {result.status} {result.note}")
                continue
            md = Path(result.paths[0]).read_text(encoding="utf-8")
            body = md.split("\n## References")[0]
            run.scores.append(score_report(
                body, result.references, lambda h: get_text(store, text_key(h)),
                q["key_facts"], decoys))
            run.scored_ids.append(q["id"])
            if trace:
                run.outcomes += await trace_decoys(client, settings, collection, q["id"],
                                                   handle.id, run.scores[-1],
                                                   len(result.subquestions), decoys, body)
            run.searches.append(result.subquestions)
            attempts = await plan_attempts(client, handle.id)
            run.plans += 1
            run.plans_first_try += attempts == 1 and bool(result.subquestions) and \
                result.subquestions != [q["question"]]
            for summary in notes_summaries(settings, handle.id, len(result.subquestions)):
                run.notes_calls += 1
                run.notes_usable += UNUSABLE_NOTES not in summary
            checked = result.verification.summary() if result.verification else "-"
            print(f"  {run.label}: {q['id']} {checked} ({run.walls[-1]:.1f} s)", flush=True)


DECOY_FOLDERS = ("community/", "blog/", "wiki/")


def decoy_sided(result: ReportResult) -> int:
    """Disputed sentences where the claim's source or the disputing one is a decoy page (the
    others are disagreements between official pages: mostly the rules' mistakes)."""
    where = {r.n: r.url for r in result.references}
    disputed = result.verification.disputed if result.verification else []
    return sum(any(where.get(n, "").startswith(DECOY_FOLDERS) for n in (d.n, d.other))
               for d in disputed)


def print_decoys(runs: list[Run], decoys: list[dict[str, Any]]) -> None:
    """Each decoy fact a report stated, how it was printed, and its kind."""
    kinds = {d["id"]: d["kind"] for d in decoys}
    for run in runs:
        stated = Counter(pair for s in run.scores for pair in s.decoys_stated)
        print(f"\ndecoy facts stated ({run.label}): " + (", ".join(
            f"{ident} ({kinds[ident]}): {printed}" + (f" x{n}" if n > 1 else "")
            for (ident, printed), n in sorted(stated.items())) or "none"))


def print_reach(runs: list[Run], decoys: list[dict[str, Any]]) -> None:
    """Per run, the decoy facts that reached reports by kind, how they were printed and
    where their official page was; then each, and the rules' verdict on the pair for those
    printed verified although the check had the official page."""
    from durable_research.research.claims import compare

    by_id = {d["id"]: d for d in decoys}
    for run in runs:
        print(f"\ndecoy facts that reached the reports ({run.label}; official page: read by "
              "research, found by the check's own search for the claim, or neither):")
        width = [max(len(h), 8) for h in HEAD]
        print("  " + "  ".join(f"{h:>{w}}" for h, w in zip(HEAD, width, strict=True)))
        for row in table(run.outcomes):
            print("  " + "  ".join(f"{c:>{w}}" for c, w in zip(row, width, strict=True)))
        for o in run.outcomes:
            line = f"  {o.question}: {o.ident} ({o.kind}) {o.printed}; {o.official} {o.reach}"
            if o.checker_missed:
                d = by_id[o.ident]
                seen = compare(d["decoy_sentence"], d["official_sentence"], lambda _t: 1.0)
                line += (f" -> checker miss (rules on the pair: {seen.relation}"
                         f"{', ' + seen.reason if seen.reason else ''})")
            print(line)
        print_funnel(run, decoys)
        print_judged(run, decoys)


def print_judged(run: Run, decoys: list[dict[str, Any]]) -> None:
    """Per decoy fact stated, what the judge was asked about its sentence (each excerpt,
    and whether it holds the official sentence that contradicts it) and what it answered;
    and the reason of each dispute of it."""
    if not run.outcomes or not run.sent:
        return
    from durable_research.activities.checking import parse_verdicts
    from durable_research.research import prompts

    by_id = {d["id"]: d for d in decoys}
    calls = dict(zip(run.sent_ids, run.sent, strict=True))
    results = dict(zip(run.scored_ids, [r for r in run.results
                                        if r.status == "completed" and r.paths], strict=True))
    print(f"\nwhat the judge read and answered about each decoy fact stated ({run.label}):")
    for o in dict.fromkeys(run.outcomes):
        decoy = by_id[o.ident]
        official = " ".join(decoy["official_sentence"].split())
        print(f"  {o.question}: {o.ident} printed {o.printed}")
        with_official: list[str] = []  # the excerpts sent that hold the official sentence
        for call in calls.get(o.question, []):
            if call.task != prompts.TASK_JUDGE:
                continue
            verdicts = parse_verdicts(call.answer)
            for ident, claim, excerpt in judge_items(call.user):
                if states(claim, decoy["decoy_sentence"]):
                    has = "official sentence IN it" if official in excerpt else "no official"
                    with_official += [excerpt] if official in excerpt else []
                    print(f"    judge: {verdicts.get(int(ident), 'no verdict')} ({has}) "
                          f"<- {excerpt[:220]}")
        result = results.get(o.question)
        for d in result.verification.disputed if result and result.verification else []:
            if states(d.sentence, decoy["decoy_sentence"]):
                other = " ".join(d.other_passage.split())
                # The report shows the passage cut (checking.MAX_PASSAGE_CHARS): the
                # official sentence may be in the part cut off of an excerpt sent.
                shown = other.removesuffix("…").rstrip()
                has = "official sentence IN it" if official in other or any(
                    e.startswith(shown) for e in with_official) else "no official"
                print(f"    disputed: {d.reason} ({has}) <- {other[:220]}")


def print_funnel(run: Run, decoys: list[dict[str, Any]]) -> None:
    """The decoy facts whose sentence reached the note-taker in an excerpt (fake LLM: it
    notes each), and those of them that no report stated (lost between notes and report)."""
    if not run.sent:
        return
    from durable_research.research import prompts

    stated = {(o.question, o.ident) for o in run.outcomes}
    sent = {(ident, d) for ident, report in zip(run.sent_ids, run.sent, strict=True)
            for d in sent_to_notes(decoys, [c.user for c in report
                                            if c.task == prompts.TASK_NOTES])}
    lost = sorted(sent - stated)
    print(f"  decoy sentences sent to the note-taker: {len(sent)} (report, fact) pairs, "
          f"{len({d for _q, d in sent})} of {len(decoys)} facts; stated in that report: "
          f"{len(sent & stated)}" + "".join(f"\n    {q}: {d} sent, not stated"
                                               for q, d in lost))


def print_disputes(runs: list[Run]) -> None:
    """Every disputed sentence between two official pages (to read the rules' mistakes)."""
    for run in runs:
        print(f"\ndisputes between official pages ({run.label}):")
        for result in run.results:
            where = {r.n: r.url for r in result.references}
            for d in result.verification.disputed if result.verification else []:
                if not any(where.get(n, "").startswith(DECOY_FOLDERS) for n in (d.n, d.other)):
                    print(f"  - {d.sentence}\n    [{where.get(d.other)}] {d.other_passage}\n"
                          f"    ({d.reason})")


def print_missed(runs: list[Run]) -> None:
    """Every key fact and decoy fact of each report, by question: the facts it missed, the
    decoys it stated and how (to tell which facts two runs differ on)."""
    for run in runs:
        print(f"\nkey facts missed, decoys stated, by question ({run.label}):")
        for ident, score in zip(run.scored_ids, run.scores, strict=True):
            for fact in score.missed_facts:
                print(f"  {ident}: missed {fact}")
            for decoy, printed in score.decoys_stated:
                print(f"  {ident}: decoy {decoy} printed {printed}")


def dump_prompts(runs: list[Run], path: Path) -> None:
    """Every call the fake LLM answered, one JSON object a line (to read what is sent)."""
    with path.open("w", encoding="utf-8") as out:
        for run in runs:
            for report, ident in zip(run.sent, run.sent_ids, strict=True):
                for call in report:
                    out.write(json.dumps({"question": ident, "task": call.task,
                                          "prompt_tokens": call.prompt_tokens,
                                          "system": call.system, "user": call.user,
                                          "answer": call.answer}) + "\n")
    print(f"\nprompts written to {path}")


def pct(part: float, whole: float) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def print_retrieval(settings: Settings, collection: str, questions: list[dict[str, Any]],
                    runs: list[Run], ks: list[int]) -> None:
    """Recall@k over each report's own searches: the plain search, the current one before
    its second pass, and the current one; over all questions, the tuning (odd-numbered)
    and the held-out (even-numbered) ones; and the time of one search."""
    store = open_store(settings)
    names = {d.name for d in load_collection(store, collection)}
    decoy_docs = [n for n in names if n.split("/", 1)[0] in ("community", "blog", "wiki")]
    print("\nretrieval: recall of gold documents over a report's searches (its plan's "
          "sub-questions, with the question as context), questions with a decoy in the "
          "top k, and the time of one search")
    searches = {"plain BM25": rev.plain(store, collection),
                "first pass": rev.current(store, collection, tuning=FIRST_PASS_ONLY),
                "current": rev.current(store, collection)}
    for search in searches.values():
        search("warm up", [], 1)  # the index is built once, not timed
    for run in runs:
        qs = [rev.EvalQuestion(question=q["question"], gold=q["gold_docs"], subquestions=s,
                               decoys=q.get("decoys", []))
              for q, s in zip(questions, run.searches, strict=False)]
        for k in ks:
            for part, chosen in rev.split(qs).items():
                cells = []
                for name, search in searches.items():
                    found = rev.measure(search, chosen, k, decoy_docs)
                    cells.append(f"{name} {found.recall:.2f} (decoy in {found.with_decoy}/"
                                 f"{found.questions}, {found.ms_per_search:.1f} ms)")
                print(f"  {run.label:10} @{k:<3} {part:15} " + "   ".join(cells))
        # The gold documents the current search leaves out of every top k (the last k):
        # what the next retrieval change has to reach.
        for line in rev.measure(searches["current"], qs, ks[-1], decoy_docs).missed:
            print(f"    missed @{ks[-1]}: {line}")


def print_reports(runs: list[Run], whole_set: bool = False) -> None:
    """Citations, decoys, key facts, validity, cost per report, one column per run."""
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, values: list[str]) -> None:
        rows.append((name, values))

    def total(run: Run, attr: str) -> int:
        return sum(int(getattr(s, attr)) for s in run.scores)

    def ver(run: Run, what: str) -> int:
        return sum(getattr(r.verification, what) if r.verification else 0 for r in run.results)

    row("reports (failed)", [f"{len(r.scores)} ({len(r.failed)})" for r in runs])
    row("cited sentences", [str(ver(r, "checked")) for r in runs])
    row("citation support", [pct(ver(r, "supported"), ver(r, "checked")) for r in runs])
    row("  corroborated", [str(ver(r, "corroborated")) for r in runs])
    row("  disputed", [str(sum(len(x.verification.disputed) for x in r.results
                                if x.verification)) for r in runs])
    row("    a decoy on one side", [str(sum(decoy_sided(x) for x in r.results)) for r in runs])
    row("decoy citations", [str(total(r, "decoy_citations")) for r in runs])
    row("decoy facts stated", [str(total(r, "decoy_claims")) for r in runs])
    row("  marked disputed", [f"{total(r, 'decoy_disputed')} "
                              f"({pct(total(r, 'decoy_disputed'), total(r, 'decoy_claims'))})"
                              for r in runs])
    row("  marked unverified", [str(total(r, "decoy_unverified")) for r in runs])
    row("  printed verified", [str(total(r, "decoy_verified")) for r in runs])
    row("  own-source check: verified", [str(total(r, "decoy_old_verified")) for r in runs])
    row("key-fact recall", [pct(total(r, "key_facts_found"), total(r, "key_facts"))
                            for r in runs])
    row("plan valid first try", [pct(r.plans_first_try, r.plans) for r in runs])
    row("notes usable", [pct(r.notes_usable, r.notes_calls) for r in runs])
    row("tokens / report", [f"{sum(x.usage.total_tokens for x in r.results) / n:,.0f}"
                            for r in runs if (n := max(1, len(r.results)))])
    row("  prompt tokens / report", [
        f"{sum(x.usage.prompt_tokens for x in r.results) / n:,.0f}"
        for r in runs if (n := max(1, len(r.results)))])
    row("tokens / verified cited sentence", [
        f"{sum(x.usage.total_tokens for x in r.results) / v:,.0f}"
        if (v := ver(r, "supported")) else "-" for r in runs])
    row("wall s / report", [f"{sum(r.walls) / max(1, len(r.walls)):.1f}" for r in runs])
    width = max(len(name) for name, _v in rows)
    print(f"\nreports ({', '.join(r.label for r in runs)}):")
    for name, values in rows:
        print(f"  {name:{width}}  " + "  ".join(f"{v:>14}" for v in values))
    fake = runs[0]
    if whole_set and fake.results:  # the baseline is the default set's, every question
        prompt = sum(x.usage.prompt_tokens for x in fake.results) / len(fake.results)
        cut = 1 - prompt / TOKENS_BEFORE
        print(f"issue 26 goal 5 ({fake.label}): prompt tokens / report {prompt:,.0f} against "
              f"{TOKENS_BEFORE:,} before the issue's work (0deecf9, this script's questions): "
              f"{-cut:+.0%} (goal -30 % at equal scores: {'met' if cut >= 0.3 else 'NOT met'})")


def shared_words(text: str, earlier: list[str]) -> int:
    """Words at the start of ``text`` that an earlier prompt starts with too (what a
    provider's prefix cache could reuse: the longest common prefix, whole words)."""
    best = max((len(os.path.commonprefix([text, e])) for e in earlier), default=0)
    return len(text[:best].split()) if best < len(text) else len(text.split())


def print_prompt_tokens(run: Run) -> None:
    """The fake LLM's calls per report by kind: calls, prompt tokens, the share of them in
    a prefix shared with an earlier call of the same kind and report, and the share in
    lines (of 8 words or more, system prompts aside) an earlier call of the report was
    already sent."""
    if not run.sent:
        return
    calls: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    cached: Counter[str] = Counter()
    again: Counter[str] = Counter()
    for report in run.sent:
        seen: dict[str, list[str]] = {}
        lines: set[str] = set()
        for call in report:
            kind = call.task.removeprefix("TASK: ") or "other"
            calls[kind] += 1
            tokens[kind] += call.prompt_tokens
            cached[kind] += min(call.prompt_tokens,
                                shared_words(call.text, seen.get(kind, [])))
            seen.setdefault(kind, []).append(call.text)
            mine = {line.strip() for line in call.user.split("\n")
                    if len(line.split()) >= 8}
            again[kind] += sum(len(line.split()) for line in mine & lines)
            lines |= mine
    n = len(run.sent)
    print(f"\nprompt tokens per report by call ({run.label}; cacheable: in a prefix shared "
          "with an earlier call of the same kind; sent before: in lines an earlier call of "
          "the report was sent):")
    for kind, total in sorted(tokens.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:10} {calls[kind] / n:5.1f} calls  {total / n:8,.0f} prompt tokens  "
              f"cacheable {cached[kind] / max(total, 1):.2f}  sent before "
              f"{again[kind] / max(total, 1):.2f}")
    whole = sum(tokens.values())
    print(f"  {'all':10} {sum(calls.values()) / n:5.1f} calls  {whole / n:8,.0f} prompt tokens"
          f"  cacheable {sum(cached.values()) / max(whole, 1):.2f}  sent before "
          f"{sum(again.values()) / max(whole, 1):.2f}")


def print_decoy_pairs(decoys: list[dict[str, Any]]) -> None:
    """Each decoy fact against the official sentence it contradicts, the rules alone (what
    the check can catch once both reach it, whatever retrieval and the writer do)."""
    from durable_research.research.claims import Relation, compare

    caught: dict[str, list[int]] = {}
    for d in decoys:
        seen = compare(d["decoy_sentence"], d["official_sentence"], lambda _t: 1.0)
        caught.setdefault(d["kind"], [0, 0])[1] += 1
        caught[d["kind"]][0] += seen.relation is Relation.CONTRADICTS
    total = sum(n for n, _m in caught.values())
    print(f"\ndecoy facts against their official sentence, rules alone: {total}/{len(decoys)} "
          "contradicted (" + ", ".join(f"{k} {n}/{m}" for k, (n, m) in sorted(caught.items()))
          + ")")


def print_checker() -> None:
    """The checker on the labelled claims: the own-source check, the rules, rules + judge."""
    for name in claims_eval.CLAIM_SETS:
        print_claim_set(name)


def print_claim_set(name: str) -> None:
    """The checker on one labelled set, per split."""
    items = claims_eval.load_items(ROOT / "tests" / "data" / name)
    print(f"\nchecker on {len(items)} labelled claims of {name} (false verified: wrong claims "
          "passed; disputed recall/precision):")
    for label, mode in (("own source only", claims_eval.Mode.OWN),
                        ("across sources", claims_eval.Mode.RULES),
                        ("+ fake judge", claims_eval.Mode.JUDGE)):
        for split in ("calibration", "holdout"):
            part = [i for i in items if i["split"] == split]
            if not part:
                continue
            r = claims_eval.evaluate(part, mode)
            print(f"  {label:16} {split:11} false verified {r['false_verified']:.3f} "
                  f"(wrong passes {r['wrong_passes']:.3f})  disputed recall "
                  f"{r['disputed_recall']:.2f} precision {r['disputed_precision']:.2f}  "
                  f"exact {r['accuracy']:.2f}")


def judge_upstream(args: argparse.Namespace, tmp: Path) -> Upstream | None:
    """The real judge the fake LLM forwards to: a GGUF file served here, or a server."""
    if args.judge_gguf:
        from durable_research.embedded.localmodel import ensure_local_llm

        t0 = time.monotonic()
        endpoint = ensure_local_llm(tmp / "judge-llm", gguf=args.judge_gguf)
        print(f"judge server up in {time.monotonic() - t0:.1f} s", flush=True)
        return Upstream(endpoint.api_base, endpoint.model.split("/", 1)[-1], endpoint.api_key)
    if args.judge_url:
        return Upstream(args.judge_url, args.judge_model, os.environ.get("JUDGE_API_KEY", ""))
    return None


def print_forwarded(fake: FakeLLM, reports: int) -> None:
    """The real judge's calls per report: its own prompt and answer tokens, and time."""
    got = fake.forwarded()
    n = max(reports, 1)
    print(f"\nreal judge per report: {len(got) / n:.1f} calls, "
          f"{sum(f.prompt_tokens for f in got) / n:,.0f} prompt tokens, "
          f"{sum(f.completion_tokens for f in got) / n:,.0f} answer tokens (its tokenizer), "
          f"{sum(f.seconds for f in got) / n:.0f} s of calls")


async def amain(args: argparse.Namespace) -> int:
    """Set up, run every model over the questions, print the tables."""
    data = json.loads(args.questions.read_text(encoding="utf-8"))
    # A question set, or one question with its gold data (tests/data/conflict_docs.json).
    questions = data.get("questions") or [{"id": args.questions.stem, **data}]
    if args.only:
        unknown = set(args.only) - {q["id"] for q in questions}
        if unknown:
            raise SystemExit(f"--only: no such question: {', '.join(sorted(unknown))}")
        questions = [q for q in questions if q["id"] in args.only]
    questions = questions[: args.limit] if args.limit else questions
    decoys = json.loads(args.decoys.read_text(encoding="utf-8"))["decoys"]
    print(f"research eval: {len(questions)} questions, corpus {args.corpus}, depth "
          f"{args.depth}; {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="research-eval-") as name:
        tmp = Path(name)
        server = DevServer(tmp / "temporal")
        server.start()
        fake = start_fake_llm()
        try:
            client = await connect(server.address)
            judge = judge_upstream(args, tmp)
            if judge is not None:
                fake.configure(judge_upstream=judge)
                print(f"judge: {judge.model} at {judge.api_base} (the fake LLM forwards the "
                      "judge's requests)", flush=True)
            label = f"fake LLM, {judge.model} judge" if judge is not None else "fake LLM"
            runs = [Run(label)] + ([Run(args.model)] if args.model else [])
            if args.adversarial:  # a model that takes the decoy pages at their word
                fake.configure(prefer_quotes=[d["decoy_sentence"] for d in decoys])
                print(f"adversarial: the fake LLM believes the {len(decoys)} decoy sentences",
                      flush=True)
            settings = settings_for("", tmp, server.address, fake.api_base)
            collection = cr.ingest_sources(settings, [str(args.corpus)]).collection
            for run in runs:
                model = "" if run is runs[0] else args.model
                s = settings_for(model, tmp, server.address, fake.api_base,
                                 slow_judge=judge is not None, judge_batch=args.judge_batch)
                await run_questions(client, s, run, collection, questions, decoys, args.depth,
                                    fake if not model else None, trace=args.adversarial)
            print_retrieval(settings, collection, questions, runs, [5, 10])
            default_set = (not args.limit and not args.only and not args.adversarial
                           and judge is None and args.depth == "standard"
                           and args.questions == EVAL / "questions.json"
                           and args.corpus == EVAL / "corpus")
            print_reports(runs, whole_set=default_set)
            for run in runs:
                print_prompt_tokens(run)
            if judge is not None:
                print_forwarded(fake, len(runs[0].results))
            print_checker()
            print_decoy_pairs(decoys)
            print_decoys(runs, decoys)
            if args.adversarial:
                print_reach(runs, decoys)
            if args.show_disputes:
                print_disputes(runs)
            if args.show_missed:
                print_missed(runs)
            if args.dump_prompts:
                dump_prompts(runs, args.dump_prompts)
            for run in runs:
                for failure in run.failed:
                    print(f"  {run.label} failed: {failure}")
        finally:
            fake.stop()
            server.stop()
            if args.model == "embedded" or args.judge_gguf:
                from durable_research.embedded.localmodel import stop_local_llm

                stop_local_llm(tmp / "local-llm")
                stop_local_llm(tmp / "judge-llm")
    return 0


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=EVAL / "corpus")
    parser.add_argument("--questions", type=Path, default=EVAL / "questions.json")
    parser.add_argument("--decoys", type=Path, default=EVAL / "decoys.json")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--depth", default="standard", choices=["standard", "deep"])
    parser.add_argument("--show-disputes", action="store_true",
                        help="list the disputes between two official pages")
    parser.add_argument("--show-missed", action="store_true",
                        help="list the key facts each report missed")
    parser.add_argument("--dump-prompts", type=Path, default=None, metavar="FILE",
                        help="write every fake LLM call (JSON lines) to FILE")
    parser.add_argument("--adversarial", action="store_true",
                        help="the fake LLM believes the decoy pages: it quotes their claims "
                        "and writes them as fact; print where each one's official page was")
    parser.add_argument("--only", nargs="+", default=[], metavar="ID",
                        help="only these questions (by id)")
    parser.add_argument("--judge-gguf", type=Path, default=None, metavar="FILE",
                        help="the fake LLM's judge requests answered by this GGUF model "
                        "(served by the embedded llama.cpp server)")
    parser.add_argument("--judge-url", default="", metavar="URL",
                        help="... or by the model --judge-model of this OpenAI-protocol "
                        "server (its /v1 base URL; key: JUDGE_API_KEY)")
    parser.add_argument("--judge-model", default="", help="the model name at --judge-url")
    parser.add_argument("--judge-batch", type=int, default=JUDGE_BATCH_DEFAULT,
                        choices=range(1, JUDGE_BATCH_MAX + 1), metavar="N",
                        help="the product's LLM_JUDGE_BATCH: (claim, excerpt) pairs a judge "
                        f"call (default {JUDGE_BATCH_DEFAULT}; judge_bench.py asks 1)")
    parser.add_argument("--model", default="", help="also run with this model (LLM_* "
                        "settings of the environment), or 'embedded' for the offline model")
    args = parser.parse_args()
    if args.judge_gguf and not args.judge_gguf.is_file():
        parser.error(f"--judge-gguf: no such file: {args.judge_gguf}")
    if bool(args.judge_url) != bool(args.judge_model) or (args.judge_url and args.judge_gguf):
        parser.error("--judge-url needs --judge-model, and excludes --judge-gguf")
    sys.exit(run_main(amain(args)))


if __name__ == "__main__":
    main()
