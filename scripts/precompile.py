"""Write the bytecode of what the app runs, once, at install time (run by scripts/install.sh).

Where ``PYTHONDONTWRITEBYTECODE`` is set (CI, shared machines) Python never caches what it
compiles, so every process compiled its imports again: a worker took 10-13 s to import
litellm instead of 3-4 (issue 26). Importing the app's modules here, with bytecode writing
on, caches exactly what a command or a worker loads (litellm included, and what its first
call loads); the app's own package is compiled whole. uv's ``--compile-bytecode`` would
compile every file of every installed package: about twice the CPU on 2 cores (19.6 s
against 10.9 s, measured on a fresh clone, docs/benchmarks.md "Fast where it is felt
now"), for files no start reads.

Usage: ``python scripts/precompile.py`` (the venv's interpreter).
"""

from __future__ import annotations

import asyncio
import compileall
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

# Not imported: the fakes (tests and benchmarks only), a module that takes over the
# process's stdout when imported, and entry points that run when imported.
SKIPPED_PREFIXES = ("durable_research.testing",)
SKIPPED = ("durable_research.worker.proc",)
# The argument that makes this script the second process: litellm's first call only.
LLM_ONLY = "--llm-only"


def app_modules(root: Path) -> list[str]:
    """Every module of the app's package under ``root`` that is safe to import."""
    names = [info.name for info in pkgutil.walk_packages([str(root)], "durable_research.")]
    return [name for name in names
            if not name.startswith(SKIPPED_PREFIXES) and name not in SKIPPED
            and not name.endswith(".__main__")]


async def first_llm_call() -> None:
    """A mocked litellm call: litellm imports much of itself on its first call."""
    from durable_research.llm.calls import litellm_module

    await litellm_module().acompletion(model="openai/warm-up", mock_response="ok",
                                       messages=[{"role": "user", "content": "warm-up"}])


def main(argv: list[str]) -> int:
    """Compile the package, import every module, make one mocked call; 1 if one failed.

    The mocked call (litellm's import: about two thirds of the work) runs in a second
    process meanwhile, since the app's modules import litellm only on first need: on 2
    cores 11.4 and 15.1 s against 14.8 and 16.5 s, runs alternating on a fresh clone
    (2026-12-07, load 0.9-1.1, the same 3,819 files written). Both write
    bytecode; a module both compile is written twice, each time by an atomic rename.
    """
    sys.dont_write_bytecode = False  # what PYTHONDONTWRITEBYTECODE set
    if argv == [LLM_ONLY]:
        asyncio.run(first_llm_call())
        return 0
    llm = subprocess.Popen([sys.executable, __file__, LLM_ONLY])
    import durable_research

    root = Path(durable_research.__file__).parent
    ok = compileall.compile_dir(root, quiet=1, workers=0)
    failed: list[str] = []
    for name in app_modules(root):
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported; the rest still gets compiled
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    if llm.wait() != 0:
        failed.append(f"litellm's first call: exit code {llm.returncode}")
    for line in failed:
        print(f"precompile: could not import {line}", file=sys.stderr)
    return 0 if ok and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
