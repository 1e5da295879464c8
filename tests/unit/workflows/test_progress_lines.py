"""The report's log of an agent's steps from its children's progress snapshots
(``Research.on_progress``): every line of a snapshot that reports several steps at once,
in order, and overtaken snapshots still dropped."""

from __future__ import annotations

from durable_research.contract.report import ReportInput
from durable_research.contract.research import Budget, ResearchProgress, SubProgress
from durable_research.workflows.budget import BudgetTracker
from durable_research.workflows.research import Research


def research(log: list[str]) -> Research:
    """A report's research with one sub-question, its log into ``log``."""
    return Research(ReportInput(prompt="q", depth="deep"), "q",
                    ResearchProgress(subs=[SubProgress(index=0, subquestion="q")]),
                    BudgetTracker(caps=Budget()), log.append, lambda _step: None)


def test_a_snapshot_of_steps_run_at_once_logs_each_in_order() -> None:
    """A turn's notes run at once report their lines in one snapshot: sent one by one in
    the same workflow task, the signals overtook each other and lines were lost (the
    agent's e2e run showed 'q1: note [2]' without 'q1: note [1]')."""
    log: list[str] = []
    run = research(log)
    run.on_progress(SubProgress(index=0, seq=1, step="q1: follow [6] https://a.example/"))
    run.on_progress(SubProgress(index=0, seq=2, step="q1: note [2]", lines=[
        "q1: note [1]", "q1: note [1]", "q1: note [2]"]))
    assert log == ["q1: follow [6] https://a.example/", "q1: note [1]", "q1: note [2]"]
    # The status keeps the last step, not the lines again.
    assert run.progress.subs[0].step == "q1: note [2]" and run.progress.subs[0].lines == []
    run.on_progress(SubProgress(index=0, seq=1, step="q1: read [1] part 1", lines=[
        "q1: read [1] part 1"]))  # overtaken: dropped as before
    run.on_progress(SubProgress(index=0, seq=3, step="q1: note [2]"))  # the same step
    assert log[3:] == []
