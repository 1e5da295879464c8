"""Matching in any script: tokens (bigrams for Chinese, Japanese, Thai), the quote check
(folded, line breaks inside a Chinese sentence ignored), sentences, support, verbatim."""

from __future__ import annotations

import pytest

from durable_research.research.citations import cited_sentences
from durable_research.research.evidence import Evidence
from durable_research.research.localdocs import tokenize
from durable_research.research.passages import split_passages, tokens, top_passages
from durable_research.research.quotes import QuoteFinder
from durable_research.research.scripts import (
    bigrams,
    clusters,
    fold_text,
    split_runs,
    word_count,
)
from durable_research.research.sentences import split_sentences
from durable_research.research.support import SUPPORTED_AT, UNSUPPORTED_BELOW, ScoredSource

# One source text and one sentence of it per script (the quote the notes would copy).
SOURCES = {
    "zh": ("研究人员在饮用水中发现了微塑料。\n"
           "每升水中平均有三百二十五个颗粒。世卫组织认为目前风险较低。",
           "每升水中平均有三百二十五个颗粒。"),
    "ja": ("研究者は飲料水からマイクロプラスチックを検出した。\n"
           "1リットルあたり平均325個の粒子が含まれていた。",
           "1リットルあたり平均325個の粒子が含まれていた。"),
    "th": ("นักวิจัยพบไมโครพลาสติกในน้ำดื่ม น้ำหนึ่งลิตรมีอนุภาคเฉลี่ย 325 ชิ้น",
           "น้ำหนึ่งลิตรมีอนุภาคเฉลี่ย 325 ชิ้น"),
    "ar": ("وجد الباحثون جسيمات بلاستيكية دقيقة في مياه الشرب. "
           "يحتوي اللتر الواحد على 325 جسيمًا في المتوسط.",
           "يحتوي اللتر الواحد على 325 جسيمًا في المتوسط."),
    "hi": ("शोधकर्ताओं ने पीने के पानी में माइक्रोप्लास्टिक पाया। "
           "एक लीटर पानी में औसतन 325 कण थे।",
           "एक लीटर पानी में औसतन 325 कण थे।"),
    "de": ("Forscher fanden Mikroplastik im Trinkwasser. Ein Liter enthielt im Durchschnitt "
           "325 Partikel, sagte die Weltgesundheitsorganisation.",
           "Ein Liter enthielt im Durchschnitt 325 Partikel"),
}


def test_no_space_scripts_become_cluster_bigrams() -> None:
    assert tokens("饮用水中的微塑料") == ["饮用", "用水", "水中", "中的", "的微", "微塑", "塑料"]
    assert tokens("水") == ["水"]  # one character is a word in Chinese
    # A Thai vowel or tone mark stays with its letter: "ดื่ม" is two clusters.
    assert clusters("ดื่ม") == ["ดื่", "ม"] and bigrams("ดื่ม") == ["ดื่ม"]
    assert split_runs("WAL模式") == [("WAL", False), ("模式", True)]
    assert tokens("SQLite の WAL モード") == ["sqlit", "の", "wal", "モー", "ード"]
    # Spaced scripts keep their words, combining marks inside them.
    assert tokens("पीने के पानी में") == ["पीने", "के", "पानी", "में"]
    assert tokens("ما هي الآثار الصحية") == ["ما", "هي", "الآثار", "الصحية"]
    assert tokens("Die Größe") == ["die", "grösse"]
    # Local documents' index agrees on the scripts (and folds full-width letters).
    assert tokenize("ไมโคร") == ["ไม", "มโ", "โค", "คร"] and tokenize("ＡＢＣ１２") == ["abc12"]


@pytest.mark.parametrize("code", sorted(SOURCES))
def test_a_quote_is_found_in_its_source_in_any_script(code: str) -> None:
    text, quote = SOURCES[code]
    finder = QuoteFinder(text)
    found = finder.locate(quote)
    assert found is not None
    start, end = found
    assert fold_text(text[start:end]) == fold_text(quote)
    widened = finder.widen(quote)
    assert widened is not None and quote.rstrip("。.") in widened.text
    assert finder.locate(quote.replace("325", "326").replace("三百二十五", "三百二十六")) is None


def test_a_quote_matches_across_line_breaks_width_and_compatibility_forms() -> None:
    text = "研究人员在饮用水中发现了微\n塑料。ＷＡＬ模式的默认页面大小为４０９６字节。"
    finder = QuoteFinder(text)
    # The line break inside the Chinese sentence is no space; the model quotes it whole.
    found = finder.locate("在饮用水中发现了微塑料")
    assert found is not None and text[found[0]:found[1]] == "在饮用水中发现了微\n塑料"
    # Full-width letters and digits in the source, plain ones in the quote.
    found = finder.locate("WAL模式的默认页面大小为4096字节")
    assert found is not None and text[found[0]:found[1]] == "ＷＡＬ模式的默认页面大小为４０９６字节"
    # A decomposed accent in the quote, a precomposed one in the source.
    found = QuoteFinder("Die Größe beträgt 4 KB.").locate("betra\u0308gt 4 kb")
    assert found is not None


