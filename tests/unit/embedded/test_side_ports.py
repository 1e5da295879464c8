"""The dev server's HTTP API and metrics ports are chosen for it, never its gRPC port."""

from __future__ import annotations

import socket
from pathlib import Path

from durable_research.embedded.devserver_cmd import server_argv, side_ports


class _Fake:
    """A bound socket stand-in reporting a given port."""

    def __init__(self, port: int, closed: list[int]) -> None:
        self.port, self.closed = port, closed

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def close(self) -> None:
        self.closed.append(self.port)


def test_the_grpc_port_handed_out_again_is_skipped() -> None:
    # Linux may hand out a port just released: the gRPC port a caller found free.
    closed: list[int] = []
    offered = iter([7233, 7300, 7300, 7301])

    def bind() -> socket.socket:
        return _Fake(next(offered), closed)  # type: ignore[return-value]  # duck-typed

    assert side_ports(7233, bind) == (7300, 7301)
    assert sorted(closed) == [7233, 7300, 7300, 7301]  # every socket let go


def test_the_command_line_names_them() -> None:
    argv = server_argv(7233, Path("t.sqlite"), http_port=7300, metrics_port=7301)
    assert argv[argv.index("--http-port") + 1] == "7300"
    assert argv[argv.index("--metrics-port") + 1] == "7301"
    assert "--http-port" not in server_argv(7233, Path("t.sqlite"))
