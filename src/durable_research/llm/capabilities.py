"""What a model kind can do, measured: which calls are worth making to it.

A call whose answer is measured unusable for a model is not made at all: the pipeline
does that part without the model (quotes the best passages itself, checks citations by
the rules alone). Decided once per model string, from a table of measured models; every
model not in the table is asked everything, as before.

The figures behind each entry are in docs/local-model.md ("Structured output", "Model
capabilities"); ``python bench/structured_bench.py`` and ``python bench/offline_report.py``
measure them again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelCapabilities:
    """Which calls of a report a model answers usefully, and how long its answers may be.

    ``writes_notes``: its notes quote the sources word for word (otherwise every note is
    dropped and the best passages are quoted instead: the call is wasted).
    ``writes_sections``: its sections and summary cite only what the sources say (otherwise
    the sections quote their notes, and the report has no opening summary).
    ``judges``: it answers the citation judge's questions with verdicts.
    ``json_tokens``: the most tokens one JSON answer of it (plan, judge, clarifying
    questions) is allowed (0: the worker's ``LLM_MAX_TOKENS`` alone decides); prose
    answers keep the worker's cap.
    ``why``: the measurement behind a "no", shown in the report's notes.
    """

    writes_notes: bool = True
    writes_sections: bool = True
    judges: bool = True
    json_tokens: int = 0
    why: str = ""


# The embedded offline model (embedded/localmodel.py serves it as openai/<name>), SmolLM2-135M.
# Notes: bench/structured_bench.py --questions 8 (three runs, 2026-12-06): valid JSON 8/8 with
# the schema but usable 0/8, 1/8, 0/8 (it paraphrases, so no quote is in the source), 24-30 s
# a call; 0 of 4 usable in a `research run --sources tests/data/conflict_docs` by hand and 0 of
# 4 in bench/offline_report.py's warm "before" report: 1 of 32. Sections: in the first report
# 1 of 3 cited nothing and 2 cited text no source has (7 of its 17 cited sentences
# unverified); in the second 4 of 4 cited nothing. Judge: bench/judge_bench.py (two runs),
# verdicts on 4 of 14 claims, 2 of them right (chance: 1 in 3). JSON answers: its plans take
# 106 tokens on average (structured bench), 57-168 in the reports; 300 stops a rambling one
# at half the worker's 600 (a prose answer, --depth quick, takes ~360: it keeps 600).
SMALL_OFFLINE = ModelCapabilities(
    writes_notes=False, writes_sections=False, judges=False, json_tokens=300,
    why="the embedded model's notes and sections were measured to quote its sources almost "
        "never (1 of 32 notes calls) and its verdicts to be no better than chance "
        "(docs/local-model.md, \"Model capabilities\")")

# By the model's name after the provider prefix (``openai/smollm2-135m-instruct``).
MEASURED: dict[str, ModelCapabilities] = {
    "smollm2-135m-instruct": SMALL_OFFLINE,
}

FULL = ModelCapabilities()


@functools.cache
def capabilities_of(model: str) -> ModelCapabilities:
    """The capabilities of ``model`` (a litellm model string); unmeasured models: all."""
    return MEASURED.get(model.rsplit("/", 1)[-1].lower(), FULL)
