"""Content of the fixture web site: tardigrade articles, boilerplate, a PDF and a PNG.

Every article carries distinct factual sentences that tests (and the fake LLM) can quote,
wrapped in the navigation, cookie banner and footer real sites have, so that main-text
extraction is tested against realistic clutter.
"""

from __future__ import annotations

import html
import io
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Article:
    """One article page of the fixture site: path, title and paragraphs."""

    path: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The article's body text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


ARTICLES: tuple[Article, ...] = (
    Article(
        "/articles/survival.html",
        "How tardigrades survive extreme conditions",
        (
            "Tardigrades are among the most resilient animals known to science.",
            "In the dried tun state, tardigrades have survived temperatures from minus 272 "
            "degrees Celsius, just above absolute zero, up to 150 degrees Celsius for a few "
            "minutes.",
            "Tardigrades have survived pressures of 600 megapascals, about six times the "
            "pressure at the bottom of the Mariana Trench.",
            "Hydrated tardigrades can survive about 5,000 gray of gamma radiation, a thousand "
            "times the dose that would kill a human.",
        ),
    ),
    Article(
        "/articles/cryptobiosis.html",
        "Cryptobiosis: life without water",
        (
            "When their surroundings dry out, tardigrades retract their head and eight legs "
            "and curl into a dry, barrel-shaped form called a tun.",
            "In the tun state the metabolism of a tardigrade falls to less than 0.01 percent "
            "of its normal rate.",
            "Some tardigrade species accumulate the sugar trehalose, which replaces water and "
            "forms a glassy matrix that protects their cells.",
            "Tardigrades have been revived after more than ten years without water, and "
            "animals from an Antarctic moss sample frozen for 30 years came back to life.",
        ),
    ),
    Article(
        "/articles/space.html",
        "Tardigrades in outer space",
        (
            "In September 2007 the FOTON-M3 mission carried dried tardigrades into low Earth "
            "orbit for ten days.",
            "Most tardigrades exposed to the vacuum of space on FOTON-M3 survived and later "
            "reproduced normally.",
            "Tardigrades exposed to both the vacuum and the full ultraviolet radiation of the "
            "Sun mostly died, but a few individuals survived.",
            "The FOTON-M3 experiment made tardigrades the first animals known to survive "
            "direct exposure to open space.",
        ),
    ),
    Article(
        "/articles/anatomy.html",
        "Tardigrade anatomy at a glance",
        (
            "Tardigrades have eight legs in four pairs, and each leg ends in claws or pads.",
            "Adult tardigrades are between 0.05 and 1.2 millimetres long, so most are barely "
            "visible to the naked eye.",
            "About 1,300 species of tardigrades have been described.",
            "The German zoologist Johann August Ephraim Goeze first described tardigrades in "
            "1773 and called them little water bears.",
        ),
    ),
    Article(
        "/articles/dsup.html",
        "Dsup, the protein that shields tardigrade DNA",
        (
            "Dsup, short for damage suppressor, is a protein found in the tardigrade "
            "Ramazzottius varieornatus.",
            "Dsup was discovered in 2016 when the genome of Ramazzottius varieornatus was "
            "sequenced at the University of Tokyo.",
            "Human cultured cells engineered to produce Dsup suffered about 40 percent less "
            "DNA damage from X-rays than ordinary cells.",
            "Dsup binds to the nucleosomes that package DNA and shields them from hydroxyl "
            "radicals.",
        ),
    ),
)

ARTICLES_BY_PATH: dict[str, Article] = {a.path: a for a in ARTICLES}

# Sentences from the boilerplate around every article: extraction must drop them all.
BOILERPLATE_MARKERS: tuple[str, ...] = (
    "We use cookies to improve your browsing experience",
    "Accept all cookies",
    "Subscribe to the Water Bear Gazette newsletter",
    "All rights reserved",
    "Privacy policy",
    "Shop merchandise",
)

