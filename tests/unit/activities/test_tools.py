"""The agent's tool calls (``activities/tools.py``) on a real folder store: paged reads,
the quote check of notes, refusals, and a completed call never run twice."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from durable_research.activities.tools import ToolActivities
from durable_research.config import Settings
from durable_research.contract.citations import SourceKind
from durable_research.contract.keys import agent_call_record_key
from durable_research.errors import FailureType
from durable_research.research.agent.registry import REGISTRY, AtOnce, at_once
from durable_research.research.agent.transcript import PART_CHARS
from durable_research.research.agent.types import (
    ToolCall,
    ToolCallInput,
    ToolCallOutput,
    ToolContext,
    next_table,
)
from durable_research.research.types import Source
from durable_research.store import put_text
from tests.support.helpers import env_for
from tests.support.stores import MeetingStore

FACT = "Tardigrades survive drying out by forming a tun with almost no water."
TEXT = FACT + " " + "Filler words of the manual go on and on here. " * 200 + "The end."


@pytest.fixture
def tools(tmp_path: Path) -> ToolActivities:
    return ToolActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))


def table(tools: ToolActivities) -> list[Source]:
    """One local document, its text in the store."""
    digest = put_text(tools.store, TEXT)
    return [Source(url="doc://manual.md", title="Manual", kind=SourceKind.LOCAL,
                   content_hash=digest)]


async def call(tools: ToolActivities, name: str, key: str = "agent/r/turn-000-call-0.txt",
               refuse: str = "", sources: list[Source] | None = None,
               **args: object) -> tuple[ToolCallOutput, str]:
    """Run one call as the workflow would; its output and the text the model reads."""
    params = ToolCallInput(call=ToolCall(id="c0", name=name, arguments=json.dumps(args)),
                           key=key, refuse=refuse, sources=sources or table(tools))
    out = await env_for("report-1/q1").run(tools.agent_tool, params)
    return out, tools.store.get(out.key).decode()


async def test_a_long_source_is_read_part_by_part(tools: ToolActivities) -> None:
    assert len(TEXT) > PART_CHARS
    out, text = await call(tools, "read", source=1, part=1)
    assert out.ok and out.line == "read [1] part 1" and out.pages_fetched == 0
    assert text.startswith("[1] Manual (part 1 of 2)") and FACT in text
    assert "read(1, 2)" in text
    _out, second = await call(tools, "read", key="agent/r/turn-001-call-0.txt", source=1, part=2)
    assert second.rstrip().endswith("The end.") and FACT not in second
    _out, beyond = await call(tools, "read", key="agent/r/turn-002-call-0.txt", source=1, part=3)
    assert "has 2 part(s)" in beyond


async def test_a_note_must_quote_its_source(tools: ToolActivities) -> None:
    out, text = await call(tools, "note", source=1, quote="forming a tun with almost no water",
                           claim="They dry out safely.")
    assert out.ok and text == "Noted from [1]." and out.cited_hash == table(tools)[0].content_hash
    (note,) = json.loads(tools.store.get(out.notes_key))
    assert note["quote"] == FACT and note["point"] == "They dry out safely."  # widened
    made_up, text = await call(tools, "note", key="agent/r/turn-001-call-0.txt", source=1,
                               quote="Tardigrades can fly to the moon.", claim="x")
    assert not made_up.ok and not made_up.notes_key and "not in source [1]" in text
    unread, text = await call(tools, "note", key="agent/r/turn-002-call-0.txt", source=1,
                              quote=FACT, claim="x", sources=[Source(url="https://a.example/")])
    assert not unread.ok and "read the source first" in text


async def test_refusals_are_recorded_for_the_model(tools: ToolActivities) -> None:
    out, text = await call(tools, "rm_rf", refuse="there is no tool 'rm_rf'")
    assert not out.ok and text == "Not run: there is no tool 'rm_rf'"
    _out, text = await call(tools, "follow", key="agent/r/turn-001-call-0.txt",
                            url="https://elsewhere.example/")
    assert "only links that appear in a page you read" in text
    _out, text = await call(tools, "read", key="agent/r/turn-002-call-0.txt", source=9, part=1)
    assert "name a source [n]" in text


async def test_a_completed_call_is_answered_from_the_store(tools: ToolActivities) -> None:
    first, _text = await call(tools, "note", source=1, quote=FACT, claim="c")
    # The same step again (a retry after the worker died): the saved result, not a new run
    # (the source table given now would not even allow the note).
    again, _text = await call(tools, "note", source=1, quote=FACT, claim="c",
                              sources=[Source(url="https://a.example/")])
    assert again == first and again.notes_key


async def test_the_source_table_goes_by_key_after_the_first_call(tools: ToolActivities) -> None:
    first, _text = await call(tools, "note", source=1, quote=FACT, claim="c")
    assert first.table_key == "runs/report-1/q1/agent/r/turn-000-call-0.sources.json"
    stored = json.loads(tools.store.get(first.table_key))
    assert [s["url"] for s in stored] == ["doc://manual.md"]
    # The next call names the stored table and carries no records: [1] is found by key,
    # and a call that adds nothing keeps the same table.
    params = ToolCallInput(call=ToolCall(id="c1", name="read", arguments='{"source": 1}'),
                           key="agent/r/turn-001-call-0.txt", sources_key=first.table_key)
    out = await env_for("report-1/q1").run(tools.agent_tool, params)
    assert out.ok and out.line == "read [1] part 1" and out.table_key == first.table_key
    # Another run may not name this run's table.
    with pytest.raises(ApplicationError) as foreign:
        await env_for("report-2/q1").run(tools.agent_tool, params)
    assert foreign.value.type == FailureType.FORBIDDEN_KEY


async def test_a_calls_result_and_table_are_written_at_once_its_record_last(
        tools: ToolActivities) -> None:
    sources = table(tools)
    store = MeetingStore(tools.store, lambda key: key.endswith((".txt", ".sources.json")))
    tools._store = store
    out, text = await call(tools, "read", sources=sources, source=1, part=1)
    assert out.ok and FACT in text
    assert len(store.written) == 3
    assert store.written[-1] == agent_call_record_key(out.key)  # the call is done only now
    assert set(store.written[:2]) == {out.key, out.table_key}


def test_only_notes_and_reads_may_run_at_once() -> None:
    assert {name: at_once(name) for name in REGISTRY if at_once(name) != AtOnce.NEVER} == {
        "note": AtOnce.KEEPS_TABLE, "read": AtOnce.OWN_SOURCE}
    assert at_once("mcp_t_lookup") == at_once("rm_rf") == AtOnce.NEVER


async def test_the_notes_a_turn_runs_at_once_leave_the_table_as_it_was(
        tools: ToolActivities) -> None:
    """The workflow runs a turn's notes at once, each from the table they start from:
    each, noted or not, keeps that table and takes no page."""
    first, _text = await call(tools, "note", source=1, quote=FACT, claim="c")
    for k, quote in enumerate([FACT, "Tardigrades can fly to the moon."]):
        params = ToolCallInput(call=ToolCall(id=f"c{k}", name="note", arguments=json.dumps(
            {"source": 1, "quote": quote, "claim": "c"})), key=f"agent/r/turn-001-call-{k}.txt",
            sources_key=first.table_key)
        out = await env_for("report-1/q1").run(tools.agent_tool, params)
        assert out.ok == (k == 0)
        assert out.table_key == first.table_key and not out.added and not out.replaced
        assert out.pages_fetched == 0 and not out.failed


async def test_a_read_changes_only_the_source_it_names(
        tools: ToolActivities, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow runs a turn's reads of different sources at once: each changes at
    most its own row of the table (a page read for the first time), and takes at most
    one page."""
    async def fetched(src: Source) -> Source:
        return replace(src, content_hash=put_text(tools.store, TEXT), chars=len(TEXT))

    monkeypatch.setattr(tools, "fetched", fetched)
    sources = [*table(tools), Source(url="https://a.example/page", title="A page")]
    web, _text = await call(tools, "read", sources=sources, source=2, part=1)
    assert not web.added and web.replaced == 2 and web.pages_fetched == 1
    assert web.source is not None and web.source.url == "https://a.example/page"
    assert next_table(sources, web)[0] == sources[0]
    local, _text = await call(tools, "read", key="agent/r/turn-001-call-0.txt",
                              sources=sources, source=1, part=1)
    assert not local.added and not local.replaced and local.pages_fetched == 0


