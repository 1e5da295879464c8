"""A report this machine's worker cannot write is refused before it starts. Found in a new
user's trial: `research run` in a folder holding a file named `reports` (the default
RESEARCH_OUTPUT_DIR is ./reports, resolved where the command runs) paid for the answer and
then failed at its last step; so would every report of `research mcp` started by a client
in a folder the user cannot write (an assistant app started in `/`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from durable_research.client.prepare import ReportRequest, prepare_report
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.errors import UserError


def _settings(output: Path, tmp_path: Path) -> Settings:
    return Settings(store=str(tmp_path / "store"), output_dir=str(output),
                    search_ddgs_probe=DDGS_PROBE_OFF)


def _prepare(settings: Settings, here: bool) -> object:
    return asyncio.run(prepare_report(settings, ReportRequest("Why is the sky blue?"),
                                      workers_here=lambda _s: here))


def test_an_output_folder_this_machines_worker_cannot_make_is_refused(tmp_path: Path) -> None:
    blocked = tmp_path / "reports"
    blocked.write_text("not a folder")
    with pytest.raises(UserError) as refused:
        _prepare(_settings(blocked, tmp_path), here=True)
    assert refused.value.message.startswith(
        f"Cannot write reports to {blocked} (RESEARCH_OUTPUT_DIR): "), refused.value.message
    assert "RESEARCH_OUTPUT_DIR" in refused.value.hint


def test_a_new_output_folder_is_made(tmp_path: Path) -> None:
    fresh = tmp_path / "a" / "reports"
    _prepare(_settings(fresh, tmp_path), here=True)
    assert fresh.is_dir() and list(fresh.iterdir()) == []


def test_another_machines_worker_writes_where_it_was_told(tmp_path: Path) -> None:
    blocked = tmp_path / "reports"
    blocked.write_text("not a folder")
    _prepare(_settings(blocked, tmp_path), here=False)  # its own RESEARCH_OUTPUT_DIR
