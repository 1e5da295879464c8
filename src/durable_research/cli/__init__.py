"""The ``research`` command line: thin printers over :mod:`durable_research.client`.

Commands are registered explicitly by :func:`build_app` (importing a module has no
side effects); ``main`` is the console-script entry point.
"""

from __future__ import annotations

import os
import sys

import typer

from durable_research.cli import codec, mcp, ops, reports, research, review, schedule, web
from durable_research.cli.common import quiet_logging


def build_app() -> typer.Typer:
    """The ``research`` app with every command."""
    app = typer.Typer(
        help="Durable research reports: question in, PDF out, every step checkpointed on "
        "Temporal.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for module in (reports, review, research, schedule, ops, codec, web, mcp):
        module.register(app)
    return app


def main() -> None:
    """Console-script entry point.

    Leaves through ``os._exit`` after flushing: a Temporal client's native threads can
    abort the interpreter's teardown (``PyGILState_Release``, sdk-python#300), which
    would turn a clean exit code into a crash.
    """
    quiet_logging(verbose=os.environ.get("RESEARCH_VERBOSE", "") not in ("", "0", "false"))
    code: int = 0
    try:
        build_app()()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
