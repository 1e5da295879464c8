"""The budget raise: one rule for a sub-question's allowance and the report's record of it."""

from __future__ import annotations

from durable_research.contract.llm import Usage
from durable_research.contract.research import Budget
from durable_research.research.types import Allowance
from durable_research.workflows.budget import BudgetTracker, add_raise


def test_add_raise_adds_to_caps_and_keeps_no_cap() -> None:
    a = Allowance(pages=3, usd=0.5, tokens=100)
    add_raise(a, Allowance(pages=2, usd=0.25, tokens=50))
    assert a == Allowance(pages=5, usd=0.75, tokens=150)
    lifted = Allowance(pages=3, usd=0.5, tokens=100)
    add_raise(lifted, Allowance(pages=-1, usd=-1.0, tokens=-1))
    assert lifted == Allowance()


def test_an_uncapped_grant_stays_uncapped() -> None:
    """The difference the two copies had: the report's copy turned an uncapped grant (-1)
    plus a raise of 5 into a cap of 4, while the sub-question itself stayed uncapped."""
    grant = Allowance(pages=-1, usd=-1.0, tokens=-1)
    add_raise(grant, Allowance(pages=5, usd=0.5, tokens=100))
    assert grant == Allowance(pages=-1, usd=-1.0, tokens=-1)


def test_the_report_commits_what_the_subquestion_really_may_spend() -> None:
    tracker = BudgetTracker(caps=Budget(max_pages=10))
    tracker.granted[0] = Allowance(pages=4, usd=-1.0, tokens=-1)
    tracker.child_pages[0] = 1
    add_raise(tracker.granted[0], Allowance(pages=2))
    assert tracker._committed("pages") == 6.0
    tracker.finished.add(0)
    assert tracker._committed("pages") == 1.0
    assert tracker.total() == Usage()
