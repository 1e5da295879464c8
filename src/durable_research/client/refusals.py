"""What to do when a report refuses a decision: one rule for every front end's hint.

A report's Update validators refuse answers, plan reviews, draft reviews and budget
raises in their own words ("Invalid answers: 4 answers for 2 question(s)", "This report
is not waiting for plan review (step: ...)"); those words reached the command line, the
web page, the HTTP API and the MCP tools bare. The hint says what to do instead, and
each front end says it with its own names (a command, a request, a tool, the page):
:class:`HowTo` is how a front end names them, :func:`refusal_hint` the shared rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from durable_research.contract.report import ReportStep
from durable_research.contract.review import (
    MAX_ANSWER_CHARS,
    UPDATE_ANSWER_QUESTIONS,
    UPDATE_RAISE_BUDGET,
    UPDATE_REVIEW,
    UPDATE_REVIEW_PLAN,
)
from durable_research.errors import DecisionRefusedError, WrongStateError

# What each decision's hint asks for after the front end's way of sending it.
_WANTED = {
    UPDATE_REVIEW_PLAN: "approve, edit (one sub-question a line) or reject the plan",
    UPDATE_REVIEW: "approve, edit (the whole new text), revise (with feedback) or reject "
                   "the draft",
    UPDATE_RAISE_BUDGET: "give caps above the ones in force (0 keeps a cap)",
}


# The decision (its Update) a report waits for at each of its waiting steps.
DECISION_AT_STEP = {
    ReportStep.CLARIFY: UPDATE_ANSWER_QUESTIONS,
    ReportStep.PLAN_REVIEW: UPDATE_REVIEW_PLAN,
    ReportStep.REVIEW: UPDATE_REVIEW,
}


@dataclass(frozen=True)
class HowTo:
    """How a front end names a report's status and the sending of each decision."""

    # Where report ``id``'s status is shown: "`research status ID`".
    status: Callable[[str], str]
    # How the Update ``name`` is sent to report ``id`` with ``n`` answers (0 for the
    # other Updates): "`research answer ID \"ANSWER 1\" \"ANSWER 2\"`".
    send: Callable[[str, str, int], str]


def answer_placeholders(n: int) -> list[str]:
    """The answers a hint shows for ``n`` questions: "ANSWER 1" ... (one when not said)."""
    return [f"ANSWER {i}" for i in range(1, max(n, 1) + 1)]


def refusal_hint(exc: DecisionRefusedError, how: HowTo) -> str:
    """What to do about the refused decision ``exc``, in ``how``'s names."""
    refusal = exc.refusal
    wid, status = refusal.workflow_id, how.status(refusal.workflow_id)
    if isinstance(exc, WrongStateError):
        if refusal.waiting:  # name the decision it does wait for, not a page to look it up
            return (f"it waits for {_waited(refusal.waiting, refusal.asked)}: "
                    f"{how.send(refusal.waiting, wid, refusal.asked)}")
        return f"{status} shows what the report is waiting for"
    if refusal.update == UPDATE_ANSWER_QUESTIONS and refusal.asked:
        n = refusal.asked
        which = "the one question" if n == 1 else f"each of the {n} questions in order"
        return (f"answer {which}, at most {MAX_ANSWER_CHARS} characters each: "
                f"{how.send(refusal.update, wid, n)}")
    wanted = _WANTED.get(refusal.update)
    send = how.send(refusal.update, wid, 0)
    return f"{wanted}: {send}; {status} shows the report" if wanted \
        else f"{send}; {status} shows the report"


def _waited(update: str, asked: int) -> str:
    """The decision ``update`` as what a report waits for ("its plan review")."""
    if update == UPDATE_ANSWER_QUESTIONS:
        return ("answers to its clarifying question" if asked == 1 else
                f"answers to its {asked} clarifying questions" if asked else
                "answers to its clarifying questions")
    return "its plan review" if update == UPDATE_REVIEW_PLAN else "its draft review"
