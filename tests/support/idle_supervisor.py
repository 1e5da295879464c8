"""A stand-in for the worker supervisor: ``python -m tests.support.idle_supervisor``.

It takes the supervisor's arguments and waits for SIGTERM, so tests of how
``local_worker.ensure_worker`` keeps, replaces or refuses a running supervisor do not
pay for starting real workers (seconds of imports and warm-up each).
"""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path


def main() -> None:
    """Parse the supervisor's arguments, then sleep until terminated."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=1)
    ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: raise_exit())
    while True:
        time.sleep(3600)


def raise_exit() -> None:
    """Leave at once."""
    raise SystemExit(0)


if __name__ == "__main__":
    main()
