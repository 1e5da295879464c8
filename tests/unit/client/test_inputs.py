"""The client's checks of what a front end read: review actions, a format, source folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.client.requests import parse_format
from durable_research.client.research import check_sources_within
from durable_research.client.review import plan_review_input, review_input
from durable_research.contract.review import PlanReviewAction, ReviewAction
from durable_research.errors import UserError


def test_review_input_sends_only_what_the_action_uses() -> None:
    edit = review_input("edit", text="new draft", reviewer="me")
    assert (edit.action, edit.text, edit.feedback, edit.reviewer) == (
        ReviewAction.EDIT, "new draft", "", "me")
    assert review_input("revise", feedback="shorter").feedback == "shorter"
    with pytest.raises(UserError, match="Unknown review action 'publish'") as exc:
        review_input("publish")
    assert "approve, edit, revise, reject" in exc.value.hint
    with pytest.raises(UserError, match="sends no text"):
        review_input("approve", text="x")
    with pytest.raises(UserError, match="sends no text"):
        review_input("edit", text="x", feedback="y")


def test_plan_review_input_checks_action_questions_and_domains() -> None:
    plan = plan_review_input("edit", [" a? ", "", "b?"], ["Example.org"], [], "me")
    assert plan.action == PlanReviewAction.EDIT and plan.subquestions == ["a?", "b?"]
    assert plan.allow_domains == ["example.org"]
    with pytest.raises(UserError, match="Unknown plan review action"):
        plan_review_input("revise")
    with pytest.raises(UserError, match="takes no sub-questions"):
        plan_review_input("approve", ["a?"])
    with pytest.raises(UserError, match="not a domain name"):
        plan_review_input("approve", deny_domains=["not a domain"])
    # The CLI names the lists by its options.
    with pytest.raises(UserError, match="--deny-domain 'x y' is not a domain name"):
        plan_review_input("approve", deny_domains=["x y"],
                          domain_labels=("--allow-domain", "--deny-domain"))


def test_parse_format_is_one_known_format() -> None:
    assert parse_format(" MD ") == "md"
    for bad in ("odt", "pdf,md", ""):
        with pytest.raises(UserError, match="Unknown report format"):
            parse_format(bad)


def test_sources_must_be_absolute_and_inside_a_root(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    (root / "link.txt").symlink_to(outside)
    check_sources_within([str(root), str(root / "sub")], [root.resolve()])
    check_sources_within([], [])
    with pytest.raises(UserError, match="Local sources are off") as off:
        check_sources_within([str(root)], [])
    assert "--sources-root" in off.value.hint
    with pytest.raises(UserError, match="not an absolute path"):
        check_sources_within(["docs"], [root.resolve()])
    for bad in (outside, root / "link.txt", root / ".." / "secret.txt"):
        with pytest.raises(UserError, match="outside the allowed folders"):
            check_sources_within([str(bad)], [root.resolve()])
