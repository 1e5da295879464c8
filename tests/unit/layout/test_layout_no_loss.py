"""Nothing the parser accepted is lost in the PDF; internal links are live, others safe."""

from __future__ import annotations

import io
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from durable_research.contract.report import ReportContent
from durable_research.layout import render_bytes

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)
# Inline wrappers, nested by composition; code spans cannot nest.
WRAPS = ["*{}*", "**{}**", "~~{}~~", "~{}~", "_{}_", "[{}](https://e.org/x)"]


@st.composite
def spans(draw: st.DrawFn, depth: int = 0) -> tuple[str, list[str]]:
    """Markdown of a run of words (some wrapped in spans) and its words in order."""
    parts: list[str] = []
    words: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 3))
        if kind == 0 and depth < 5:
            inner, ws = draw(spans(depth + 1))
            parts.append(draw(st.sampled_from(WRAPS)).format(inner))
            words += ws
        elif kind == 1:
            w = draw(WORD)
            parts.append(f"`{w}`")
            words.append(w)
        else:
            w = draw(WORD)
            parts.append(w)
            words.append(w)
    return " ".join(parts), words


Doc = tuple[list[str], list[list[str]]]  # markdown lines, words of each paragraph


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> Doc:
    lines: list[str] = []
    paras: list[list[str]] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.integers(0, 5)) if depth < 5 else 0
        if kind in (0, 1):
            md, ws = draw(spans())
            if md.startswith(("~~~", "```")):
                # Nested strikethroughs around a code span ("~~~~`aa`~~~~") open a code fence
                # (CommonMark): its words are an info string, not text. Keep it a paragraph.
                md = f"so {md}"
                ws = ["so", *ws]
            lines += [md, ""]
            paras.append(ws)
        elif kind == 2:  # bullet or ordered list, items indented under their marker
            marker = draw(st.sampled_from(["- ", "1. ", "* "]))
            for _ in range(draw(st.integers(1, 2))):
                inner, ps = draw(blocks(depth + 1))
                lines += [(marker if i == 0 else " " * len(marker)) + ln if ln else ""
                          for i, ln in enumerate(inner)]
                paras += ps
            lines.append("")
        elif kind == 3:
            inner, ps = draw(blocks(depth + 1))
            lines += ["> " + ln for ln in inner] + [""]
            paras += ps
        elif kind == 4:
            ncols = draw(st.integers(1, 4))
            rows = draw(st.lists(st.lists(WORD, min_size=ncols, max_size=ncols), min_size=2,
                                 max_size=4))
            lines += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * ncols]
            lines += ["| " + " | ".join(r) + " |" for r in rows[1:]] + [""]
            paras += rows
        else:
            code = draw(st.lists(WORD, min_size=1, max_size=6))
            lines += ["```", " ".join(code), "```", ""]
            paras.append(code)
    return lines, paras


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    lines, paras = draw(blocks())
    notes = draw(st.lists(WORD, max_size=3, unique=True))
    if notes:  # footnotes whose body is a single word (these used to vanish)
        lines += ["Noted" + "".join(f"[^{n}]" for n in notes), ""]
        lines += [f"[^{n}]: {n}" for n in notes]
        paras += [[n] for n in notes]
    return lines, paras


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_every_word_reaches_the_pdf_in_order(doc: Doc) -> None:
    lines, paras = doc
    text = _text(render_bytes(ReportContent(body_markdown="\n".join(lines)), "pdf"))
    for words in paras:
        pos = 0
        for w in words:
            found = text.find(w, pos)
            assert found >= 0, f"{w!r} of {words} missing after {pos}:\n{text}"
            pos = found + len(w)


def test_internal_links_are_pdf_destinations_and_others_are_safe() -> None:
    body = ("## Contents\n\n- [Intro](#intro)\n- [Missing](#nowhere)\n\n## Intro\n\n"
            "Claim[^1] [web](https://ok.example) [mail](mailto:a@example.org) "
            "[share](smb://h/s) [file](file:///etc/passwd)\n\n[^1]: note\n")
    pdf = render_bytes(ReportContent(body_markdown=body), "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    dests, uris = [], []
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if "/Dest" in annot:
                dests.append(annot["/Dest"])
            else:
                uris.append(str(annot["/A"]["/URI"]))
    assert len(dests) == 2  # "Intro" and the footnote number; "#nowhere" is plain text
    assert all(d[0].get_object()["/Type"] == "/Page" for d in dests)
    assert uris == ["https://ok.example", "mailto:a@example.org"]
    for bad in (b"smb:", b"file:///etc", b"GoToR", b"/Launch"):
        assert bad not in pdf
    text = _text(pdf)
    assert re.search(r"Missing.*Intro.*Claim ?1 web mail share", text)


def test_deep_nesting_renders_every_word() -> None:
    """Emphasis, lists and quotes far deeper than any limit: a PDF, with all the words."""
    emph = "".join(f"*e{i} " for i in range(300)) + "core" + "".join(f" f{i}*" for i in range(300))
    lists = "".join("  " * i + f"- item{i}\n" for i in range(40))
    quotes = "\n".join("> " * i + f"q{i}" for i in range(1, 45))
    body = "\n\n".join([emph, lists, quotes, "The end."])
    text = _text(render_bytes(ReportContent(body_markdown=body), "pdf"))
    words = ([f"e{i}" for i in range(300)] + ["core"] + [f"f{i}" for i in range(300)]
             + [f"item{i}" for i in range(40)] + [f"q{i}" for i in range(1, 45)] + ["The end."])
    pos = 0
    for w in words:
        found = text.find(w, pos)
        assert found >= 0, w
        pos = found + len(w)
