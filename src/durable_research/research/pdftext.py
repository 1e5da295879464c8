"""PDF text, read in a child process bounded in CPU, memory and time.

pypdf is pure Python, and what a PDF costs to read is the PDF's choice: a 6 KB file
whose one page shows 200,000 strings took 7.7 s of CPU, a 1.2 MB one 16 s and 410 MB
(issue 25). A worker reads PDFs from any web page and ``--sources`` from any folder, so
each PDF is read by a fork of a helper process (:mod:`pdfserver`) that first limits
itself with ``setrlimit``: ``CPU_SECONDS`` of CPU (then the kernel stops it),
``MEMORY_BYTES`` of address space (then allocations fail); it is killed after
``WALL_SECONDS``. The helper sees none of the parent's environment (no API keys next
to hostile input).
"""

from __future__ import annotations

import atexit
import io
from dataclasses import dataclass, field
from typing import Any

from durable_research.research.decode import reflow_lines
from durable_research.research.pdfserver import CPU, WALL, PdfServers, ServerError

CPU_SECONDS = 30
MEMORY_BYTES = 1 << 30
WALL_SECONDS = 60.0
# The child stops reading pages once it has this many characters (the text is cut at
# extract.MAX_TEXT_CHARS later; normalising whitespace shrinks it a little first).
MAX_CHARS = 800_000
# The statuses of a reader's own answers (the server adds pdfserver's CPU, WALL, DIED).
OK, ERROR, MEMORY = "ok", "error", "memory"
# The kind of document a request to the helper carries (pdfhelper picks the reader by it).
PDF_KIND = "pdf"
# The helper processes, shared by every bounded reader (PDF here, office files: office.py).
HELPERS = PdfServers()
atexit.register(HELPERS.close)


class PdfError(Exception):
    """No text from this PDF (or office file): damaged, encrypted, or over a limit (the
    message says which)."""


@dataclass
class PdfText:
    """A PDF's metadata title ("" when none) and its pages' reflowed text."""

    title: str = ""
    pages: list[str] = field(default_factory=list)


def read_pdf(body: bytes) -> PdfText:
    """The title and page texts of the PDF ``body``, read by a bounded child process.

    Raises:
        PdfError: Unreadable, encrypted with a password, or over a limit.
    """
    title, pages = read_bounded(body, PDF_KIND, "the PDF")
    return PdfText(title=title, pages=pages)


def read_bounded(body: bytes, kind: str, noun: str) -> tuple[str, list[str]]:
    """``(title, parts)`` of a document of ``kind`` read by a bounded child of the helper
    (the reader of that kind says what the parts are); ``noun`` names it in messages.

    The messages do not name the document: whoever lists it does ("broken.pdf: unreadable
    PDF: ..."; it said the name twice).

    Raises:
        PdfError: Unreadable, or over a limit (the message says which).
    """
    limits = {"cpu": CPU_SECONDS, "memory": MEMORY_BYTES, "max_chars": MAX_CHARS,
              "kind": kind}
    try:
        answer = HELPERS.read(body, limits, WALL_SECONDS)
    except ServerError as exc:
        raise PdfError(str(exc)) from exc
    status, payload = answer.get("status"), answer.get("payload")
    if status == OK and isinstance(payload, list):
        return str(answer.get("title") or ""), [str(p) for p in payload]
    if status == MEMORY:
        raise PdfError(f"reading {noun} needed more than {MEMORY_BYTES >> 20} MB of memory")
    if status == CPU:
        raise PdfError(f"reading {noun} took more than {CPU_SECONDS} s of CPU")
    if status == WALL:
        raise PdfError(f"reading {noun} took more than {WALL_SECONDS:g} s")
    if status == ERROR:
        raise PdfError(str(payload))
    raise PdfError(f"reading {noun} failed ({payload})")


def _read(body: bytes, max_chars: int) -> tuple[str, list[str]]:
    """Title and reflowed page texts; stops after ``max_chars`` characters of pages."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    if reader.is_encrypted:
        # Many PDFs are encrypted only to restrict printing, with an empty password.
        try:
            ok = reader.decrypt("")
        except Exception as exc:  # e.g. AES without a crypto library
            raise PdfError(f"encrypted PDF cannot be opened ({exc})") from exc
        if not ok:
            raise PdfError("PDF is password-protected")
    pages: list[str] = []
    total = 0
    for page in reader.pages:
        text = reflow_lines(page.extract_text() or "")
        pages.append(text)
        total += len(text)
        if total > max_chars:
            break
    meta = reader.metadata
    return (str(meta.title or "") if meta else ""), pages


def child_read(body: bytes, request: dict[str, Any]) -> dict[str, Any]:
    """In the limited child: ``{status, title, payload}`` for the PDF ``body``."""
    try:
        title, pages = _read(body, int(request["max_chars"]))
    except MemoryError:
        return {"status": MEMORY}
    except PdfError as exc:
        return {"status": ERROR, "payload": str(exc)}
    except Exception as exc:  # noqa: BLE001 - pypdf raises a zoo of types on damaged input
        return {"status": ERROR, "payload": f"unreadable PDF: {exc}"}
    return {"status": OK, "title": title, "payload": pages}
