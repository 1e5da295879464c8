"""`research run --clarify` in a terminal asks each question at the prompt."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rich.prompt import Prompt
from temporalio.client import Client

from durable_research.cli import research as cli_research
from durable_research.client import research as cr
from durable_research.contract.review import AnswersInput
from durable_research.errors import UserError


class Conn:
    client: Any = object()


def test_each_question_is_asked_and_the_answers_sent_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = iter(["the 1990s", ""])  # Enter skips the second question
    asked: list[str] = []
    sent: list[AnswersInput] = []

    def ask(prompt: str, **_: object) -> str:
        asked.append(prompt)
        return next(typed)

    async def answer(client: Client, workflow_id: str, params: AnswersInput) -> list[str]:
        sent.append(params)
        return []

    monkeypatch.setattr(Prompt, "ask", ask)
    monkeypatch.setattr(cr, "answer_questions", answer)
    asyncio.run(cli_research.ask_in_terminal(Conn(), "report-1", ["Which period?", "For whom?"]))  # type: ignore[arg-type]  # only .client is used
    assert asked == ["1. Which period?", "2. For whom?"]
    assert [s.answers for s in sent] == [["the 1990s", ""]]
    assert "1 answer sent" in capsys.readouterr().out


def test_a_refusal_is_shown_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def refuse(client: Client, workflow_id: str, params: AnswersInput) -> list[str]:
        raise UserError("Answers not accepted: This report is not waiting for answers")

    monkeypatch.setattr(Prompt, "ask", lambda prompt, **_: "x")
    monkeypatch.setattr(cr, "answer_questions", refuse)
    asyncio.run(cli_research.ask_in_terminal(Conn(), "report-1", ["Which period?"]))  # type: ignore[arg-type]  # only .client is used
    assert "not waiting for answers" in capsys.readouterr().err
