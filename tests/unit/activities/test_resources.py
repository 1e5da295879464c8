"""What the activity objects open (keep-alive HTTP and SMTP connections) they close in
``aclose``, which the worker calls when it stops (``worker.build.AppWorker``)."""

from __future__ import annotations

import smtplib
import time
from pathlib import Path

from durable_research.activities.email import EmailActivities
from durable_research.activities.research import ResearchActivities
from durable_research.activities.tools import ToolActivities
from durable_research.config import Settings
from durable_research.research.fetch import FetchPolicy, PageFetcher
from durable_research.worker.build import activity_owners, close_activities, default_activities


def settings_in(tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "reports"),
                    embedded="never")


class RecordingSmtp(smtplib.SMTP):
    """An SMTP client that never connected; records how it was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []

    def quit(self) -> tuple[int, bytes]:
        self.said.append("QUIT")
        return 221, b"bye"

    def close(self) -> None:
        self.said.append("close")
        super().close()


def test_the_worker_closes_each_activity_object_once(tmp_path: Path) -> None:
    activities = list(default_activities(settings_in(tmp_path)).values())
    owners = activity_owners(activities)
    # research_sources, search, fetch_page and fetch_pages share one object: one close.
    assert len(owners) == len({id(o) for o in owners}) < len(activities)
    kinds = {type(o) for o in owners}
    assert {ResearchActivities, ToolActivities, EmailActivities} <= kinds


async def test_research_activities_close_the_fetchers_connections(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    research = ResearchActivities(settings)
    await research.aclose()  # nothing opened yet: nothing to do
    fetcher = PageFetcher(FetchPolicy.from_settings(settings))
    research._fetcher = fetcher  # as the first fetch_page opens it
    await close_activities([research])
    assert fetcher._client.is_closed
    assert research._fetcher is None  # a later fetch opens a new one


async def test_email_activities_close_their_idle_smtp_connections(tmp_path: Path) -> None:
    mail = EmailActivities(settings_in(tmp_path))
    idle = RecordingSmtp()
    mail.smtp_pool._idle.append((time.monotonic(), idle))  # as a sent mail leaves it
    await close_activities([mail])
    assert idle.said == ["QUIT", "close"]
    assert mail._pool is None
