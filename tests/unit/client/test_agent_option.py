"""``--agent``/``--no-agent``/``--max-steps`` and the web form's mode, validated once."""

from __future__ import annotations

import pytest

from durable_research.client import research as cr
from durable_research.contract.report import ReportInput
from durable_research.contract.research import AgentMode
from durable_research.errors import UserError


def prepared(**options: object) -> ReportInput:
    """The workflow input for these research options (no documents)."""
    return cr.with_research(ReportInput(), cr.ResearchOptions(**options),  # type: ignore[arg-type]  # its fields
                            cr.PreparedSources())


@pytest.mark.parametrize(("agent", "mode"), [(None, AgentMode.AUTO), (True, AgentMode.ON),
                                             (False, AgentMode.OFF)])
def test_the_flag_becomes_the_mode(agent: bool | None, mode: AgentMode) -> None:
    assert prepared(agent=agent).agent == mode


def test_max_steps_travels_with_the_agent() -> None:
    p = prepared(agent=True, max_steps=5, depth="deep")
    assert (p.agent, p.max_steps) == (AgentMode.ON, 5)


@pytest.mark.parametrize("options", [{"agent": True, "depth": "quick"},
                                     {"max_steps": 3, "depth": "quick"},
                                     {"agent": False, "max_steps": 3},
                                     {"agent": True, "max_steps": 101}])
def test_contradictions_are_user_errors(options: dict[str, object]) -> None:
    with pytest.raises(UserError):
        prepared(**options)


def test_the_web_forms_mode() -> None:
    assert [cr.parse_agent_mode(m) for m in (" Auto", "on", "OFF")] == [None, True, False]
    with pytest.raises(UserError, match="Unknown agent mode"):
        cr.parse_agent_mode("maybe")
