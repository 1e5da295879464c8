"""The cross-source checker on a labelled set of claims (tests/data/conflict_pairs.json).

Shared by the test that keeps floors on it and by ``bench/research_eval.py`` and
``bench/judge_bench.py``, which print it. Each item is run through the product's own
:func:`assess` / :func:`settle`, with no judge (``RULES``), or with a judge (``JUDGE``): by
default the fake LLM's, answering through :func:`fake_research.research_reply` (shared words,
numbers and negations; no knowledge of the world), or any :data:`Judge` (a real model, in the
bench); ``EVERY`` is ``JUDGE`` with the judge also reading what the rules settled
(:attr:`JudgeReads.EVERY`: the cited passage of every claim the rules support that is not its
source's own words, and the closest sentence of the closest other sources; ``CITED`` and
``OTHERS``: the first or the second part alone); ``OWN`` is the
check before cross-source checking: verified when the cited passage supports the claim (its
support score), else unverified; ``ALONE`` asks the judge about every (claim, passage) pair of
the item and applies no rule (what the judge reads by itself). :func:`evaluate` also counts
the judge's questions per claim: the tokens a hosted judge is paid for.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from durable_research.activities.checking import parse_verdicts
from durable_research.contract.citations import ClaimStatus
from durable_research.research import prompts
from durable_research.research.citations import cited_sentences
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import JudgeReads, Question, assess, settle
from durable_research.research.evidence import Evidence, EvidencePool
from durable_research.research.support import SUPPORTED_AT, support_score
from durable_research.testing.fake_research import research_reply

STATUSES = [s.value for s in ClaimStatus]


class Mode(StrEnum):
    """How a claim is checked (see the module docstring)."""

    OWN = "own"
    RULES = "rules"
    JUDGE = "judge"
    CITED = "cited"
    OTHERS = "others"
    EVERY = "every"
    ALONE = "alone"


# What the judge reads in the modes that use the product's assess/settle with a judge.
READS = {Mode.JUDGE: JudgeReads.OPEN, Mode.CITED: JudgeReads.CITED,
         Mode.OTHERS: JudgeReads.OTHERS, Mode.EVERY: JudgeReads.EVERY}


# The labelled claim sets (in tests/data), in the order they were written: the first
# (calibration and held-out topics), then two all held out, on topics the first does not
# cover: Python's standard library (since scored with the rules tuned on the first), and
# PostgreSQL 15's documentation (written once the rules had been changed after the Python
# set, to tell whether later changes generalise).
CLAIM_SETS = ("conflict_pairs.json", "conflict_pairs_python.json", "conflict_pairs_pg.json")


# Answers to the judge's questions (a missing question: no verdict).
Judge = Callable[[list[Question]], dict[Question, Relation]]


# The official sources' titles, as the product's extraction reads them from the documents
# (bench/eval/source_titles.py): a page's sentences leave its subject to its title ("The
# default protocol is 4." on pickle's page), so the check is given the titles a report's
# sources have. The passages written for the sets have none.
TITLES = Path(__file__).resolve().parents[3] / "tests" / "data" / "source_titles.json"


@functools.cache
def source_titles() -> dict[str, str]:
    """The official sources' titles by their name in the sets (none when not found:
    an installed package has no tests/data)."""
    found: dict[str, str] = json.loads(TITLES.read_text()) if TITLES.exists() else {}
    return found


def load_items(path: Path) -> list[dict[str, Any]]:
    """The labelled items of a conflict-pairs file."""
    items: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["items"]
    return items


def fake_judge(questions: list[Question]) -> dict[Question, Relation]:
    """The fake LLM's answers to the judge prompt for these questions."""
    items = [(i + 1, q.claim, q.passage) for i, q in enumerate(questions)]
    reply = research_reply(prompts.JUDGE_SYSTEM, prompts.judge_prompt(items)) or ""
    verdicts = parse_verdicts(reply)
    return {q: verdicts[i + 1] for i, q in enumerate(questions) if i + 1 in verdicts}


