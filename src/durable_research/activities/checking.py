"""The ``check_citations`` activity: every cited sentence against all gathered sources.

Each claim is scored against its cited source (supported or not) and compared with the
related sentences of every other gathered source: another independent source supporting
it makes it corroborated, one contradicting it makes it disputed (see
:mod:`durable_research.research.crosscheck`). A model that judges (``use_judge`` and its
capabilities) reads the close calls and, for every claim the rules do not already dispute,
the closest sentences of the closest other sources (``JudgeReads.OTHERS``). Unverified and
disputed sentences are marked in the draft, never silently kept as verified.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, NamedTuple

from temporalio import activity

from durable_research.activities.check_memo import CheckMemo, Prepared, sentence_id, source_ids
from durable_research.activities.heartbeat import with_heartbeats
from durable_research.activities.llm import complete
from durable_research.activities.procpool import in_process
from durable_research.activities.storage import WithStore
from durable_research.contract.citations import (
    ClaimStatus,
    DisputedCitation,
    Reference,
    UnsupportedCitation,
    clip_whole,
)
from durable_research.contract.keys import meta_key, text_key
from durable_research.contract.llm import AnswerSchema, LlmCallOutput, Usage
from durable_research.llm.calls import allowed_model
from durable_research.llm.capabilities import ModelCapabilities, capabilities_of
from durable_research.research import prompts
from durable_research.research.claims import Relation
from durable_research.research.plan import json_object
from durable_research.research.support import Verdict
from durable_research.research.types import (
    CheckInput,
    CheckResult,
    CompareNotesInput,
    NotesConflicts,
)

if TYPE_CHECKING:  # the research modules load when the activity first runs
    from durable_research.research.citations import CitedSentence
    from durable_research.research.crosscheck import Question
    from durable_research.research.evidence import Evidence

# Judge batches asked at once: one after another they were the report's longest chain of
# LLM calls (17 one-second calls of a deep report's 26, bench/research_bench.py
# --critical-path); as many at once as a deep report's sub-questions.
JUDGE_CONCURRENCY = 4
# Pairs of a batch its answer left without a verdict, asked again one a call (at most this
# many a check): a small model answers a batch of 10 with one verdict, the prompt's
# example (Qwen2.5-Coder-1.5B: 3 of 5 batches of a report, 27 of 44 pairs unanswered;
# one pair a call it answered 44 of 44: docs/research-quality.md, "The whole path with a
# real judge"). A model that answers every pair costs nothing more.
JUDGE_ASKED_AGAIN = 24
# The markers put after a sentence's citations, by status (verified ones get none).
MARKERS = {ClaimStatus.UNVERIFIED: " [unverified]", ClaimStatus.DISPUTED: " [disputed]"}
# Documents of the local collection searched for each claim (beyond those research read).
COLLECTION_HITS = 3
MAX_PASSAGE_CHARS = 500
# How much of a passage the judge is sent.
PASSAGE_SENT = 1500
# The checks prepared by this worker (``prepare_check``), until their check runs.
_MEMO = CheckMemo()


class Judged(NamedTuple):
    """The judge's verdicts by question, the excerpt it read for each question where that
    was more than the question's passage, its usage and the model that answered."""

    answers: dict[Question, Relation]
    read: dict[Question, str]
    usage: Usage
    model: str


def check_result_from(data: dict[str, Any]) -> CheckResult:
    """Rebuild a :class:`CheckResult` saved as JSON."""
    return CheckResult(**{
        **data, "usage": Usage(**data.get("usage", {})),
        "unsupported": [UnsupportedCitation(**u) for u in data.get("unsupported", [])],
        "disputed": [DisputedCitation(**d) for d in data.get("disputed", [])],
        "added_references": [Reference(**r) for r in data.get("added_references", [])],
    })