PDF_TITLE = "A short review of tardigrade biology"
PDF_PARAGRAPHS: tuple[str, ...] = (
    "Tardigrades have been found from mountaintops above 6,000 metres to deep-sea sediments "
    "more than 4,000 metres below the surface.",
    "The oldest known tardigrade fossils are preserved in Cretaceous amber about 90 million "
    "years old.",
    "A 2015 claim that 17 percent of the genome of Hypsibius dujardini came from bacteria by "
    "horizontal gene transfer was later traced to contamination.",
    "Tardigrades grow by moulting and keep moulting throughout their adult lives.",
)

LATIN1_TEXT = (
    "Les tardigrades résistent à des températures extrêmes.\n\n"
    "Découverts en 1773, ils sont surnommés « oursons d'eau » et mesurent à peine un "
    "millimètre.\n"
)

SECRET_HTML = (
    "<!DOCTYPE html><html><head><title>Private notes</title></head><body>"
    "<p>This private tardigrade page is disallowed for robots.</p></body></html>"
)

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"

_NAV = """<header class="site-header">
<div class="logo"><a href="/">Water Bear Gazette</a></div>
<nav class="main-menu"><ul>
<li><a href="/">Home</a></li><li><a href="/articles/survival.html">Survival</a></li>
<li><a href="/articles/space.html">Space</a></li><li><a href="/shop">Shop merchandise</a></li>
<li><a href="/about">About us</a></li></ul></nav></header>
<div id="cookie-banner" class="cookie-consent">
<p>We use cookies to improve your browsing experience and to show you relevant ads.</p>
<button>Accept all cookies</button> <button>Manage settings</button></div>"""

_FOOTER = """<aside class="sidebar newsletter">
<p>Subscribe to the Water Bear Gazette newsletter for weekly tardigrade news.</p>
<form><input type="email" name="email"><button>Subscribe</button></form></aside>
<footer class="site-footer"><ul>
<li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li>
<li><a href="/contact">Contact</a></li></ul>
<p>&copy; 2024 Water Bear Gazette. All rights reserved.</p></footer>"""


def page_html(
    title: str, paragraphs: tuple[str, ...], byline: str = "", extra_html: str = ""
) -> str:
    """An HTML page with the article in <main>, between realistic boilerplate."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) + extra_html
    by = f'<p class="byline">By {html.escape(byline)}</p>' if byline else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{html.escape(title)} | Water Bear Gazette</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<style>body{font-family:sans-serif}</style>\n"
        "<script>window.dataLayer=[];function track(){}</script></head>\n"
        f"<body>\n{_NAV}\n<main><article>\n<h1>{html.escape(title)}</h1>\n{by}\n"
        f"{body}\n</article></main>\n{_FOOTER}\n</body></html>\n"
    )


def article_html(article: Article) -> bytes:
    """The full UTF-8 HTML of one article page."""
    return page_html(article.title, article.paragraphs, byline="Dr. Ada Moss").encode()


def index_html() -> bytes:
    """The home page: links to every article."""
    links = "".join(f'<li><a href="{a.path}">{html.escape(a.title)}</a></li>' for a in ARTICLES)
    return (
        "<!DOCTYPE html><html><head><title>Water Bear Gazette</title></head><body>"
        f"<h1>Water Bear Gazette</h1><ul>{links}</ul></body></html>"
    ).encode()


def make_pdf(title: str, paragraphs: tuple[str, ...]) -> bytes:
    """A real text PDF (ReportLab) with a title in its metadata; deterministic bytes."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    # invariant=1: no timestamp or random ID, so the same input gives the same bytes.
    doc = SimpleDocTemplate(buffer, title=title, author="Water Bear Gazette", invariant=1)
    story = [Paragraph(html.escape(title), styles["Title"])]
    for paragraph in paragraphs:
        story += [Paragraph(html.escape(paragraph), styles["BodyText"]), Spacer(1, 8)]
    doc.build(story)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def review_pdf() -> bytes:
    """The fixture site's review paper, built once per process."""
    return make_pdf(PDF_TITLE, PDF_PARAGRAPHS)


@lru_cache(maxsize=1)
def png_bytes() -> bytes:
    """A valid 1x1 white PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks
