"""Main-text extraction from HTML, PDF and text, and local fixture documents."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from reportlab.pdfgen import canvas

from durable_research.research.decode import decode_bytes, normalize_text, reflow_lines
from durable_research.research.extract import (
    MAX_TEXT_CHARS,
    SUPPORTED_SUFFIXES,
    ExtractError,
    extract_file,
    extract_text,
)
from durable_research.testing import fixture_pages as pages
from durable_research.testing.fixture_site import DOCUMENT_FACTS, write_fixture_documents
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docs")
    return {path.name: path for path in write_fixture_documents(folder)}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_fixture_documents_written(documents: dict[str, Path]) -> None:
    suffixes = {path.suffix for path in documents.values()}
    assert suffixes == {".md", ".txt", ".html", ".pdf", ".odt"}
    assert all(path.stat().st_size > 0 for path in documents.values())


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("diet.md", "What tardigrades eat"),  # from the YAML front matter
        ("reproduction.txt", "Tardigrade reproduction"),
        ("habitats.html", "Where tardigrades live"),
        ("model-organism.pdf", "Tardigrades as laboratory animals"),
    ],
)
def test_extract_file_documents(documents: dict[str, Path], name: str, title: str) -> None:
    extracted = extract_file(documents[name])
    assert extracted.title == title
    assert DOCUMENT_FACTS[name] in flat(extracted.text)
    # Each document holds only its own fact.
    others = [fact for other, fact in DOCUMENT_FACTS.items() if other != name]
    assert not any(fact in flat(extracted.text) for fact in others)


def test_markdown_front_matter_not_in_text(documents: dict[str, Path]) -> None:
    text = extract_file(documents["diet.md"]).text
    assert text.startswith("# Tardigrade diet")
    assert "title:" not in text and "---" not in text


def test_html_document_keeps_table_drops_boilerplate(documents: dict[str, Path]) -> None:
    text = extract_file(documents["habitats.html"]).text
    # A Markdown table (header, separator, rows), so notes can quote it as a table.
    assert "| Habitat | Typical genus |\n| --- | --- |\n| Moss cushions | Macrobiotus |" in text
    for marker in pages.BOILERPLATE_MARKERS:
        assert marker not in text


def test_html_code_lists_and_tables_stay_markdown_blocks() -> None:
    body = (
        b"<html><body><article><h1>Install</h1><p>Install the tool with the following lines "
        b"of shell, which need no root rights at all.</p>"
        b"<pre><code>pip install foo\nif true; then\n    foo   --init\nfi\n</code></pre>"
        b"<ol><li>Set FOO_HOME.</li><li>Run foo.</li></ol><ul><li>One item here.</li></ul>"
        b"<table><tr><td>a</td><td>b | c</td></tr><tr><td>d</td></tr></table>"
        b"<p>Enough text here for trafilatura to keep the article as the main content.</p>"
        b"</article></body></html>"
    )
    text = extract_text(body, "text/html").text
    # Code keeps its indentation and spacing inside its fence; pipes in cells are escaped.
    assert "```\npip install foo\nif true; then\n    foo   --init\nfi\n```" in text
    assert "1. Set FOO_HOME.\n2. Run foo." in text and "- One item here." in text
    assert "| a | b \\| c |\n| --- | --- |\n| d | |" in text


def test_unsupported_and_missing_files(documents: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="unsupported file type '.odt'"):
        extract_file(documents["notes.odt"])
    with pytest.raises(ExtractError, match="cannot read"):
        extract_file(tmp_path / "absent.md")
    big = tmp_path / "big.txt"
    big.write_text("tardigrade " * 100)
    with pytest.raises(ExtractError, match="too large"):
        extract_file(big, max_bytes=100)
    assert SUPPORTED_SUFFIXES == (".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf",
                                  ".docx", ".pptx", ".xlsx", ".epub")


def test_article_paragraphs_separated_by_blank_lines() -> None:
    article = pages.ARTICLES[0]
    extracted = extract_text(pages.article_html(article), "text/html; charset=utf-8")
    # The page's <h1> stays a heading line (search weighs headings).
    assert extracted.text == f"# {article.title}\n\n{article.text}"


def test_html_charset_from_meta_and_fallbacks() -> None:
    body = "<html><head><meta charset='windows-1252'><title>Café</title></head><body>"
    body += "<p>Les tardigrades résistent à tout – même au vide spatial.</p></body></html>"
    raw = body.encode("cp1252")
    for charset in ("", "windows-1252"):
        extracted = extract_text(raw, "text/html", charset=charset)
        assert extracted.title == "Café"
        assert "résistent à tout – même" in extracted.text
    # No declaration at all: UTF-8 fails, cp1252 still reads it (not mojibake).
    assert decode_bytes("déjà vu".encode("cp1252")) == "déjà vu"
    assert decode_bytes("déjà vu".encode()) == "déjà vu"
    # Servers' default ASCII/Latin-1 label does not turn valid UTF-8 into mojibake.
    assert decode_bytes("déjà".encode(), charset="ascii") == "déjà"
    assert decode_bytes("déjà".encode(), charset="iso-8859-1") == "déjà"
    assert decode_bytes("bom".encode("utf-16")) == "bom"
    assert decode_bytes(b"x", charset="no-such-codec") == "x"


def test_xhtml_with_xml_declaration() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        b"<head><title>Water bears</title></head><body><p>Tardigrades are micro-animals "
        b"with eight legs that live in moss, in soil and in the sea.</p></body></html>"
    )
    extracted = extract_text(body, "application/xhtml+xml")
    assert extracted.title == "Water bears"
    assert "micro-animals with eight legs" in extracted.text


def test_tiny_page_uses_lxml_fallback() -> None:
    body = b"<html><head><title>T</title><script>var x=1;</script></head><body>"
    body += b"<div>Short.</div><div>Two<br>lines.</div></body></html>"
    extracted = extract_text(body, "text/html")
    assert extracted.title == "T"
    assert "Short." in extracted.text and "Two" in extracted.text
    assert "ShortTwo" not in extracted.text.replace(".", "")
    assert "var x" not in extracted.text


@pytest.mark.parametrize(
    "body", [b"", b"   \n", b"<html><body>  </body></html>", b"<html><script>x()</script></html>"]
)
def test_empty_pages_rejected(body: bytes) -> None:
    with pytest.raises(ExtractError):
        extract_text(body, "text/html")


def test_sniffing_without_content_type() -> None:
    assert extract_text(pages.review_pdf(), "").title == pages.PDF_TITLE
    html_page = pages.article_html(pages.ARTICLES[1])
    assert "tun" in extract_text(html_page, "").text
    assert extract_text(b"plain words here", "").text == "plain words here"


def test_unsupported_content_type() -> None:
    with pytest.raises(ExtractError, match="image/png"):
        extract_text(pages.png_bytes(), "image/png", url="http://x/image.png")


def _blank_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(100, 100, 200, 200, fill=1)  # a "scan": graphics, no text
    page.showPage()
    page.save()
    return buffer.getvalue()


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pages.review_pdf()))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_blank_pdf(), "no extractable text"),
        (b"%PDF-1.4\nthis is not really a pdf", "unreadable PDF"),
        (_encrypted_pdf("secret"), "password"),
    ],
)
def test_bad_pdfs(body: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        extract_text(body, "application/pdf", url="x.pdf")


def test_pdf_encrypted_with_empty_password_is_read() -> None:
    extracted = extract_text(_encrypted_pdf(""), "application/pdf")
    assert pages.PDF_PARAGRAPHS[0] in flat(extracted.text)


def test_text_title_and_normalisation() -> None:
    raw = "\r\n\r\n  Intro line\x00 with\x07 junk\t tab\r\n\n\n\n\n"
    raw += "## The heading ##\r\nbody  text  "
    extracted = extract_text(raw.encode(), "text/markdown")
    assert extracted.title == "The heading"
    assert extracted.text == "Intro line with junk\t tab\n\n## The heading ##\nbody text"
    long_line = "word " * 100
    assert len(extract_text(long_line.encode(), "text/plain").title) <= 200


def test_text_capped() -> None:
    body = ("Tardigrades endure. " * 30_000).encode()  # 600,000 characters
    text = extract_text(body, "text/plain").text
    assert 0.9 * MAX_TEXT_CHARS < len(text) <= MAX_TEXT_CHARS
    assert text.endswith("endure.")
    assert len(normalize_text("a b " * 10, limit=7)) <= 7


def test_reflow_pdf_lines() -> None:
    page = (
        "A heading\n"
        "This sentence was wrapped by the page and contin-\n"
        "ues on the next line of the same paragraph until\n"
        "it ends here.\n"
        "Next paragraph starts here and is quite long as well, longer..\n"
    )
    assert reflow_lines(page) == (
        "A heading\n\nThis sentence was wrapped by the page and continues on the next line of "
        "the same paragraph until it ends here.\n\nNext paragraph starts here and is quite "
        "long as well, longer.."
    )


def test_html_list_items_are_kept_and_navigation_dropped() -> None:
    """trafilatura's default precision dropped 402 of 913 long list items of the evaluation
    corpus (bench/eval/README.md): WAL's advantages, the meanings of each setting."""
    from lxml import html

    page = ROOT / "bench" / "eval" / "corpus" / "docs" / "storage" / "wal.html"
    tree = html.fromstring(page.read_bytes())
    long_items = [item for li in tree.iter("li") if len(item := flat(li.text_content())) > 60]
    text = flat(extract_file(page).text)
    assert len(long_items) >= 10
    assert [i for i in long_items if i[:50] not in text] == []
    assert "Purchase" not in text  # the site's menu
