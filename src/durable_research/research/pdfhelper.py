"""The PDF helper process's entry point: ``python -m durable_research.research.pdfhelper``.

It joins the two halves :mod:`pdfserver` (the forking server, generic) and
:mod:`pdftext` (the reader each fork runs): pdftext drives pdfserver from the worker,
so pdfserver cannot import pdftext back; this module imports both.
"""

from __future__ import annotations

import signal
import sys

from durable_research.research.pdfserver import serve


def main() -> int:
    """The helper's entry point: load the reader (pypdf included) once, then serve."""
    import pypdf  # noqa: F401 - imported once here, every fork has it

    from durable_research.research.pdftext import child_read

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when it ends
    return serve(child_read, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main())
