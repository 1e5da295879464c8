"""A report that asks for e-mail while the worker cannot send it: refused before it
starts when the worker is this machine's (its settings are known), a note when it may
be another's (found in a new user's trial: `research run --email me@example.com` with no
SMTP_HOST ran the whole report and said only at the end "e-mail not sent")."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from durable_research.client import research as cr
from durable_research.client.mail import MAIL_ELSEWHERE_NOTE, check_mail
from durable_research.client.prepare import ReportRequest, prepare_report
from durable_research.client.workers import workers_here
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.errors import UserError
from durable_research.testing.ports import free_port


def _settings(tmp_path: Path, **changes: object) -> Settings:
    base = Settings(store=str(tmp_path / "store"), output_dir=str(tmp_path / "out"),
                    data_dir=str(tmp_path / "data"), search_ddgs_probe=DDGS_PROBE_OFF)
    return replace(base, **changes)  # type: ignore[arg-type]  # Settings' fields


def test_this_machines_worker_without_smtp_refuses_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="SMTP_HOST is not set") as exc:
        check_mail(_settings(tmp_path), "me@example.com", workers_here=lambda _s: True)
    assert "--email" in exc.value.message
    assert "set SMTP_HOST" in exc.value.hint and "drop --email" in exc.value.hint


def test_a_worker_elsewhere_may_have_smtp_so_it_is_only_a_note(tmp_path: Path) -> None:
    assert check_mail(_settings(tmp_path), "me@example.com", workers_here=lambda _s: False) \
        == MAIL_ELSEWHERE_NOTE
    assert "SMTP_HOST" in MAIL_ELSEWHERE_NOTE and "\n" not in MAIL_ELSEWHERE_NOTE


@pytest.mark.parametrize("here", [True, False])
def test_nothing_to_say_with_smtp_or_without_email(tmp_path: Path, here: bool) -> None:
    assert check_mail(_settings(tmp_path, smtp_host="mail.example.org"), "me@example.com",
                      workers_here=lambda _s: here) == ""
    assert check_mail(_settings(tmp_path), "", workers_here=lambda _s: here) == ""
    assert check_mail(_settings(tmp_path), "  ", workers_here=lambda _s: here) == ""


def test_whose_workers_is_asked_only_when_it_decides(tmp_path: Path) -> None:
    """It reads the embedded server's pid file: not on every report's start."""
    asked: list[Settings] = []

    def here(settings: Settings) -> bool:
        asked.append(settings)
        return True

    check_mail(_settings(tmp_path), "", workers_here=here)
    check_mail(_settings(tmp_path, smtp_host="mail.example.org"), "a@b.org", workers_here=here)
    assert asked == []


@pytest.fixture
def foreign_server() -> Iterator[int]:
    """A local port something else listens on (another Temporal server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_whose_workers(tmp_path: Path, foreign_server: int) -> None:
    # Nothing at a local address: connecting starts the embedded server, whose
    # supervised worker has this machine's settings.
    free = f"127.0.0.1:{free_port()}"
    assert workers_here(_settings(tmp_path, temporal_address=free))
    # Not when the embedded server may not be started, at another machine, or with
    # another server at the address (its workers are whoever's).
    assert not workers_here(_settings(tmp_path, temporal_address=free, embedded="never"))
    assert not workers_here(_settings(tmp_path, temporal_address="temporal.example.org:7233"))
    assert not workers_here(_settings(tmp_path, temporal_address=f"127.0.0.1:{foreign_server}"))


def test_prepare_report_refuses_before_reading_documents(tmp_path: Path) -> None:
    read: list[str] = []

    async def ingest() -> cr.PreparedSources:
        read.append("ingest")
        return cr.PreparedSources()

    request = ReportRequest("q", email="me@example.com",
                            research=cr.ResearchOptions(sources=["a.md"]))
    with pytest.raises(UserError, match="SMTP_HOST is not set"):
        asyncio.run(prepare_report(_settings(tmp_path), request, ingest,
                                   workers_here=lambda _s: True))
    assert read == []
    prepared = asyncio.run(prepare_report(_settings(tmp_path), request, ingest))
    assert prepared.notes == [MAIL_ELSEWHERE_NOTE]
