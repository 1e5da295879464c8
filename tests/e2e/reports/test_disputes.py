"""Sources that disagree, end to end: a decoy page's claim in a report is marked disputed.

The fixture corpus (tests/data/conflict_docs, written apart from the checker) holds two
official pages and two decoys that contradict them. The fake LLM is scripted to take the
decoys' claims at their word (it quotes them first), as a credulous model would.
"""

from __future__ import annotations

import json
from pathlib import Path

from temporalio.client import Client

from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.research.citations import cited_sentences
from durable_research.testing.fake_llm import FakeLLM
from durable_research.worker.build import build_worker
from tests.support.helpers import completed_activities, start
from tests.support.paths import DATA

DOCS = DATA / "conflict_docs"
FIXTURE = json.loads((DOCS.parent / "conflict_docs.json").read_text(encoding="utf-8"))
DECOYS = {d["id"]: d for d in FIXTURE["decoys"]}


def flat(text: str) -> str:
    return " ".join(text.split())


async def test_a_decoy_claim_is_disputed_with_both_passages_shown(
    client: Client, settings: Settings, fake_llm: FakeLLM
) -> None:
    prepared = cr.ingest_sources(settings, [str(DOCS)])
    # forum-2: the model notes both sides, so the writer is told they disagree;
    # blog-2: it notes only the decoy's claim, so only the check can find the conflict.
    both, alone = DECOYS["forum-2"], DECOYS["blog-2"]
    fake_llm.configure(prefer_quotes=[both["decoy_sentence"], both["official_sentence"],
                                      alone["decoy_sentence"]])
    async with build_worker(client, settings):
        handle = await start(client, settings, prompt=FIXTURE["question"], depth="standard",
                             collection=prepared.collection, web=False, formats=["md", "html"])
        result = await handle.result()
        activities = await completed_activities(handle)
    assert "compare_notes" in activities
    v = result.verification
    md = Path(next(p for p in result.paths if p.endswith(".md"))).read_text(encoding="utf-8")
    assert v is not None and v.disputed, v
    body, about = md.split("## References")[0], md.split("About this report")[1]
    refs = {r.n: r.url for r in result.references}
    # No decoy claim that reached the report is printed as verified: each is marked.
    decoys_cited = 0
    for sent in cited_sentences(body):
        for decoy in (both, alone):
            if flat(decoy["decoy_sentence"]).rstrip(".") in flat(sent.sentence):
                decoys_cited += 1
                assert "[disputed]" in sent.raw, sent.raw
                assert any(refs.get(n) == decoy["decoy_doc"] for n in sent.cites)
    assert decoys_cited >= 2
    # The writer heard of the disagreement it had both notes of, and said so.
    assert "The sources disagree here." in body
    # "About this report" shows each dispute with both passages side by side, and the
    # official page is among the References (added if research had not cited it).
    assert "**Disputed**" in about and "Another source says" in about
    for decoy in (both, alone):
        row = next(d for d in v.disputed if flat(decoy["decoy_sentence"]).rstrip(".")
                   in flat(d.sentence))
        assert refs[row.other] == decoy["official_doc"], (row, refs)
        assert flat(decoy["official_sentence"]).rstrip(".") in flat(row.other_passage)
        assert row.reason.startswith(("numbers differ", "values differ")), row
        assert flat(decoy["official_sentence"])[:40] in flat(about)
    assert "disputed" in v.summary()
    html = Path(next(p for p in result.paths if p.endswith(".html"))).read_text(encoding="utf-8")
    assert 'class="disputed"' in html
