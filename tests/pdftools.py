"""Reading PDFs in tests: plain text and the drawn order of glyphs."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import ContentStream


def pdf_file_text(path: str) -> str:
    """All text of a PDF file, pages joined."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


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
        for name, ref in page["/Resources"]["/Font"].items():
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
            elif op == b"Tj":
                raw = getattr(operands[0], "original_bytes", operands[0])
                cur += "".join(current.get(b, chr(b)) for b in bytes(raw))
            elif op in breaks and cur:
                lines.append(cur)
                cur = ""
    return lines
