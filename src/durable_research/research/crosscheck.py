"""Every cited claim against its own source and against all other gathered sources.

Pure: :func:`assess` decides what the rules can (support of the cited source, corroboration
by other sources, contradictions) and lists the questions for the LLM judge; :func:`settle`
turns an assessment and the judge's answers into the claim's status. The activity
(``check_citations``) does the reading, the judging and the marking.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from durable_research.contract.citations import ClaimStatus
from durable_research.research.citations import CitedSentence, text_sentences
from durable_research.research.claims import Comparison, Relation, compare
from durable_research.research.evidence import Evidence, EvidencePool, Unit
from durable_research.research.frames import frame_conflict
from durable_research.research.opposites import opposites
from durable_research.research.sentences import REFERS_BACK
from durable_research.research.statements import (
    clauses,
    name_tokens,
    near_copies,
    shingles,
    tokens,
)
from durable_research.research.support import SUPPORTED_AT, Verdict, verdict

# Other sources looked at per claim (by their best related sentence), and sentences compared.
OTHER_SOURCES = 4
RELATED_SENTENCES = 12
# Sentences of the claim's own source compared with it.
OWN_SENTENCES = 6
# Questions about other sources put to the judge per claim (the closest first).
JUDGE_PER_CLAIM = 2
# Sentences of one other source the judge reads in its one question (JudgeReads.OTHERS):
# of those the check's search found for the claim, the highest scored (below), in the
# source's order (each with the sentence before it when it refers back: REFERS_BACK).
# One was not enough: the sentence
# that contradicts a claim need not be the closest by words ("work in local time unless
# you add the 'utc' modifier" against "use UTC ... internally", less close than two
# sentences on the modifiers).
# Measured with Qwen2.5-Coder-1.5B as judge (docs/research-quality.md, "The whole path
# with a real judge"): held-out false verified and recall unchanged (0.161 / 0.79, 0.077 /
# 0.83), end to end 4 of 5 decoy facts disputed by their official sentence instead of 1
# and 39 of 86 cited sentences disputed instead of 61; the judge's prompt +52-73 %.
JUDGE_SENTENCES = 3
# They are the source's sentences the claim's search scores highest (BM25 over the pool's
# sentences: rare words weigh most, a long sentence's many words least), not those sharing
# the largest share of the claim's words: a sentence that says the claim's subject does
# otherwise shares its rare words, often few of its others ("The default conflict
# resolution algorithm is ABORT." was 5th by shared words on its page of 43 sentences, 1st
# by BM25). Measured on whole pages (bench/judge_reads.py: each disputed claim against the
# page its contradicting passage quotes; tuned on the decoys' odd ids and
# conflict_pairs.json's calibration split; docs/research-quality.md, "What the judge reads
# of a page"): the contradicting sentence sent for 10 -> 11 of 14 and 12 -> 14 of 16, the
# judge reading 10-20 % fewer words; held out: 8 -> 12 of 12 decoys (cheatsheet-2's among
# them), the Python and PostgreSQL sets 21 of 24 and 13 of 21 either way. One more
# sentence when its score is within 0.9 of the third's found none more on the calibration
# claims, at +12 % words: not kept.
# A sentence that opens with one of these refers back to the one before it ("It is off by
# default"), so the judge reads the two together; any other is read alone. The sentence
# before every chosen one was a third of the judge's prompt (the research eval, fake LLM:
# 4,253 -> 3,026 judge tokens a report with the sentence before only here, 2,888 with it
# nowhere) at the same citation support, decoys and disputes with a decoy on one side
# (docs/benchmarks.md, goal 5, third round). English words: a source in another language
# (or one the detector is unsure of) sends every chosen sentence with the one before it.
# (sentences.REFERS_BACK, shared with the notes' excerpts: relevant.py.)


class JudgeReads(StrEnum):
    """What the judge (when one is used) is asked about a claim.

    ``OPEN``: what the rules leave open: the cited source when its support is UNCERTAIN,
    and up to :data:`JUDGE_PER_CLAIM` other sources whose sentences the rules call
    undecided. ``EVERY`` also: (a) the cited source's best passage for every claim the
    rules call SUPPORTED that is not the source's own words (a bag of words scores "starts
    on Sunday" against "starts on Monday" as support), and (b) each of the
    :data:`JUDGE_PER_CLAIM` closest other sources, undecided or not, by its
    :data:`JUDGE_SENTENCES` sentences closest to the claim, in one question; nothing
    when the rules already found a contradiction (it is disputed whatever the judge says).
    ``CITED`` and ``OTHERS`` are (a) alone and (b) alone, measured apart.

    Why (docs/research-quality.md, "A packaged model as the judge"): on the all-held-out
    Python set the rules pass 52 % of the wrong claims (disputed recall 0.12), mostly
    claims whose words their (wrong) cited source does hold, so the rules call them
    SUPPORTED and ``OPEN`` never asks; a 1.5B model reading every pair alone passes 19 %
    (recall 0.75), through ``OPEN`` 55-58 % (0.25: it reads 17 pairs of 85). On the
    calibration split the rules beat the model alone (false verified 0.031 against 0.062):
    so the rules keep what they settle for sure (their contradictions, the source's own
    words) and the judge reads the rest. :func:`settle`: a judge that does not find a
    SUPPORTED claim in its source makes it unverified; one that gives no verdict leaves
    the rules' verdict.

    Measured with Qwen2.5-Coder-1.5B as judge (false verified, disputed recall, precision,
    questions a claim; "The judge reading every claim" there): on the Python set ``OPEN``
    0.581 / 0.25 / 0.75 / 0.35, ``CITED`` the same at 0.84, ``OTHERS`` 0.161 / 0.79 / 0.76
    / 0.90, ``EVERY`` as ``OTHERS`` at 1.39; on conflict_pairs.json's held-out split
    ``OPEN`` 0.154 / 0.67 / 0.80 / 0.57, ``OTHERS`` 0.077 / 0.83 / 0.54 / 0.85, ``EVERY``
    0.038 / 0.83 / 0.54 / 1.19; on its calibration split ``OPEN`` 0.031 / 0.90 / 0.95 /
    0.35, ``OTHERS`` 0.000 / 0.97 / 0.72 / 0.46. The cited source of a wrong claim mostly
    does state it (a decoy): what finds it is another source. ``OTHERS`` is the product's
    path (``check_citations``); the price is precision and right claims passed (0.70 ->
    0.48 on the held-out split): the model sees contradictions that are not there.
    """

    OPEN = "open"
    CITED = "cited"
    OTHERS = "others"
    EVERY = "every"


@dataclass(frozen=True)
class Question:
    """One (claim, passage) pair for the judge; ``cited``: about the claim's own source.

    ``sentences``: when the passage is sentences of the source (what the judge reads of
    another source), each with its place in the pool: the claims of one source in a batch
    are sent the union of theirs, each sentence once (:mod:`judge_batches`).
    """

    claim: str
    passage: str
    key: str
    cited: bool
    sentences: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Conflict:
    """A passage of another source that contradicts the claim, and why."""

    key: str
    passage: str
    reason: str


@dataclass
class Assessment:
    """What the rules found about one cited sentence, and what is left for the judge."""

    sentence: CitedSentence
    # The cited source that supports it best (0: none of its numbers is a known source).
    n: int = 0
    key: str = ""
    score: float = 0.0
    passage: str = ""
    verdict: Verdict = Verdict.UNSUPPORTED
    # Keys of other, independent sources that support it.
    supporters: list[str] = field(default_factory=list)
    conflict: Conflict | None = None
    questions: list[Question] = field(default_factory=list)


@dataclass
class Outcome:
    """A claim's status and the reason to show when it is not verified."""

    status: ClaimStatus
    reason: str = ""