def parse_verdicts(text: str) -> dict[int, Relation]:
    """The judge's ``{"verdicts": [{"id", "verdict"}]}`` as id -> relation.

    The older ``{"id", "supported": true}`` form reads as supports / neither; anything else
    (unknown verdicts, broken items) is left out, i.e. no verdict.
    """
    try:
        raw = json_object(text)
    except ValueError:
        return {}
    found: dict[int, Relation] = {}
    items = raw.get("verdicts") if isinstance(raw, dict) else None
    for item in items if isinstance(items, list) else []:
        try:
            if "verdict" in item:
                found[int(item["id"])] = Relation(str(item["verdict"]).strip().lower())
            else:
                supported = item["supported"]
                if isinstance(supported, bool):
                    found[int(item["id"])] = Relation.SUPPORTS if supported else Relation.NEITHER
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _clip(text: str) -> str:
    return clip_whole(text, MAX_PASSAGE_CHARS)


class CheckingActivities(WithStore):
    """Checks a draft's citations across its sources, with the worker's LLM as judge."""

    async def _wanted(self, params: CheckInput, claims: list[str]) -> list[Reference]:
        """The references, the other gathered sources and each claim's best local documents."""
        wanted: dict[str, Reference] = {}
        for ref in [*params.references, *params.evidence]:
            wanted.setdefault(ref.content_hash, ref)
        if params.collection:
            from durable_research.contract.citations import SourceKind
            from durable_research.research.localdocs import search_collection

            for claim in claims:
                hits = await self.in_store(search_collection, self.store, params.collection,
                                           claim, COLLECTION_HITS)
                for hit in hits:
                    wanted.setdefault(hit.content_hash, Reference(
                        title=hit.title, url=hit.url, kind=SourceKind.LOCAL,
                        content_hash=hit.content_hash))
        wanted.pop("", None)
        return list(wanted.values())

    async def _evidence(self, wanted: list[Reference]) -> list[Evidence]:
        """The sources' texts, read from the store."""
        from durable_research.research.evidence import Evidence

        # A deep report reads a hundred sources: at once, not one store round trip after
        # another.
        texts = await asyncio.gather(*(self.read_text(text_key(r.content_hash)) for r in wanted))
        return [Evidence(key=ref.content_hash, text=text, n=ref.n, title=ref.title, url=ref.url,
                         kind=ref.kind) for ref, text in zip(wanted, texts, strict=True)]

    async def _body(self, section_keys: list[str]) -> str:
        return "\n\n".join([(await self.read_text(k)).strip() for k in section_keys])

    def _use_judge(self, params: CheckInput) -> tuple[bool, ModelCapabilities]:
        able = capabilities_of(allowed_model(self.settings, params.model))
        return params.use_judge and able.judges, able

    async def _prepare(self, params: CheckInput, sentences: list[CitedSentence],
                       ahead_of_check: bool = False) -> Prepared:
        """The sources, their index and the sentences' assessments: those ``prepare_check``
        worked out in this worker where it has them (the same sources and judge setting),
        the others now. The index (without one prepared) and ``ahead_of_check`` (the
        preparation beside the report's last sections and summary) the assessments are
        made in the worker's CPU pool: 1-2 s of a deep report's CPU, which in the worker's
        interpreter held the GIL those steps need (docs/benchmarks.md, goal 3)."""
        from durable_research.activities.procwork import assess_claims
        from durable_research.research.crosscheck import JudgeReads, assess

        # The closest other sources of every claim, not only those the rules leave open:
        # with Qwen2.5-Coder-1.5B as judge, on the all-held-out Python set, wrong claims
        # passed 0.581 -> 0.161 and disputes found 0.25 -> 0.79 (precision 0.75 -> 0.76)
        # at 0.35 -> 0.90 questions a claim; the cited passage of every supported claim
        # too (EVERY) gained nothing more at 1.39 (docs/research-quality.md, "The judge
        # reading every claim").
        reads = JudgeReads.OTHERS

        use_judge, _able = self._use_judge(params)
        wanted = await self._wanted(params, [s.sentence for s in sentences])
        ids = source_ids(wanted)
        run = activity.info().workflow_run_id or ""
        ahead = _MEMO.take(run, params.key, ids, use_judge)
        if ahead is None:
            sources = await self._evidence(wanted)
            pool, found = await in_process(assess_claims, sources, None, sentences,
                                           use_judge, reads)
            assert pool is not None  # built there: it comes back
            ahead = Prepared(ids, sources, pool, use_judge, {})
            todo = sentences
        else:
            todo = [s for s in sentences if sentence_id(s) not in ahead.assessed]
            if ahead_of_check and todo:
                _, found = await in_process(assess_claims, ahead.sources, ahead.pool, todo,
                                            use_judge, reads)
            else:
                # The check's few sentences left (the summary's): nothing of the report
                # runs beside them, and sending the index would cost more than they do.
                by_n = {s.n: s for s in ahead.sources if s.n}
                found = await asyncio.to_thread(
                    lambda: [assess(s, by_n, ahead.pool, use_judge, reads) for s in todo])
        for s, assessment in zip(todo, found, strict=True):
            ahead.assessed.setdefault(sentence_id(s), assessment)
        return ahead

    async def _judge(self, model: str, questions: list[Question]) -> Judged:
        """Ask the judge about each (claim, passage) pair, in batches, a few at once; a
        source's claims go into one batch, under one excerpt with each of the sentences
        they read sent once, and a pair asked twice is asked once (:mod:`judge_batches`)."""
        from durable_research.research.judge_batches import judge_batches

        planned = judge_batches(questions, self.settings.llm_judge_batch, PASSAGE_SENT)
        batches = planned.batches
        slots = asyncio.Semaphore(JUDGE_CONCURRENCY)

        async def ask(batch: list[tuple[str, str]]
                      ) -> tuple[dict[int, Relation], LlmCallOutput]:
            items = [(i + 1, claim, passage) for i, (claim, passage) in enumerate(batch)]
            async with slots:
                out = await complete(self.settings, model, prompts.JUDGE_SYSTEM,
                                     prompts.judge_prompt(items), detail="judging citations",
                                     schema=AnswerSchema.JUDGE)
            return parse_verdicts(out.text), out

        found: dict[tuple[str, str], Relation] = {}
        usage, used = Usage(), ""
        for batch, (verdicts, out) in zip(
                batches, await asyncio.gather(*(ask(b) for b in batches)), strict=True):
            usage, used = usage.add(out.usage), out.model
            found.update({pair: verdicts[i + 1] for i, pair in enumerate(batch)
                          if i + 1 in verdicts})
        # A batch answered in part: its missing pairs once more, one a call.
        again = [pair for batch in batches if len(batch) > 1 for pair in batch
                 if pair not in found][:JUDGE_ASKED_AGAIN]
        for pair, (verdicts, out) in zip(
                again, await asyncio.gather(*(ask([p]) for p in again)), strict=True):
            usage = usage.add(out.usage)
            if 1 in verdicts:
                found[pair] = verdicts[1]
        answers = {q: found[pair] for q, pair in planned.pair_of.items() if pair in found}
        read = {q: pair[1] for q, pair in planned.pair_of.items() if pair[1] != q.passage}
        return Judged(answers, read, usage, used)

    @activity.defn(name="compare_notes")
    async def compare_notes(self, params: CompareNotesInput) -> NotesConflicts:
        """Find where the notes' sources contradict each other and store the pairs, so the
        section writers report the disagreement instead of picking a side silently."""
        from durable_research.activities.procwork import compare_notes

        key = self.my_key(params.key)
        notes = []
        focus: set[str] | None = set() if params.focus_keys else None
        for notes_key in params.notes_keys:
            mine = [(n["source_hash"], n["quote"]) for n in
                    json.loads(await self.read_text(notes_key))]
            notes += mine
            if focus is not None and notes_key in params.focus_keys:
                focus.update(h for h, _q in mine)
        # Pure CPU (0.3-1 s a deep section): off the event loop's GIL.
        found = await in_process(compare_notes, notes, focus)
        await self.write_text(key, json.dumps([asdict(c) for c in found], ensure_ascii=False))
        pairs = sorted({tuple(sorted((c.key, c.other_key))) for c in found})
        return NotesConflicts(key=key, count=len(found), pairs=[list(p) for p in pairs],
                              hashes=sorted({h for pair in pairs for h in pair}))

    @activity.defn(name="prepare_check")
    async def prepare_check(self, params: CheckInput) -> int:
        """The check's work that needs no summary, done while the summary is written: the
        sources read and indexed, the sections' cited sentences assessed (kept in this
        worker's memory for ``check_citations``; see :mod:`check_memo`). Returns how many
        sentences were assessed."""
        from durable_research.research.citations import cited_sentences

        sentences = cited_sentences(await self._body(params.section_keys))
        prepared = await with_heartbeats(self._prepare(params, sentences, ahead_of_check=True),
                                         detail="preparing the citation check")
        _MEMO.put(activity.info().workflow_run_id or "", params.key, prepared)
        return len(sentences)

    @activity.defn(name="check_citations")
    async def check_citations(self, params: CheckInput) -> CheckResult:
        """Assemble the sections, check each cited sentence, store the marked draft."""
        from durable_research.research.citations import cited_sentences, mark_sentences
        from durable_research.research.crosscheck import settle

        key = self.my_key(params.key)
        memo = await self.load_json(meta_key(key))
        if memo is not None:
            return check_result_from(memo)
        body = await self._body(params.section_keys)
        sentences = cited_sentences(body)
        prepared = await self._prepare(params, sentences)
        sources, pool = prepared.sources, prepared.pool
        found = [prepared.assessment(s) for s in sentences]
        able = self._use_judge(params)[1]
        questions = [q for f in found for q in f.questions]
        judged = await self._judge(params.model, questions)
        result = CheckResult(key=key, checked=len(sentences),
                             judged=len({q.claim for q in questions}), usage=judged.usage,
                             model=judged.model)
        if params.use_judge and not able.judges:
            result.remark = f"Citations were checked by the rules alone, the model not asked " \
                            f"as judge: {able.why}."
        numbers = {s.key: s.n for s in sources if s.n}
        next_n = max(numbers.values(), default=0) + 1
        marks = []
        for f in found:
            outcome = settle(f, judged.answers, pool, judged.read)
            claim = f.sentence.sentence
            if outcome.status in (ClaimStatus.VERIFIED, ClaimStatus.CORROBORATED):
                result.supported += 1
                result.corroborated += outcome.status is ClaimStatus.CORROBORATED
                continue
            marks.append((f.sentence, MARKERS[outcome.status]))
            if outcome.status is ClaimStatus.UNVERIFIED:
                first = f.n or f.sentence.cites[0]
                result.unsupported.append(UnsupportedCitation(
                    claim, first, round(f.score, 3) if f.n else 0.0, outcome.reason))
                continue
            assert f.conflict is not None  # a disputed outcome carries its conflict
            other = pool.sources[f.conflict.key]
            if other.key not in numbers:
                numbers[other.key], next_n = next_n, next_n + 1
                result.added_references.append(Reference(
                    n=numbers[other.key], title=other.title, url=other.url, kind=other.kind,
                    content_hash=other.key, cited=False))
            result.disputed.append(DisputedCitation(
                sentence=claim, n=f.n or f.sentence.cites[0], passage=_clip(f.passage),
                other=numbers[other.key], other_passage=_clip(f.conflict.passage),
                reason=outcome.reason, stated=f.verdict is Verdict.SUPPORTED))
        marked = mark_sentences(body, marks) if marks else body
        await self.write_text(key, marked)
        await self.save_json(meta_key(key), json.loads(json.dumps(asdict(result))))
        return result
