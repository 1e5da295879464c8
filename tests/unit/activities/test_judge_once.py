"""The judge is asked about each (claim, passage) pair once: the summary repeats its
sections' sentences, so a check met the same pair twice and sent it twice (the research
eval: 48 of 157 judged items). Every question still gets the verdict. The model call is
replaced by the fake LLM's judge, called in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.activities import checking
from durable_research.config import Settings
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import Question
from tests.support.helpers import env_for
from tests.support.judge import fake_judge_calls

PASSAGE = "The broker listens on TCP port 7450 by default."
OTHER = "The broker listens on TCP port 7451 by default."


async def test_a_pair_asked_twice_is_sent_once(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sent = fake_judge_calls(monkeypatch)
    claim = "The broker listens on TCP port 7450 by default."
    questions = [Question(claim, PASSAGE, "a", cited=True),
                 Question(claim, OTHER, "b", cited=False),
                 Question(claim, PASSAGE, "a", cited=False),  # the summary's copy
                 Question(claim, OTHER, "b", cited=False)]
    activities = checking.CheckingActivities(Settings(store=str(tmp_path / "store"),
                                                      data_dir=str(tmp_path)))
    answers, _usage, _model = await env_for("report-1").run(
        activities._judge, "openai/fake-model", questions)
    assert len(sent) == 1 and sent[0].count("Claim ") == 2 and sent[0].count("Source excerpt") == 2
    assert answers == {questions[0]: Relation.SUPPORTS, questions[1]: Relation.CONTRADICTS,
                       questions[2]: Relation.SUPPORTS, questions[3]: Relation.CONTRADICTS}
