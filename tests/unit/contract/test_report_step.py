"""The steps' names say what the steps do. Found in a new user's trial: every report
printed "step: sending e-mail" with no SMTP_HOST set, where the step sends nothing (its
result then says "e-mail not sent: SMTP_HOST is not set"), and a report without sources
"step: researching" for its one LLM answer (its note: "the report is a single LLM answer
without citations")."""

from __future__ import annotations

from durable_research.contract.report import ReportStep


def test_the_email_step_does_not_claim_a_sending() -> None:
    assert "sending" not in ReportStep.EMAIL.value
    assert ReportStep.EMAIL.value == "e-mail"


def test_the_single_answer_is_not_called_research() -> None:
    assert ReportStep.RESEARCHING.value == "answering"


def test_the_old_names_from_a_worker_of_older_code_still_read_as_the_steps() -> None:
    # A status query of a report that a worker of older code runs says "sending e-mail"
    # or "researching"; the web API reads every step into this enum.
    assert ReportStep("sending e-mail") is ReportStep.EMAIL
    assert ReportStep("researching") is ReportStep.RESEARCHING
