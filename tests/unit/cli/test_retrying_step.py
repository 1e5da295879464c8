"""`research run` says when a step's activity keeps failing and is retried. Found in a new
user's trial: with an SMTP server that answered 500 to every mail, a research report's
spinner showed "e-mail (4 of 4 sub-questions done ...)" for minutes, and a run whose output
is not a terminal printed nothing after "• step: e-mail" (`research status` had the
failure all along)."""

from __future__ import annotations

import asyncio

import pytest

from durable_research.cli import progress
from durable_research.client.reports import ReportState
from durable_research.contract.report import ReportStatus, ReportStep, RunStatus
from durable_research.contract.research import ResearchProgress

ID = "report-0123456789ab"
FAILING = ("send_email: attempt 3, last failure: SMTPDataError: Could not send e-mail via "
           "127.0.0.1: (451, b'try again later')")


class Spinner:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def update(self, text: str) -> None:
        self.texts.append(text)

    def stop(self) -> None: ...
    def start(self) -> None: ...


def _state(pending: list[str]) -> ReportState:
    return ReportState(ID, RunStatus.RUNNING, pending=pending, query=ReportStatus(
        step=ReportStep.EMAIL, research=ResearchProgress(plan=["a?", "b?"])))


def _show(shown: progress._Shown, spinner: Spinner, state: ReportState) -> None:
    asyncio.run(shown.show(state, spinner, object(), ID, False))  # type: ignore[arg-type]  # the spinner's three calls only; conn unused here


def test_a_failing_step_is_said_once_and_shown_over_the_research_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    shown, spinner = progress._Shown(None), Spinner()
    for _ in range(2):
        _show(shown, spinner, _state([FAILING]))
    assert "last failure: SMTPDataError" in spinner.texts[-1], spinner.texts
    out = " ".join(capsys.readouterr().out.split())
    assert out.count("attempt 3, last failure: SMTPDataError") == 1, out
    assert "retrying: send_email: attempt 3" in out, out


def test_a_step_without_failure_shows_the_research_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    shown, spinner = progress._Shown(None), Spinner()
    _show(shown, spinner, _state(["send_email: attempt 1"]))
    assert "attempt" not in spinner.texts[-1], spinner.texts
    assert "retrying" not in capsys.readouterr().out
