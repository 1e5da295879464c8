"""Reading PDFs in tests: plain text and the drawn order of glyphs."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, PdfObject

from tests.support.paths import ROOT


def preview_tools() -> tuple[str, Path]:
    """pdftoppm and the folder PNG previews go to (``artifacts/``, created); the test is
    skipped where pdftoppm is not installed."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    return exe, out


def pdf_dict(obj: PdfObject) -> DictionaryObject:
    """``obj`` (resolved if indirect) as the dictionary it must be: pypdf types a
    dictionary's values as any PDF object."""
    resolved = obj.get_object()
    assert isinstance(resolved, DictionaryObject), type(resolved)
    return resolved


def pdf_file_text(path: str) -> str:
    """All text of a PDF file, pages joined."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def raw_bytes(part: str | bytes) -> bytes:
    """The bytes of a string operand as written in the content stream."""
    raw = getattr(part, "original_bytes", None)
    if raw is not None:
        return bytes(raw)
    return part.encode("latin-1") if isinstance(part, str) else bytes(part)


def drawn_lines(
    data: bytes, breaks: tuple[bytes, ...] = (b"T*", b"ET", b"Td", b"TD")
) -> list[str]:
    """Text of each drawn line in content-stream (= visual, left to right) order.

    Unlike pypdf's extract_text this does no bidi guessing, so it shows exactly the
    order in which glyphs were placed on the page. ``breaks`` are the text operators
    that end a line.
    """
    reader = PdfReader(io.BytesIO(data))
    lines: list[str] = []
    for page in reader.pages:
        maps: dict[str, dict[int, str]] = {}
        for name, ref in pdf_dict(pdf_dict(page["/Resources"])["/Font"]).items():
            font = ref.get_object()
            if "/ToUnicode" in font:
                cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
                maps[name] = {
                    int(c, 16): bytes.fromhex(u).decode("utf-16-be")
                    for c, u in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]{4,})>", cmap)
                }
        current: dict[int, str] = {}
        cur = ""
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = maps.get(str(operands[0]), {})
            elif op in (b"Tj", b"TJ"):
                # Shaped text is drawn with TJ: strings mixed with position adjustments.
                parts = operands[0] if op == b"TJ" else [operands[0]]
                for part in parts:
                    if isinstance(part, (str, bytes)):
                        cur += "".join(current.get(b, chr(b)) for b in raw_bytes(part))
            elif op in breaks and cur:
                lines.append(cur)
                cur = ""
    return lines


def actual_texts(data: bytes) -> list[str]:
    """The ``/ActualText`` of every marked-content span, in content-stream order."""
    reader = PdfReader(io.BytesIO(data))
    out: list[str] = []
    for page in reader.pages:
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"BDC" and isinstance(operands[1], DictionaryObject):
                text = operands[1].get("/ActualText")
                if text is not None:
                    out.append(str(text))
    return out


def pdftotext(path: Path) -> str:
    """The text poppler's ``pdftotext`` extracts (UTF-8, layout as poppler reads it),
    without the bidi embedding controls it puts around right-to-left runs; the test is
    skipped where pdftotext (Debian poppler-utils) is not installed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    out = subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         check=True, timeout=60).stdout.decode("utf-8")
    return re.sub("[\u202a-\u202e]", "", out)
