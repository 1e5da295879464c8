"""Whether a report's sub-questions are researched by the agent or the fixed pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from durable_research.contract.research import AGENT_STEPS, AgentMode, Depth


@dataclass(frozen=True)
class AgentChoice:
    """The decision, its turn bound, and the one line that says why (for the log)."""

    agent: bool
    max_steps: int
    why: str


def choose(mode: str, depth: str, max_steps: int, tool_calling: bool,
           tool_calling_note: str) -> AgentChoice:
    """The agent for standard and deep research when the model calls tools and the report
    did not say ``--no-agent``; otherwise the fixed pipeline, and why (an unknown mode,
    which no client sends, is said too rather than failing the report's workflow task).
    """
    if mode not in set(AgentMode) or depth not in set(Depth):
        return AgentChoice(False, 0, f"research: the fixed pipeline (unknown agent mode "
                                     f"{mode[:20]!r} or depth {depth[:20]!r})")
    wanted, level = AgentMode(mode), Depth(depth)
    steps = max_steps or AGENT_STEPS[level]
    if wanted is AgentMode.OFF or level is Depth.QUICK:
        return AgentChoice(False, 0, "")
    if not tool_calling:
        why = tool_calling_note or "the model does not call tools"
        return AgentChoice(False, 0, f"research: the fixed pipeline ({why})")
    return AgentChoice(True, steps, f"research: the agent (the model chooses its tools, "
                                    f"at most {steps} turns per sub-question)")
