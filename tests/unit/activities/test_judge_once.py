"""The judge is asked about each (claim, passage) pair once: the summary repeats its
sections' sentences, so a check met the same pair twice and sent it twice (the research
eval: 48 of 157 judged items). Every question still gets the verdict. The model call is
replaced by the fake LLM's judge, called in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from durable_research.activities import checking
from durable_research.config import Settings
from durable_research.contract.llm import AnswerSchema, LlmCallOutput, Usage
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import Question
from durable_research.testing.fake_research import research_reply
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
    answers = (await env_for("report-1").run(
        activities._judge, "openai/fake-model", questions)).answers
    assert len(sent) == 1 and sent[0].count("Claim ") == 2 and sent[0].count("Source excerpt") == 2
    assert answers == {questions[0]: Relation.SUPPORTS, questions[1]: Relation.CONTRADICTS,
                       questions[2]: Relation.SUPPORTS, questions[3]: Relation.CONTRADICTS}


async def test_pairs_a_batch_left_unanswered_are_asked_again_one_a_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small model answered a batch of 10 with one verdict (the prompt's example): the
    other 9 pairs got none and the rules' verdict stood. They are asked once more, one a
    call; a pair asked alone and left unanswered is not asked again."""
    sent: list[str] = []

    async def first_only(settings: Settings, model: str, system: str, prompt: str,
                         detail: str = "", schema: AnswerSchema | None = None
                         ) -> LlmCallOutput:
        sent.append(prompt)
        full = json.loads(research_reply(system, prompt) or "{}")
        # A verdict for the first item only; the "port 9" pair asked alone gets none.
        alone_and_mute = prompt.count("Claim ") == 1 and "port 9 " in prompt
        answer = {"verdicts": [] if alone_and_mute else full["verdicts"][:1]}
        return LlmCallOutput(text=json.dumps(answer), model=model, usage=Usage(prompt_tokens=1))

    monkeypatch.setattr(checking, "complete", first_only)
    claims = [f"The broker listens on TCP port {7450 + n} by default." for n in range(3)]
    questions = [Question(claim, PASSAGE, "a", cited=False) for claim in claims]
    mute = Question("The broker listens on TCP port 9 by default.", "A single sentence.", "c",
                    cited=False)
    activities = checking.CheckingActivities(Settings(store=str(tmp_path / "store"),
                                                      data_dir=str(tmp_path)))
    answers, _read, usage, _model = await env_for("report-1").run(
        activities._judge, "openai/fake-model", [*questions, mute])
    assert answers == {questions[0]: Relation.SUPPORTS, questions[1]: Relation.CONTRADICTS,
                       questions[2]: Relation.CONTRADICTS}
    # One batch of 4, then the 3 pairs it left unanswered, one a call; never the first.
    assert len(sent) == 4 and usage.prompt_tokens == 4
    assert [p.count("Claim ") for p in sent] == [4, 1, 1, 1]


async def test_llm_judge_batch_sets_the_pairs_a_call(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A small model judges far better one pair a call (LLM_JUDGE_BATCH=1); the default
    batch sends a passage once for all its claims."""
    claims = [f"The broker listens on TCP port {7450 + n} by default." for n in range(3)]
    questions = [Question(claim, PASSAGE, "a", cited=False) for claim in claims]
    counts = []
    for size in (1, 10):
        sent = fake_judge_calls(monkeypatch)
        activities = checking.CheckingActivities(Settings(
            store=str(tmp_path / "store"), data_dir=str(tmp_path), llm_judge_batch=size))
        answers = (await env_for("report-1").run(
            activities._judge, "openai/fake-model", questions)).answers
        assert set(answers) == set(questions)
        counts.append([p.count("Claim ") for p in sent])
    assert counts == [[1, 1, 1], [3]]