def _best_sentence(passage: str, claim: str, pool: EvidencePool) -> str:
    """The sentence of ``passage`` closest to ``claim`` (what the reader is shown)."""
    best = ("", -1.0)
    for sentence in text_sentences(passage):
        align = compare(claim, sentence, pool.weight).align
        if align > best[1]:
            best = (sentence, align)
    return best[0] or passage


def related(claim: str, exclude: set[str], pool: EvidencePool) -> list[tuple[Unit, float]]:
    """The sentences of other sources closest to the claim, and to each of its parts, with
    their best search score, the closest first: a claim that says two things ("X is on by
    default, so ON DELETE CASCADE just works") needs the sentences on each, not only on the
    part whose rare words rank highest."""
    parts = clauses(claim)
    found: dict[Unit, float] = {}
    for query in [claim, *(parts if len(parts) > 1 else [])]:
        # The opposites of its words too: "enforced by default" must find "disabled by
        # default", which shares no rare word with it.
        for unit, score in pool.related(query, exclude, RELATED_SENTENCES,
                                        extra=opposites(tokens(query))):
            found[unit] = max(score, found.get(unit, 0.0))
    return sorted(found.items(), key=lambda us: -us[1])


def _referred(unit: Unit) -> frozenset[str]:
    """The names of the sentence before ``unit``'s when it opens by referring back to it
    ("It grew from a few north German towns ..." after "The Hanseatic League was ..."):
    its subject, which the sentence leaves out."""
    if not unit.before or not REFERS_BACK.match(unit.sentence):
        return frozenset()
    return frozenset(name_tokens(unit.before))


