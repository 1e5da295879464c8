"""Each sentence of another source is sent to the judge once a batch: claims of one
report reading one official page picked overlapping sentences, and each claim's own
excerpt sent them again (the research eval: 15 % of the excerpts' words were sentences
already sent for another claim of the report). The claims of one source go into one
batch, under one excerpt made of the sentences they chose. The model call is replaced by
the fake LLM's judge, called in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.activities import checking
from durable_research.config import Settings
from durable_research.research.citations import cited_sentences
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import JudgeReads, Question, assess, settle
from durable_research.research.evidence import Evidence, EvidencePool
from tests.support.helpers import env_for
from tests.support.judge import fake_judge_calls

FORUM = Evidence("forum", "The date functions work in local time unless you add the 'utc' "
                 "modifier. The 'localtime' modifier is silently ignored on Windows builds. The "
                 "date functions return text in the 'YYYY-MM-DD' format.",
                 url="https://forum.example/t/1", n=1)
SHARED = "The 'localtime' modifier makes the date functions adjust a UTC time to local time."
MANUAL = Evidence("manual", "The date functions use UTC internally. The 'utc' modifier makes "
                  f"the date functions assume local time and adjust it to UTC. {SHARED} The "
                  "date functions return text. On Windows builds, the 'localtime' modifier "
                  "reads the time zone from the system. Windows builds are made with MSVC.",
                  url="https://docs.example/datefunc")
CLAIMS = ["The date functions work in local time unless you add the 'utc' modifier [1].",
          "The 'localtime' modifier is silently ignored on Windows builds [1]."]


def questions(pool: EvidencePool) -> list[Question]:
    asked = []
    for claim in CLAIMS:
        [sent] = cited_sentences(claim)
        asked += assess(sent, {1: FORUM}, pool, True, JudgeReads.OTHERS).questions
    return asked


async def test_a_sentence_two_claims_read_is_sent_once(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pool = EvidencePool([FORUM, MANUAL])
    asked = questions(pool)
    # Both claims read the manual, and both were given the shared sentence to read.
    assert [q.key for q in asked] == ["manual", "manual"]
    assert all(SHARED in q.passage for q in asked)
    sent = fake_judge_calls(monkeypatch)
    activities = checking.CheckingActivities(Settings(store=str(tmp_path / "store"),
                                                      data_dir=str(tmp_path)))
    judged = await env_for("report-1").run(activities._judge, "openai/fake-model", asked)
    [prompt] = sent
    assert prompt.count(SHARED) == 1 and prompt.count("Source excerpt") == 1
    assert prompt.count("Claim ") == 2
    assert set(judged.answers) == set(asked)  # every question still gets its verdict


def test_a_dispute_shows_the_excerpt_the_judge_read() -> None:
    """The judge read the manual's sentences chosen for both claims: a contradiction it
    finds may be in a sentence chosen for the other claim, so the dispute shows what it
    read, not the claim's own part of it."""
    pool = EvidencePool([FORUM, MANUAL])
    asked = questions(pool)
    [sent] = cited_sentences(CLAIMS[1])
    found = assess(sent, {1: FORUM}, pool, True, JudgeReads.OTHERS)
    read = " … ".join(q.passage for q in asked)
    outcome = settle(found, {q: Relation.CONTRADICTS for q in found.questions}, pool,
                     {q: read for q in found.questions})
    assert outcome.reason == "the judge found a contradiction"
    assert found.conflict is not None and found.conflict.passage == read
