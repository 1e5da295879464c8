"""What every local test server shares: a quiet threaded HTTP server run in the background."""

from __future__ import annotations

import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Any, Self


class QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server for which a client hanging up mid-answer is normal."""

    daemon_threads = True
    # Benchmarks open hundreds of connections at once; the default backlog of 5 drops
    # SYNs, and each dropped one costs the client a 1 s retransmission.
    request_queue_size = 512

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Killed workers and timeout tests drop connections: not an error."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class BackgroundServer:
    """An in-process handle on a :class:`QuietServer` bound to 127.0.0.1."""

    _server: QuietServer

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        """Serve in a daemon thread."""
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def serve_until_interrupted(self, banner: str) -> None:
        """Print ``banner`` and serve in the foreground until Ctrl-C (``main()`` helpers)."""
        print(banner, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            self.stop()
