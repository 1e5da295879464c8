"""CPU of one quick report's artifact-store traffic through the directory store.

Usage: python bench/store_traffic.py [--reports 400] [--against /work/main]

A quick report's steps write six objects (the LLM answer's memo, the PDF step's record
of its files, the PDF, the mail ledger's three states; each a fsynced atomic write) and
read three (the memo and the ledger before their steps, the PDF to attach). This
replays that traffic into a fresh folder per report, ``--reports`` times, and prints
the CPU per report (the thread's, kernel included). ``--against`` loads another
checkout's ``store/directory.py`` beside this one and alternates the two, report by
report, so both see the same disk and load (issue 26, goal 6: the worker's CPU per
report over the bare work's).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from types import ModuleType

from durable_research.contract.keys import (
    llm_answer_name,
    mail_ledger_name,
    report_name,
    run_key,
    written_name,
)
from durable_research.store import ArtifactStore, get_if_any
from durable_research.store import directory as this_directory

PDF = os.urandom(30_000)  # a quick report's PDF is ~30 KB
MEMO = b'{"model": "openai/fake", "text": "' + b"x" * 800 + b'", "text_key": ""}'


def report(store: ArtifactStore) -> None:
    """One quick report's store calls, in the order its steps make them."""
    workflow, run = f"report-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    memo = run_key(workflow, llm_answer_name(run, "openai/fake", "system", "prompt"))
    get_if_any(store, memo)
    store.put(memo, MEMO)
    store.put(run_key(workflow, written_name(run)), b'{"paths": ["report.pdf"]}')
    pdf = run_key(workflow, report_name(run, "report.pdf"))
    store.put(pdf, PDF)
    store.get(pdf)
    ledger = run_key(workflow, mail_ledger_name(f"{workflow}/{run}"))
    get_if_any(store, ledger)
    for state in (b"sending", b"committing", b"sent"):
        store.put(ledger, b'{"state": "%s", "at": 1.0}' % state)


def other_directory(checkout: Path) -> ModuleType:
    """``store/directory.py`` of another checkout, loaded beside this one."""
    path = checkout / "src" / "durable_research" / "store" / "directory.py"
    spec = importlib.util.spec_from_file_location("other_directory", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    """Replay the traffic and print the CPU per report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=400)
    ap.add_argument("--against", type=Path, help="another checkout to compare with")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-store-traffic-"))
    stores: dict[str, ArtifactStore] = {"this": this_directory.DirectoryStore(base / "this")}
    if args.against:
        stores[str(args.against)] = other_directory(args.against).DirectoryStore(base / "other")
    cpu: dict[str, list[float]] = {name: [] for name in stores}
    print(f"store traffic of a quick report x{args.reports}; machine: {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    for store in stores.values():
        report(store)  # warm: the root folder, the imports
    for i in range(args.reports):
        order = list(stores.items())
        for name, store in order if i % 2 == 0 else reversed(order):
            t0 = time.process_time()
            report(store)
            cpu[name].append(time.process_time() - t0)
    for name, values in cpu.items():
        print(f"  {name}: CPU per report median {statistics.median(values) * 1e3:.3f} ms, "
              f"mean {statistics.fmean(values) * 1e3:.3f} ms")
    if args.against:
        this, other = (statistics.median(v) for v in cpu.values())
        print(f"  this / other: {this / other:.3f}x (medians)")
    print(f"  load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
