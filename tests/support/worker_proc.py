"""A real worker process for crash tests: ``python -m tests.support.worker_proc``.

Settings come from the environment. With ``--block NAME MARKER`` (repeatable), the
activity NAME is replaced by one that writes MARKER and then blocks forever, so a
test can SIGKILL the process at a known point (``--block-pdf MARKER`` is
``--block create_pdf MARKER``). With ``--block-after NAME COUNT MARKER`` the first COUNT
calls of NAME run for real; each later one appends a line to MARKER and blocks. With
``--returned NAME MARKER`` the activity NAME runs for real and appends a line to MARKER
each time it has returned its result to the SDK (which reports it to the server).
"""

from __future__ import annotations

import argparse
import asyncio
import typing
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import temporalio.converter
from temporalio import activity

from durable_research.config import load_settings
from durable_research.testing.temporal import connect_retrying
from durable_research.worker.build import build_worker, default_activities


def blocking(name: str, marker: Path) -> Callable[[Any], Awaitable[Any]]:
    """An activity called ``name`` that never finishes."""

    @activity.defn(name=name)
    async def block(params: Any) -> Any:
        marker.write_text(activity.info().workflow_id or "")
        while True:
            await asyncio.sleep(3600)

    return block


def blocking_after(real: Callable[[Any], Awaitable[Any]], name: str, count: int,
                   marker: Path) -> Callable[[Any], Awaitable[Any]]:
    """``real`` for its first ``count`` calls; later calls note themselves and block."""
    calls = [0]

    @activity.defn(name=name)
    async def maybe_block(params: Any) -> Any:
        calls[0] += 1
        if calls[0] <= count:  # decoded as a dict here (Any): as the real one would be
            hint = typing.get_type_hints(real)["params"]
            return await real(temporalio.converter.value_to_type(hint, params))
        with marker.open("a") as f:
            f.write(f"{activity.info().workflow_id}\n")
        while True:
            await asyncio.sleep(3600)

    return maybe_block


def noting_return(real: Callable[[Any], Awaitable[Any]], name: str,
                  marker: Path) -> Callable[[Any], Awaitable[Any]]:
    """``real``, noting in ``marker`` each time it has returned (the SDK holds the result)."""

    @activity.defn(name=name)
    async def noted(params: Any) -> Any:
        hint = typing.get_type_hints(real)["params"]
        result = await real(temporalio.converter.value_to_type(hint, params))
        with marker.open("a") as f:
            f.write(f"{activity.info().workflow_id}\n")
        return result

    return noted


async def main() -> None:
    """Run the worker until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--block-pdf", type=Path)
    parser.add_argument("--block", nargs=2, action="append", default=[],
                        metavar=("ACTIVITY", "MARKER"))
    parser.add_argument("--block-after", nargs=3, action="append", default=[],
                        metavar=("ACTIVITY", "COUNT", "MARKER"))
    parser.add_argument("--returned", nargs=2, action="append", default=[],
                        metavar=("ACTIVITY", "MARKER"))
    parser.add_argument("--ready", type=Path, help="file written once the worker polls")
    args = parser.parse_args()
    settings = load_settings()
    # It may be restarting; the payload codec comes from the same settings (shared key).
    client = await connect_retrying(settings.temporal_address, settings=settings)
    blocks = {name: Path(marker) for name, marker in args.block}
    if args.block_pdf:
        blocks["create_pdf"] = args.block_pdf
    later = {name: (int(count), Path(marker)) for name, count, marker in args.block_after}
    returned = {name: Path(marker) for name, marker in args.returned}
    activities = [
        blocking(name, blocks[name]) if name in blocks
        else blocking_after(fn, name, *later[name]) if name in later
        else noting_return(fn, name, returned[name]) if name in returned else fn
        for name, fn in default_activities(settings).items()
    ]
    worker = build_worker(client, settings, activities=activities)
    async with worker:
        if args.ready:
            args.ready.write_text("ready")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
