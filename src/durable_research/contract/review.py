"""Reviews: the Updates a reviewer (or the budget owner) sends a waiting report, and
their answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum

from durable_research.contract.research import Budget


class ReviewAction(StrEnum):
    """What a reviewer can do with a waiting draft (the ``review`` Update's ``action``)."""

    APPROVE = "approve"
    EDIT = "edit"
    REVISE = "revise"
    REJECT = "reject"


class PlanReviewAction(StrEnum):
    """What a reviewer can do with a waiting research plan (``review_plan``'s ``action``)."""

    APPROVE = "approve"
    EDIT = "edit"
    REJECT = "reject"


REVIEW_ACTIONS: tuple[str, ...] = tuple(ReviewAction)


def past_tense(action: str) -> str:
    """How a review decision reads in a report's history ("approved", "rejected", ...)."""
    done: dict[str, str] = {ReviewAction.APPROVE: "approved", ReviewAction.EDIT: "edited",
                            ReviewAction.REVISE: "revised", ReviewAction.REJECT: "rejected"}
    return done.get(action, action)
# The workflow's Update handlers, by name (clients call them by these names).
UPDATE_REVIEW = "review"
UPDATE_RAISE_BUDGET = "raise_budget"
UPDATE_REVIEW_PLAN = "review_plan"
UPDATE_ANSWER_QUESTIONS = "answer_questions"
# A DNS domain name, as plan reviews and --allow-domain/--deny-domain accept them.
DOMAIN_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.I)
PLAN_REVIEW_ACTIONS: tuple[str, ...] = tuple(PlanReviewAction)


@dataclass
class PlanReviewInput:
    """Argument of the ``review_plan`` Update: approve, edit the list, or reject."""

    action: str = ""
    # "edit": the new sub-question list (replaces the plan).
    subquestions: list[str] = field(default_factory=list)
    # Domain lists merged into the research (with approve or edit).
    allow_domains: list[str] = field(default_factory=list)
    deny_domains: list[str] = field(default_factory=list)
    reviewer: str = ""


# Clarifying questions: how many the model may ask, and how long one answer may be.
MAX_QUESTIONS = 3
MAX_ANSWER_CHARS = 1000


@dataclass
class AnswersInput:
    """Argument of the ``answer_questions`` Update: one answer per clarifying question, in
    order ("" leaves a question unanswered); none at all plans without answers."""

    answers: list[str] = field(default_factory=list)
    reviewer: str = ""


def answers_problem(answers: list[str], asked: int) -> str:
    """Why ``answers`` cannot answer ``asked`` questions ("" when they can)."""
    if len(answers) > asked:
        return f"{len(answers)} answers for {asked} question(s)"
    for i, answer in enumerate(answers, 1):
        if len(answer) > MAX_ANSWER_CHARS:
            return f"answer {i} is over {MAX_ANSWER_CHARS} characters"
    return ""


@dataclass
class RaiseBudgetInput:
    """Argument of the ``raise_budget`` Update: new caps (0 keeps a cap as it is)."""

    max_usd: float = 0.0
    max_tokens: int = 0
    max_pages: int = 0


@dataclass
class BudgetOutcome:
    """Answer of ``raise_budget``: the caps now in force and what was spent."""

    budget: Budget = field(default_factory=Budget)
    spent_usd: float = 0.0
    spent_tokens: int = 0
    pages: int = 0
    message: str = ""


@dataclass
class ReviewInput:
    """Argument of the ``review`` Update."""

    action: str = ""
    # Replacement draft for "edit".
    text: str = ""
    # Free-text instructions for "revise".
    feedback: str = ""
    reviewer: str = ""


# What one review may send (its text and feedback as encoded in the Update's payload:
# JSON escapes each non-ASCII character as \uXXXX, up to 6 bytes). Temporal refuses
# payloads over 2 MB, and the draft travels back in the answer and on to later steps: a
# 2.5 MB edit failed the workflow task and left the report stuck (issue 25).
MAX_REVIEW_BYTES = 1_000_000


def review_too_large(review: ReviewInput) -> str:
    """Why ``review`` is too large to send ("" when it is not)."""
    size = len(json.dumps(review.text)) + len(json.dumps(review.feedback))
    if size <= MAX_REVIEW_BYTES:
        return ""
    what = "edited draft" if len(review.text) >= len(review.feedback) else "feedback"
    return (f"The {what} is {size / 1e6:.1f} MB as sent; a review can send at most "
            f"{MAX_REVIEW_BYTES / 1e6:.1f} MB (a non-ASCII character counts up to 6 bytes)")


@dataclass
class ReviewOutcome:
    """Answer of the ``review`` Update, returned to the reviewer."""

    action: str = ""
    step: str = ""
    draft: str = ""
    version: int = 0
    message: str = ""
