"""A generated web site for the research benchmark: N distinct tardigrade articles.

Eight themes, one per sub-question the benchmark asks (the first four are the fake
LLM's own plan). Page ``i`` belongs to theme ``i % 8``; its title carries the theme's
words, so the fake search engine ranks it for that sub-question, and each of its five
sentences is a quotable, made-up "fact" that other pages very likely lack (a species,
a place and numbers drawn from a seeded RNG; the later sentences also name the page's
own survey code). The facts are fiction: the site exists to give the pipeline many
distinct, checkable sources.

Pages are served with the fixture site's realistic boilerplate (navigation, cookie
banner, footer) on 127.0.0.1, and every GET is counted, so the benchmark knows how
many pages a report really fetched.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from durable_research.testing.fixture_pages import Article, page_html
from durable_research.testing.http_base import BackgroundServer, QuietServer

TOPIC = "tardigrades"
QUESTION = "Tell me about tardigrades."

SPECIES = (
    "Hypsibius exemplaris", "Ramazzottius varieornatus", "Milnesium tardigradum",
    "Macrobiotus hufelandi", "Echiniscus testudo", "Richtersius coronifer",
    "Paramacrobiotus richtersi", "Batillipes mirus", "Acutuncus antarcticus",
    "Dactylobiotus parthenogeneticus", "Bryodelphax parvulus", "Mesobiotus harmsworthi",
)
PLACES = (
    "Antarctic moss banks", "Greenland meltwater pools", "Tokyo rooftop lichens",
    "Alpine glacier cryoconite holes", "Baltic beach sand", "Himalayan scree soils",
    "Scottish oak forests", "Danish salt marshes", "Icelandic lava fields",
    "Patagonian peat bogs", "Sicilian limestone walls", "Svalbard bird cliffs",
)
RESEARCHERS = (
    "Ingrid Solberg", "Kenji Arakawa", "Lucia Ferri", "Tomasz Nowak", "Amara Okafor",
    "Pedro Alves", "Hanna Lindqvist", "Ravi Menon", "Claire Dubois", "Jonas Weber",
)


@dataclass(frozen=True)
class Theme:
    """One sub-question and the article kind that answers it."""

    subquestion: str
    title: str
    sentences: tuple[str, ...]


# The first four sub-questions are exactly what testing/fake_research.py plans for
# QUESTION; the others are asked through the plan-review Update.
THEMES: tuple[Theme, ...] = (
    Theme(
        f"What are the basic facts about {TOPIC}?",
        "Basic facts about {species} from {place}",
        (
            "Adult {species} from {place} measured about {d1} millimetres on average, one of "
            "the basic facts recorded in {year}.",
            "Like all tardigrades, the {species} from {place} walked on eight stubby legs and "
            "carried {n1} claws on each leg.",
            "A basic census for survey {code} counted {n2} tardigrades of {species} per gram "
            "of dry moss from {place}.",
            "{researcher} listed further facts for survey {code}: a lifespan of about {n3} "
            "months and {n4} moults in that time.",
            "The {evidence} from survey {code} showed that {species} kept its basic body plan "
            "through {n5} generations in culture.",
        ),
    ),
    Theme(
        f"What extreme conditions can {TOPIC} survive?",
        "Extreme conditions survived by {species} in {place}",
        (
            "Dried {species} from {place} survived {n1} hours at minus {n2} degrees Celsius.",
            "A trial showed that {n3} percent of {species} tuns survived extreme heat of {n4} "
            "degrees Celsius for one hour.",
            "{researcher} exposed {species} to a pressure of {n5} megapascals in trial {code}, "
            "and most animals survived the extreme conditions.",
            "After {n6} days without water, {n7} percent of the animals of trial {code} "
            "recovered within an hour of rehydration.",
            "The {evidence} of trial {code} suggests that slow drying over {n8} hours is what "
            "lets {species} survive extreme conditions.",
        ),
    ),
    Theme(
        f"What did experiments in space show about {TOPIC}?",
        "Experiments in space show how {species} copes with orbit",
        (
            "A space experiment carried {n1} dried {species} from {place} into low Earth orbit "
            "for {n2} days.",
            "In that space experiment, {n3} percent of the {species} shielded from sunlight "
            "survived the vacuum.",
            "Experiment {code} showed that unshielded ultraviolet light in space killed all "
            "but {n4} of the {species} exposed to it.",
            "{researcher} reported that animals returned from experiment {code} laid {n5} "
            "eggs per female, as many as ground controls.",
            "The {evidence} from space experiment {code} was compared with {n6} control animals "
            "kept in {place}.",
        ),
    ),
    Theme(
        f"How do {TOPIC} protect their DNA?",
        "How {species} protect their DNA from damage",
        (
            "Specimens of {species} from {place} protect their DNA with a Dsup-like protein "
            "that cut X-ray damage by {n1} percent.",
            "Cells of {species} repaired {n2} percent of DNA breaks within {n3} hours after "
            "irradiation.",
            "{researcher} measured {n4} copies of a DNA repair gene in the genome of "
            "{species} for study {code}.",
            "Study {code} showed that the protein protects DNA from hydroxyl radicals in "
            "{n5} of {n6} tested conditions.",
            "The {evidence} of study {code} links the DNA protection of {species} from {place} "
            "to {n7} stress genes.",
        ),
    ),
    Theme(
        f"Where do {TOPIC} live in mosses, soils and oceans?",
        "Where {species} live: mosses, soils and oceans of {place}",
        (
            "A field count found {n1} tardigrades of {species} in every gram of moss from "
            "{place}.",
            "Soil cores from {place} held {n2} tardigrades per square metre at a depth of {n3} "
            "centimetres.",
            "{researcher} sampled {n4} sites for field count {code} and found {species} "
            "living in {n5} of them.",
            "Ocean sediments near {place} yielded {n6} marine tardigrades in field count "
            "{code}.",
            "The {evidence} of field count {code} suggests that {species} live longest in "
            "mosses that dry out {n7} times a year.",
        ),
    ),
    Theme(
        f"How do {TOPIC} reproduce and lay eggs?",
        "How {species} reproduce and lay eggs",
        (
            "In a breeding line from {place}, each female {species} laid {n1} eggs per clutch.",
            "Eggs of {species} hatched after {n2} days at {n3} degrees Celsius.",
            "{researcher} found no males among {n4} adults of {species} in breeding line "
            "{code}, a sign of parthenogenesis.",
            "Females of breeding line {code} reproduce by laying eggs inside the cuticle "
            "they shed, on average {n5} times in their life.",
            "The {evidence} of breeding line {code} shows that {species} from {place} needed "
            "{n6} days to reach maturity.",
        ),
    ),
    Theme(
        f"What do {TOPIC} eat and how do they feed?",
        "What {species} eat and how they feed",
        (
            "A feeding trial showed that {species} pierce algal cells with their stylets and "
            "empty {n1} cells per minute.",
            "Specimens of {species} from {place} ate {n2} rotifers a day when kept at {n3} "
            "degrees Celsius.",
            "{researcher} found plant cell walls in {n4} percent of the guts examined in "
            "feeding trial {code}.",
            "Animals of feeding trial {code} that ate only moss grew {n5} percent more "
            "slowly than those fed algae.",
            "The {evidence} of feeding trial {code} suggests that {species} feed mostly at "
            "night, with {n6} percent of meals taken after dark.",
        ),
    ),
    Theme(
        f"How were {TOPIC} discovered and classified into species?",
        "How {species} was discovered and classified",
        (
            "The species {species} was first described in {year} from specimens collected in "
            "{place}.",
            "{researcher} classified {species} using {n1} characters of the claws and "
            "mouthparts.",
            "Catalogue entry {code} lists {n2} museum specimens of {species} and {n3} "
            "synonyms used since {year}.",
            "According to catalogue entry {code}, genetic barcodes split the species into "
            "{n4} lineages across {place}.",
            "The {evidence} of catalogue entry {code} places {species} among {n5} species "
            "discovered in that region.",
        ),
    ),
)

SUBQUESTIONS: tuple[str, ...] = tuple(t.subquestion for t in THEMES)


# A generated article has the fixture site's shape: path, title, paragraphs.
Page = Article


def generate(n: int, seed: int = 7) -> list[Page]:
    """``n`` pages, theme ``i % 8`` for page ``i``; the same ``n`` and seed give the same site."""
    rng = random.Random(seed)
    per_theme = -(-n // len(THEMES))
    out = []
    for i in range(n):
        theme = THEMES[i % len(THEMES)]
        values: dict[str, Any] = {
            # The later half of a theme's pages says "evidence": the follow-up search
            # ("<sub-question> evidence") ranks them first, so round 2 finds new pages.
            "evidence": "evidence" if i // len(THEMES) >= per_theme / 2 else "record",
            "code": f"TG-{i + 1:03d}-{rng.randint(100, 999)}",
            "species": SPECIES[rng.randrange(len(SPECIES))],
            "place": PLACES[rng.randrange(len(PLACES))],
            "researcher": RESEARCHERS[rng.randrange(len(RESEARCHERS))],
            "year": rng.randint(1773, 2020),
            "d1": f"0.{rng.randint(10, 99)}",
        }
        values.update({f"n{k}": rng.randint(2, 97) for k in range(1, 9)})
        title = theme.title.format(**values)
        paragraphs = tuple(s.format(**values) for s in theme.sentences)
        out.append(Page(f"/articles/{i + 1:03d}.html", title, paragraphs))
    return out


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Silence per-request logging."""

    def do_GET(self) -> None:
        """Serve an article, robots.txt (everything allowed) or 404."""
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.hits[path] += 1
        page = self.server.pages.get(path)
        if page is not None:
            body = page_html(page.title, page.paragraphs, byline="Water Bear Gazette staff")
            status, kind, data = 200, "text/html; charset=utf-8", body.encode()
        elif path == "/robots.txt":
            status, kind, data = 200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
        else:
            status, kind, data = 404, "text/html; charset=utf-8", b"<h1>Not found</h1>"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(QuietServer):
    def __init__(self, pages: list[Page]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = {p.path: p for p in pages}
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()


class ResearchSite(BackgroundServer):
    """The generated site on 127.0.0.1, counting GETs per path."""

    def __init__(self, n_pages: int) -> None:
        """Generate ``n_pages`` articles (not served yet)."""
        self.pages = generate(n_pages)
        self._server: _Server = _Server(self.pages)

    def documents(self) -> list[tuple[str, str, str]]:
        """``(url, title, text)`` of every article, for ``SearchServer.add_documents``."""
        return [(self.base_url + p.path, p.title, p.text) for p in self.pages]

    def article_hits(self) -> tuple[int, int]:
        """GETs of article pages: (total, distinct pages)."""
        with self._server.lock:
            counts = [n for path, n in self._server.hits.items() if path in self._server.pages]
        return sum(counts), len(counts)

    def reset(self) -> None:
        """Zero the counters."""
        with self._server.lock:
            self._server.hits.clear()
