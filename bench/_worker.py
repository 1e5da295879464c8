"""A worker process for the bench scripts: the app's real worker, settings from the env.

Usage: ``python bench/_worker.py --ready FILE [--raw | --floor] [--llm-heartbeat S]
[--llm-retry-initial S]``

``--raw`` runs the baseline instead (``_raw.py``: three no-op activities) with the
app's worker options; ``--floor`` the bare work of a report (``_floor.py``). The two
tuning flags exist only to measure what shorter constants in ``workflows/steps.py`` buy;
without them the worker is exactly ``durable_research.worker.build.build_worker``.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from durable_research.config import Settings, load_settings
from durable_research.testing.temporal import connect_retrying
from durable_research.worker import build as app_worker
from durable_research.workflows import report, steps


def _tune(heartbeat_s: float | None, retry_initial_s: float | None) -> None:
    """Patch the LLM step's constants and let the sandbox see the patched module."""
    step = steps.LLM_STEP
    if heartbeat_s is not None:
        step = replace(step, heartbeat=timedelta(seconds=heartbeat_s))
    if retry_initial_s is not None:
        initial = timedelta(seconds=retry_initial_s)
        step = replace(step, retry=replace(step.retry, initial_interval=initial))
    # report.py imported the name; patch it where the workflow looks it up.
    report.LLM_STEP = step  # type: ignore[attr-defined]  # a name report.py imports
    # The sandbox re-imports workflow modules; passing ours through keeps the patch visible.
    app_worker.PASSTHROUGH_MODULES = (*app_worker.PASSTHROUGH_MODULES, "durable_research")


def _raw_worker(client: Client, settings: Settings) -> Worker:
    """The baseline worker: the app's worker options around the no-op workflow."""
    from _raw import RAW_ACTIVITIES, RawReportWorkflow

    # RAW_ACTIVITIES is a list of bare functions, typed list[function] by mypy.
    return app_worker.build_worker(client, settings, activities=RAW_ACTIVITIES,  # type: ignore[arg-type]
                                   workflows=[RawReportWorkflow])


def _floor_worker(client: Client, settings: Settings) -> Worker:
    """The work floor: the app's worker options around the bare-work workflow."""
    from _floor import FloorActivities, FloorReportWorkflow

    activities = FloorActivities(settings).all()
    return app_worker.build_worker(client, settings, activities=activities,
                                   workflows=[FloorReportWorkflow])


def _count_heartbeats(path: Path) -> None:
    """Append the activity type to ``path`` at each activity's first heartbeat: the SDK
    sends an activity's first beat to the server at once (a write of its state there),
    later ones throttled; ``report_cost.py`` counts them per report."""
    from temporalio import activity

    beat, seen = activity.heartbeat, set[tuple[str, str, int]]()

    def counting(*details: object) -> None:
        info = activity.info()
        attempt = (info.workflow_id or "", info.activity_id, info.attempt)
        if attempt not in seen:
            seen.add(attempt)
            with path.open("a") as out:
                out.write(f"{info.activity_type}\n")
        beat(*details)

    activity.heartbeat = counting


def _patch_for_measurement(what: str) -> None:
    """Take one cost out of the worker, only to measure its share (``BENCH_WORKER_PATCH``;
    never a mode to run reports in): ``no-fsync`` makes ``os.fsync`` a no-op,
    ``memory-store`` keeps the directory store's objects in a dict."""
    import os

    if what == "no-fsync":
        os.fsync = lambda fd: None
    elif what == "memory-store":
        from durable_research.store.directory import DirectoryStore
        from durable_research.store.errors import ArtifactMissingError

        objects: dict[str, bytes] = {}

        def put(_self: DirectoryStore, key: str, data: bytes) -> None:
            objects[key] = bytes(data)

        def get(_self: DirectoryStore, key: str) -> bytes:
            try:
                return objects[key]
            except KeyError:
                raise ArtifactMissingError(key) from None

        DirectoryStore.put = put  # type: ignore[method-assign,assignment]
        DirectoryStore.get = get  # type: ignore[method-assign,assignment]
    elif what:
        raise SystemExit(f"unknown BENCH_WORKER_PATCH {what!r}")


def _profile_until_sigterm(path: Path) -> None:
    """Profile this process's main thread (the event loop: every async activity)."""
    import cProfile
    import os
    import signal

    profiler = cProfile.Profile()

    def dump(_sig: int, _frame: object) -> None:
        profiler.disable()
        profiler.dump_stats(str(path))
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)
    profiler.enable()


async def main() -> None:
    """Connect (retrying while the server restarts), then run the worker until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready", type=Path, required=True, help="written once polling")
    parser.add_argument("--raw", action="store_true", help="the no-op baseline workflow")
    parser.add_argument("--floor", action="store_true", help="the bare-work workflow")
    parser.add_argument("--llm-heartbeat", type=float, help="seconds (app default 5)")
    parser.add_argument("--llm-retry-initial", type=float, help="seconds (app default 1)")
    parser.add_argument("--profile", type=Path, help="cProfile the event loop into this file "
                        "(written at SIGTERM)")
    parser.add_argument("--count-heartbeats", type=Path, help="append each activity's type "
                        "to this file at its first heartbeat")
    args = parser.parse_args()
    import os

    _patch_for_measurement(os.environ.get("BENCH_WORKER_PATCH", ""))
    if args.count_heartbeats:
        _count_heartbeats(args.count_heartbeats)
    if args.profile:
        _profile_until_sigterm(args.profile)
    if args.llm_heartbeat is not None or args.llm_retry_initial is not None:
        _tune(args.llm_heartbeat, args.llm_retry_initial)
    settings = load_settings()
    # The payload codec comes from the same settings: the key the bench put in the env.
    client = await connect_retrying(settings.temporal_address, attempts=600, settings=settings)
    build = _raw_worker if args.raw else _floor_worker if args.floor else app_worker.build_worker
    async with build(client, settings):
        args.ready.write_text("ready")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