def test_sentences_end_at_the_scripts_own_terminators() -> None:
    assert split_sentences("पहला वाक्य। दूसरा वाक्य।") == ["पहला वाक्य।", "दूसरा वाक्य।"]
    assert split_sentences("هل هذا سؤال؟ نعم.") == ["هل هذا سؤال؟", "نعم."]
    assert split_sentences("第一句。第二句！") == ["第一句。", "第二句！"]
    cited = cited_sentences("微塑料存在于饮用水中[1]。浓度很低[2]。\n\nएक वाक्य [1]। दूसरा [2]।")
    assert [(c.sentence, c.cites) for c in cited] == [
        ("微塑料存在于饮用水中。", [1]), ("浓度很低。", [2]), ("एक वाक्य ।", [1]),
        ("दूसरा ।", [2])]


@pytest.mark.parametrize("code", sorted(SOURCES))
def test_the_support_score_works_in_any_script(code: str) -> None:
    text, quote = SOURCES[code]
    scored = ScoredSource(text)
    score, passage = scored.support(quote)
    assert score >= SUPPORTED_AT and passage
    other = {"zh": "火星上的火山高度超过两万米。", "ja": "火星の火山は二万メートルを超える。",
             "th": "ภูเขาไฟบนดาวอังคารสูงกว่าสองหมื่นเมตร",
             "ar": "البراكين على المريخ أعلى من عشرين ألف متر.",
             "hi": "मंगल ग्रह के ज्वालामुखी बीस हज़ार मीटर से ऊँचे हैं।",
             "de": "Vulkane auf dem Mars sind höher als zwanzig Kilometer."}[code]
    assert scored.support(other)[0] < UNSUPPORTED_BELOW


def test_a_chinese_claim_stated_verbatim_is_found_and_ranked() -> None:
    text, quote = SOURCES["zh"]
    evidence = Evidence(key="k", text=text)
    assert evidence.states_verbatim(quote.rstrip("。"))
    assert not evidence.states_verbatim("每升水中平均有三百二十六个颗粒")
    best = top_passages({"a": "火星上的火山很高。", "b": text}, "饮用水中的微塑料", k=1)
    assert best[0][0] == "b"


def test_chinese_text_is_cut_into_passages_of_whole_sentences() -> None:
    sentence = "水熊虫在脱水后进入隐生状态，可以在太空的真空中存活十天。"  # 28 characters
    line = sentence * 20  # one paragraph without a space: 560 characters
    passages = split_passages(line, words=120, overlap=30)
    assert len(passages) > 2
    assert all(word_count(p) <= 120 for p in passages)
    assert all(p.replace(" ", "").endswith("。") for p in passages)
    # Packed lines count their characters too: 20 such lines are no single passage.
    assert len(split_passages("\n".join([sentence] * 20), words=120, overlap=30)) > 2
    # Spaced text is counted as before.
    assert split_passages("One two three. Four five six.", words=3, overlap=1) == [
        "One two three.", "Four five six."]


def test_a_clause_copied_from_a_chinese_document_stays_out_of_web_queries() -> None:
    from durable_research.research.queryguard import web_safe_query

    question, sub = "水熊虫能在什么环境中存活？", "水熊虫能承受多少辐射？"
    secret = "内部备忘录：实验室的预算将削减百分之四十。"
    page = "水熊虫能够承受高剂量的辐射。"
    guarded = web_safe_query("水熊虫 辐射 预算将削减百分之四十", [secret], [question, sub],
                             [page])
    assert guarded.query == "水熊虫 辐射"
    assert guarded.dropped == ["预算将削减百分之四十"]
    # The user's own words go as they are; so does a query with nothing of the document.
    assert web_safe_query("水熊虫 辐射", [secret], [question, sub]).query == "水熊虫 辐射"
    thai = web_safe_query("ทาร์ดิเกรด งบประมาณลดลง", ["บันทึกภายใน งบประมาณลดลงสี่สิบ"],
                          ["ทาร์ดิเกรดอยู่รอดได้อย่างไร"])
    assert thai.query == "ทาร์ดิเกรด" and thai.dropped == ["งบประมาณลดลง"]


def test_local_documents_in_chinese_are_chunked_by_sentence() -> None:
    from durable_research.research.chunking import chunk

    sentence = "水熊虫在脱水后进入隐生状态，可以在太空的真空中存活十天。"
    passages = chunk("# 水熊虫\n\n" + sentence * 20)
    assert len(passages) > 2 and all(p.heading == "水熊虫" for p in passages)
    assert all(p.text.startswith("水熊虫") and p.text.endswith("。") for p in passages)
    assert all(" " not in p.text for p in passages)  # sentences rejoined without a space
    hindi = chunk("पहला वाक्य। दूसरा वाक्य।", words=32)
    assert [p.text for p in hindi] == ["पहला वाक्य। दूसरा वाक्य।"]
