"""A real S3-protocol server on 127.0.0.1 (moto's ``moto_server``) for tests and benchmarks.

It runs as a subprocess, so tests can freeze it (SIGSTOP) to simulate an outage
window in which connections are accepted by the kernel but never answered.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from durable_research.testing.ports import free_port

# Dummy credentials: moto accepts any key unless auth is enforced. Never real ones.
TEST_ACCESS_KEY = "testing"
TEST_SECRET_KEY = "testing"
TEST_REGION = "us-east-1"


def _moto_executable() -> str:
    """``moto_server`` from the running interpreter's environment (a venv's bin/)."""
    path = Path(sys.executable).parent / "moto_server"
    if not path.exists():
        raise RuntimeError(f"moto_server not found at {path}: pip install 'moto[server]'")
    return str(path)


class S3Server:
    """``with S3Server() as s3:`` serves S3 at ``s3.endpoint_url`` until ``stop()``."""

    def __init__(self, enforce_auth: bool = False, start_timeout_s: float = 30.0) -> None:
        """Prepare a server; with ``enforce_auth`` every request's credentials are refused.

        Args:
            enforce_auth: Make moto check signatures against its (empty) IAM user list,
                so any key is answered with InvalidAccessKeyId (403).
            start_timeout_s: How long ``start()`` waits for the first answer.
        """
        self.enforce_auth = enforce_auth
        self.start_timeout_s = start_timeout_s
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._paused = False

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> S3Server:
        """Start moto_server and wait until it answers HTTP.

        Raises:
            RuntimeError: It exited or did not answer within ``start_timeout_s``.
        """
        env = dict(os.environ)
        # moto reads MOTO_PORT for URLs it builds; a stale value would point elsewhere.
        env.pop("MOTO_PORT", None)
        if self.enforce_auth:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
        else:
            env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
        # A file, not a pipe: nobody reads the log, and a full pipe would block moto.
        self._log = tempfile.TemporaryFile()
        # free_port() is racy (another process may take the port); retry a few times.
        for _ in range(3):
            self.port = free_port()
            self._proc = subprocess.Popen(
                [_moto_executable(), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=self._log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
            if self._wait_ready():
                return self
            self._kill()
        self._log.seek(0)
        tail = self._log.read()[-2000:].decode(errors="replace")
        raise RuntimeError(f"moto_server did not start on 127.0.0.1:\n{tail}")

    def _wait_ready(self) -> bool:
        """Poll until any HTTP answer arrives; False when the process died or timed out."""
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/moto-api/")
                conn.getresponse().read()
                return True
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()
        return False

    def client(self) -> Any:
        """A boto3 S3 client of this server with the dummy credentials."""
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=TEST_REGION,
            aws_access_key_id=TEST_ACCESS_KEY,
            aws_secret_access_key=TEST_SECRET_KEY,
        )

    def create_bucket(self, name: str) -> None:
        """Create bucket ``name`` (not on a server with ``enforce_auth``)."""
        self.client().create_bucket(Bucket=name)

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections hang until ``resume()``."""
        if self._proc is not None and not self._paused:
            os.kill(self._proc.pid, signal.SIGSTOP)
            self._paused = True

    def resume(self) -> None:
        """Let a paused server run again (SIGCONT)."""
        if self._proc is not None and self._paused:
            os.kill(self._proc.pid, signal.SIGCONT)
            self._paused = False

    def stop(self) -> None:
        """Stop the server (resuming it first, or SIGTERM would wait forever)."""
        self.resume()
        self._kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