def _alone(item: dict[str, Any], judge: Judge) -> tuple[ClaimStatus, int]:
    """The judge's status for one item, by itself, and the questions asked: disputed when
    it says another passage contradicts the claim; verified when it says the cited one
    supports it (corroborated when another passage does too); else unverified (the reading
    of :func:`settle`)."""
    claim = item["claim"]
    cited = Question(claim, item["cited"], "cited", cited=True)
    others = [Question(claim, text, f"other-{i}", cited=False)
              for i, text in enumerate(item["others"])]
    answers = judge([cited, *others])
    asked = 1 + len(others)
    if any(answers.get(q) is Relation.CONTRADICTS for q in others):
        return ClaimStatus.DISPUTED, asked
    if answers.get(cited) is not Relation.SUPPORTS:
        return ClaimStatus.UNVERIFIED, asked
    if any(answers.get(q) is Relation.SUPPORTS for q in others):
        return ClaimStatus.CORROBORATED, asked
    return ClaimStatus.VERIFIED, asked


def status_of(item: dict[str, Any], mode: Mode, judge: Judge = fake_judge) -> ClaimStatus:
    """The checker's status for one item (cited passage = source [1], others each their own)."""
    return checked(item, mode, judge)[0]


def checked(item: dict[str, Any], mode: Mode, judge: Judge = fake_judge
            ) -> tuple[ClaimStatus, int]:
    """:func:`status_of`, and how many (claim, passage) questions the judge was asked."""
    if mode is Mode.OWN:
        supported = support_score(item["claim"], item["cited"])[0] >= SUPPORTED_AT
        return ClaimStatus.VERIFIED if supported else ClaimStatus.UNVERIFIED, 0
    if mode is Mode.ALONE:
        return _alone(item, judge)
    # (An item written for a test may name no sources: no titles then.)
    titles = source_titles()
    cited = Evidence("cited", item["cited"], url="https://cited.example/", n=1,
                     title=titles.get(item.get("cited_source", ""), ""))
    names = item.get("other_sources") or [""] * len(item["others"])
    others = [Evidence(f"other-{i}", text, url=f"https://other{i}.example/",
                       title=titles.get(source, ""))
              for i, (text, source) in enumerate(zip(item["others"], names, strict=True))]
    pool = EvidencePool([cited, *others])
    [sent] = cited_sentences(item["claim"].rstrip() + " [1]")
    found = assess(sent, {1: cited}, pool, use_judge=mode in READS,
                   reads=READS.get(mode, JudgeReads.OPEN))
    answers = judge(found.questions) if found.questions else {}
    return settle(found, answers, pool).status, len(found.questions)


def evaluate(items: list[dict[str, Any]], mode: Mode, judge: Judge = fake_judge
             ) -> dict[str, Any]:
    """Label/status counts and the rates that matter.

    - ``false_verified``: claims labelled disputed or unverified that come out verified or
      corroborated, per such claim (the error readers pay for), and ``wrong_passes``: the
      same per verified or corroborated verdict;
    - ``disputed_recall`` / ``disputed_precision``: of the disputed claims, how many are
      found; of the claims called disputed, how many are;
    - ``right_passed``: of the claims labelled verified or corroborated, the share that
      comes out so (what a stricter check costs the reader);
    - ``accuracy``: the exact label;
    - ``questions_per_claim``: the (claim, passage) pairs the judge was asked, per claim.
    """
    pairs: Counter[tuple[str, str]] = Counter()
    asked = 0
    for item in items:
        status, questions = checked(item, mode, judge)
        pairs[(item["label"], status.value)] += 1
        asked += questions
    ok_statuses = {ClaimStatus.VERIFIED.value, ClaimStatus.CORROBORATED.value}
    bad = sum(n for (label, _s), n in pairs.items() if label not in ok_statuses)
    false_ok = sum(n for (label, got), n in pairs.items()
                   if label not in ok_statuses and got in ok_statuses)
    disputed = sum(n for (label, _s), n in pairs.items() if label == "disputed")
    called = sum(n for (_l, got), n in pairs.items() if got == "disputed")
    hit = pairs[("disputed", "disputed")]
    passed = sum(n for (_l, got), n in pairs.items() if got in ok_statuses)
    good = sum(n for (label, _s), n in pairs.items() if label in ok_statuses)
    return {
        "items": len(items),
        "accuracy": sum(n for (label, got), n in pairs.items() if label == got) / len(items),
        "questions_per_claim": asked / len(items),
        "false_verified": false_ok / bad if bad else 0.0,
        "wrong_passes": false_ok / passed if passed else 0.0,
        "disputed_recall": hit / disputed if disputed else 1.0,
        "disputed_precision": hit / called if called else 1.0,
        "right_passed": (passed - false_ok) / good if good else 1.0,
        "confusion": {f"{label}->{got}": n for (label, got), n in sorted(pairs.items())},
    }