def _context(unit: Unit) -> str:
    return f"{unit.before} {unit.sentence}".strip() if unit.before else unit.sentence


def assess(sent: CitedSentence, refs: dict[int, Evidence], pool: EvidencePool,
           use_judge: bool, reads: JudgeReads = JudgeReads.OPEN) -> Assessment:
    """The rules' view of one cited sentence (see the module docstring); ``reads``: what
    the judge is asked when ``use_judge``."""
    more = use_judge and reads is not JudgeReads.OPEN
    cited_too = more and reads in (JudgeReads.CITED, JudgeReads.EVERY)
    others_too = more and reads in (JudgeReads.OTHERS, JudgeReads.EVERY)
    found = Assessment(sentence=sent)
    claim = sent.sentence
    for n in sent.cites:
        if n in refs:
            score, passage = refs[n].scored.support(claim)
            if not found.n or score > found.score:
                found.n, found.key = n, refs[n].key
                found.score, found.passage = score, passage
    if not found.n:
        return found
    found.verdict = verdict(found.score)
    cited = refs[found.n]
    verbatim = any(refs[n].states_verbatim(claim) for n in sent.cites if n in refs)
    if found.verdict is not Verdict.SUPPORTED and verbatim:
        # Its source's own words: supported whatever a bag of words scores ("... (no
        # limit)" near it capped the score; "BEGIN...COMMIT" cut a passage in two).
        found.verdict, found.score = Verdict.SUPPORTED, 1.0
    if found.verdict is Verdict.UNCERTAIN and use_judge:
        found.questions.append(Question(claim, found.passage, cited.key, cited=True))
    elif found.verdict is Verdict.UNSUPPORTED and use_judge and cited.other_language(claim):
        # Written in another language than its source (--language): no word can match,
        # so the judge reads the passage sharing most (numbers, names), else the opening.
        found.verdict = Verdict.UNCERTAIN
        found.questions.append(Question(claim, found.passage or cited.opening, cited.key,
                                        cited=True))
    elif found.verdict is Verdict.SUPPORTED and cited_too and not verbatim:
        # (a) The words are there; whether they say the claim, only a reader can tell.
        found.questions.append(Question(claim, found.passage, cited.key, cited=True))
    if claim.rstrip(" *_\"'”’").endswith(("?", "？", "؟")):
        return found  # a question states nothing another source could contradict
    own = {refs[n].key for n in sent.cites if n in refs}
    # A claim its source does not support may be one the source says otherwise (a wrong
    # number, a version it gives for something else). One it supports was written from
    # it: the source's other, similar sentences speak of other things (the FTS3 option
    # and the FTS5 one), so they are not compared.
    if found.verdict is not Verdict.SUPPORTED:
        for unit, _score in pool.related(claim, set(), OWN_SENTENCES, only=own):
            source = pool.sources[unit.key]
            mine = compare(claim, unit.sentence, pool.weight, source.names,
                           pool.alternatives, source.topic)
            if mine.relation is Relation.CONTRADICTS:
                found.conflict = Conflict(unit.key, _context(unit),
                                          f"its own source: {mine.reason}")
                break
    elif not verbatim:
        # Words a source supports may still be a statement it makes the other way round
        # ("shared the 1911 prize with Pierre Curie" against its "won the 1911 prize
        # alone"): the frames alone, which ask for the same subject, so the source's
        # sentences on other things do not count; and not for the source's own words
        # ("Other embedded engines only allow a single process ... at once" and "SQLite
        # allows multiple processes ... at once" are two sentences of one FAQ).
        for unit, _score in pool.related(claim, set(), OWN_SENTENCES, only=own):
            why = frame_conflict(claim, unit.sentence, pool.weight,
                                 pool.sources[unit.key].names, pool.alternatives)
            if why:
                found.conflict = Conflict(unit.key, _context(unit), f"its own source: {why}")
                break
    # Per other source (the closest few): its sentences as compared with the claim.
    # Each with the search's score, which chooses what the judge reads of the source.
    by_source: dict[str, list[tuple[Comparison, Unit, float]]] = {}
    for unit, found_score in related(claim, own, pool):
        key = unit.key
        if key in by_source or len(by_source) < OTHER_SOURCES:
            by_source.setdefault(key, []).append(
                (compare(claim, unit.sentence, pool.weight, pool.sources[key].names,
                         pool.alternatives, pool.sources[key].topic | _referred(unit)),
                 unit, found_score))
    undecided: list[tuple[float, Unit]] = []
    # (b): each source's closest sentences, and the passages of those with the claim's
    # words spread over them (whether they state it is the question there).
    closest_of: list[tuple[float, str, tuple[tuple[int, str], ...]]] = []
    spread: dict[str, str] = {}
    for key, seen in by_source.items():
        for comparison, unit, _score in seen:
            if comparison.relation is Relation.CONTRADICTS and found.conflict is None:
                found.conflict = Conflict(key, _context(unit), comparison.reason)
        closest, unit, _score = max(seen, key=lambda cus: cus[0].align)
        if others_too:
            closest_of.append((closest.align, key, closest_sentences(
                [(searched, u) for _c, u, searched in seen], pool)))
        score, passage = pool.sources[key].scored.support(claim)
        if score >= SUPPORTED_AT and closest.same:
            if independent(pool.sources[key], passage, cited):
                found.supporters.append(key)
        elif score >= SUPPORTED_AT:  # the words are there, but not as one statement
            undecided.append((score, Unit(key, passage)))
            spread[key] = passage
        elif any(c.ask_judge for c, _u, _s in seen):
            undecided.append((closest.align, unit))
    if more and found.conflict is not None:
        found.questions = []  # disputed by the rules whatever the judge says
    elif others_too:
        found.questions += _every_other(claim, closest_of, spread)
    elif use_judge and found.conflict is None:
        for _rank, unit in sorted(undecided, key=lambda ru: -ru[0])[:JUDGE_PER_CLAIM]:
            found.questions.append(Question(claim, _context(unit), unit.key, cited=False))
    if found.passage:
        found.passage = _best_sentence(found.passage, claim, pool)
    return found


