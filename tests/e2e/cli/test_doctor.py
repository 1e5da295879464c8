"""``research doctor`` reports what is wrong in plain words."""

from __future__ import annotations

import asyncio

from temporalio.worker import Worker

from durable_research.client.workers import workers_polling
from durable_research.config import Settings
from durable_research.doctor.check import FAIL, OK, WARN, Check
from durable_research.doctor.run import run_checks
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.ports import free_port
from durable_research.testing.smtp_sink import SmtpSink
from tests.support.settings import mail_settings, with_settings


def by_name(checks: list[Check]) -> dict[str, Check]:
    """Checks keyed by name."""
    return {c.name: c for c in checks}


async def test_healthy_setup(
    research_settings: Settings, fake_llm: FakeLLM, worker: Worker
) -> None:
    # A worker just started registers as a poller with its first poll, which may lag on
    # a loaded machine: a healthy setup is one where it already polls.
    client = worker.client
    for _ in range(100):
        if await workers_polling(client, research_settings.task_queue, activities=True):
            break
        await asyncio.sleep(0.1)
    with SmtpSink() as sink:
        good = mail_settings(research_settings, sink.port, email_to="me@example.org")
        checks = by_name(await run_checks(good, call_llm=True))
    assert {name: c.level for name, c in checks.items()} == {
        "LLM settings": OK, "LLM call": OK, "Temporal": OK, "Workers": OK, "SMTP": OK,
        "Output": OK, "Payload encryption": OK, "Artifact store": OK, "Web search": OK,
        "Fonts": OK,
    }
    assert "searxng answered" in checks["Web search"].message
    assert "(SEARXNG_URL is set)" in checks["Web search"].message
    assert fake_llm.successes == 1


async def test_everything_wrong(settings: Settings, fake_llm: FakeLLM) -> None:
    fake_llm.script({"status": 401})
    bad = mail_settings(settings, free_port(), temporal_address=f"127.0.0.1:{free_port()}",
                        output_dir="/proc/forbidden")
    checks = by_name(await run_checks(bad, call_llm=True))
    assert checks["LLM call"].level == FAIL and "401" in checks["LLM call"].message
    assert checks["LLM call"].hint == "check LLM_API_KEY"
    assert checks["Temporal"].level == FAIL and "nothing answers" in checks["Temporal"].message
    assert checks["SMTP"].level == FAIL and "Connection refused" in checks["SMTP"].message
    assert checks["Output"].level == FAIL


async def test_research_checks(settings: Settings, tmp_path: object) -> None:
    none = by_name(await run_checks(settings, call_llm=False))
    assert none["Web search"].level == WARN and "SEARCH_PROVIDER" in none["Web search"].hint
    assert "SEARCH_DDGS_PROBE=off" in none["Web search"].message
    # auto, nothing configured and DuckDuckGo unreachable: which (none) and why.
    offline = with_settings(settings, search_ddgs_probe=f"127.0.0.1:{free_port()}")
    search = by_name(await run_checks(offline, call_llm=False))["Web search"]
    assert search.level == WARN and search.message.startswith(
        "no web search: no SEARXNG_URL/TAVILY_API_KEY/BRAVE_API_KEY and DuckDuckGo is "
        "unreachable (offline?)"), search.message
    bad = with_settings(settings, search_provider="tavily", store="s3://")
    checks = by_name(await run_checks(bad, call_llm=False))
    assert checks["Web search"].level == FAIL and "TAVILY_API_KEY" in (
        checks["Web search"].message + checks["Web search"].hint)
    assert checks["Artifact store"].level == FAIL
    down = with_settings(settings, searxng_url=f"http://127.0.0.1:{free_port()}")
    checks = by_name(await run_checks(down, call_llm=False))
    assert checks["Web search"].level == FAIL and "searxng failed" in checks["Web search"].message


async def test_missing_model_and_no_worker(settings: Settings) -> None:
    checks = by_name(await run_checks(with_settings(settings, llm_model=""), call_llm=False))
    assert checks["LLM settings"].level == FAIL
    assert "LLM_MODEL" in checks["LLM settings"].hint
    assert checks["Workers"].level == WARN
    assert checks["SMTP"].level == WARN


async def test_doctor_never_shows_url_credentials(settings: Settings) -> None:
    """User and password in a URL setting (or an error quoting it) are never echoed."""
    dead = free_port()
    creds = with_settings(settings, llm_api_base=f"http://me:s3cr3t@127.0.0.1:{dead}/v1",
                          searxng_url=f"https://me:s3cr3t@127.0.0.1:{dead}/search")
    checks = await run_checks(creds, call_llm=True)
    shown = "\n".join(f"{c.message} {c.hint}" for c in checks)
    assert "s3cr3t" not in shown and "me:" not in shown
    assert f"http://***@127.0.0.1:{dead}/v1" in shown
