"""Tables of extracted documents as Markdown pipe tables (the first row is the header).

Web pages (:mod:`extract`) and office files (:mod:`office_read`) write their tables this
way, so :mod:`blocks` reads every row back as a row and a note quotes a table as a
table, never a row flattened into a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence


def cell_text(text: str) -> str:
    """A table cell's text on one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def markdown_table(rows: Sequence[Sequence[str]]) -> str:
    """``rows`` of cell texts as a pipe table ("" when every cell is empty); short rows
    are padded to the widest."""
    cells = [[cell_text(c) for c in row] for row in rows]
    cells = [row for row in cells if any(row)]
    if not cells:
        return ""
    width = max(len(row) for row in cells)
    lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in cells]
    return "\n".join([lines[0], "| " + " | ".join(["---"] * width) + " |", *lines[1:]])
