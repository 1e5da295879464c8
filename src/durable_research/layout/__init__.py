"""Write a :class:`ReportContent` as PDF, Markdown, HTML and/or Word (.docx) files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from durable_research.contract.report import KNOWN_FORMATS, ReportContent
from durable_research.document.docmodel import Document
from durable_research.document.render import build_document
from durable_research.layout.files import atomic_write, choose_stem, safe_basename

__all__ = ["RENDERERS", "render_bytes", "safe_basename", "write_report"]


Renderer = Callable[[ReportContent, Document], bytes]


def _pdf(content: ReportContent, doc: Document) -> bytes:  # noqa: ARG001 - one signature per format
    # Imported lazily: the PDF stack (reportlab, fonts) is heavy and not needed for md/html.
    from durable_research.layout.pdf import render_document_pdf

    return render_document_pdf(doc)


def _html(content: ReportContent, doc: Document) -> bytes:  # noqa: ARG001 - one signature per format
    from durable_research.layout.html import document_html

    return document_html(doc).encode("utf-8", errors="replace")


def _docx(content: ReportContent, doc: Document) -> bytes:  # noqa: ARG001 - as above
    from durable_research.layout.word import render_document_docx

    return render_document_docx(doc)


def _markdown(content: ReportContent, doc: Document) -> bytes:  # noqa: ARG001 - as above
    # The Markdown output keeps the body verbatim: it needs the content, not the model.
    from durable_research.layout.markdown import render_markdown

    return render_markdown(content)


# One renderer per format; the document is parsed once and handed to each.
RENDERERS: dict[str, Renderer] = {"pdf": _pdf, "html": _html, "md": _markdown, "docx": _docx}
assert set(RENDERERS) == set(KNOWN_FORMATS), "a format without a renderer (or vice versa)"


def _renderer(fmt: str) -> Renderer:
    try:
        return RENDERERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown report format {fmt!r}; expected one of {list(KNOWN_FORMATS)}"
        ) from None


def render_bytes(content: ReportContent, fmt: str) -> bytes:
    """Render ``content`` in one format (one of ``KNOWN_FORMATS``) without touching disk.

    Raises:
        ValueError: If ``fmt`` is not a known format.
    """
    renderer = _renderer(fmt)
    return renderer(content, build_document(content))


def write_report(
    content: ReportContent,
    out_dir: Path,
    basename: str,
    formats: Sequence[str] = ("pdf",),
    overwrite: bool = False,
) -> list[Path]:
    """Render the report and write ``<basename>.<ext>`` for each requested format.

    Existing files are never replaced unless ``overwrite`` is true; instead a shared
    ``-2``, ``-3``... suffix is chosen for all formats of this call. Each file is
    written atomically.

    Args:
        content: The report to lay out.
        out_dir: Target folder, created if missing.
        basename: Untrusted base name; it is passed through :func:`safe_basename`.
        formats: Subset of ``KNOWN_FORMATS`` ("pdf", "md", "html", "docx").
        overwrite: Replace existing files instead of choosing a new suffix.

    Returns:
        The written paths, the PDF first if it was requested.

    Raises:
        ValueError: If a format is unknown or no format is given.
    """
    wanted: list[str] = []
    for fmt in formats:
        norm = fmt.strip().lower().lstrip(".")
        _renderer(norm)  # unknown: ValueError before anything is rendered
        if norm not in wanted:
            wanted.append(norm)
    if not wanted:
        raise ValueError(f"no report format given; expected some of {list(KNOWN_FORMATS)}")
    wanted.sort(key=lambda f: f != "pdf")  # stable: PDF first, others in given order
    # Render everything before writing anything, so a render error leaves no partial set.
    doc = build_document(content)
    rendered = {fmt: _renderer(fmt)(content, doc) for fmt in wanted}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = choose_stem(out_dir, safe_basename(basename), wanted, overwrite)
    paths: list[Path] = []
    for fmt in wanted:
        path = out_dir / f"{stem}.{fmt}"
        atomic_write(path, rendered[fmt])
        paths.append(path)
    return paths
