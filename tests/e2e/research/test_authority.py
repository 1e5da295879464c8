"""Authority ranking through the search activity, against the fixture search server."""

from __future__ import annotations

from pathlib import Path

from durable_research.activities.research import ResearchActivities
from durable_research.config import Settings
from durable_research.research.types import SearchInput
from durable_research.testing.search_server import SearchServer
from tests.support.helpers import env_for


async def test_search_activity_ranks_web_hits_by_authority(tmp_path: Path) -> None:
    engine = SearchServer().start()
    try:
        engine.add_documents([
            ("https://newbedev.com/q/undo", "undo a commit undo", "undo a commit, copied"),
            ("https://blog.example.net/undo", "undo a commit", "how to undo a commit"),
            ("https://git-scm.com/docs/git-revert", "git revert", "revert a commit"),
        ])
        settings = Settings(searxng_url=engine.base_url, data_dir=str(tmp_path),
                            store=str(tmp_path / "store"))
        params = SearchInput(query="undo a commit", max_results=5,
                             prefer_domains=["git-scm.com"])
        out = await env_for("report-x/q1").run(ResearchActivities(settings).search, params)
        assert [h.url for h in out.hits] == ["https://git-scm.com/docs/git-revert",
                                            "https://blog.example.net/undo",
                                            "https://newbedev.com/q/undo"]
        assert engine.queries == ["undo a commit"]  # one provider call per search
    finally:
        engine.stop()
