"""``research doctor``: check settings, Temporal, the LLM, SMTP, fonts and output, in plain words.

Each check returns a :class:`~durable_research.doctor.check.Check`; nothing here prints.
"""

from __future__ import annotations

import asyncio
import smtplib
import tempfile
from pathlib import Path

from durable_research import client as rc
from durable_research.config import Settings, check_llm_settings
from durable_research.doctor.check import FAIL, OK, WARN, Check, redact_credentials
from durable_research.doctor.research import (
    check_embeddings,
    check_mcp,
    check_payload_key,
    check_search,
    check_store,
)
from durable_research.embedded import devserver
from durable_research.errors import UserError


def check_llm_config(settings: Settings) -> Check:
    """Is a model configured, with a key where the provider needs one?"""
    try:
        check_llm_settings(settings)
    except UserError as exc:
        return Check("LLM settings", FAIL, exc.message, exc.hint)
    where = f" via {settings.llm_api_base}" if settings.llm_api_base else ""
    return Check("LLM settings", OK, f"model {settings.llm_model}{where}")


async def check_llm_call(settings: Settings) -> Check:
    """One tiny real completion, to prove key, model and network."""
    if not settings.llm_model:
        return Check("LLM call", FAIL, "skipped: no model configured")
    import litellm

    from durable_research.llm.calls import classify_llm_error
    from durable_research.llm.clients import acompletion

    kwargs: dict[str, object] = {
        "model": settings.llm_model,
        "messages": [{"role": "user", "content": "Reply with the word: ok"}],
        "max_tokens": 5,
        "num_retries": 0,
        "timeout": min(settings.llm_timeout_s, 60),
    }
    if settings.llm_api_key:
        kwargs["api_key"] = settings.llm_api_key
    if settings.llm_api_base:
        kwargs["api_base"] = settings.llm_api_base
    try:
        response = await acompletion(litellm, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every provider error is reported in words
        err = classify_llm_error(exc, settings.llm_model)
        hint = "check LLM_API_KEY" if err.non_retryable else "the provider may be down; retry"
        return Check("LLM call", FAIL, str(err), hint)
    text = (response.choices[0].message.content or "").strip()
    return Check("LLM call", OK, f"the model answered {text[:40]!r}")


async def check_temporal(settings: Settings) -> list[Check]:
    """Reach the server, the namespace, and see whether workers poll the task queue."""

    from durable_research.client import connect

    address = settings.temporal_address
    host, port = devserver.split_address(address)
    if devserver.is_local(address) and not devserver.port_open(host, port):
        try:
            binary = devserver.temporal_binary()
        except UserError as exc:
            return [Check("Temporal", FAIL, f"nothing answers at {address}; {exc.message}",
                          exc.hint)]
        if settings.embedded == "never":
            return [Check("Temporal", FAIL, f"nothing answers at {address}",
                          "start one with `research server` or set RESEARCH_EMBEDDED=auto")]
        return [Check("Temporal", WARN, f"nothing answers at {address} yet",
                      f"`research run` will start the embedded server ({binary})")]
    try:
        conn = await connect(settings, allow_embedded=False)
    except UserError as exc:
        return [Check("Temporal", FAIL, exc.message, exc.hint)]
    checks = [Check("Temporal", OK, f"connected to {address}, "
                    f"namespace {settings.temporal_namespace}")]
    try:
        pollers = await rc.workers_polling(conn.client, settings.task_queue, activities=True)
    except Exception as exc:  # noqa: BLE001 - permissions differ between servers
        checks.append(Check("Workers", WARN, f"cannot list pollers: {exc}"))
        return checks
    if pollers:
        checks.append(Check("Workers", OK, f"{pollers} worker(s) poll task queue "
                            f"{settings.task_queue!r}"))
    else:
        checks.append(Check("Workers", WARN, f"no worker polls task queue {settings.task_queue!r}",
                            "`research run` hosts one; otherwise start `research worker`"))
    return checks


def check_smtp(settings: Settings) -> Check:
    """Connect, greet, STARTTLS and log in, without sending anything."""
    if not settings.smtp_configured:
        return Check("SMTP", WARN, "not configured: reports are not e-mailed",
                     "set SMTP_HOST (and SMTP_USER/SMTP_PASSWORD, EMAIL_TO) to send them")
    from durable_research.mail.smtp import SmtpInsecureError, smtp_port, smtp_session

    port = smtp_port(settings)
    try:
        with smtp_session(settings, timeout=15):
            pass
    except smtplib.SMTPAuthenticationError:
        return Check("SMTP", FAIL, f"login refused for {settings.smtp_user!r}",
                     "check SMTP_USER / SMTP_PASSWORD")
    except SmtpInsecureError as exc:
        return Check("SMTP", FAIL, str(exc), "the password is never sent without TLS")
    except (OSError, smtplib.SMTPException) as exc:
        return Check("SMTP", FAIL, f"cannot talk to {settings.smtp_host}:{port}: {exc}",
                     "check SMTP_HOST, SMTP_PORT and SMTP_SECURITY")
    if settings.smtp_password and settings.smtp_security == "none":
        return Check("SMTP", WARN, f"{settings.smtp_host}:{port} works, but SMTP_SECURITY=none "
                     "sends the password in clear text", "use ssl or starttls if the server can")
    if not settings.email_to:
        return Check("SMTP", WARN, f"{settings.smtp_host}:{port} works, but EMAIL_TO is empty",
                     "set EMAIL_TO or pass --email")
    return Check("SMTP", OK, f"{settings.smtp_host}:{port} accepts us")


def check_output(settings: Settings) -> Check:
    """Can reports be written to the output directory?"""
    out = settings.output_path
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("Output", FAIL, f"cannot write to {out}: {exc.strerror}",
                     "set RESEARCH_OUTPUT_DIR to a writable folder")
    return Check("Output", OK, f"reports go to {out}")


def check_fonts() -> Check:
    """Are the fonts for the PDF present?"""
    from durable_research.layout.fonts import FontNotFoundError, font_set

    try:
        fonts = font_set()
    except FontNotFoundError as exc:
        return Check("Fonts", FAIL, str(exc))
    names = ", ".join(Path(f).name for f in fonts.files)
    if not fonts.fallbacks:
        return Check("Fonts", WARN, f"only {names}: CJK and symbols will show as �",
                     "install the Debian packages in scripts/apt-packages.txt")
    return Check("Fonts", OK, names)


async def run_checks(settings: Settings, call_llm: bool) -> list[Check]:
    """All checks, in the order a user would fix them; no URL credentials in them."""
    checks = await _all_checks(settings, call_llm)
    for check in checks:  # what doctor prints may be pasted into a bug report
        check.message = redact_credentials(check.message)
        check.hint = redact_credentials(check.hint)
    return checks


async def _all_checks(settings: Settings, call_llm: bool) -> list[Check]:
    from durable_research.embedded.localmodel import settings_with_local_llm

    try:
        settings, local = await asyncio.to_thread(settings_with_local_llm, settings)
    except UserError as exc:
        return [Check("LLM settings", FAIL, exc.message, exc.hint)]
    checks = [check_llm_config(settings)]
    if local is not None:
        checks[0].message = f"no provider configured: using {local.description}"
    if call_llm:
        checks.append(await check_llm_call(settings))
    checks += await check_temporal(settings)
    checks.append(await asyncio.to_thread(check_smtp, settings))
    checks.append(check_output(settings))
    checks.append(check_payload_key(settings))
    checks.append(await asyncio.to_thread(check_store, settings))
    checks.append(await check_search(settings))
    checks += await check_mcp(settings)
    if settings.embedding_model:
        checks.append(await check_embeddings(settings, call_llm))
    checks.append(check_fonts())
    return checks
