"""Which web search a report gets (SEARCH_PROVIDER=auto and the DuckDuckGo probe's finding),
and the one line that says why: pure, no network."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from durable_research.config import DDGS_PROBE_OFF, Settings, load_settings
from durable_research.contract.research import DdgsReach
from durable_research.errors import ConfigError
from durable_research.research.reachability import probe_ddgs
from durable_research.research.search import DdgsProvider, SearxngProvider, web_provider
from durable_research.research.websearch import (
    WebSearchChoice,
    choose_web_search,
    describe_web_search,
    needs_probe,
    no_sources_note,
)

NOTHING = "no SEARXNG_URL/TAVILY_API_KEY/BRAVE_API_KEY"
ALL = {"searxng_url": "http://s", "tavily_api_key": "t", "brave_api_key": "b"}


@pytest.mark.parametrize(("settings", "reach", "provider", "reason"), [
    # auto: SearXNG, then Tavily, then Brave, whatever DuckDuckGo does ...
    ({**ALL}, DdgsReach.ANSWERS, "searxng", "SEARXNG_URL is set"),
    ({"tavily_api_key": "t", "brave_api_key": "b"}, DdgsReach.ANSWERS, "tavily",
     "TAVILY_API_KEY is set"),
    ({"brave_api_key": "b"}, DdgsReach.UNREACHABLE, "brave", "BRAVE_API_KEY is set"),
    # ... else DuckDuckGo when it answered, else nothing, saying why.
    ({}, DdgsReach.ANSWERS, "ddgs", f"{NOTHING}; DuckDuckGo answers and needs no key"),
    ({}, DdgsReach.UNREACHABLE, "", f"{NOTHING} and DuckDuckGo is unreachable (offline?)"),
    ({}, DdgsReach.OFF, "", f"{NOTHING}, and SEARCH_DDGS_PROBE=off keeps DuckDuckGo out of auto"),
    ({}, DdgsReach.UNCHECKED, "", f"{NOTHING}, and DuckDuckGo was not checked by the client"),
    ({}, "from-a-newer-client", "", f"{NOTHING}, and DuckDuckGo was not checked by the client"),
    # An explicit choice is taken as it is.
    ({"search_provider": "none", **ALL}, DdgsReach.ANSWERS, "", "SEARCH_PROVIDER=none"),
    ({"search_provider": "ddgs"}, DdgsReach.UNREACHABLE, "ddgs", "SEARCH_PROVIDER=ddgs"),
    ({"search_provider": "brave", **ALL}, DdgsReach.ANSWERS, "brave", "SEARCH_PROVIDER=brave"),
])
def test_the_choice_table(settings: dict[str, str], reach: str, provider: str,
                          reason: str) -> None:
    choice = choose_web_search(Settings(**settings), reach)  # type: ignore[arg-type]  # str fields
    assert (choice.provider, choice.reason) == (provider, reason)


def test_offline_says_why_in_one_line() -> None:
    line = describe_web_search(choose_web_search(Settings(), DdgsReach.UNREACHABLE))
    assert line == ("no web search: no SEARXNG_URL/TAVILY_API_KEY/BRAVE_API_KEY and "
                    "DuckDuckGo is unreachable (offline?)")
    assert describe_web_search(WebSearchChoice("searxng", "SEARXNG_URL is set")) == (
        "web search: searxng (SEARXNG_URL is set)")


def test_the_note_without_sources_fits_every_front_end() -> None:
    note = no_sources_note(choose_web_search(Settings(), DdgsReach.UNREACHABLE))
    assert "no web search: " in note and "unreachable (offline?)" in note
    assert "--sources PATH" in note and "on the web page" in note and "SEARXNG_URL" in note


@pytest.mark.parametrize(("provider", "var"), [("searxng", "SEARXNG_URL"),
                                               ("tavily", "TAVILY_API_KEY"),
                                               ("brave", "BRAVE_API_KEY")])
def test_an_explicit_provider_needs_its_setting(provider: str, var: str) -> None:
    with pytest.raises(ConfigError, match=f"SEARCH_PROVIDER={provider} but {var} is not set"):
        choose_web_search(Settings(search_provider=provider), DdgsReach.ANSWERS)


def test_an_unknown_provider_is_an_error() -> None:
    with pytest.raises(ConfigError, match="'bing' is not a known search provider") as info:
        choose_web_search(Settings(search_provider="bing"))
    assert info.value.hint == "use auto, none, searxng, tavily, brave or ddgs"


def test_keys_never_show() -> None:
    choice = choose_web_search(Settings(tavily_api_key="sk-secret"))
    assert choice.setting == "sk-secret" and "sk-secret" not in repr(choice)


def test_providers_follow_the_choice() -> None:
    assert isinstance(web_provider(Settings(), DdgsReach.ANSWERS), DdgsProvider)
    assert web_provider(Settings(), DdgsReach.UNREACHABLE) is None
    assert web_provider(Settings()) is None  # a report whose client did not probe
    assert isinstance(web_provider(Settings(searxng_url="http://s"), DdgsReach.ANSWERS),
                      SearxngProvider)


def test_the_probe_is_made_only_when_auto_needs_it() -> None:
    assert needs_probe(Settings())
    assert not needs_probe(Settings(searxng_url="http://s"))
    assert not needs_probe(Settings(search_provider="none"))
    assert not needs_probe(Settings(search_provider="ddgs"))
    # Neither of these opens a connection.
    assert asyncio.run(probe_ddgs(Settings(searxng_url="http://s"))) is DdgsReach.UNCHECKED
    assert asyncio.run(probe_ddgs(Settings(search_ddgs_probe=DDGS_PROBE_OFF))) is DdgsReach.OFF


@pytest.mark.parametrize("value", ["duckduckgo.com:443", "[::1]:8080", "OFF", "127.0.0.1:9"])
def test_probe_setting_takes_host_port_or_off(value: str, tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    settings = load_settings({"SEARCH_DDGS_PROBE": value}, none, none)
    assert settings.search_ddgs_probe == (DDGS_PROBE_OFF if value == "OFF" else value)


@pytest.mark.parametrize("value", ["duckduckgo.com", "a:0", "a:70000", "http://x:80", "a b:1"])
def test_probe_setting_refuses_anything_else(value: str, tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    with pytest.raises(ConfigError, match="is not host:port or off"):
        load_settings({"SEARCH_DDGS_PROBE": value}, none, none)
