"""``ResearchActivities._fetch_kept`` (``activities/research.py``): a fetched page's text and
its links are written at once (each write is an fsync, on the chain of a sub-question
between two steps), and the fetch's memo, which says the page is kept, after both; its
links are read in the extraction's thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from durable_research.activities.research import ResearchActivities
from durable_research.config import Settings
from durable_research.contract.keys import fetch_memo_name
from durable_research.research.fetch_policy import Fetched
from durable_research.research.types import FetchInput
from tests.support.helpers import env_for
from tests.support.stores import MeetingStore

URL = "https://a.example/tardigrades"
PAGE = (b"<html><head><title>Tardigrades</title></head><body><article><p>"
        + b"Tardigrades survive drying out by forming a tun with almost no water. " * 20
        + b'</p><p><a href="https://b.example/tun">the tun state</a></p></article></body></html>')


class OnePage:
    """A fetcher that has one page."""

    async def fetch(self, url: str) -> Fetched:
        return Fetched(url, url, 200, "text/html", "utf-8", PAGE)


async def test_a_pages_text_and_links_are_written_at_once_its_memo_last(
        tmp_path: Path) -> None:
    research = ResearchActivities(Settings(store=str(tmp_path / "store"),
                                           data_dir=str(tmp_path)))
    store = MeetingStore(research.store, lambda key: key.startswith("texts/") or "/links/" in key)
    research._store = store
    research._fetcher = OnePage()  # only fetch() is used
    env = env_for("report-1/q1")
    src = await env.run(research._fetch_kept, FetchInput(url=URL, title="t"))
    assert src.ok and src.content_hash
    memo = env.run(research.run_key, fetch_memo_name(URL))
    assert store.written[-1] == memo  # the page is kept only now
    assert set(store.written[:2]) == {f"texts/{src.content_hash}",
                                      env.run(research.links_key, src.content_hash)}
    links = await env.run(research.load_json, env.run(research.links_key, src.content_hash))
    assert links == ["https://b.example/tun"]


async def test_a_pages_links_are_read_off_the_event_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Parsing a real page for its links takes milliseconds (lxml over the whole page), on
    # the loop every activity and workflow task of the worker shares: it is done in the
    # extraction's thread (procwork.read_page, which the worker's process pool runs when
    # it has one; these in-process activities have none).
    from durable_research.activities import procwork
    from durable_research.research.links import page_links as real

    on: list[threading.Thread] = []

    def recording(body: bytes, base: str) -> list[str]:
        on.append(threading.current_thread())
        return real(body, base)

    monkeypatch.setattr(procwork, "page_links", recording)
    research = ResearchActivities(Settings(store=str(tmp_path / "store"),
                                           data_dir=str(tmp_path)))
    research._fetcher = OnePage()  # only fetch() is used
    src = await env_for("report-1/q1").run(research._fetch_kept, FetchInput(url=URL, title="t"))
    assert src.ok and len(on) == 1 and on[0] is not threading.main_thread()
