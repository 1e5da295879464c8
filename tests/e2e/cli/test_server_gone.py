"""`research run` whose Temporal server goes away says so once, in plain words. Found in
a new user's trial: after `research server --stop` mid-run, `research run` printed 64 lines
of the SDK core's own retry warnings (`WARN temporalio_client::retry: gRPC call
describe_workflow_execution retried 7 times ...`, with terminal colour codes, also into a
pipe) and nothing else for a minute."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.config import Settings
from durable_research.testing.temporal import kill_dev_server
from tests.support.lines import followed_run
from tests.support.settings import with_settings

pytestmark = pytest.mark.slow


def test_a_run_whose_server_goes_away_says_so_in_plain_words(
        settings: Settings, tmp_path: Path, private_server: tuple[str, Path]) -> None:
    address, data = private_server
    settings = with_settings(settings, temporal_address=address)
    with followed_run(settings, tmp_path, "the server goes away") as lines:
        kill_dev_server(data)
        lines.until("still following", 60)
    out = lines.text
    assert "Traceback" not in out and "\x1b[" not in out, out
    assert "sdk_core" not in out and "temporalio_client" not in out, out
    assert sum("still following" in line for line in lines.seen) == 1, out
