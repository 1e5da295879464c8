"""Search and copy in shaped scripts: poppler's pdftotext reads the words as typed."""

from __future__ import annotations

from pathlib import Path

from icu4py.breakers import LineBreaker

from durable_research.contract.report import ReportContent
from durable_research.layout.pdf import render_pdf
from tests.support.pdftools import pdftotext

HINDI = "यह क्षत्रिय परिचय हिन्दी भाषा में है।"
BENGALI = "বাংলা ভাষা শিক্ষা ও বিজ্ঞানের ভাষা।"
# Harakat on most letters; shadda + kasra, tanween. The sentence's last word ends
# with a bare alef: see test_arabic_document for words that end with a haraka.
ARABIC = "ذَهَبَ الطَّالِبُ إِلَى الْمَدْرَسَةِ مُبَكِّرًا"


def _extract(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(ReportContent(title="Text layer", body_markdown=body)))
    return [" ".join(line.split()) for line in pdftotext(path).splitlines()]


def test_hindi_bengali_and_arabic_come_out_as_typed(tmp_path: Path) -> None:
    body = (f"{HINDI}\n\n{BENGALI}\n\n{ARABIC}\n\n"
            f"- **{HINDI}**\n\n| {BENGALI} |\n|---|\n| {HINDI} |\n")
    lines = _extract(tmp_path, body)
    for sentence in (HINDI, BENGALI, ARABIC):
        assert sentence in lines, (sentence, lines)
    # Bold (another font), the list and the table cell.
    assert lines.count(HINDI) == 3, lines
    assert lines.count(BENGALI) == 2, lines


def test_arabic_document(tmp_path: Path) -> None:
    # Words ending with a haraka; in a right-to-left document poppler keeps the mark
    # with its letter wherever the word stands on the line. (No punctuation: poppler
    # puts an Arabic comma before the space, with or without ActualText.)
    text = "الْكِتَابُ مُفِيدٌ جِدًّا وَالْقَلَمُ جَدِيدٌ"
    lines = _extract(tmp_path, f"# {text}\n\n{text}\n\n{text} {text} {text} {text}")
    assert lines.count(text) == 2, lines
    joined = " ".join(lines)
    assert joined.count(text) >= 4, lines


def test_thai_in_narrow_columns_breaks_between_words(tmp_path: Path) -> None:
    thai = ("ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ "
            "ประเทศไทยมีประชากรประมาณหกสิบหกล้านคนและมีวัฒนธรรมที่หลากหลาย")
    lines = _extract(tmp_path, f"| ก | ข | ค |\n|---|---|---|\n| {thai} | {thai} | {thai} |\n")
    words = [w for piece in thai.split(" ") for w in LineBreaker(piece, "")]
    cell: list[str] = []  # the lines of the first cell, as poppler reads them
    for line in lines:
        if line.startswith(thai[:4]) and cell:
            break
        if cell or line.startswith(thai[:4]):
            cell.append(line)
    cell = [line for line in cell if line]
    assert len(cell) >= 3, lines
    assert " ".join(cell).replace(" ", "") == thai.replace(" ", "")
    # Each drawn line is whole words of the dictionary, in order.
    remaining = [w.strip() for w in words]
    for line in cell:
        text = line.replace(" ", "")
        while text:
            assert text.startswith(remaining[0]), (line, remaining[:3])
            text = text[len(remaining.pop(0)):]
    assert not remaining
