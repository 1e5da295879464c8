"""Line breaking compares fragments without reportlab's C lookups, with the same answers
and the same PDF bytes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from reportlab import rl_config
from reportlab.lib import colors, rl_accel
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.paraparser import ParaFrag

from durable_research.contract.citations import DisputedCitation, Reference, Verification
from durable_research.contract.report import ReportContent
from durable_research.layout import fragments, render_bytes
from durable_research.layout.fonts import font_set
from durable_research.layout.paragraphs import Paragraph, make_styles
from tests.support.sample_report import SAMPLE_REPORT

c_same_frag = rl_accel.sameFrag

# Many fragments: links, a bold note, code, strike, a footnote-like superscript.
MARKUP = " ".join(
    f'Claim {i} of the survey <a href="#ref-{i}" color="#1a4f9c">{i}</a> '
    f'<font size="8" color="#777777"><b><i>[disputed]</i></b></font> with '
    f'<font backColor="#eeeeee">code{i}</font> <strike>old</strike> <super>{i}</super>.'
    for i in range(1, 40))


def _frags() -> list[Any]:
    para = Paragraph(MARKUP, make_styles(font_set()).body)
    frags: list[Any] = list(para.frags)
    return frags


def _variants() -> Iterator[Any]:
    base = ParaFrag(fontName="DR-Sans", fontSize=10.5, textColor=colors.black, rise=0,
                    us_lines=[], link=[], text="x")
    yield base
    yield base.clone()                                   # equal, not the same objects
    yield base.clone(textColor=colors.Color(0, 0, 0))    # an equal colour, another object
    yield base.clone(textColor=colors.red)
    yield base.clone(link=[("link", "#ref-1")])
    yield base.clone(backColor=None)                     # present on one side only
    yield base.clone(nobr=1)
    yield base.clone(fontSize=8)
    yield base.clone(cbDefn=None)                        # special: never the same
    yield base.clone(lineBreak=1)
    missing = base.clone()
    del missing.rise                                     # missing on one side only
    yield missing


def test_the_same_answers_as_reportlabs_c_version() -> None:
    frags = _frags()[:40] + list(_variants())
    assert len(frags) > 40
    for f, g in itertools.product(frags, repeat=2):
        assert fragments.same_frag(f, g) == bool(c_same_frag(f, g)), (f, g)


def test_other_objects_go_to_the_c_version(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[object, object]] = []

    def c_version(f: object, g: object) -> bool:
        asked.append((f, g))
        return bool(c_same_frag(f, g))

    monkeypatch.setattr(fragments, "_c_same_frag", c_version)

    class Frag(ParaFrag):  # type: ignore[misc]  # reportlab is untyped
        fontSize = 10.5  # noqa: N815 - reportlab's name; a class attribute: only getattr finds it

    f = Frag(fontName="a")
    assert fragments.same_frag(f, ParaFrag(fontName="a", fontSize=10.5)) is True
    assert asked


def test_line_breaking_asks_ours_and_never_the_c_version(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    fallback: list[int] = []
    ours = fragments.same_frag

    def counted(f: Any, g: Any) -> bool:
        asked.append(1)
        return ours(f, g)

    def c_version(f: Any, g: Any) -> bool:
        fallback.append(1)
        return bool(c_same_frag(f, g))

    assert rl_paragraph.sameFrag is ours  # installed by the layout
    monkeypatch.setattr(rl_paragraph, "sameFrag", counted)
    monkeypatch.setattr(fragments, "_c_same_frag", c_version)
    Paragraph(MARKUP, make_styles(font_set()).body).wrap(300, 10_000)
    assert len(asked) > 100
    assert fallback == []


def _deep_report() -> ReportContent:
    refs = [Reference(n, f"Source {n}", f"https://example.org/{n}", "web", f"h{n}", "2025-03-04")
            for n in range(1, 31)]
    body = "\n\n".join(
        f"## Section {s}\n\n" + " ".join(
            f"Sentence {i} of section {s} states a measured fact [{i % 30 + 1}]"
            + (" [disputed]." if i % 3 == 0 else " [unverified]." if i % 5 == 0 else ".")
            for i in range(40)) for s in range(1, 6))
    disputed = [DisputedCitation(f"Claim {i} says a thing.", i % 30 + 1, f"Its source {i}.",
                                 (i + 7) % 30 + 1, f"Another source {i} disagrees.", "numbers")
                for i in range(60)]
    return ReportContent(title="Deep", question="q", body_markdown=body, model="m",
                         date="2025-03-06", references=refs,
                         verification=Verification(checked=200, supported=100, judged=50,
                                                   disputed=disputed))


@pytest.mark.parametrize("content", [SAMPLE_REPORT, _deep_report()], ids=["sample", "deep"])
def test_the_same_pdf_bytes_as_with_the_c_version(
        monkeypatch: pytest.MonkeyPatch, content: ReportContent) -> None:
    monkeypatch.setattr(rl_config, "invariant", 1)  # no timestamp, no random document id
    ours = render_bytes(content, "pdf")
    monkeypatch.setattr(rl_paragraph, "sameFrag", c_same_frag)
    assert render_bytes(content, "pdf") == ours

