"""Text a person sends a waiting report is valid UTF-8, as the question is. Found in a new
user's trial: `research answer ID $'\\xff\\xfe' x` was sent ("2 answers sent"); argv's
undecodable bytes arrive as lone surrogates, and every LLM call of the report then failed
with "UnicodeEncodeError: ... surrogates not allowed", attempt after attempt."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from durable_research.client import research as cr
from durable_research.client import review
from durable_research.client.review import plan_review_input
from durable_research.contract.review import AnswersInput, ReviewInput
from durable_research.errors import UserError

BYTES = "\udcff\udcfe"  # b"\xff\xfe" from argv (surrogateescape)
HINT = "check the terminal's or the file's encoding"


def test_an_undecodable_answer_is_refused_before_it_is_sent(
        monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []

    async def update(*args: Any, **kwargs: Any) -> list[str]:
        sent.append(args)
        return []

    monkeypatch.setattr(cr, "run_update", update)
    with pytest.raises(UserError) as refused:
        asyncio.run(cr.answer_questions(object(), "report-1",  # type: ignore[arg-type]  # run_update is patched
                                        AnswersInput(answers=["fine", BYTES])))
    assert sent == []
    assert (refused.value.message, refused.value.hint) == (
        "Answer 2 is not valid UTF-8 text", HINT)


@pytest.mark.parametrize(("action", "field", "what"), [
    ("revise", "feedback", "The feedback"), ("edit", "text", "The edited draft")])
def test_undecodable_review_text_is_refused_before_it_is_sent(
        monkeypatch: pytest.MonkeyPatch, action: str, field: str, what: str) -> None:
    sent: list[Any] = []

    async def update(*args: Any, **kwargs: Any) -> None:
        sent.append(args)

    monkeypatch.setattr(review, "run_update", update)
    with pytest.raises(UserError) as refused:
        asyncio.run(review.send_review(object(), "report-1",  # type: ignore[arg-type]  # run_update is patched
                                       ReviewInput(action=action, **{field: f"x {BYTES}"})))
    assert sent == []
    assert (refused.value.message, refused.value.hint) == (
        f"{what} is not valid UTF-8 text", HINT)


def test_an_undecodable_sub_question_is_refused() -> None:
    with pytest.raises(UserError) as refused:
        plan_review_input("edit", ["What is new?", f"Why {BYTES}?"])
    assert refused.value.message == "Sub-question 2 is not valid UTF-8 text"
