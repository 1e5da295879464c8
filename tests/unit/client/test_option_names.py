"""A refusal of a report's options names them as the user's front end does: ``--max-pages``
on the command line, ``max_pages`` in the HTTP API's body and the MCP tools' arguments,
"Preferred documents" on the web page (the API and the tools answered with the CLI's
options: "--depth quick writes a single answer" to an assistant that never typed one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from durable_research.client import options as opt
from durable_research.client.research import PreparedSources, ResearchOptions, with_research
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.contract.report import ReportInput
from durable_research.errors import UserError
from durable_research.testing.ports import free_port
from durable_research.web.app import create_app
from durable_research.web.context import WebContext

# Options a new report refuses, each with the option its refusal is about.
MISTAKES: list[tuple[dict[str, object], opt.Option]] = [
    ({"depth": "quick", "sources": ["docs"]}, opt.SOURCES),
    ({"depth": "quick", "max_pages": 5}, opt.MAX_PAGES),
    ({"prefer_domains": ["sqlite.org"], "web": False, "sources": ["docs"]}, opt.PREFER_DOMAIN),
    ({"web": False}, opt.SOURCES),
    ({"max_tokens": "abc"}, opt.MAX_TOKENS),
    ({"budget_usd": -1}, opt.BUDGET_USD),
    ({"max_pages": 2.5}, opt.MAX_PAGES),
    ({"prefer_paths": ["guides"]}, opt.PREFER_PATH),
    ({"prefer_paths": ["../up"], "sources": ["docs"]}, opt.PREFER_PATH),
    ({"agent": False, "max_steps": 3}, opt.MAX_STEPS),
    ({"depth": "quick", "agent": True}, opt.AGENT),
    ({"max_steps": 10_000}, opt.MAX_STEPS),
    ({"allow_domains": ["not a domain"]}, opt.ALLOW_DOMAIN),
]


def _refusal(given: dict[str, object], spelling: opt.Spelling) -> str:
    options = ResearchOptions(spelling=spelling, **given)  # type: ignore[arg-type]
    with pytest.raises(UserError) as refused:
        with_research(ReportInput(prompt="q"), options, PreparedSources())
    return f"{refused.value.message} | {refused.value.hint}"


@pytest.mark.parametrize(("given", "about"), MISTAKES)
@pytest.mark.parametrize("spelling", list(opt.Spelling))
def test_a_refusal_names_the_option_as_its_front_end_does(
        given: dict[str, object], about: opt.Option, spelling: opt.Spelling) -> None:
    text = _refusal(given, spelling)
    # An option the front end lacks is not named (test_the_api_asks_for_no_documents...).
    assert about.name(spelling) in text or not about.offered(spelling), text
    # No option of the CLI's off the command line (a field's name is a plain word:
    # "sources" is in "without sources" too, so only the CLI's spelling is told apart).
    assert spelling is opt.Spelling.CLI or "--" not in text, text


@pytest.mark.parametrize("given", [{"web": False}, {"prefer_paths": ["guides"]}])
def test_the_page_asks_for_documents_without_a_command_line_placeholder(
        given: dict[str, object]) -> None:
    # The form answered 'add your documents ("Your documents" PATH)': a page has a file
    # chooser, no PATH to type (found in a new user's trial).
    text = _refusal(given, opt.Spelling.FORM)
    assert "PATH" not in text and '"Your documents"' in text, text
    assert "PATH" in _refusal(given, opt.Spelling.CLI)


def _client(tmp_path: Path) -> TestClient:
    # Nothing listens at its Temporal address: every request here is refused before it.
    settings = Settings(temporal_address=f"127.0.0.1:{free_port()}",
                        data_dir=str(tmp_path / "data"), store=str(tmp_path / "store"),
                        output_dir=str(tmp_path / "out"), search_ddgs_probe=DDGS_PROBE_OFF,
                        search_provider="none")
    token = "t" * 32
    return TestClient(create_app(WebContext(settings=settings, token=token)),
                      base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {token}"})


def test_the_api_and_the_page_name_their_own_fields(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        api = client.post("/api/v1/reports", json={"question": "q", "max_tokens": "abc"})
        form = client.post("/reports", data={"question": "q", "formats": "pdf", "web": "on",
                                             "prefer_paths": "guides"})
    assert api.status_code == 400, api.text
    error = api.json()
    assert error["error"].startswith("max_tokens: 'abc' is not a whole number"), error
    assert form.status_code == 400 and "--" not in form.text.split("<main", 1)[-1]
    assert "&#34;Preferred documents&#34; ranks documents of &#34;Your documents&#34;" \
        in form.text or '"Preferred documents" ranks documents' in form.text, form.text


def test_the_api_asks_for_no_documents_it_cannot_take(tmp_path: Path) -> None:
    """The API's body has no documents (no uploads), yet ``"web": false`` was answered
    'add your documents (sources 'PATH')': a field it refuses as unknown."""
    with _client(tmp_path) as client:
        refused = client.post("/api/v1/reports", json={"question": "q", "web": False})
        unknown = client.post("/api/v1/reports", json={"question": "q", "sources": ["d"]})
    assert refused.status_code == 400, refused.text
    error = refused.json()
    text = f"{error['error']} | {error['hint']}"
    assert "web false" in error["error"] and "nothing to research" in error["error"], text
    assert "sources" not in text and "PATH" not in text and "--" not in text, text
    assert "quick" in error["hint"] and "web page" in error["hint"], text
    assert unknown.status_code == 400  # the field it would have asked for


def test_the_mcp_tools_name_the_servers_folders_not_an_option() -> None:
    """An assistant cannot pass ``--sources-root``: a path outside the allowed folders is
    refused in the tool's words (the server's operator is named with the whole command)."""
    from durable_research.client.research import check_sources_within

    root = Path(__file__).resolve().parent
    with pytest.raises(UserError) as outside:
        check_sources_within(["/"], [root])
    assert "--" not in f"{outside.value.message} {outside.value.hint}", outside.value.hint
    with pytest.raises(UserError) as off:
        check_sources_within(["/"], [])
    assert "`research mcp --sources-root FOLDER`" in off.value.hint, off.value.hint
