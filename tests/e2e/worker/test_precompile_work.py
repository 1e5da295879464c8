"""The install's bytecode covers what a report loads only when it works (scripts/precompile.py).

Where PYTHONDONTWRITEBYTECODE is set, a library imported only by a worker's first search,
fetch, extraction, index or PDF read (httpcore, trafilatura, bm25s, pypdf in the PDF
reader's own process...) was compiled again by every worker. ``--first-work`` does one of
each with bytecode writing on; here into an empty cache folder (PYTHONPYCACHEPREFIX), so
what it wrote is exactly what that work loads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

# A library of each kind of work, as its package folder under site-packages.
LOADED_BY_WORK = {
    "httpcore": "an HTTP request (the transport httpx loads on first use)",
    "trafilatura": "a page's text extracted",
    "bm25s": "a collection indexed and searched",
    "pypdf": "a PDF read (in the PDF reader's own process)",
}


def test_first_work_writes_the_bytecode_of_what_a_report_loads(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "precompile.py"),
                           "--first-work"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    folders = {part for pyc in tmp_path.rglob("*.pyc") for part in pyc.parts}
    missing = [f"{name} ({why})" for name, why in LOADED_BY_WORK.items()
               if name not in folders]
    assert not missing, f"no bytecode written for: {', '.join(missing)}"