def closest_sentences(scored: Sequence[tuple[float, Unit]], pool: EvidencePool
                      ) -> tuple[tuple[int, str], ...]:
    """The :data:`JUDGE_SENTENCES` sentences of one source its search scored highest for
    the claim (``scored``: (score, sentence)), in the source's order; one that refers back
    (:data:`sentences.REFERS_BACK`), or any of a source not surely in English, after the sentence
    before it: (place in the pool, sentence) pairs."""
    # Stable: ties in the search's order (the pool's).
    chosen = sorted(scored, key=lambda su: -su[0])[:JUDGE_SENTENCES]
    keep: set[int] = set()
    for _score, unit in chosen:
        at = pool.index[unit]
        keep.add(at)
        if unit.before and (REFERS_BACK.match(unit.sentence)
                            or not pool.sources[unit.key].surely_english()):
            keep.add(at - 1)  # a source's first sentence has none
    return tuple((at, pool.units[at].sentence) for at in sorted(keep))


def sentences_text(sentences: Sequence[tuple[int, str]]) -> str:
    """Sentences of one source, by their place in the pool, as one excerpt: "…" where the
    source's sentences between two of them are left out."""
    parts: list[str] = []
    last = None
    for at, sentence in sorted(sentences):
        if last is not None and at - 1 != last:
            parts.append("…")
        parts.append(sentence)
        last = at
    return " ".join(parts)


def _every_other(claim: str, closest: list[tuple[float, str, tuple[tuple[int, str], ...]]],
                 spread: dict[str, str]) -> list[Question]:
    """(b) of :attr:`JudgeReads.EVERY`: the closest other sources, the closest first, each
    by the passage with the claim's words spread over it where the rules left one
    undecided, else by its sentences closest to the claim."""
    ranked = sorted(closest, key=lambda ru: -ru[0])[:JUDGE_PER_CLAIM]
    return [Question(claim, spread[key], key, cited=False) if key in spread else
            Question(claim, sentences_text(read), key, cited=False, sentences=read)
            for _align, key, read in ranked]


# A Markdown heading's marks where a sentence of an excerpt starts ("# First look: ...").
HEADING_MARKS = re.compile(r"(?:^|(?<=… ))#{1,6}\s+")


def shown(excerpt: str) -> str:
    """An excerpt as a dispute quotes it: a heading read as a sentence without its marks."""
    return HEADING_MARKS.sub("", excerpt)


