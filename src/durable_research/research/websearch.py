"""Which web search a report gets, and the one line that says why (pure: no I/O).

``SEARCH_PROVIDER=auto`` (the default) takes, in this order: SearXNG when
``SEARXNG_URL`` is set, Tavily or Brave when its key is set, else DuckDuckGo (``ddgs``,
no key) when the network answers, else no web search. "The network answers" is a
bounded probe made once where a report is prepared (the client) and by ``research
doctor`` (research/reachability.py), never in a workflow; its result travels in the
workflow input (:class:`DdgsReach`), so a worker's choice is the client's and tests,
which set ``SEARCH_DDGS_PROBE=off``, never reach for the internet.

The CLI, the web page, ``research doctor`` and the worker's note on a report without
sources all say it with :func:`describe_web_search` and :func:`no_sources_note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from durable_research.config import Settings
from durable_research.contract.research import DdgsReach
from durable_research.errors import ConfigError

AUTO = "auto"
NONE = "none"
DDGS = "ddgs"
# Providers that need a setting, in the order auto takes them, with its variable.
CONFIGURED = {"searxng": "SEARXNG_URL", "tavily": "TAVILY_API_KEY", "brave": "BRAVE_API_KEY"}
PROVIDERS = (AUTO, NONE, *CONFIGURED, DDGS)
_NOTHING_SET = "no " + "/".join(CONFIGURED.values())
# What auto says about DuckDuckGo, by what the probe found.
_DDGS_REASONS = {
    DdgsReach.ANSWERS: f"{_NOTHING_SET}; DuckDuckGo answers and needs no key",
    DdgsReach.UNREACHABLE: f"{_NOTHING_SET} and DuckDuckGo is unreachable (offline?)",
    DdgsReach.OFF: f"{_NOTHING_SET}, and SEARCH_DDGS_PROBE=off keeps DuckDuckGo out of auto",
    DdgsReach.UNCHECKED: f"{_NOTHING_SET}, and DuckDuckGo was not checked by the client",
}
ENABLE_HINT = ("set SEARXNG_URL, TAVILY_API_KEY or BRAVE_API_KEY, or SEARCH_PROVIDER=ddgs "
               "(DuckDuckGo, no key)")


@dataclass(frozen=True)
class WebSearchChoice:
    """The provider a report searches the web with ("" for none), and why."""

    provider: str
    reason: str
    # The URL or key the provider is used with ("" for none and ddgs); never shown.
    setting: str = field(default="", repr=False)


def setting_value(settings: Settings, provider: str) -> str:
    """The URL or key a configured provider needs (its setting's value)."""
    values = {"searxng": settings.searxng_url, "tavily": settings.tavily_api_key,
              "brave": settings.brave_api_key}
    return values.get(provider, "")


def needs_probe(settings: Settings) -> bool:
    """Whether auto's choice depends on DuckDuckGo answering (nothing else configured)."""
    return ((settings.search_provider or AUTO) == AUTO
            and not any(setting_value(settings, p) for p in CONFIGURED))


def choose_web_search(settings: Settings, ddgs: str = DdgsReach.UNCHECKED) -> WebSearchChoice:
    """The web search the settings and the probe's finding ``ddgs`` give.

    Raises:
        ConfigError: An unknown SEARCH_PROVIDER, or a provider chosen explicitly whose
            URL or key is not set.
    """
    choice = settings.search_provider or AUTO
    if choice not in PROVIDERS:
        raise ConfigError(f"SEARCH_PROVIDER={choice!r} is not a known search provider",
                          f"use {', '.join(PROVIDERS[:-1])} or {PROVIDERS[-1]}")
    if choice == NONE:
        return WebSearchChoice("", "SEARCH_PROVIDER=none")
    if choice == DDGS:
        return WebSearchChoice(DDGS, "SEARCH_PROVIDER=ddgs")
    if choice in CONFIGURED:
        var = CONFIGURED[choice]
        if not setting_value(settings, choice):
            what = "the URL of your SearXNG instance" if choice == "searxng" else "your API key"
            raise ConfigError(f"SEARCH_PROVIDER={choice} but {var} is not set",
                              f"set {var} to {what}, or SEARCH_PROVIDER=auto")
        return WebSearchChoice(choice, f"SEARCH_PROVIDER={choice}",
                               setting_value(settings, choice))
    for provider, var in CONFIGURED.items():
        if setting_value(settings, provider):
            return WebSearchChoice(provider, f"{var} is set", setting_value(settings, provider))
    try:
        reach = DdgsReach(ddgs)
    except ValueError:  # from a newer client: not a finding this worker knows
        reach = DdgsReach.UNCHECKED
    return WebSearchChoice(DDGS if reach is DdgsReach.ANSWERS else "", _DDGS_REASONS[reach])


# How the line describe_web_search gives starts: with web search, and without.
WEB_SEARCH_LINES = ("web search: ", "no web search: ")


def describe_web_search(choice: WebSearchChoice) -> str:
    """One line: ``web search: ddgs (why)`` or ``no web search: why``."""
    if choice.provider:
        return f"{WEB_SEARCH_LINES[0]}{choice.provider} ({choice.reason})"
    return f"{WEB_SEARCH_LINES[1]}{choice.reason}"


def no_sources_note(choice: WebSearchChoice) -> str:
    """The note on a report that had no source at all (no web search, no documents),
    worded for every front end."""
    return (f"No research sources ({describe_web_search(choice)}; no documents given): "
            "the report is a single LLM answer without citations. For cited research add "
            "your documents (--sources PATH, or \"Your documents\" on the web page) or "
            f"{ENABLE_HINT}.")
