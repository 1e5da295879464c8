"""Agent or fixed pipeline (``research/agent/choice.py``), and the tool registry."""

from __future__ import annotations

from durable_research.activities.tools import HANDLERS
from durable_research.research.agent.choice import choose
from durable_research.research.agent.registry import REGISTRY, ToolName, offered, repeat_of


def test_auto_takes_the_agent_when_the_model_calls_tools() -> None:
    chosen = choose("auto", "standard", 0, True, "")
    assert chosen.agent and chosen.max_steps == 12 and "the agent" in chosen.why
    assert choose("auto", "deep", 0, True, "").max_steps == 24
    assert choose("on", "deep", 5, True, "").max_steps == 5


def test_the_fixed_pipeline_says_why_once() -> None:
    chosen = choose("auto", "standard", 0, False, "litellm does not list 'x'")
    assert not chosen.agent
    assert chosen.why == "research: the fixed pipeline (litellm does not list 'x')"
    assert choose("on", "standard", 0, False, "").why.endswith("(the model does not call "
                                                               "tools)")
    # Asked for the fixed pipeline, or quick: nothing to say.
    assert choose("off", "deep", 0, True, "").why == ""
    assert not choose("auto", "quick", 0, True, "").agent
    assert "unknown agent mode 'later'" in choose("later", "deep", 0, True, "").why


def test_every_tool_has_a_handler_and_a_schema() -> None:
    assert set(REGISTRY) - set(HANDLERS) == {ToolName.DONE}  # done is the workflow's own
    for spec in REGISTRY.values():
        function = spec.openai()["function"]
        assert function["parameters"]["required"] == list(
            function["parameters"]["properties"])


def test_tools_offered_follow_the_sources() -> None:
    assert offered(web=False, documents=True)[0] == ToolName.SEARCH_DOCUMENTS
    assert ToolName.SEARCH_DOCUMENTS not in offered(web=True, documents=False)


def test_repeats_are_recognised_whatever_the_spacing_and_case() -> None:
    same = repeat_of("search_web", '{"query": " Tardigrade  Survival"}')
    assert same == repeat_of("search_web", '{"query": "tardigrade survival"}') != ""
    assert repeat_of("read", '{"source": 1, "part": 1}') != repeat_of(
        "read", '{"source": 1, "part": 2}')
    assert repeat_of("done", '{"summary": "x"}') == "" == repeat_of("search_web", "not json")
