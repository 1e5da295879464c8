"""The workflow modules use nothing non-deterministic: checked on their source.

The worker passes the workflow modules through the sandbox (imported once per worker,
not once per workflow run: bench goal 5), so the sandbox no longer swaps ``time``,
``datetime`` or ``random`` under them at run time. This test takes over that guard, for
every code path rather than only the exercised ones: workflow code imports only from an
allow-list and calls no clock, no randomness and no I/O. The replay tests still run the
workflows in Temporal's default sandbox, with every restriction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from durable_research.worker import build as worker

WORKFLOWS = Path(worker.__file__).parent.parent / "workflows"

# Modules workflow code may import from (a prefix ends with a dot).
ALLOWED_IMPORTS = (
    "__future__", "asyncio", "copy", "re", "dataclasses", "collections.abc", "typing", "enum",
    "temporalio", "temporalio.", "durable_research.contract.", "durable_research.errors",
    "durable_research.llm.prompts", "durable_research.research", "durable_research.research.types",
    "durable_research.research.plan", "durable_research.research.prompts",
    "durable_research.research.agent.", "durable_research.research.clarify",
    "durable_research.workflows.",
)
# From ``datetime`` the value types (for annotations and arithmetic); their clock methods
# (``datetime.now()``, ``date.today()``) are caught as calls: ``workflow.now()`` is the clock.
ALLOWED_FROM_DATETIME = {"timedelta", "datetime", "date", "timezone"}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}
FORBIDDEN_METHODS = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "random",
                     "uuid4", "urandom", "getenv", "sleep_sync"}


def allowed(module: str) -> bool:
    return any(module == a or (a.endswith(".") and module.startswith(a))
               for a in ALLOWED_IMPORTS)


def problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} import {a.name}" for a in node.names if not allowed(a.name)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module == "datetime":
                found += [f"{where} from datetime import {a.name}" for a in node.names
                          if a.name not in ALLOWED_FROM_DATETIME]
            else:
                found += [f"{where} from {module} import {a.name}" for a in node.names
                          if not (allowed(module) or allowed(f"{module}.{a.name}"))]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"{where} {func.id}()")
            elif isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_METHODS:
                owner = func.value
                if not (isinstance(owner, ast.Name) and owner.id == "workflow"):
                    found.append(f"{where} .{func.attr}()")
    return found


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.py")), ids=lambda p: p.name)
def test_workflow_module_is_deterministic_by_construction(path: Path) -> None:
    assert problems(path) == []


def test_the_check_catches_what_the_sandbox_used_to(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import time\nimport random\nimport datetime\nfrom datetime import tzinfo\nimport httpx\n"
        "def run(workflow):\n"
        "    workflow.now()\n"
        "    datetime.datetime.now()\n    time.time()\n    random.random()\n    open('x')\n"
    )
    found = problems(bad)
    assert [f.split(" ", 1)[1] for f in found] == [
        "import time", "import random", "import datetime", "from datetime import tzinfo",
        "import httpx",
        ".now()", ".time()", ".random()", "open()",
    ]


def test_the_worker_passes_the_checked_modules_through() -> None:
    assert "durable_research.workflows" in worker.PASSTHROUGH_MODULES
