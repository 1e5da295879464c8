"""The report's budget: caps, what was spent, and each sub-question's allowance.

Pure and deterministic (runs inside the workflow). Research may use a share of the
money and token caps so that writing and checking always have some left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from durable_research.contract.llm import Usage
from durable_research.contract.research import Budget
from durable_research.contract.review import RaiseBudgetInput
from durable_research.research.types import Allowance

RESEARCH_SHARE = 0.7


def add_raise(allowance: Allowance, extra: Allowance) -> None:
    """Add a budget raise's ``extra`` to ``allowance`` (in place).

    The one rule for both sides: the sub-question's own allowance
    (``ResearchQuestionWorkflow.raise_allowance``) and the report's record of what it
    granted (``Research.share_raise``). No cap (-1) stays no cap; an ``extra`` of -1
    lifts the cap.
    """
    if allowance.pages >= 0:
        allowance.pages = -1 if extra.pages < 0 else allowance.pages + extra.pages
    if allowance.usd >= 0:
        allowance.usd = -1.0 if extra.usd < 0 else allowance.usd + extra.usd
    if allowance.tokens >= 0:
        allowance.tokens = -1 if extra.tokens < 0 else allowance.tokens + extra.tokens


@dataclass
class BudgetTracker:
    """Spending of one report against its caps (0 = no cap)."""

    caps: Budget = field(default_factory=Budget)
    own: Usage = field(default_factory=Usage)
    # Latest usage and pages per sub-question, and what each was allowed.
    child_usage: dict[int, Usage] = field(default_factory=dict)
    child_pages: dict[int, int] = field(default_factory=dict)
    granted: dict[int, Allowance] = field(default_factory=dict)
    finished: set[int] = field(default_factory=set)

    def total(self) -> Usage:
        """Usage of the report so far (its own calls and every sub-question's)."""
        total = self.own
        for usage in self.child_usage.values():
            total = total.add(usage)
        return total

    def pages(self) -> int:
        """Pages fetched (or tried) so far."""
        return sum(self.child_pages.values())

    def llm_allowed(self) -> bool:
        """Whether another LLM call fits under the caps."""
        total = self.total()
        if self.caps.max_usd and total.cost_usd is not None and total.cost_usd >= self.caps.max_usd:
            return False
        return not (self.caps.max_tokens and total.total_tokens >= self.caps.max_tokens)

    def _committed(self, what: str) -> float:
        """Spent by finished sub-questions plus reserved by running ones."""
        committed = 0.0
        for index, grant in self.granted.items():
            usage = self.child_usage.get(index, Usage())
            spent = {"usd": usage.cost_usd or 0.0, "tokens": float(usage.total_tokens),
                     "pages": float(self.child_pages.get(index, 0))}[what]
            limit = {"usd": grant.usd, "tokens": float(grant.tokens),
                     "pages": float(grant.pages)}[what]
            committed += spent if index in self.finished else max(spent, limit)
        return committed

    def allowance(self, waiting: int) -> Allowance:
        """What the next sub-question may spend, ``waiting`` counting it and the unstarted."""
        share = max(waiting, 1)

        def part(cap: float, what: str, ratio: float) -> float:
            if not cap:
                return -1.0
            own = (self.own.cost_usd or 0.0) if what == "usd" else float(self.own.total_tokens)
            own = 0.0 if what == "pages" else own
            return max(0.0, (cap * ratio - own - self._committed(what)) / share)

        return Allowance(
            pages=int(part(float(self.caps.max_pages), "pages", 1.0)),
            usd=part(self.caps.max_usd, "usd", RESEARCH_SHARE),
            tokens=int(part(float(self.caps.max_tokens), "tokens", RESEARCH_SHARE)),
        )

    def raise_caps(self, params: RaiseBudgetInput) -> Budget:
        """Raise caps (a 0 keeps a cap); lowering is refused by the Update's validator."""
        c = self.caps
        self.caps = Budget(
            max_usd=params.max_usd or c.max_usd,
            max_tokens=params.max_tokens or c.max_tokens,
            max_pages=params.max_pages or c.max_pages,
        )
        return self.caps

    def describe(self) -> str:
        """A short line: what was spent against which caps."""
        total = self.total()
        parts = []
        cost = "unknown" if total.cost_usd is None else f"${total.cost_usd:.4f}"
        parts.append(f"cost {cost}" + (f" of ${self.caps.max_usd:g}" if self.caps.max_usd
                                       else ""))
        parts.append(f"{total.total_tokens:,} tokens" + (
            f" of {self.caps.max_tokens:,}" if self.caps.max_tokens else ""))
        parts.append(f"{self.pages()} pages" + (
            f" of {self.caps.max_pages}" if self.caps.max_pages else ""))
        return ", ".join(parts)
