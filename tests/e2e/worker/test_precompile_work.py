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
from types import ModuleType

from tests.support.paths import ROOT, load_file

SCRIPT = ROOT / "scripts" / "precompile.py"

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


def _tool() -> ModuleType:
    return load_file(SCRIPT, "precompile")


def test_the_install_compiles_the_listed_files_without_running_them(tmp_path: Path) -> None:
    # Importing to compile ran every module's code too (litellm's import alone ~4 s of
    # CPU): the install compiles the recorded files instead, none of them imported.
    tool = _tool()
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path), PYTHONDONTWRITEBYTECODE="1",
               PYTHONPROFILEIMPORTTIME="1")
    proc = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not imported & {"litellm", "temporalio", "fastapi", "httpx"}, sorted(imported)
    base = tool.site_packages()
    listed = [name for name in tool.read_list()[1] if (base / name).is_file()]
    written = set(tool.recorded_files(tmp_path, base))
    assert listed and not [name for name in listed if name not in written]


def test_the_list_holds_what_the_app_loads(tmp_path: Path) -> None:
    # The list is what the slow way (every app module imported, litellm's first call, a
    # report's first work) writes into an empty cache folder: a library the app starts
    # importing is missing from it until the list is recorded again.
    tool = _tool()
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--by-import"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = tool.recorded_files(tmp_path, tool.site_packages())
    listed = set(tool.read_list()[1])
    missing = [name for name in loaded if name not in listed]
    assert loaded and not missing, (
        f"not in scripts/precompile-files.txt ({len(missing)}): {missing[:20]}; "
        "run: python scripts/precompile.py --record")
