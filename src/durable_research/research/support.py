"""Does a source support a claim? A deterministic support score per claim and source.

Pure functions only. The score is a cheap first pass: clear passes and clear failures are
decided here, the uncertain middle goes to the LLM judge. A :class:`ScoredSource` splits and
tokenises its text once, so one source is scored against many claims cheaply (the
cross-source check scores every claim against every related source).
"""

from __future__ import annotations

import math
import re
from enum import StrEnum

from durable_research.research.passages import idf, is_number, split_passages, tokens

# Calibrated once on tests/data/citation_pairs.json (calibration split), with a margin.
SUPPORTED_AT = 0.75
UNSUPPORTED_BELOW = 0.4
# Scoring knobs, fixed before the held-out split was scored.
PASSAGE_WORDS, PASSAGE_OVERLAP = 60, 30
NUMBER_PENALTY = 0.3  # per claim number absent from the passage ("8 legs" vs "six legs")
# Per capitalised claim word (a name) absent from the passage: mild if the source uses it
# elsewhere (the passage may say "she" or "the reef"), strong if the source never does.
NAME_ELSEWHERE_PENALTY, NAME_PENALTY = 0.8, 0.5
NGRAM_BONUS = 0.5  # share of the remaining gap closed when all claim 3-grams are in the passage

NEGATION_RE = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|cannot|without|unable|rather than"
    r"|instead of|fail(?:s|ed)? to)\b|n[’']t\b",
    re.I,
)


class Verdict(StrEnum):
    """What the deterministic check concludes about one cited sentence."""

    SUPPORTED = "supported"
    UNSUPPORTED = "unsupported"
    UNCERTAIN = "uncertain"


def negation_scopes(text: str, n: int) -> list[list[str]]:
    """For each negation in ``text``: the first ``n`` content tokens after it, in its clause."""
    clauses = (
        re.split(r"[,.;:!?()]", text[m.end() :], maxsplit=1)[0] for m in NEGATION_RE.finditer(text)
    )
    return [scope for clause in clauses if (scope := tokens(clause)[:n])]


def negation_differs(claim_scopes: list[list[str]], passage: str, content: set[str]) -> bool:
    """Whether claim and passage disagree on what is negated ("cannot recover" / "can recover").

    Each negation of the claim must find its first negated word negated in the passage too;
    and a word the passage negates, in a sentence sharing a third of the claim's words, must
    not appear un-negated in the claim.
    """
    negated_here = {t for scope in negation_scopes(passage, 3) for t in scope}
    if any(scope[0] not in negated_here for scope in claim_scopes):
        return True
    negated_there = {t for scope in claim_scopes for t in scope}
    return any(
        scope[0] in content and scope[0] not in negated_there
        for sentence in re.split(r"(?<=[.!?;])\s+", passage)
        if 3 * len(content.intersection(tokens(sentence))) >= len(content)
        for scope in negation_scopes(sentence, 1)
    )


def names(text: str) -> set[str]:
    """Tokens of the capitalised words: names must match as names, not "Windows" vs "window"."""
    return {t for word in text.split() if word.lstrip("\"'“‘(")[:1].isupper() for t in tokens(word)}


def _trigrams(toks: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(toks, toks[1:], toks[2:], strict=False))


def claim_numbers(claim: str) -> set[str]:
    """The numbers a claim states ("one" reads as 1 but rarely states a count: not included)."""
    return {t for t in tokens(re.sub(r"\bone\b", " ", claim, flags=re.I)) if is_number(t)}


class ScoredSource:
    """A source text split into passages and tokenised once, to score many claims against."""

    def __init__(self, text: str) -> None:
        """Split ``text`` into overlapping passages and weigh its words (IDF over passages)."""
        self.passages = split_passages(text, PASSAGE_WORDS, PASSAGE_OVERLAP) if text else []
        self.ptoks = [tokens(p) for p in self.passages]
        self.psets = [set(t) for t in self.ptoks]
        self.weights = idf(self.ptoks)
        self.rare = math.log(1.0 + (len(self.ptoks) - 0.5) / 1.5)  # the IDF of a token seen once
        self.names = names(text)
        self._passage_names: dict[int, set[str]] = {}

    def _names_in(self, i: int) -> set[str]:
        if i not in self._passage_names:
            self._passage_names[i] = names(self.passages[i])
        return self._passage_names[i]

    def support(self, claim: str) -> tuple[float, str]:
        """How well this source supports ``claim``: a score in [0, 1] and the best passage.

        Per passage: the share of the claim's content tokens found in it, weighted by IDF over
        the source's passages (words the source never uses weigh as much as its rarest); plus
        a bonus for the claim's 3-grams found in it. Each claim number missing from the
        passage multiplies the score by NUMBER_PENALTY; each capitalised claim word (a name)
        missing from it by NAME_PENALTY if the source never has it, else by
        NAME_ELSEWHERE_PENALTY. When claim and passage disagree on what is negated, the score
        is capped just below SUPPORTED_AT: a bag of words cannot tell, the judge must. A claim
        without content words scores halfway between the thresholds (uncertain); an empty
        source scores 0.
        """
        claim_tokens = tokens(claim)
        content = set(claim_tokens)
        if not content:
            return (SUPPORTED_AT + UNSUPPORTED_BELOW) / 2, ""
        if not self.passages:
            return 0.0, ""
        w = {t: self.weights.get(t, self.rare) for t in content}
        total = sum(w.values())
        numbers = claim_numbers(claim)
        claim_names = names(claim.split(None, 1)[-1]) - numbers  # the first word is capitalised
        absent = claim_names - self.names
        grams = _trigrams(claim_tokens)
        scored: list[tuple[float, int]] = []
        for i, (toks, have) in enumerate(zip(self.ptoks, self.psets, strict=True)):
            shared = content & have
            if not shared:
                continue
            score = sum(w[t] for t in shared) / total
            if grams:
                score += (1.0 - score) * NGRAM_BONUS * len(grams & _trigrams(toks)) / len(grams)
            score *= NUMBER_PENALTY ** len(numbers - have) * NAME_PENALTY ** len(absent)
            if claim_names - absent:
                missing = claim_names - absent - self._names_in(i)
                score *= NAME_ELSEWHERE_PENALTY ** len(missing)
            scored.append((score, i))
        best = (0.0, "")
        claim_scopes = negation_scopes(claim, 3)
        # The negation cap only lowers scores: check the best first, stop when none can win.
        for score, i in sorted(scored, key=lambda si: -si[0]):
            if score <= best[0]:
                break
            if negation_differs(claim_scopes, self.passages[i], content):
                score = min(score, SUPPORTED_AT - 0.01)
            if score > best[0]:
                best = (score, self.passages[i])
        return round(min(1.0, best[0]), 4), best[1]


def support_score(claim: str, source_text: str) -> tuple[float, str]:
    """How well ``source_text`` supports ``claim`` (see :meth:`ScoredSource.support`)."""
    return ScoredSource(source_text).support(claim)


def verdict(score: float) -> Verdict:
    """SUPPORTED at or above SUPPORTED_AT, UNSUPPORTED below UNSUPPORTED_BELOW, else UNCERTAIN."""
    if score >= SUPPORTED_AT:
        return Verdict.SUPPORTED
    if score < UNSUPPORTED_BELOW:
        return Verdict.UNSUPPORTED
    return Verdict.UNCERTAIN
