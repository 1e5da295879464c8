"""``--depth quick`` reads no web page (workflows/report: one LLM answer, no research), so
an option about pages is refused with it rather than silently inert (found in a new
user's trial: ``--depth quick --max-pages 5`` was accepted)."""

from __future__ import annotations

import pytest

from durable_research.client import research as cr
from durable_research.contract.report import ReportInput
from durable_research.errors import UserError


def prepared(**options: object) -> ReportInput:
    """The workflow input for these research options (no documents)."""
    return cr.with_research(ReportInput(), cr.ResearchOptions(**options),  # type: ignore[arg-type]  # its fields
                            cr.PreparedSources())


@pytest.mark.parametrize(("options", "named"), [
    ({"max_pages": 5}, "--max-pages"),
    ({"allow_domains": ["example.org"]}, "--allow-domain"),
    ({"deny_domains": ["example.org"]}, "--deny-domain"),
    ({"prefer_domains": ["example.org"]}, "--prefer-domain")])
def test_quick_refuses_what_only_pages_use(options: dict[str, object], named: str) -> None:
    with pytest.raises(UserError, match="--depth quick reads no web page") as exc:
        prepared(depth="quick", **options)
    assert named in exc.value.message
    assert "--depth standard" in exc.value.hint


def test_quick_accepts_the_cost_and_token_caps() -> None:
    """Caps on the whole run, which a script may give every depth; not refused (its one
    LLM call is made whatever they are: the report says so in the README)."""
    p = prepared(depth="quick", budget_usd=0.5, max_tokens=2000)
    assert (p.budget.max_usd, p.budget.max_tokens, p.budget.max_pages) == (0.5, 2000, 0)


def test_standard_takes_a_page_cap() -> None:
    assert prepared(depth="standard", max_pages=5).budget.max_pages == 5