async def test_search_web_without_a_web_search_says_so(tmp_path: Path) -> None:
    """Found in a new user's trial (offline, ``--sources DIR --agent``): the worker has no
    web search, yet the agent is offered search_web (the report asked for the web); its
    calls answered "0 results", so the model concluded there was nothing to find and all
    four sub-questions ended with no source, while search_documents had the answers."""
    offline = ToolActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path),
                                      search_provider="none"))
    params = ToolCallInput(
        call=ToolCall(id="c0", name="search_web", arguments=json.dumps({"query": "tun"})),
        key="agent/r/turn-000-call-0.txt", sources=[],
        context=ToolContext(subquestion="tun", collection="collections/abc"))
    out = await env_for("report-1/q1").run(offline.agent_tool, params)
    text = offline.store.get(out.key).decode()
    assert not out.ok and out.line == "search_web: this worker has no web search", out.line
    assert text == ("Not run: this worker has no web search; search the documents with "
                    "search_documents instead."), text
    # Without documents there is nothing else to search: said without the advice.
    bare = replace(params, key="agent/r/turn-001-call-0.txt", context=ToolContext())
    out = await env_for("report-1/q1").run(offline.agent_tool, bare)
    assert offline.store.get(out.key).decode() == "Not run: this worker has no web search."
