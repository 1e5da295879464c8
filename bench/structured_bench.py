"""How often the plan and the notes are valid on the first try, with and without the schema.

For each model kind, asks the app's real plan prompt for N questions and its real notes
prompt for N sub-questions (over the fixture site's five tardigrade articles), through
``completion_kwargs`` and litellm exactly as the activities do, and validates each answer
as the app does: ``parse_plan`` for the plan; for the notes, the ``NotesAnswer`` model (valid
JSON of the right shape) and ``valid_notes`` (at least one note whose quote the source
really contains: usable, so no extractive fallback). Model kinds, in the same run:

- the embedded model (SmolLM2-135M, llama.cpp) with the schema (``response_format``) and
  without it (``LLM_STRUCTURED_OUTPUT=off``), under the app's 600-token cap;
- the fake LLM answering in the schema's shape, and scripted to ignore it (prose; JSON of
  the wrong shape), which drives the fallback paths.

Usage::

    python bench/structured_bench.py [--questions 8] [--no-local] [--max-tokens 600]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

# litellm fetches a price map from the internet at import unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm

from durable_research.activities.llm import completion_kwargs
from durable_research.activities.writing import valid_notes
from durable_research.config import Settings, StructuredOutput
from durable_research.contract.llm import AnswerSchema
from durable_research.embedded.localmodel import (
    LOCAL_MAX_TOKENS,
    ensure_local_llm,
    local_model_available,
    stop_local_llm,
    with_local_endpoint,
)
from durable_research.research import prompts
from durable_research.research.answers import NotesAnswer
from durable_research.research.plan import debris, json_object, parse_plan
from durable_research.research.types import Source
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fixture_pages import ARTICLES

QUESTIONS = (
    "Tell me about tardigrades.",
    "How do solar panels convert light into electricity?",
    "What caused the 2008 financial crisis?",
    "How do vaccines train the immune system?",
    "Why did the Western Roman Empire fall?",
    "How does CRISPR gene editing work?",
    "What are the health effects of intermittent fasting?",
    "How do honey bees communicate?",
    "How do coral reefs form?",
    "What limits the speed of lithium-ion battery charging?",
)
SUBQUESTIONS = (
    "What extreme conditions can tardigrades survive?",
    "How do tardigrades survive without water?",
    "What did experiments in space show about tardigrades?",
    "How do tardigrades protect their DNA?",
    "How big are tardigrades and how many legs do they have?",
    "Who first described tardigrades?",
    "What is the tun state?",
    "How much radiation can tardigrades survive?",
    "What is Dsup?",
    "Which tardigrade species carries Dsup?",
)
MAX_SUBQUESTIONS = 4  # the standard depth's


@dataclass
class Tally:
    """First-try results of one kind of call."""

    valid: int = 0
    # Plans valid but for a sub-question that is no question in words (research.plan.debris:
    # "8], 9, 10]} {[{", "... (1)"): taken before the plan-words-only patch, asked again now.
    debris: int = 0
    # Plans valid when every listed sub-question is checked (before the plan-first-n patch).
    valid_all: int = 0
    usable: int = 0
    # Why the first few invalid answers were rejected.
    reasons: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)

    def rate(self, count: int) -> str:
        return f"{count}/{len(self.seconds)}"

    def per_call(self) -> str:
        return (f"{statistics.mean(self.tokens):.0f} tok, "
                f"{statistics.mean(self.seconds):.1f} s")


def ask(settings: Settings, system: str, prompt: str, schema: AnswerSchema,
        tally: Tally) -> tuple[str, bool]:
    """One call as the activities make it; returns the answer and whether a schema went."""
    kwargs = completion_kwargs(settings, settings.llm_model, system, prompt, schema)
    start = time.perf_counter()
    response = litellm.completion(**kwargs)
    tally.seconds.append(time.perf_counter() - start)
    tally.tokens.append(int(response.usage.completion_tokens or 0))
    return response.choices[0].message.content or "", "response_format" in kwargs


def run_kind(settings: Settings, n: int) -> tuple[Tally, Tally, bool]:
    """The plan and notes tallies of one model kind, and whether the schema was sent."""
    plan, notes = Tally(), Tally()
    sent = False
    for question in (QUESTIONS * 2)[:n]:
        text, sent = ask(settings, prompts.PLAN_SYSTEM,
                         prompts.plan_prompt(question, MAX_SUBQUESTIONS),
                         AnswerSchema.PLAN, plan)
        try:
            subquestions = parse_plan(text, MAX_SUBQUESTIONS, words_only=False)
            junk = [s for s in subquestions if debris(s)]
            if junk:
                plan.debris += 1
                plan.reasons.append(f"debris, asked again: {junk[0][:100]!r}")
            else:
                plan.valid += 1
        except ValueError as exc:
            plan.reasons.append(str(exc)[:120])
        try:
            parse_plan(text, MAX_SUBQUESTIONS, first_only=False)
            plan.valid_all += 1
        except ValueError:
            pass
    sources = [Source(url=a.path, title=a.title, content_hash=f"h{i}")
               for i, a in enumerate(ARTICLES, 1)]
    texts = {s.content_hash: a.text for s, a in zip(sources, ARTICLES, strict=True)}
    excerpts = [(i, a.title, a.text) for i, a in enumerate(ARTICLES, 1)]
    for sub in (SUBQUESTIONS * 2)[:n]:
        text, _ = ask(settings, prompts.NOTES_SYSTEM,
                      prompts.notes_prompt("Tell me about tardigrades.", sub, excerpts),
                      AnswerSchema.NOTES, notes)
        try:
            raw = json_object(text)
            NotesAnswer.model_validate(raw)
            notes.valid += 1
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            notes.reasons.append(" ".join(str(exc).split())[:120])
            raw = {}
        if valid_notes(raw, sources, texts)[0]:
            notes.usable += 1
    return plan, notes, sent


@contextmanager
def embedded(max_tokens: int) -> Iterator[Settings]:
    """Settings for the embedded model on its own server in a temporary data dir."""
    data_dir = Path(tempfile.mkdtemp(prefix="structured-bench-"))
    endpoint = ensure_local_llm(data_dir)
    try:
        settings = replace(with_local_endpoint(Settings(), endpoint), llm_max_tokens=max_tokens)
        litellm.completion(**completion_kwargs(settings, settings.llm_model, "", "Say hi."))
        yield settings
    finally:
        stop_local_llm(data_dir)


def main() -> int:
    """Run every model kind and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=8, help="plan and notes calls each")
    parser.add_argument("--max-tokens", type=int, default=LOCAL_MAX_TOKENS,
                        help="the embedded model's answer cap (the app's)")
    parser.add_argument("--no-local", action="store_true", help="only the fake LLM")
    args = parser.parse_args()
    n = args.questions
    rows: list[tuple[str, Tally, Tally, bool]] = []
    print(f"{datetime.date.today()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f}, {n} plan and {n} notes calls per model kind", flush=True)
    if not args.no_local and local_model_available():
        with embedded(args.max_tokens) as local:
            for label, mode in (("embedded SmolLM2-135M, schema", StructuredOutput.AUTO),
                                ("embedded SmolLM2-135M, prompt only", StructuredOutput.OFF)):
                rows.append((label, *run_kind(replace(local, llm_structured_output=mode), n)))
                print(f"  {label}: done", flush=True)
    elif not args.no_local:
        print("  (the embedded model is not installed: skipped)")
    fake = FakeLLM().start()
    try:
        settings = Settings(llm_model="openai/fake-model", llm_api_key="k",
                            llm_api_base=fake.api_base)
        tasks = {prompts.TASK_PLAN, prompts.TASK_NOTES}
        for label, plain, wrong in (("fake LLM, conformant", set(), set()),
                                    ("fake LLM, prose", tasks, set()),
                                    ("fake LLM, wrong-shape JSON", set(), tasks)):
            fake.configure(plain_tasks=plain, wrong_json_tasks=wrong,
                           reply="Tardigrades are small.")
            rows.append((label, *run_kind(settings, n)))
    finally:
        fake.stop()
    print()
    print("| model | schema sent | plan valid | debris (asked again; taken before) | "
          "plan valid, all items checked | notes valid JSON | notes usable | plan call | "
          "notes call |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, plan, notes, sent in rows:
        print(f"| {label} | {'yes' if sent else 'no'} | {plan.rate(plan.valid)} | "
              f"{plan.rate(plan.debris)} | "
              f"{plan.rate(plan.valid_all)} | {notes.rate(notes.valid)} | "
              f"{notes.rate(notes.usable)} | {plan.per_call()} | {notes.per_call()} |")
    print()
    for label, plan, notes, _sent in rows:
        for kind, tally in (("plan", plan), ("notes", notes)):
            for reason in tally.reasons[:4]:
                print(f"{label}, {kind} rejected: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
