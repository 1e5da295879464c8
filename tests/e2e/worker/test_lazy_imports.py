"""A worker polls without importing the LLM stack: litellm is imported when a call needs it.

``import litellm`` is most of a worker's start (3-4 s from bytecode, 10-13 s without);
the worker modules must not import it at module level (``bench/first_run.py`` measures
what this buys). The supervisor spawns its first worker before it imports temporalio.
Fresh interpreters, since this test session has imported both already.
"""

from __future__ import annotations

import subprocess
import sys


def run_fresh(code: str) -> None:
    """Run ``code`` in a fresh interpreter; its assertions must hold."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_worker_modules_do_not_import_litellm() -> None:
    code = (
        "import sys\n"
        "import durable_research.worker.build, durable_research.worker.proc\n"
        "import durable_research.activities.llm, durable_research.activities.agent\n"
        "assert 'litellm' not in sys.modules, 'litellm imported at import time'\n"
        "from durable_research.llm.calls import litellm_module\n"
        "assert litellm_module().suppress_debug_info is True\n"
    )
    run_fresh(code)


def test_worker_modules_do_not_import_the_mcp_sdk() -> None:
    """The MCP SDK (1.2-1.6 s of a worker's start) loads when a server is first used."""
    code = (
        "import sys\n"
        "import durable_research.worker.build, durable_research.worker.proc\n"
        "assert 'mcp' not in sys.modules, 'the MCP SDK imported at import time'\n"
        "from durable_research.research.mcp_client import catalog\n"
        "import asyncio\n"
        "assert asyncio.run(catalog(()).tools()) == []\n"
        "assert 'mcp' not in sys.modules, 'imported with no server configured'\n"
    )
    run_fresh(code)


def test_supervisor_spawns_before_importing_temporalio() -> None:
    code = (
        "import sys\n"
        "import durable_research.worker.supervisor\n"
        "late = sorted(m for m in sys.modules if m.startswith(('temporalio', 'litellm')))\n"
        "assert not late, late\n"
    )
    run_fresh(code)
