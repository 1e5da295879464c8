"""The embedded server's Web UI: off unless `research server --ui` (issue 25).

The Temporal UI has no login and accepts any Host header: any local process, and a
web page that rebinds its name to 127.0.0.1, could list and terminate runs through it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research import client as rc
from durable_research.config import Settings
from durable_research.embedded import devserver, local_worker
from durable_research.embedded.devserver_cmd import server_argv
from durable_research.errors import ConfigError
from durable_research.testing.ports import free_port


def test_embedded_server_is_headless_unless_asked(tmp_path: Path) -> None:
    address, ui_port = f"127.0.0.1:{free_port()}", free_port()
    settings = Settings(temporal_address=address, ui_port=ui_port, data_dir=str(tmp_path))
    # As `research run` / `research web` start it (client.connect).
    info = devserver.start_dev_server(address, tmp_path, ui_port=ui_port)
    try:
        assert info.ui_url == "" and not devserver.port_open("127.0.0.1", ui_port)
        assert devserver.running_ui_url(tmp_path) == ""
        # No link to a UI that does not run (the CLI and the web app print this one).
        conn = rc.Connection(client=None, embedded=None)  # type: ignore[arg-type]  # no client used
        assert rc.ui_link(settings, conn, "report-x") == ""
    finally:
        local_worker.stop_embedded(tmp_path)
    # `research server --ui` (its command line: test_no_secret_in_...): links to it.
    with_ui = devserver.DevServerInfo(1, address, f"http://localhost:{ui_port}",
                                      tmp_path / "t.sqlite", tmp_path / "t.log")
    conn = rc.Connection(client=None, embedded=with_ui)  # type: ignore[arg-type]  # as above
    assert rc.ui_link(settings, conn, "report-x") == (
        f"http://localhost:{ui_port}/namespaces/default/workflows/report-x")


def test_no_secret_in_the_servers_command_line(tmp_path: Path) -> None:
    """The codec endpoint goes on the dev server's command line, which every local user
    can read (`ps`): one that carries a token (in its path, query or user part) is
    refused; the token belongs in the UI's codec settings in the browser."""
    argv = server_argv(7233, tmp_path / "t.sqlite", ui_port=0, headless=False,
                                 codec_endpoint="http://127.0.0.1:8081")
    assert argv[argv.index("--ui-codec-endpoint") + 1] == "http://127.0.0.1:8081"
    assert argv[argv.index("--ui-ip") + 1] == "127.0.0.1"
    assert "--headless" in server_argv(7233, tmp_path / "t.sqlite")
    for secret in ("http://127.0.0.1:8081/" + "t" * 43, "http://127.0.0.1:8081/?token=x",
                   "http://me:pw@127.0.0.1:8081"):
        with pytest.raises(ConfigError, match="command line"):
            server_argv(7233, tmp_path / "t.sqlite", headless=False,
                                  codec_endpoint=secret)
