"""Local state is private, and pid files are verified before anything is signalled."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from durable_research.config import Settings
from durable_research.embedded import devserver, local_worker, localmodel
from durable_research.embedded.procs import child_environment, cmdline, is_ours, start_time
from durable_research.errors import ConfigError, TemporalUnavailableError
from durable_research.payloads.codec import KEY_FILE, load_keyring, new_key
from durable_research.private import (
    open_private,
    private_dir,
    private_file,
    write_private,
)
from durable_research.testing.ports import free_port
from durable_research.testing.temporal import kill_dev_server
from tests.support.settings import PAYLOAD_KEY, settings_env


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A permissive umask, so privacy cannot come from the test runner's umask."""
    old = os.umask(0o000)
    yield
    os.umask(old)


@pytest.fixture
def stranger() -> Iterator[subprocess.Popen[bytes]]:
    """An unrelated process whose pid we plant in pid files."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    proc.kill()
    proc.wait()


# ----- helpers ----------------------------------------------------------------------------


def test_private_helpers(tmp_path: Path, loose_umask: None) -> None:
    root = tmp_path / "data"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    ledger = root / "sent-mail" / "x.json"
    write_private(ledger, json.dumps({"to": ["a@b.c"]}), root=root)
    assert mode(root) == 0o700 and mode(ledger.parent) == 0o700 and mode(ledger) == 0o600
    assert json.loads(ledger.read_text()) == {"to": ["a@b.c"]}
    write_private(ledger, b"{}")  # replaced atomically, still private, no temp files left
    assert ledger.read_text() == "{}" and mode(ledger) == 0o600
    assert [p.name for p in ledger.parent.iterdir()] == ["x.json"]
    with open_private(root / "some.log") as log:
        log.write(b"line\n")
    assert mode(root / "some.log") == 0o600
    loose = root / "old.txt"
    loose.write_text("x")
    loose.chmod(0o644)
    private_file(loose)
    assert mode(loose) == 0o600
    # Shared folders (sticky bit, like /tmp) are never chmod-ed, and never used for
    # private state: others could have put anything there first.
    sticky = tmp_path / "shared"
    sticky.mkdir()
    sticky.chmod(0o1777)
    with pytest.raises(ConfigError, match="writable by everyone"):
        private_dir(sticky)
    assert mode(sticky) == 0o1777


def foreign(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` belong to another user (really, as root; else we pretend to be another)."""
    if os.geteuid() == 0:
        os.chown(path, 12345, -1)
    else:
        monkeypatch.setattr(os, "geteuid", lambda: 12345)


def test_state_others_can_change_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data dir or key file another user owns or may write is refused, never used."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    data.chmod(0o770)
    with pytest.raises(ConfigError, match=f"{data} is writable by its group"):
        load_keyring(Settings(data_dir=str(data)))
    assert not (data / KEY_FILE).exists()
    data.chmod(0o700)
    key_file = tmp_path / "key"
    key_file.write_text(new_key() + "\n")
    key_file.chmod(0o666)
    with pytest.raises(ConfigError, match="writable by everyone") as info:
        load_keyring(Settings(payload_key_file=str(key_file)))
    assert f"chmod go-w {key_file}" in (info.value.hint or "")
    key_file.chmod(0o600)
    assert load_keyring(Settings(payload_key_file=str(key_file))).current is not None
    load_keyring(Settings(data_dir=str(data)))  # creates payload.key
    foreign(data / KEY_FILE, monkeypatch)
    with pytest.raises(ConfigError, match="belongs to another user"):
        load_keyring(Settings(data_dir=str(data)))
    foreign(data, monkeypatch)
    with pytest.raises(ConfigError, match="belongs to another user"):
        devserver.start_dev_server(f"127.0.0.1:{free_port()}", data, headless=True)


# ----- the embedded Temporal server -------------------------------------------------------


