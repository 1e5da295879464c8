"""A model call's provider held until the test lets it answer, and an attempt started a
given time ago: for the tests of when a model call heartbeats (the LLM step's and the
agent's model turn, which share ``activities.heartbeat.with_heartbeats``)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

from durable_research.contract.llm import Usage
from tests.support.helpers import env_for


def hold_provider(monkeypatch: pytest.MonkeyPatch, module: ModuleType,
                  message: SimpleNamespace) -> asyncio.Event:
    """Patch ``module``'s litellm calls: its answer (``message``) waits for the returned
    event (set: it answers at once)."""
    release = asyncio.Event()

    async def no_litellm() -> Any:
        return SimpleNamespace()

    async def acompletion(_litellm: Any, **_kwargs: Any) -> Any:
        # A network answer arrives on a later turn of the event loop, never in the same one.
        for _ in range(5):
            await asyncio.sleep(0)
        await release.wait()
        return SimpleNamespace(choices=[SimpleNamespace(message=message)])

    monkeypatch.setattr(module, "load_litellm", no_litellm)
    monkeypatch.setattr(module, "completion_kwargs", lambda *_a, **_k: {"model": "openai/m"})
    monkeypatch.setattr(module, "acompletion", acompletion)
    monkeypatch.setattr(module, "usage_of", lambda _r: Usage())
    return release


def attempt(workflow_id: str, heartbeat: timedelta | None,
            started_s_ago: float) -> ActivityEnvironment:
    """An attempt of a step with that heartbeat timeout, started that long ago."""
    env = env_for(workflow_id)
    started = datetime.now(UTC) - timedelta(seconds=started_s_ago)
    env.info = dataclasses.replace(env.info, heartbeat_timeout=heartbeat, started_time=started)
    return env
