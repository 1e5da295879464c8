"""The PDF helper process's entry point: ``python -m durable_research.research.pdfhelper``.

It joins the two halves :mod:`pdfserver` (the forking server, generic) and the readers
each fork runs, :mod:`pdftext` for PDFs and :mod:`office` for office files and EPUBs
(picked by the request's ``kind``): the readers drive pdfserver from the worker, so
pdfserver cannot import them back; this module imports both.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from durable_research.research.pdfserver import serve


def _read(body: bytes, request: dict[str, Any]) -> dict[str, Any]:
    """In the limited child: the reader of the request's kind of document."""
    from durable_research.research import office, pdftext

    if request.get("kind", pdftext.PDF_KIND) == pdftext.PDF_KIND:
        return pdftext.child_read(body, request)
    return office.child_read(body, request)


def _prepare(request: dict[str, Any]) -> None:
    """In the server, before the fork: import an office kind's libraries once."""
    from durable_research.research import office, pdftext

    kind = str(request.get("kind", pdftext.PDF_KIND))
    if kind != pdftext.PDF_KIND:
        office.preload(kind)


def main() -> int:
    """The helper's entry point: load the PDF reader (pypdf included) once, then serve."""
    import pypdf  # noqa: F401 - imported once here, every fork has it

    import durable_research.research.pdftext  # noqa: F401 - as above

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when it ends
    return serve(_read, sys.stdin.buffer, sys.stdout.buffer, _prepare)


if __name__ == "__main__":
    sys.exit(main())