def test_dev_server_state_is_private_and_not_shared(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "server"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    address = f"127.0.0.1:{free_port()}"
    info = devserver.start_dev_server(address, data, headless=True)
    try:
        assert mode(data) == 0o700
        for name in ("temporal.sqlite", "temporal-dev.log", "temporal-dev.pid",
                     "temporal-dev.lock", "temporal.sqlite-wal", "temporal.sqlite-shm"):
            if name.startswith("temporal.sqlite-") and not (data / name).exists():
                continue
            assert mode(data / name) == 0o600, name
        record = json.loads((data / "temporal-dev.pid").read_text())
        assert record["pid"] == info.pid and record["started"] == start_time(info.pid)
        assert devserver.running_pid(data) == info.pid

        # The same address: the running server is reused. Another: refused, pid file kept.
        again = devserver.start_dev_server(address, data, headless=True)
        assert again.pid == info.pid
        before = (data / "temporal-dev.pid").read_text()
        with pytest.raises(TemporalUnavailableError, match="already runs"):
            devserver.start_dev_server(f"127.0.0.1:{free_port()}", data, headless=True)
        assert (data / "temporal-dev.pid").read_text() == before

        # A pid file whose start time does not match is a reused pid: not ours.
        (data / "temporal-dev.pid").write_text(json.dumps({**record, "started": -1}))
        assert devserver.running_pid(data) is None
        # ...and even without a pid file, a second server on the same SQLite file is refused.
        with pytest.raises(TemporalUnavailableError, match=f"pid {info.pid}"):
            devserver.start_dev_server(f"127.0.0.1:{free_port()}", data, headless=True)
    finally:
        # Stop finds our server by its command line even with a wrong pid file.
        assert local_worker.stop_embedded(data) is True
    assert not (data / "temporal-dev.pid").exists()
    assert not is_ours(info.pid, lambda argv: True)


SECRETS = {"SMTP_PASSWORD": "canary-smtp", "LLM_API_KEY": "canary-llm",
           "RESEARCH_PAYLOAD_KEY": PAYLOAD_KEY, "OPENAI_API_KEY": "canary-openai",
           "AWS_SECRET_ACCESS_KEY": "canary-aws", "RESEARCH_WEB_TOKEN": "canary-web",
           "GITHUB_TOKEN": "canary-gh"}


def test_children_get_no_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded server (and the offline model's server) need none of our secrets."""
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    child = child_environment()
    assert not set(SECRETS) & set(child) and child["PATH"] == os.environ["PATH"]
    data = tmp_path / "server"
    info = devserver.start_dev_server(f"127.0.0.1:{free_port()}", data, headless=True)
    try:
        environ = (Path("/proc") / str(info.pid) / "environ").read_bytes()
    finally:
        local_worker.stop_embedded(data)
    for value in SECRETS.values():
        assert value.encode() not in environ


def test_failed_start_leaves_no_pid_file(tmp_path: Path) -> None:
    data = tmp_path / "server"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(TemporalUnavailableError, match="already in use"):
            devserver.start_dev_server(f"127.0.0.1:{port}", data, headless=True)
    assert not (data / "temporal-dev.pid").exists()


def _server_stop(
    data: Path, settings: Settings, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    env = settings_env(settings)
    env["RESEARCH_DATA_DIR"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "durable_research.cli", "server", "--stop"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("pid_format", ["json", "legacy"])
def test_stop_never_signals_an_unrelated_process(
    tmp_path: Path, settings: Settings, stranger: subprocess.Popen[bytes], pid_format: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    pid_file = data / "temporal-dev.pid"
    if pid_format == "json":
        pid_file.write_text(json.dumps({"pid": stranger.pid, "address": "127.0.0.1:7233",
                                        "started": start_time(stranger.pid)}))
    else:
        pid_file.write_text(f"{stranger.pid} 127.0.0.1:7233\n")
    (data / localmodel.STATE_FILE).write_text(json.dumps({
        "pid": stranger.pid, "api_base": "http://127.0.0.1:9/v1", "api_key": "k",
        "name": "x", "description": "x", "model_path": "x"}))
    assert devserver.running_pid(data) is None
    kill_dev_server(data)  # the test helper trusts running_pid too
    proc = _server_stop(data, settings, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "It was not running" in proc.stdout
    assert "offline model stopped" not in proc.stdout
    assert stranger.poll() is None, "an unrelated process was signalled"
    assert cmdline(stranger.pid) == ["sleep", "60"]
    assert not pid_file.exists()  # the stale pid file is gone


def test_local_model_state_is_private_and_verified(
    tmp_path: Path, stranger: subprocess.Popen[bytes], loose_umask: None
) -> None:
    data = tmp_path / "llm"
    with localmodel._locked(data):
        pass
    assert mode(data) == 0o700 and mode(data / localmodel.LOCK_FILE) == 0o600
    (data / localmodel.STATE_FILE).write_text(json.dumps({
        "pid": stranger.pid, "api_base": "http://127.0.0.1:9/v1", "api_key": "k",
        "name": "x", "description": "x", "model_path": "x"}))
    assert localmodel.running_local_llm(data) is None
    assert localmodel.stop_local_llm(data) is False
    assert stranger.poll() is None
    # The check accepts exactly our server's command line for this data dir.
    check = localmodel._server_check(data)
    ours = [sys.executable, "-m", localmodel.SERVER_MODULE, "serve", "--state-file",
            str(data.resolve() / localmodel.STATE_FILE)]
    assert check(ours)
    assert not check([*ours[:-1], str(tmp_path / "elsewhere" / localmodel.STATE_FILE)])
    assert not check(["sleep", "60"])
