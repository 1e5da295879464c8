"""How good is one research report? Scores against a question's gold data and decoy facts.

Pure functions over a report's Markdown, its references and the sources' texts, shared by
``bench/research_eval.py`` and its tests. A decoy fact reaches a report when a cited
sentence states it (most of its words) and cites the decoy page; it is caught when that
sentence is marked ``[disputed]``. ``old_verdict`` says what the check before cross-source
checking would have printed: verified when the cited source supports the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from durable_research.contract.citations import Reference
from durable_research.research.citations import cited_sentences
from durable_research.research.passages import tokens
from durable_research.research.support import SUPPORTED_AT, ScoredSource

# Share of a fact's words a sentence must have to state it (quotes are widened and
# written around, so word for word is too strict).
STATES_AT = 0.8
DISPUTED, UNVERIFIED = "[disputed]", "[unverified]"
# The check's markers, which it added after reading the sentence.
_MARKS = re.compile(r"\s*(?:" + re.escape(DISPUTED) + "|" + re.escape(UNVERIFIED) + ")")


def states(sentence: str, fact: str) -> bool:
    """Whether ``sentence`` states ``fact``: it has most of the fact's content words."""
    want = set(tokens(fact))
    return bool(want) and len(want & set(tokens(sentence))) >= STATES_AT * len(want)


@dataclass(frozen=True)
class StatedDecoy:
    """A decoy fact a report states: its id, how the sentence was printed ("disputed",
    "unverified", "verified") and the sentence (as the citation check reads it)."""

    ident: str
    printed: str
    sentence: str


@dataclass
class ReportScore:
    """One report against its question's gold data."""

    cited: int = 0
    decoy_citations: int = 0
    # Decoy facts the report states (citing the decoy page), and how each was printed.
    decoy_claims: int = 0
    decoy_disputed: int = 0
    decoy_unverified: int = 0
    # ... and what the own-source check alone would have printed for them.
    decoy_old_verified: int = 0
    key_facts: int = 0
    key_facts_found: int = 0
    missed_facts: list[str] = field(default_factory=list)
    stated: list[StatedDecoy] = field(default_factory=list)

    @property
    def decoys_stated(self) -> list[tuple[str, str]]:
        """The decoy facts stated: (decoy id, how the sentence was printed)."""
        return [(d.ident, d.printed) for d in self.stated]

    @property
    def decoy_verified(self) -> int:
        """Decoy facts printed as verified or corroborated (the error readers pay for)."""
        return self.decoy_claims - self.decoy_disputed - self.decoy_unverified


def score_report(body: str, references: Sequence[Reference], text_of: Callable[[str], str],
                 key_facts: Sequence[dict[str, Any]],
                 decoys: Sequence[dict[str, Any]]) -> ReportScore:
    """Score a report's ``body`` (its Markdown before References) against gold data.

    ``text_of`` reads a source's text by content hash; ``decoys`` are decoys.json entries
    (``decoy_doc`` is matched against each reference's URL, a path for local documents).
    """
    out = ReportScore()
    where = {r.n: r.url for r in references}
    by_n = {r.n: r for r in references}
    scored: dict[int, ScoredSource] = {}
    sentences = cited_sentences(body)
    out.cited = len(sentences)
    decoy_docs = {d["decoy_doc"] for d in decoys}
    for sent in sentences:
        docs = {where.get(n, "") for n in sent.cites}
        if not docs & decoy_docs:
            continue
        out.decoy_citations += 1
        stated = [d for d in decoys
                  if d["decoy_doc"] in docs and states(sent.sentence, d["decoy_sentence"])]
        if not stated:
            continue
        out.decoy_claims += 1
        printed = "disputed" if DISPUTED in sent.raw else (
            "unverified" if UNVERIFIED in sent.raw else "verified")
        out.stated.append(StatedDecoy(stated[0]["id"], printed, _MARKS.sub("", sent.sentence)))
        out.decoy_disputed += DISPUTED in sent.raw
        out.decoy_unverified += UNVERIFIED in sent.raw and DISPUTED not in sent.raw
        best = 0.0
        for n in sent.cites:
            if n in by_n:
                if n not in scored:
                    scored[n] = ScoredSource(text_of(by_n[n].content_hash))
                best = max(best, scored[n].support(sent.sentence)[0])
        out.decoy_old_verified += best >= SUPPORTED_AT
    plain = [s.sentence for s in sentences]
    for fact in key_facts:
        out.key_facts += 1
        if any(states(s, fact["quote"]) for s in plain):
            out.key_facts_found += 1
        else:
            out.missed_facts.append(fact["quote"])
    return out
