"""Word, PowerPoint, Excel and EPUB files among ``--sources``, read like PDFs: bounded.

These are zip files from folders nobody vouches for. Each is read by a fork of the PDF
helper (:mod:`pdftext`, :mod:`pdfserver`: limited CPU, memory and wall time, no
environment), and before any library parses it the child checks the zip's directory:
at most ``MAX_MEMBERS`` members and ``MAX_UNCOMPRESSED`` bytes unpacked in all (a zip
bomb says how big its members are, and Python's zipfile never inflates a member past
that size, so the sum bounds every read). Readers stop collecting text at the helper's
``max_chars``. Headings become ``#`` lines and tables Markdown pipe tables
(:mod:`office_read`), the structure web pages get (:mod:`extract`), so passages keep
their headings and a table stays a table.

The libraries: python-docx (MIT; lxml), python-pptx (MIT; lxml, Pillow, XlsxWriter)
and openpyxl (MIT; et_xmlfile; its read-only mode streams rows), each the maintained
reference reader of its format, and python-docx writes the ``--format docx`` report
too. EPUB is a zip of XHTML chapters: its container and package files name them in
reading order (lxml, entities not resolved), and each chapter's XHTML becomes Markdown
(:mod:`xhtml_md`) in the child too. Not chosen: ebooklib (AGPL-3.0, and it loads every item
into memory), markitdown (one converter for all, but it pulls mammoth, markdownify,
BeautifulSoup, pandas for spreadsheets and magika with onnxruntime, and converts a
whole file with no limit of its own).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

from durable_research.research.pdftext import (
    ERROR,
    MEMORY,
    OK,
    PdfError,
    read_bounded,
)

MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED = 200_000_000
DOCX, PPTX, XLSX, EPUB = "docx", "pptx", "xlsx", "epub"
# Media type -> the helper's kind of document.
OFFICE_TYPES: dict[str, str] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DOCX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": PPTX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": XLSX,
    "application/epub+zip": EPUB,
}
MIME_BY_SUFFIX: dict[str, str] = {f".{kind}": mime for mime, kind in OFFICE_TYPES.items()}
_NAMES = {DOCX: "Word file", PPTX: "PowerPoint file", XLSX: "Excel file", EPUB: "EPUB"}


class ZipBombError(Exception):
    """A zip whose directory promises more members or bytes than are read."""


def check_zip(body: bytes) -> zipfile.ZipFile:
    """``body`` opened as a zip after its directory passed the caps.

    Raises:
        ZipBombError: Too many members, or too many bytes unpacked.
        zipfile.BadZipFile: Not a zip at all.
    """
    archive = zipfile.ZipFile(io.BytesIO(body))
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ZipBombError(f"{len(members):,} files in the zip (the limit is {MAX_MEMBERS:,})")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNCOMPRESSED:
        raise ZipBombError(f"{unpacked:,} bytes once unpacked (the limit is "
                           f"{MAX_UNCOMPRESSED:,})")
    return archive


def read_office(body: bytes, mime: str) -> tuple[str, str]:
    """``(title, Markdown text)`` of an office file or EPUB, read by the bounded helper.

    Raises:
        PdfError: Damaged, a zip bomb, or over a limit (the message says which).
    """
    kind = OFFICE_TYPES[mime]
    title, parts = read_bounded(body, kind, f"the {_NAMES[kind]}")
    return title, "\n\n".join(parts)


def child_read(body: bytes, request: dict[str, Any]) -> dict[str, Any]:
    """In the limited child: ``{status, title, payload}`` for an office file or EPUB."""
    from durable_research.research import office_read

    kind, max_chars = str(request.get("kind")), int(request["max_chars"])
    readers = {DOCX: office_read.docx_text, PPTX: office_read.pptx_text,
               XLSX: office_read.xlsx_text, EPUB: office_read.epub_text}
    try:
        archive = check_zip(body)
        with warnings.catch_warnings():  # openpyxl warns about styles it ignores anyway
            warnings.simplefilter("ignore")
            title, parts = readers[kind](archive, body, max_chars)
    except MemoryError:
        return {"status": MEMORY}
    except ZipBombError as exc:
        return {"status": ERROR, "payload": f"refused: a zip bomb? {exc}"}
    except PdfError as exc:
        return {"status": ERROR, "payload": str(exc)}
    except Exception as exc:  # noqa: BLE001 - the parsers raise a zoo of types on damaged input
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return {"status": ERROR, "payload": f"unreadable {_NAMES.get(kind, kind)} ({reason})"}
    return {"status": OK, "title": title, "payload": parts}


def preload(kind: str) -> None:
    """Import the readers of ``kind`` (in the helper, before it forks: once for all)."""
    from durable_research.research import office_read  # noqa: F401 - imported for the forks

    if kind == XLSX:
        import openpyxl  # noqa: F401 - slow: 1 s with numpy, once per helper
    elif kind == PPTX:
        import pptx  # noqa: F401
    elif kind == DOCX:
        import docx  # noqa: F401
