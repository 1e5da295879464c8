"""What a front end shows of a report, as data and text (pure: no I/O, no markup).

The CLI and the web page print these; neither formats a cost, a usage or research
progress on its own. Texts come from the web and the LLM: each UI still escapes them
for its own medium (Rich markup, HTML).
"""

from __future__ import annotations

from durable_research.contract.llm import Usage
from durable_research.contract.research import Budget, ResearchProgress, SubState
from durable_research.document.render import format_cost as _document_cost

# Live costs are small (one call: fractions of a cent): more places than in a document.
COST_PLACES = 6
# Sub-question states that are final.
FINISHED_SUBS = frozenset({SubState.DONE, SubState.FAILED, SubState.BUDGET})


def format_cost(cost_usd: float | None) -> str:
    """``$0.001234``, or ``unknown`` when the model's price is not known."""
    return _document_cost(cost_usd, places=COST_PLACES)


def format_tokens(usage: Usage) -> str:
    """``1200 in, 300 out``: the tokens of a usage (terminal tables)."""
    return f"{usage.prompt_tokens} in, {usage.completion_tokens} out"


def format_usage(usage: Usage) -> str:
    """Tokens and cost in a few words: ``1,200 tokens in, 300 out, $0.001234``."""
    cost = "cost unknown" if usage.cost_usd is None else format_cost(usage.cost_usd)
    return f"{usage.prompt_tokens:,} tokens in, {usage.completion_tokens:,} out, {cost}"


def subs_done(p: ResearchProgress) -> int:
    """How many sub-questions have ended (done, failed or out of budget)."""
    return sum(1 for s in p.subs if s.state in FINISHED_SUBS)


def format_research_line(p: ResearchProgress) -> str:
    """One short line for a spinner: ``1/3 sub-questions done, 5 pages fetched, 1 failed``."""
    parts = [f"{subs_done(p)}/{len(p.subs)} sub-questions done"] if p.subs else []
    parts.append(f"{p.pages_fetched} pages fetched")
    if p.pages_failed:
        parts.append(f"{p.pages_failed} failed")
    return ", ".join(parts)


def format_research_summary(p: ResearchProgress) -> str:
    """Sub-questions done and pages fetched, kept and failed, in one sentence."""
    parts = [f"{subs_done(p)} of {len(p.subs)} sub-questions done"] if p.subs else []
    parts.append(f"{p.pages_fetched} pages fetched, {p.pages_failed} failed, "
                 f"{p.sources_kept} sources kept")
    return "; ".join(parts)


def format_budget(b: Budget) -> str:
    """The caps: ``$0.5, 10,000 tokens, 20 pages``, or ``no cap``."""
    caps = [f"${b.max_usd:g}" if b.max_usd else "",
            f"{b.max_tokens:,} tokens" if b.max_tokens else "",
            f"{b.max_pages} pages" if b.max_pages else ""]
    return ", ".join(c for c in caps if c) or "no cap"


def progress_rows(p: ResearchProgress) -> list[tuple[str, str]]:
    """Label/value rows describing research progress (unescaped)."""
    rows = [("sources", p.sources or "-"), ("depth", p.depth or "-")]
    for sub in p.subs:
        counts = f"{sub.searched} found, {sub.fetched} fetched, {sub.failed} failed"
        line = f"{sub.state}: {sub.subquestion} ({counts})"
        if sub.steps:  # the research agent: its turns and last step
            line += f" [{sub.steps} turns; last: {sub.step.partition(': ')[2]}]"
        if sub.error:
            line += f" - {sub.error}"
        rows.append((f"q{sub.index + 1}", line))
    if not p.subs and p.plan:
        rows += [(f"q{i + 1}", q) for i, q in enumerate(p.plan)]
    rows.append(("pages", f"{p.pages_fetched} fetched, {p.pages_failed} failed, "
                          f"{p.sources_kept} sources kept"))
    rows.append(("budget", format_budget(p.budget)))
    return rows


def plan_lines(plan: list[str], indent: str = "") -> list[str]:
    """A plan as numbered lines: ``1. first sub-question``."""
    return [f"{indent}{i}. {q}" for i, q in enumerate(plan, 1)]
