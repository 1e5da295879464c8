"""client.present: the texts every front end shows (pure)."""

from __future__ import annotations

import pytest

from durable_research.client import present
from durable_research.contract.llm import Usage
from durable_research.contract.research import Budget, ResearchProgress, SubProgress, SubState


def _progress() -> ResearchProgress:
    return ResearchProgress(
        depth="standard", sources="web", plan=["a?", "b?", "c?"],
        subs=[SubProgress(index=0, subquestion="a?", state=SubState.DONE, searched=3,
                          fetched=2, failed=1),
              SubProgress(index=1, subquestion="b?", state=SubState.FAILED, error="boom"),
              SubProgress(index=2, subquestion="c?", state=SubState.PENDING)],
        pages_fetched=5, pages_failed=1, sources_kept=4,
        budget=Budget(max_usd=0.5, max_tokens=10_000, max_pages=20))


def test_format_cost_six_places_or_unknown() -> None:
    assert present.format_cost(None) == "unknown"
    assert present.format_cost(0.0) == "$0.000000"
    assert present.format_cost(0.0012345) == "$0.001234"
    assert present.format_cost(1.5) == "$1.500000"


def test_format_usage_and_tokens() -> None:
    u = Usage(prompt_tokens=1200, completion_tokens=300, total_tokens=1500, cost_usd=0.002)
    assert present.format_usage(u) == "1,200 tokens in, 300 out, $0.002000"
    assert present.format_usage(Usage(prompt_tokens=1)) == "1 tokens in, 0 out, cost unknown"
    assert present.format_tokens(u) == "1200 in, 300 out"


def test_research_line_and_summary() -> None:
    p = _progress()
    assert present.subs_done(p) == 2
    assert present.format_research_line(p) == "2/3 sub-questions done, 5 pages fetched, 1 failed"
    assert present.format_research_summary(p) == (
        "2 of 3 sub-questions done; 5 pages fetched, 1 failed, 4 sources kept")
    empty = ResearchProgress()
    assert present.format_research_line(empty) == "0 pages fetched"
    assert present.format_research_summary(empty) == "0 pages fetched, 0 failed, 0 sources kept"


def test_budget_and_progress_rows() -> None:
    assert present.format_budget(Budget()) == "no cap"
    assert present.format_budget(Budget(max_usd=0.5, max_tokens=10_000, max_pages=20)) == (
        "$0.5, 10,000 tokens, 20 pages")
    rows = present.progress_rows(_progress())
    assert rows[0] == ("sources", "web")
    assert rows[2] == ("q1", "done: a? (3 found, 2 fetched, 1 failed)")
    assert rows[3] == ("q2", "failed: b? (0 found, 0 fetched, 0 failed) - boom")
    assert rows[-1] == ("budget", "$0.5, 10,000 tokens, 20 pages")
    agent = ResearchProgress(subs=[SubProgress(subquestion="d?", state=SubState.ACTING,
                                               steps=3, step="q1: read [2] part 1")])
    assert present.progress_rows(agent)[2] == (
        "q1", "using a tool: d? (0 found, 0 fetched, 0 failed) [3 turns; last: read [2] part 1]")
    plan_only = present.progress_rows(ResearchProgress(plan=["x?"]))
    assert ("q1", "x?") in plan_only


def test_plan_lines() -> None:
    assert present.plan_lines(["a?", "b?"], "  ") == ["  1. a?", "  2. b?"]


def test_result_rows_name_files_costs_and_mail() -> None:
    from durable_research.contract.report import ReportResult, SendEmailOutput

    result = ReportResult(pdf_path="/r/a.pdf", paths=["/r/a.pdf", "/r/a.md"], model="m",
                          usage=Usage(prompt_tokens=10, completion_tokens=2, cost_usd=0.5),
                          store="folder /s", note="kept",
                          email=SendEmailOutput(sent=True, recipients=["a@b.org"]))
    rows = dict(present.result_rows(result))
    assert rows[present.PDF_ROW] == "/r/a.pdf" and rows["file"] == "/r/a.md"
    assert rows[present.STORED_ROW] == "folder /s" and rows["cost"] == "$0.500000"
    assert rows["e-mail"] == "sent to a@b.org" and rows["note"] == "kept"
    assert present.CITATIONS_ROW not in rows


def test_status_rows_and_plan_of_a_running_or_finished_report() -> None:
    from durable_research.client.reports import RUNNING, ReportState
    from durable_research.contract.report import ReportResult, ReportStatus, RunStatus

    silent = ReportState("r", RUNNING, pending=["llm: attempt 2"], failure="")
    assert dict(present.status_rows(silent))[present.STEP_ROW] == present.UNKNOWN_STEP
    assert ("running", "llm: attempt 2") in present.status_rows(silent)
    running = ReportState("r", RUNNING, query=ReportStatus(step="planning", versions=1,
                                                           research=_progress()))
    rows = dict(present.status_rows(running))
    assert rows[present.STEP_ROW] == "planning" and rows["q1"].startswith("done: a?")
    assert rows["draft versions"] == "1"
    # Before any review draft the row is left out (beside "draft so far" it read as none).
    researching = ReportState("r", RUNNING, query=ReportStatus(step="researching"))
    assert "draft versions" not in dict(present.status_rows(researching))
    assert present.report_plan(running) == ["a?", "b?", "c?"]
    failed = ReportState("r", RunStatus.FAILED, failure="boom")
    assert dict(present.status_rows(failed))[present.FAILURE_ROW] == "boom"
    done = ReportState("r", RunStatus.COMPLETED, result=ReportResult(subquestions=["x?"]))
    assert present.report_plan(done) == ["x?"] and present.report_plan(failed) == []


@pytest.mark.parametrize(("answers", "said"), [
    (["", "  "], "No answers sent (each question skipped): the research plan follows the "
                 "question as written."),
    (["The last five years", ""], "1 answer sent; the research plan is made next."),
    (["Since 2020", "Engineers"], "2 answers sent; the research plan is made next."),
])
def test_sent_answers_are_counted_in_words(answers: list[str], said: str) -> None:
    """A new user's trial: `research answer ID --none` said "0 answer(s) sent"."""
    assert present.answers_sent(answers) == said
