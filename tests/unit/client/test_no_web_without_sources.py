"""``--no-web`` without ``--sources`` leaves a research report nothing to research, so it
is refused (found in a new user's trial). It was accepted, and then: with no web
provider, the result's note blamed the settings ("no SEARXNG_URL/TAVILY_API_KEY/...,
and DuckDuckGo was not checked by the client") and told the user to set one, although
they had turned the web off; with one (SEARXNG_URL set), the run printed
"sources: searxng", paid for a plan of 4 sub-questions, searched nothing and ended
"Research found nothing to cite"."""

from __future__ import annotations

import pytest

from durable_research.client import research as cr
from durable_research.contract.report import ReportInput
from durable_research.errors import UserError


def prepared(**options: object) -> ReportInput:
    """The workflow input for these research options (no documents stored)."""
    return cr.with_research(ReportInput(), cr.ResearchOptions(**options),  # type: ignore[arg-type]  # its fields
                            cr.PreparedSources())


@pytest.mark.parametrize("depth", ["standard", "deep"])
def test_no_web_and_no_documents_is_refused(depth: str) -> None:
    with pytest.raises(UserError, match="--no-web") as exc:
        prepared(web=False, depth=depth)
    assert "--sources" in exc.value.message and "nothing to research" in exc.value.message
    assert "--sources" in exc.value.hint and "web search on" in exc.value.hint


def test_no_web_with_documents_researches_them() -> None:
    assert prepared(web=False, sources=["docs/"]).web is False


def test_quick_needs_no_source() -> None:
    """A quick report is one answer without sources: --no-web changes nothing there."""
    assert prepared(web=False, depth="quick").depth == "quick"
