"""What the MCP tools answer (pure): rows, the next tool to call, one-line errors."""

from __future__ import annotations

from durable_research.client.reports import RUNNING, ReportState
from durable_research.contract.report import ReportResult, ReportStatus, ReportStep, RunStatus
from durable_research.contract.research import ResearchProgress
from durable_research.errors import ReportEndedError, UserError, WorkflowNotFoundError
from durable_research.mcp import render
from durable_research.mcp.names import Tool, report_uri


def test_errors_are_one_line_and_name_tools() -> None:
    assert render.error_text(UserError("Bad\nthing", "do\tthat")) == "Bad thing. Hint: do that"
    assert render.error_text(UserError("Bad")) == "Bad"
    missing = render.error_text(WorkflowNotFoundError("No report", "`research list` ..."))
    assert missing == f"No report. Hint: {Tool.LIST_REPORTS}() shows recent reports"


def test_status_says_what_waits_and_what_to_call() -> None:
    plan = ReportState("r1", RUNNING, question="Why?", query=ReportStatus(
        step=ReportStep.PLAN_REVIEW, research=ResearchProgress(plan=["a?", "b?"])))
    text = render.status_text(plan)
    assert "question: Why?" in text and Tool.REVIEW_PLAN in text and "\n1. a?\n2. b?" in text
    draft = ReportState("r1", RUNNING, query=ReportStatus(step=ReportStep.REVIEW, versions=2,
                                                          draft="# Draft\x1b text"))
    text = render.status_text(draft)
    assert Tool.REVIEW_DRAFT in text and "Draft version 2:\n# Draft text" in text
    asking = render.status_text(ReportState("r1", RUNNING, query=ReportStatus(
        step=ReportStep.CLARIFY, questions=["Which?", "Who?"], waiting_for_answers_since="t")))
    assert "question 1: Which?\nquestion 2: Who?" in asking and Tool.ANSWER_QUESTIONS in asking
    working = render.status_text(ReportState("r1", RUNNING))
    assert f"{Tool.GET_STATUS}(id='r1', wait=60)" in working
    done = ReportState("r1", RunStatus.COMPLETED, result=ReportResult(
        keys=["runs/r1/report/x/a.pdf", "runs/r1/report/x/a.md"]))
    assert report_uri("r1", "pdf") in render.status_text(done)
    assert "pdf/md" in render.next_step(done)
    rejected = ReportState("r1", RunStatus.COMPLETED, result=ReportResult(status="rejected"))
    assert Tool.START_RESEARCH in render.next_step(rejected)


def test_plan_and_list_texts() -> None:
    assert "no research plan" in render.plan_text(ReportState("r1", RUNNING))
    assert render.reports_text([]).startswith("No reports yet")


def test_status_shows_the_sections_written_so_far() -> None:
    research = ResearchProgress(plan=["a?", "b?", "c?"], sections=["runs/r1/sections/01.md"])
    state = ReportState("r1", RUNNING, query=ReportStatus(step=ReportStep.SOURCES,
                                                          research=research))
    text = render.status_text(state, ["## a?\n\nMoss holds water [1]."])
    assert "Draft so far: 1 of 3 sections:\n## a?\n\nMoss holds water [1]." in text
    assert "Draft so far" not in render.status_text(state)


def test_an_ended_report_points_at_get_status() -> None:
    """Not the CLI's "`research status ID`" (a new user's trial)."""
    ended = ReportEndedError("Review not accepted: report r1 is not running any more", "r1")
    assert "`research status r1` shows how it ended" == ended.hint  # the CLI's
    assert render.error_text(ended) == ("Review not accepted: report r1 is not running any "
                                        f"more. Hint: {Tool.GET_STATUS}(id='r1') shows how "
                                        "it ended")
    cancel = ReportEndedError("Workflow r1 is not running", "r1", lead="nothing to cancel; ")
    assert render.error_text(cancel).endswith(
        f"Hint: nothing to cancel; {Tool.GET_STATUS}(id='r1') shows how it ended")
