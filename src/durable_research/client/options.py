"""A report's options by the name each front end gives them, for the client's messages.

The checks of a new report's options are the client's, shared by every front end (one
rule, one message), but a refusal must name what the user wrote: ``--max-pages`` on the
command line, ``max_pages`` in the HTTP API's JSON body and the MCP tools' arguments,
"Preferred documents" on the web page's form. So each option is named here once in the
three spellings, and each request says which one its front end uses
(``ResearchOptions.spelling``); nothing else spells an option in a message. A front end
that lacks an option (the HTTP API takes no documents) is never asked to give it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Spelling(StrEnum):
    """How a front end names the options."""

    CLI = "cli"
    # The HTTP API's JSON fields: the MCP tools' names, but it takes no documents.
    API = "api"
    # The MCP tools' arguments.
    FIELD = "field"
    # The web page's form, by its labels.
    FORM = "form"


@dataclass(frozen=True)
class Option:
    """One option: its name on the command line, as a field, and its label on the page."""

    cli: str
    field: str
    form: str
    # Whether the HTTP API's body has it (the other front ends have them all).
    in_api: bool = True

    def name(self, spelling: Spelling) -> str:
        """The option as ``spelling`` names it."""
        return {Spelling.CLI: self.cli, Spelling.API: self.field, Spelling.FIELD: self.field,
                Spelling.FORM: self.form}[spelling]

    def offered(self, spelling: Spelling) -> bool:
        """Whether the front end of ``spelling`` has this option, so a hint may ask for it."""
        return self.in_api or spelling is not Spelling.API

    def given(self, spelling: Spelling, value: str) -> str:
        """The option with a value, as a user of that front end would write it
        (``--depth standard``, ``depth 'standard'``, ``"Depth" standard``)."""
        value = str(value)  # an enum's value, not its repr
        if spelling is Spelling.CLI:
            return f"{self.cli} {value}"
        return f"{self.form} {value}" if spelling is Spelling.FORM \
            else f"{self.field} {value!r}"

    def wanted(self, spelling: Spelling, placeholder: str) -> str:
        """The option asked for with a value to fill in (``--sources PATH``); on the page
        its control is filled in, not typed, so it is named alone ("Your documents")."""
        if spelling is Spelling.FORM:
            return self.form
        return self.given(spelling, placeholder)


def names(spelling: Spelling, *options: Option) -> str:
    """Several options as ``spelling`` names them: "--sources/--clarify"."""
    return "/".join(o.name(spelling) for o in options)


# The HTTP API takes no uploads: documents come from the command line, the page, or the
# MCP server's allowed folders.
SOURCES = Option("--sources", "sources", '"Your documents"', in_api=False)
# Turning web search off: a flag on the command line, a value elsewhere.
NO_WEB = Option("--no-web", "web false", 'no "Also search the web"')
DEPTH = Option("--depth", "depth", '"Depth"')
REVIEW_PLAN = Option("--review-plan", "review_plan", '"review the research plan"')
CLARIFY = Option("--clarify", "clarify", '"let the model ask me"')
BUDGET_USD = Option("--budget-usd", "budget_usd", "the cost cap")
MAX_TOKENS = Option("--max-tokens", "max_tokens", "the token cap")
MAX_PAGES = Option("--max-pages", "max_pages", "the page cap")
ALLOW_DOMAIN = Option("--allow-domain", "allow_domains", "the allowed web sites")
DENY_DOMAIN = Option("--deny-domain", "deny_domains", "the denied web sites")
PREFER_DOMAIN = Option("--prefer-domain", "prefer_domains", '"Preferred web sites"')
PREFER_PATH = Option("--prefer-path", "prefer_paths", '"Preferred documents"', in_api=False)
AGENT = Option("--agent", "agent", '"Research agent"')
NO_AGENT = Option("--no-agent", "agent off", '"Research agent" off')
MAX_STEPS = Option("--max-steps", "max_steps", "the agent's step cap")
EMAIL = Option("--email", "email", '"E-mail the report to"')
FORMATS = Option("--format", "formats", '"Formats"')
