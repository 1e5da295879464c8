"""The ``research`` command line: thin printers over :mod:`durable_research.client`.

Commands are registered explicitly by :func:`build_app` (importing a module has no
side effects); ``main`` is the console-script entry point.
"""

from __future__ import annotations

import os
import sys

import typer

from durable_research.cli import reports
from durable_research.cli.argv import question_as_option
from durable_research.cli.common import print_user_error, quiet_logging


def build_app(everything: bool = True) -> typer.Typer:
    """The ``research`` app with every command, or (``everything=False``) with the
    report commands alone (``reports.COMMANDS``: run, start, status, result, list).

    The report commands alone are what ``main`` builds to run one of them: typer builds
    every registered command's parameters before it runs one (0.05 s of a ``research
    run``'s start on 2 busy cores), and the other commands' modules need not be imported.
    """
    app = typer.Typer(
        help="Durable research reports: question in, PDF out, every step checkpointed on "
        "Temporal.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    if not everything:
        reports.register(app)
        return app
    from durable_research.cli import codec, mcp, ops, research, review, schedule, web

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
        mistake = question_as_option(sys.argv[1:])
        if mistake is not None:
            print_user_error(mistake)
            raise SystemExit(2)
        command = sys.argv[1] if len(sys.argv) > 1 else ""
        build_app(everything=command not in reports.COMMANDS)()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
