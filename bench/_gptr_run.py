"""One gpt-researcher report over local documents; run by ``gptr_compare.py`` with the
Python of gpt-researcher's own virtual environment (so this file imports nothing of ours).

Usage: <gptr venv>/bin/python bench/_gptr_run.py QUESTION OUT.json

The environment set by ``gptr_compare.py`` points every model, the embeddings and the web
retriever at local servers and ``DOC_PATH`` at the documents. Writes to OUT.json the seconds
of its import, its research (loading, splitting and embedding the documents, the agent
choice, the search queries) and its report writing, the report and its length in words,
and the error if it failed (the figures of LLM calls
and tokens come from the fake LLM, not from here).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any


async def report(question: str, times: dict[str, object]) -> str:
    """Research ``question`` over ``DOC_PATH`` and write the report, as its README shows;
    the seconds of each of the two phases go into ``times``."""
    # By name: the package is in gpt-researcher's venv only, not where mypy checks this.
    gptr: Any = importlib.import_module("gpt_researcher")
    researcher = gptr.GPTResearcher(query=question, report_type="research_report",
                               report_source="local")
    t0 = time.monotonic()
    await researcher.conduct_research()
    t1 = time.monotonic()
    text = str(await researcher.write_report())
    times.update(research_s=t1 - t0, write_s=time.monotonic() - t1)
    return text


def main() -> int:
    """Run one report and write what happened to the JSON file given."""
    question, out = sys.argv[1], Path(sys.argv[2])
    started = time.monotonic()
    importlib.import_module("gpt_researcher")  # timed apart: part of a user's run

    imported = time.monotonic()
    result: dict[str, object] = {"import_s": imported - started}
    try:
        text = asyncio.run(report(question, result))
        result.update(words=len(text.split()), report=text)
    except Exception:  # noqa: BLE001 - the bench reports any failure, it does not crash
        result.update(words=0, error=traceback.format_exc(limit=4))
    result["total_s"] = time.monotonic() - started
    out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
