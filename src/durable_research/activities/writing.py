"""Research activities that use the LLM: notes from sources, sections, the summary.

Each reads its inputs from the store and writes its text there; the history gets a
key, a hash and the usage. A result is also saved under the run's folder before the
activity reports, so an attempt that died after a paid call is not paid again.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import asdict
from typing import Any

from pydantic import ValidationError
from temporalio import activity

from durable_research.activities.llm import complete
from durable_research.activities.storage import WithStore
from durable_research.contract.keys import meta_key, text_key
from durable_research.contract.llm import AnswerSchema, LlmCallOutput, Usage
from durable_research.llm.calls import allowed_model
from durable_research.llm.capabilities import capabilities_of
from durable_research.llm.prompts import in_language
from durable_research.research import prompts
from durable_research.research.answers import MAX_NOTES, NoteAnswer
from durable_research.research.extractive import (
    extractive_notes,
    extractive_section,
    has_citations,
    sentences,
)
from durable_research.research.notes import CitedNote, Note
from durable_research.research.plan import json_object
from durable_research.research.queryguard import guard_follow_up
from durable_research.research.quotes import QuoteFinder
from durable_research.research.relevant import ELISION, without_repeats
from durable_research.research.sendonce import ledger_after, send_once
from durable_research.research.types import (
    FOLLOW_UP_LEFT_OUT,
    SUMMARY_LEFT_OUT,
    LlmStored,
    NotesInput,
    SectionInput,
    Source,
    noted_hashes,
)
from durable_research.research.widen import Quote
from durable_research.store import content_hash

# How much source text one notes call reads (characters): fits small context windows.
NOTES_CONTEXT_CHARS = 12_000
# Passages per source a notes call reads at most. 3 instead of 4 lost a key fact and stated
# one more decoy fact when every passage went whole (docs/benchmarks.md, goal 5, first
# round); since a source's later passages go as their relevant sentences (relevant.py) it
# cut the research eval's notes prompts by 14 % (2,369 -> 2,036 words a report) at the same
# key facts (one more), decoys (honest and adversarial) and disputes, with 4 % fewer cited
# sentences (goal 5, fifth round).
PASSAGES_PER_SOURCE = 3


def stored_from(data: dict[str, Any]) -> LlmStored:
    """Rebuild an :class:`LlmStored` saved as JSON."""
    return LlmStored(**{**data, "usage": Usage(**data.get("usage", {}))})


def valid_notes(
    raw: object, sources: list[Source], texts: dict[str, str]
) -> tuple[list[dict[str, str]], int]:
    """Keep the notes whose quote really is in the named source; count the dropped ones.

    A kept quote is widened on its source (``quotes.QuoteFinder``): to whole sentences, or
    to the table rows with their header, the code block, the list items it is part of; the
    note's ``kind`` says which. Notes that widen to a quote already kept are merged into it.

    Each note is validated on its own (:class:`~durable_research.research.answers.NoteAnswer`),
    so one malformed note does not cost the others: a provider that ignored the schema
    may still have noted usable facts.
    """
    items = raw.get("notes") if isinstance(raw, dict) else None
    kept: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    finders: dict[str, QuoteFinder] = {}
    dropped = 0
    for item in items if isinstance(items, list) else []:
        try:
            note = NoteAnswer.model_validate(item)
        except ValidationError:
            dropped += 1
            continue
        quote, point = note.quote.strip(), note.point.strip()
        if not 1 <= note.source <= len(sources) or len(quote) < 8:
            dropped += 1
            continue
        src = sources[note.source - 1]
        finder = finders.get(src.content_hash)
        if finder is None:
            finder = finders[src.content_hash] = QuoteFinder(texts.get(src.content_hash, ""))
        widened = finder.widen(quote)
        if widened is None:
            dropped += 1  # a quote the source does not contain is not evidence
            continue
        if (src.content_hash, widened.text) in seen:
            continue
        seen.add((src.content_hash, widened.text))
        kept.append(note_json(src, widened, point or quote))
    return kept[:MAX_NOTES], dropped


def note_json(src: Source, quote: Quote, point: str) -> dict[str, str]:
    """The stored JSON of a note quoting ``src``."""
    return Note(source_hash=src.content_hash, quote=quote.text, point=point[:1000],
                title=src.title, url=src.url, kind=quote.kind, intro=quote.intro).to_json()


def quoted_notes(usable: list[Source], texts: dict[str, str],
                 params: NotesInput) -> list[dict[str, str]]:
    """Notes quoting the passages that best match the sub-question, without a model."""
    by_hash = {s.content_hash: s for s in usable}
    return [note_json(by_hash[h], q, q.text)
            for h, q in extractive_notes(texts, f"{params.question} {params.subquestion}")]


def notes_ranking(texts: dict[str, str], hashes: list[str], subquestion: str,
                  question: str) -> list[tuple[str, str, float]]:
    """The passages a notes call reading the sources ``hashes`` (``types.noted_hashes``)
    ranks, best first: the sub-question leads, the report's question is context (fused
    by rank). The same for the call itself and for a later call working out its ledger."""
    from durable_research.research.passages import fused_passages

    return fused_passages({h: texts[h] for h in dict.fromkeys(hashes)},
                          [subquestion, question],
                          k=PASSAGES_PER_SOURCE * max(1, len(hashes)),
                          max_chars=NOTES_CONTEXT_CHARS)


class WritingActivities(WithStore):
    """Notes, sections and summary through the worker's LLM."""

    async def _memo(self, key: str) -> LlmStored | None:
        data = await self.load_json(meta_key(key))
        return stored_from(data) if data is not None else None

    async def _save(self, key: str, text: str, out: LlmCallOutput, summary: str,
                    extra: str = "", hashes: list[str] | None = None,
                    quoted_notes: bool = False) -> LlmStored:
        await self.write_text(key, text)
        data = text.encode("utf-8")
        stored = LlmStored(key=key, content_hash=content_hash(data), chars=len(text),
                           model=out.model, usage=out.usage, summary=summary, extra=extra,
                           source_hashes=hashes or [], quoted_notes=quoted_notes)
        await self.save_json(meta_key(key), asdict(stored))
        return stored

    @activity.defn(name="take_notes")
    async def take_notes(self, params: NotesInput) -> LlmStored:
        """Read the sources' best passages and note quoted facts for the sub-question."""
        key = self.my_key(params.key)
        done = await self._memo(key)
        if done is not None:
            return done
        usable = [s for s in params.sources if s.ok and s.content_hash]
        # At once, with the earlier calls' (the ledger is worked out from them): one wait
        # for the I/O pool instead of one per source, on the chain of the sub-question's
        # LLM calls.
        hashes = list(dict.fromkeys(s.content_hash for s in usable))
        every = list(dict.fromkeys(
            [*hashes, *(h for e in params.earlier for h in e.source_hashes)]))
        read = dict(zip(every, await asyncio.gather(
            *(self.read_text(text_key(h)) for h in every)), strict=True))
        texts = {h: read[h] for h in hashes}
        model = allowed_model(self.settings, params.model)
        able = capabilities_of(model)
        if not able.writes_notes and usable:
            # Measured unusable for this model: the best passages are quoted without asking
            # it (its notes would be dropped and these quoted anyway, 24-30 s later).
            notes = quoted_notes(usable, texts, params)
            return await self._save(
                key, json.dumps(notes, ensure_ascii=False), LlmCallOutput(model=model),
                f"{len(notes)} notes quoted from the sources (the model is not asked for "
                "notes)",
                hashes=sorted({n["source_hash"] for n in notes}))
        ranked = notes_ranking(read, noted_hashes(usable), params.subquestion,
                               params.question)
        ledger = ledger_after(
            (notes_ranking(read, e.source_hashes, e.subquestion, params.question),
             e.subquestion) for e in params.earlier)
        number = {s.content_hash: i + 1 for i, s in enumerate(usable)}
        excerpts: dict[int, list[str]] = {}
        for text_id, part in send_once(ranked, params.subquestion, ledger)[0]:
            excerpts.setdefault(number[text_id], []).append(part)
        blocks = [(n, usable[n - 1].title, f"\n{ELISION}\n".join(parts))
                  for n, parts in sorted(excerpts.items())]
        out = await complete(self.settings, params.model,
                             in_language(prompts.NOTES_SYSTEM, params.language),
                             prompts.notes_prompt(params.question, params.subquestion, blocks),
                             detail="taking notes", schema=AnswerSchema.NOTES)
        try:
            raw = json_object(out.text)
        except ValueError:
            raw = {}
        notes, dropped = valid_notes(raw, usable, texts)
        # The next round's search query, also sent to the web: never what only the
        # round's local documents say (a page may have told the model to copy them).
        follow = guard_follow_up(raw.get("follow_up", "") if isinstance(raw, dict) else "",
                                 params.question, params.subquestion, usable, texts)
        summary = f"{len(notes)} notes"
        if dropped:
            summary += f", {dropped} without a matching quote"
        if not notes and usable:
            # The model did not follow the format: quote the best passages instead, so
            # the sources are still used (and cited) rather than silently dropped.
            notes = quoted_notes(usable, texts, params)
            summary = f"{len(notes)} notes quoted from the sources (the model's notes " \
                      "were unusable)"
        if follow.dropped:
            summary += f"; {len(follow.dropped)} {FOLLOW_UP_LEFT_OUT}"
        return await self._save(key, json.dumps(notes, ensure_ascii=False), out, summary,
                                extra=follow.query,
                                hashes=sorted({n["source_hash"] for n in notes}))

    async def _conflicts(self, params: SectionInput, numbers: dict[str, int],
                         notes: list[CitedNote]) -> list[prompts.Disagreement]:
        """The disagreements between sources that one of this section's notes is part of."""
        if not params.conflicts_key:
            return []
        quotes = [" ".join(note.quote.split()) for note in notes]
        found = []
        for c in json.loads(await self.read_text(params.conflicts_key)):
            n, m = numbers.get(c["key"]), numbers.get(c["other_key"])
            mine = any(c["says"] in q or c["other_says"] in q for q in quotes)
            if n and m and mine:
                found.append(prompts.Disagreement(n, c["says"], m, c["other_says"], c["reason"]))
        return found

    @activity.defn(name="write_section")
    async def write_section(self, params: SectionInput) -> LlmStored:
        """Write one section from notes (or the summary from sections), citing [n]."""
        key = self.my_key(params.key)
        done = await self._memo(key)
        if done is not None:
            return done
        able = capabilities_of(allowed_model(self.settings, params.model))
        if params.role == "summary" and not able.writes_sections:
            return await self._save(key, "", LlmCallOutput(),
                                    f"{SUMMARY_LEFT_OUT}the model is not asked to write")
        if params.role == "summary":
            sections, seen = [], set[str]()
            for k in params.section_keys:
                text = await self.read_text(k)
                heading, _, body = text.partition("\n")
                # Sections quote the same notes: a sentence is sent once.
                sections.append((heading.lstrip("# ").strip(),
                                 without_repeats(body.strip(), seen)))
            out = await complete(self.settings, params.model,
                                 in_language(prompts.SUMMARY_SYSTEM, params.language),
                                 prompts.summary_prompt(params.question, sections),
                                 detail="writing the summary")
            # Only cited sentences: the summary may add nothing the check cannot see.
            summary_text = " ".join(
                sent for sent in sentences(strip_heading(out.text), min_words=1)
                if has_citations(sent))
            if not has_citations(summary_text):
                # Uncited text would escape the citation check: leave it out.
                return await self._save(key, "", out, f"{SUMMARY_LEFT_OUT}it cited nothing")
            return await self._save(key, summary_text, out, "summary")
        numbers = {r.content_hash: r.n for r in params.references}
        notes: list[CitedNote] = []
        for k in params.notes_keys:
            for data in json.loads(await self.read_text(k)):
                note = Note.from_json(data)
                n = numbers.get(note.source_hash)
                if n is not None:
                    notes.append(CitedNote(n, note.point, note.quote, note.kind, note.intro))
        if params.role == "extractive":  # no budget left for the LLM: the notes' quotes
            text = f"## {params.heading}\n\n{extractive_section(notes)}"
            return await self._save(key, text, LlmCallOutput(), "section quoted from notes",
                                    quoted_notes=True)
        if not able.writes_sections:  # measured: its sections cite what no source says
            text = f"## {params.heading}\n\n{extractive_section(notes)}"
            return await self._save(key, text, LlmCallOutput(), "section quoted from notes "
                                    "(the model is not asked to write sections)",
                                    quoted_notes=True)
        out = await complete(
            self.settings, params.model,
            in_language(prompts.section_system(notes), params.language),
            prompts.section_prompt(params.question, params.subquestion, notes,
                                   params.references,
                                   await self._conflicts(params, numbers, notes)),
            detail="writing a section",
        )
        body = strip_heading(out.text)
        summary = f"section from {len(notes)} notes"
        quoted = bool(notes) and not has_citations(body)
        if quoted:
            # A section that cites nothing cannot be checked: use the quoted notes.
            body, summary = extractive_section(notes), "section quoted from notes " \
                "(the model's text cited nothing)"
        text = f"## {params.heading}\n\n{body}"
        return await self._save(key, text, out, summary, quoted_notes=quoted)

    @activity.defn(name="read_text")
    async def read_text_activity(self, key: str) -> str:
        """A text of this run (e.g. the checked draft, for human review)."""
        return await self.read_text(key)


def strip_heading(text: str) -> str:
    """Drop a leading Markdown heading the model added although asked not to."""
    return re.sub(r"\A\s*#{1,6} [^\n]*\n+", "", text.strip()).strip()

