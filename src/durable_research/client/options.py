"""A report's options by the name each front end gives them, for the client's messages.

The checks of a new report's options are the client's, shared by every front end (one
rule, one message), but a refusal must name what the user wrote: ``--max-pages`` on the
command line, ``max_pages`` in the HTTP API's JSON body and the MCP tools' arguments,
"Preferred documents" on the web page's form. So each option is named here once in the
three spellings, and each request says which one its front end uses
(``ResearchOptions.spelling``); nothing else spells an option in a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Spelling(StrEnum):
    """How a front end names the options."""

    CLI = "cli"
    # The HTTP API's JSON fields and the MCP tools' arguments.
    FIELD = "field"
    # The web page's form, by its labels.
    FORM = "form"


@dataclass(frozen=True)
class Option:
    """One option: its name on the command line, as a field, and its label on the page."""

    cli: str
    field: str
    form: str

    def name(self, spelling: Spelling) -> str:
        """The option as ``spelling`` names it."""
        return {Spelling.CLI: self.cli, Spelling.FIELD: self.field,
                Spelling.FORM: self.form}[spelling]

    def given(self, spelling: Spelling, value: str) -> str:
        """The option with a value, as a user of that front end would write it
        (``--depth standard``, ``depth 'standard'``, ``"Depth" standard``)."""
        value = str(value)  # an enum's value, not its repr
        if spelling is Spelling.CLI:
            return f"{self.cli} {value}"
        return f"{self.name(spelling)} {value!r}" if spelling is Spelling.FIELD \
            else f"{self.form} {value}"

    def wanted(self, spelling: Spelling, placeholder: str) -> str:
        """The option asked for with a value to fill in (``--sources PATH``); on the page
        its control is filled in, not typed, so it is named alone ("Your documents")."""
        if spelling is Spelling.FORM:
            return self.form
        return self.given(spelling, placeholder)


def names(spelling: Spelling, *options: Option) -> str:
    """Several options as ``spelling`` names them: "--sources/--clarify"."""
    return "/".join(o.name(spelling) for o in options)


SOURCES = Option("--sources", "sources", '"Your documents"')
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
PREFER_PATH = Option("--prefer-path", "prefer_paths", '"Preferred documents"')
AGENT = Option("--agent", "agent", '"Research agent"')
NO_AGENT = Option("--no-agent", "agent off", '"Research agent" off')
MAX_STEPS = Option("--max-steps", "max_steps", "the agent's step cap")
EMAIL = Option("--email", "email", '"E-mail the report to"')
