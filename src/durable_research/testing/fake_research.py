"""Deterministic answers of the fake LLM to the research prompts (plan, notes, ...).

The answers are derived from the prompt itself (notes quote the excerpts given,
sections turn notes into cited sentences), so the whole pipeline runs for real:
quotes are checked against sources and citations against texts. ``wrong_every=k``
makes every k-th written sentence cite a wrong source, which the checker must catch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from durable_research.research import prompts
from durable_research.research.extractive import sentences

_STOP = {"what", "which", "when", "where", "give", "about", "with", "that", "this", "there",
         "their", "from", "have", "facts", "fun", "and", "fascinating", "tell", "some"}


def _topic(question: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", question) if len(w) > 3
             and w.lower() not in _STOP]
    return " ".join(words[:4]) or question[:60]


def _plan(user: str) -> str:
    question = user.split("Question:\n", 1)[-1].split("\n\n", 1)[0]
    topic = _topic(question)
    return json.dumps({"subquestions": [
        f"What are the basic facts about {topic}?",
        f"What extreme conditions can {topic} survive?",
        f"What did experiments in space show about {topic}?",
        f"How do {topic} protect their DNA?",
    ]})


def _notes(user: str, prefer: Sequence[str] = ()) -> str:
    """Two sentences of each excerpt; first any of ``prefer`` the excerpt contains (a model
    that takes a page's claim at its word, scripted)."""
    notes = []
    for block in re.split(r"^\[S(?=\d+\] )", user, flags=re.M)[1:]:
        number = int(block.split("]", 1)[0])
        excerpt = block.split("\n", 1)[1] if "\n" in block else ""
        flat = " ".join(excerpt.split())
        picked = [s for s in prefer if s in flat]
        picked += [s for s in sentences(excerpt, min_words=1)
                   if 30 <= len(s) <= 300 and "..." not in s and s not in picked][:2]
        for sentence in picked:
            notes.append({"source": number, "quote": sentence, "point": sentence})
    sub = re.search(r"^Sub-question: (.*)$", user, flags=re.M)
    follow = f"{sub.group(1)} evidence" if sub else ""
    return json.dumps({"notes": notes, "follow_up": follow})


def _section(user: str, wrong_every: int) -> str:
    found = re.findall(r'^- \[(\d+)\] .*?\(quote: "(.*)"\)$', user, flags=re.M)
    # Where sources disagree, a careful writer gives both sides instead of one as fact.
    disagree = re.findall(r'^- \[(\d+)\] says: "(.*)" \| \[(\d+)\] says: "(.*)" \(.*\)$',
                          user, flags=re.M)
    contested = {text for _n, says, _m, other in disagree for text in (says, other)}
    numbers = sorted({int(n) for n, _q in found})
    out = []
    for i, (n, quote) in enumerate(found, start=1):
        if any(text in quote for text in contested):
            continue
        cite = int(n)
        if wrong_every and i % wrong_every == 0 and len(numbers) > 1:
            cite = numbers[(numbers.index(cite) + 1) % len(numbers)]
        out.append(f"{quote.rstrip('.')} [{cite}].")
    for n, says, m, other in disagree:
        out.append(f"The sources disagree here. {says.rstrip('.')} [{n}]. "
                   f"{other.rstrip('.')} [{m}].")
    return " ".join(out) or "Nothing was found on this point."


def _summary(user: str) -> str:
    firsts = []
    for part in user.split("\n## ")[1:]:
        body = part.split("\n", 1)[1] if "\n" in part else ""
        first = sentences(body, min_words=1)[:1]
        if first and "[" in first[0]:
            firsts.append(first[0])
    return "This report answers the question from the sources below. " + " ".join(firsts)


_NEGATION = re.compile(r"\b(?:not|no|never|cannot)\b|n't\b", re.I)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _judge(user: str) -> str:
    """A plain judge: shared words decide support; another number or a lone "not" in a
    passage sharing most of the claim's words is a contradiction."""
    verdicts = []
    for ident, claim, excerpt in re.findall(
        r"^Claim (\d+): (.*)\nSource excerpt \1: (.*)$", user, flags=re.M
    ):
        words = {w.lower() for w in re.findall(r"\w{4,}", claim)}
        have = {w.lower() for w in re.findall(r"\w{4,}", excerpt)}
        share = len(words & have) / max(len(words), 1)
        said, stated = set(_NUMBER.findall(claim)), set(_NUMBER.findall(excerpt))
        other_number = bool(said - stated and stated - said)
        other_negation = bool(_NEGATION.search(claim)) != bool(_NEGATION.search(excerpt))
        if share >= 0.6 and (other_number or other_negation):
            verdict = "contradicts"
        elif share >= 0.7 and not said - stated:
            verdict = "supports"
        else:
            verdict = "neither"
        verdicts.append({"id": int(ident), "verdict": verdict})
    return json.dumps({"verdicts": verdicts})


def research_reply(system: str, user: str, wrong_every: int = 0,
                   prefer: Sequence[str] = ()) -> str | None:
    """The answer to a research prompt, or None when ``system`` is not one."""
    if system.startswith(prompts.TASK_PLAN):
        return _plan(user)
    if system.startswith(prompts.TASK_NOTES):
        return _notes(user, prefer)
    if system.startswith(prompts.TASK_SECTION):
        return _section(user, wrong_every)
    if system.startswith(prompts.TASK_SUMMARY):
        return _summary(user)
    if system.startswith(prompts.TASK_JUDGE):
        return _judge(user)
    return None
