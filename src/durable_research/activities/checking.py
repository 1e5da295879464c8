"""The ``check_citations`` activity: every cited sentence against its source's text.

A deterministic support score decides clear cases; an LLM judge decides the
borderline ones (when the budget allows). Unsupported sentences are marked in the
draft, never silently kept as verified.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from temporalio import activity

from durable_research.activities.llm import complete
from durable_research.activities.storage import WithStore
from durable_research.research import prompts
from durable_research.research.plan import json_object
from durable_research.research.types import CheckInput, CheckResult
from durable_research.shared import Reference, UnsupportedCitation, Usage
from durable_research.store import text_key

JUDGE_BATCH = 10
MARKER = " [unverified]"


def check_result_from(data: dict[str, Any]) -> CheckResult:
    """Rebuild a :class:`CheckResult` saved as JSON."""
    return CheckResult(
        **{**data, "usage": Usage(**data.get("usage", {})),
           "unsupported": [UnsupportedCitation(**u) for u in data.get("unsupported", [])]}
    )


def parse_verdicts(text: str) -> dict[int, bool]:
    """The judge's ``{"verdicts": [{"id", "supported"}]}`` as id -> supported."""
    try:
        raw = json_object(text)
    except ValueError:
        return {}
    found: dict[int, bool] = {}
    items = raw.get("verdicts") if isinstance(raw, dict) else None
    for item in items if isinstance(items, list) else []:
        try:
            found[int(item["id"])] = bool(item["supported"])
        except (KeyError, TypeError, ValueError):
            continue
    return found


class CheckingActivities(WithStore):
    """Checks a draft's citations with the worker's LLM as judge."""

    @activity.defn(name="check_citations")
    async def check_citations(self, params: CheckInput) -> CheckResult:
        """Assemble the sections, check each cited sentence, store the marked draft."""
        from durable_research.research.citations import (
            Verdict,
            cited_sentences,
            mark_unverified,
            support_score,
            verdict,
        )

        key = self.my_key(params.key)
        memo = await self.load_json(key + ".meta")
        if memo is not None:
            return check_result_from(memo)
        body = "\n\n".join([(await self.read_text(k)).strip() for k in params.section_keys])
        refs: dict[int, Reference] = {r.n: r for r in params.references}
        texts: dict[int, str] = {}
        for ref in params.references:
            texts[ref.n] = await self.read_text(text_key(ref.content_hash))
        sentences = cited_sentences(body)
        bad: list[tuple[Any, UnsupportedCitation]] = []
        borderline: list[tuple[Any, int, str]] = []
        supported = 0
        for sent in sentences:
            best: tuple[float, int, str] = (-1.0, 0, "")
            for n in sent.cites:
                if n in refs:
                    score, passage = support_score(sent.sentence, texts[n])
                    best = max(best, (score, n, passage), key=lambda b: b[0])
            score, n, passage = best
            if n == 0:
                bad.append((sent, UnsupportedCitation(sent.sentence, sent.cites[0], 0.0,
                                                      "cites a source that is not in the list")))
            elif verdict(score) is Verdict.SUPPORTED:
                supported += 1
            elif verdict(score) is Verdict.UNSUPPORTED or not params.use_judge:
                why = ("its source does not state it" if verdict(score) is Verdict.UNSUPPORTED
                       else "borderline, and no budget was left for the judge")
                bad.append((sent, UnsupportedCitation(sent.sentence, n, round(score, 3), why)))
            else:
                borderline.append((sent, n, passage))
        usage, model = Usage(), ""
        for start in range(0, len(borderline), JUDGE_BATCH):
            batch = borderline[start : start + JUDGE_BATCH]
            items = [(i + 1, s.sentence, passage[:1500]) for i, (s, _n, passage) in
                     enumerate(batch)]
            out = await complete(self.settings, params.model, prompts.JUDGE_SYSTEM,
                                 prompts.judge_prompt(items), detail="judging citations")
            usage, model = usage.add(out.usage), out.model
            verdicts = parse_verdicts(out.text)
            for i, (sent, n, _passage) in enumerate(batch):
                if verdicts.get(i + 1) is True:
                    supported += 1
                else:
                    why = ("the judge found no support" if (i + 1) in verdicts
                           else "the judge gave no verdict")
                    bad.append((sent, UnsupportedCitation(sent.sentence, n, 0.0, why)))
        marked = mark_unverified(body, [s for s, _u in bad], MARKER) if bad else body
        await self.write_text(key, marked)
        result = CheckResult(key=key, checked=len(sentences), supported=supported,
                             judged=len(borderline), unsupported=[u for _s, u in bad],
                             usage=usage, model=model)
        await self.save_json(key + ".meta", json.loads(json.dumps(asdict(result))))
        return result
