"""The draft so far: section texts read from a folder store by the keys a running report's
status lists, only from its own run folder."""

from __future__ import annotations

from pathlib import Path

from durable_research.client.draft import (
    DRAFT_SHOWN_CHARS,
    draft_sections,
    draft_text,
    draft_title,
)
from durable_research.config import Settings
from durable_research.contract.keys import run_key, section_name
from durable_research.contract.research import ResearchProgress
from durable_research.store.factory import open_store


def test_the_sections_written_so_far_are_read_from_the_reports_own_folder(
        tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path))
    store = open_store(settings)
    mine = run_key("report-1", section_name(1))
    other = run_key("report-2", section_name(1))
    store.put(mine, b"## Habitats\n\nMoss [1].\n")
    store.put(other, b"## Not mine\n")
    research = ResearchProgress(plan=["a?", "b?"], sections=[mine, other])
    assert draft_sections(settings, "report-1", research) == ["## Habitats\n\nMoss [1]."]
    assert draft_title(research) == "draft so far: 2 of 2 sections"
    # A key the store does not have: no draft rather than a failed status.
    gone = ResearchProgress(sections=[run_key("report-1", section_name(2))])
    assert draft_sections(settings, "report-1", gone) == []
    assert draft_sections(settings, "report-1", None) == []


def test_a_long_draft_is_cut() -> None:
    text = draft_text(["x" * DRAFT_SHOWN_CHARS, "y"])
    assert len(text) < DRAFT_SHOWN_CHARS + 5 and text.endswith("…")
    assert draft_text(["a", "b"]) == "a\n\nb"