def independent(other: Evidence, passage: str, cited: Evidence) -> bool:
    """Whether ``other``'s supporting ``passage`` is independent of the cited source.

    Not when both come from the same publisher (web host, or file), and not when the
    passage is copied from the cited source (a re-post repeats, it does not corroborate).
    """
    if other.origin == cited.origin:
        return False
    return not near_copies(shingles(passage), cited.shingles)


def settle(found: Assessment, answers: Mapping[Question, Relation], pool: EvidencePool,
           read: Mapping[Question, str] | None = None) -> Outcome:
    """The claim's status from the rules' assessment and the judge's answers; ``read``:
    the excerpt the judge was sent for a question where it was more than the question's
    passage (the sentences other claims of its batch read of the source too): a
    contradiction or a support it found is in what it read."""
    read = read or {}
    supported = found.verdict is Verdict.SUPPORTED
    reason = ""
    conflict = found.conflict
    cited = pool.sources.get(found.key)
    for q in found.questions:
        answer = answers.get(q)
        if q.cited:
            if answer is Relation.SUPPORTS:
                supported = True
            elif found.verdict is Verdict.SUPPORTED:
                # Asked about a claim the rules support (JudgeReads.EVERY): no verdict leaves
                # the rules' one; a reader who did not find it there overrules the words.
                if answer is not None:
                    supported = False
                    reason = {Relation.CONTRADICTS: "the judge read its source as saying "
                                                    "otherwise",
                              Relation.NEITHER: "the judge did not find it in its source"}[answer]
            else:
                reason = {Relation.CONTRADICTS: "its source says otherwise",
                          Relation.NEITHER: "the judge found no support",
                          None: "the judge gave no verdict"}[answer]
        elif answer is Relation.CONTRADICTS and conflict is None:
            conflict = Conflict(q.key, shown(read.get(q, q.passage)),
                                "the judge found a contradiction")
        elif answer is Relation.SUPPORTS and q.key not in found.supporters and \
                cited is not None and \
                independent(pool.sources[q.key], read.get(q, q.passage), cited):
            found.supporters.append(q.key)
    found.conflict = conflict
    if conflict is not None:
        return Outcome(ClaimStatus.DISPUTED, conflict.reason)
    if not found.n:
        return Outcome(ClaimStatus.UNVERIFIED, "cites a source that is not in the list")
    if supported:
        return Outcome(ClaimStatus.CORROBORATED if found.supporters else ClaimStatus.VERIFIED)
    if not reason:
        reason = ("its source does not state it" if found.verdict is Verdict.UNSUPPORTED
                  else "borderline, and no budget was left for the judge")
    if found.supporters:
        reason += "; another source states it"
    return Outcome(ClaimStatus.UNVERIFIED, reason)


# At most this many disagreements are handed to the writers (the closest first).
MAX_NOTE_CONFLICTS = 12


@dataclass(frozen=True)
class NoteConflict:
    """Two notes of different sources that contradict each other."""

    key: str
    says: str
    other_key: str
    other_says: str
    reason: str


def note_conflicts(notes: list[tuple[str, str]],
                   focus: set[str] | None = None) -> list[NoteConflict]:
    """Where ``(source hash, quote)`` notes of different sources contradict each other.

    Each sentence of each quote against the closest sentences of the other sources' quotes,
    by the same rules as the claims (:func:`compare`); a pair is reported once. ``focus``:
    only the sentences of these sources are compared with the others (one section's
    sources against those of the sections before it).
    """
    quotes: dict[str, list[str]] = {}
    for key, quote in notes:
        quotes.setdefault(key, []).append(quote)
    if len(quotes) < 2:
        return []
    pool = EvidencePool([Evidence(key, "\n\n".join(q)) for key, q in quotes.items()])
    found: dict[frozenset[str], tuple[float, NoteConflict]] = {}
    for unit in pool.units:
        if focus is not None and unit.key not in focus:
            continue
        for other, _score in pool.related(unit.sentence, {unit.key}, RELATED_SENTENCES):
            pair = frozenset((unit.sentence, other.sentence))
            if pair in found:
                continue
            seen = compare(unit.sentence, other.sentence, pool.weight, groups=pool.alternatives)
            if seen.relation is Relation.CONTRADICTS:
                found[pair] = (seen.align, NoteConflict(unit.key, unit.sentence, other.key,
                                                        other.sentence, seen.reason))
    ranked = sorted(found.values(), key=lambda ac: -ac[0])
    return [conflict for _align, conflict in ranked[:MAX_NOTE_CONFLICTS]]
