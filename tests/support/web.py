"""Running the web app for tests: in a daemon thread, as ``research web`` runs it."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path

import uvicorn

from durable_research import client as rc
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.web.server import access_for, serve
from tests.support.settings import PAYLOAD_KEY


def web_app_settings(llm_api_base: str, temporal_address: str, tmp: Path) -> Settings:
    """Settings of a web app and its worker: the fake LLM, the session's server, a task
    queue of its own, folders under ``tmp``."""
    return Settings(llm_model="openai/fake-model", llm_api_key="test-key",
                    llm_api_base=llm_api_base, llm_timeout_s=30,
                    temporal_address=temporal_address, task_queue=f"web-{uuid.uuid4().hex[:8]}",
                    data_dir=str(tmp / "data"), output_dir=str(tmp / "reports"),
                    embedded="never", payload_key=PAYLOAD_KEY, search_ddgs_probe=DDGS_PROBE_OFF)


class WebServer:
    """``research web`` (uvicorn, plus a worker when asked) on 127.0.0.1 in a thread.

    Its own event loop hosts the app and the worker, so synchronous browser tests can
    drive it while it runs.
    """

    def __init__(self, settings: Settings, port: int = 0, with_worker: bool = True) -> None:
        self.settings = settings
        self.port = port
        self.with_worker = with_worker
        # As `research web` decides it: a new token for this launch (or RESEARCH_WEB_TOKEN).
        self.access = access_for("127.0.0.1", settings)
        self._ready = threading.Event()
        self._server: uvicorn.Server | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="web-app")

    @property
    def url(self) -> str:
        """The app's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def login_url(self) -> str:
        """The link `research web` prints (and opens): the launch token logs a browser in."""
        return self.access.login_url("127.0.0.1", self.port)

    def start(self, timeout: float = 60) -> WebServer:
        """Start and wait until it listens."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the web app did not start")
        if self._error is not None:
            raise RuntimeError("the web app failed to start") from self._error
        return self

    def stop(self) -> None:
        """Stop like Ctrl-C would (the hosted worker shuts down too)."""
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        conn = await rc.connect(self.settings, allow_embedded=False)
        await serve(self.settings, conn, self.access, "127.0.0.1", self.port, self.with_worker,
                    on_ready=self._on_ready, log_level="error")

    def _on_ready(self, server: uvicorn.Server) -> None:
        self._server = server
        self.port = server.servers[0].sockets[0].getsockname()[1]
        self._ready.set()
