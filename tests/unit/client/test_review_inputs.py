"""The review helpers page and HTTP API share: actions checked, only used fields sent."""

from __future__ import annotations

import pytest

from durable_research import client as rc
from durable_research.client import research as cr
from durable_research.client.requests import parse_formats
from durable_research.contract.review import PlanReviewAction, ReviewAction
from durable_research.errors import UserError


def test_a_review_sends_only_what_its_action_uses() -> None:
    edit = rc.review_input(ReviewAction.EDIT, "web", "new text", "ignored")
    assert (edit.action, edit.text, edit.feedback, edit.reviewer) == ("edit", "new text", "",
                                                                      "web")
    approve = rc.review_input("approve", "api", "a draft typed, then approved", "x")
    assert approve.text == "" and approve.feedback == ""
    assert rc.review_input("revise", "", "x", "shorter").feedback == "shorter"
    with pytest.raises(UserError, match="Unknown review action 'publish'") as info:
        rc.review_input("publish", "web")
    assert "approve, edit, revise, reject" in info.value.hint


def test_a_plan_review_checks_domains_and_keeps_the_plan_only_for_edit() -> None:
    edit = cr.plan_review_input(PlanReviewAction.EDIT, "api", ["q1?", "q2?"],
                                ["https://Docs.Example.org/x"], [])
    assert edit.subquestions == ["q1?", "q2?"] and edit.allow_domains == ["docs.example.org"]
    assert cr.plan_review_input("approve", "api", ["q1?"]).subquestions == []
    with pytest.raises(UserError, match="Unknown plan review action 'revise'"):
        cr.plan_review_input("revise", "api")
    with pytest.raises(UserError, match="Denied domain 'not a domain'"):
        cr.plan_review_input("approve", "api", deny_domains=["not a domain"])


def test_formats_need_at_least_one() -> None:
    with pytest.raises(UserError, match="Choose at least one format") as info:
        parse_formats(" , ")
    assert "pdf,md,html" in info.value.hint
    with pytest.raises(UserError, match=r"Unknown output format\(s\): docx"):
        parse_formats("pdf,docx")
