"""Tests of passage splitting, tokenisation and BM25 passage ranking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_research.research.passages import (
    bm25_scores,
    fused_passages,
    idf,
    is_number,
    split_passages,
    stem,
    tokens,
    top_passages,
)

# --- tokens ---------------------------------------------------------------------------------


def test_tokens_lowercase_and_drop_stopwords() -> None:
    assert tokens("The Cat sat ON the Mat") == ["cat", "sat", "mat"]


def test_tokens_drop_negations_and_hedges_and_single_letters() -> None:
    # Negation is compared separately by the citation checker; "e.g." leaves single letters.
    assert tokens("It is not roughly e.g. X") == []


@pytest.mark.parametrize(
    "forms",
    [
        ("study", "studies", "studied", "studying"),
        ("stop", "stops", "stopped", "stopping"),
        ("make", "makes", "making"),
        ("box", "boxes"),
        ("quick", "quickly"),
        ("fall", "falls", "falling"),
    ],
)
def test_tokens_light_stemming_joins_inflections(forms: tuple[str, ...]) -> None:
    assert len({tokens(f)[0] for f in forms}) == 1, [tokens(f) for f in forms]


def test_stemming_is_conservative() -> None:
    # Short words, non-ASCII words and -ss/-us/-is endings are left alone.
    assert stem("bus") == "bus"
    assert stem("glass") == "glass"
    assert stem("virus") == "virus"
    assert stem("analysis") == "analysis"
    assert stem("naïves") == "naïves"
    assert stem("sing") == "sing"  # "s" + "ing": too short a stem to strip


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1,300 species", "1300 species"),
        ("1\u00a0300 species", "1300 species"),
        ("2,500,000 people", "2.5 million people"),
        ("2,675,000 people", "2.675 million people"),
        ("six legs", "6 legs"),
        ("3.50 kg", "3.5 kg"),
        ("7.0 kg", "7 kg"),
        ("half the oxygen", "0.5 the oxygen"),
        ("a third of the oxygen", "0.33 of the oxygen"),
        ("１２ items", "12 items"),  # full-width digits (NFKC)
    ],
)
def test_tokens_normalise_numbers(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)


def test_tokens_keep_decimals_whole_and_distinguish_numbers() -> None:
    assert "3.5" in tokens("version 3.5 of it")
    assert tokens("8 legs") != tokens("six legs")
    assert tokens("1,2,3") == ["1", "2", "3"]  # a list, not a thousands separator
    assert is_number("1300") and is_number("3.5") and not is_number("19th")


def test_tokens_unicode_aware() -> None:
    assert tokens("Москва — столица России") == ["москва", "столица", "россии"]
    # Devanagari vowel signs are combining marks: they stay inside the word.
    assert tokens("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert tokens("Gödel's CAFÉ") == ["gödel", "café"]
    assert tokens("") == []


def test_tokens_split_dotted_words_but_not_decimals() -> None:
    assert tokens("example.com U.S.A 2.5") == ["exampl", "com", "2.5"]


# --- split_passages -------------------------------------------------------------------------


def test_split_passages_follows_paragraphs() -> None:
    text = "one two three four\n\nfive six seven eight\n\nnine ten"
    assert split_passages(text, words=6, overlap=2) == [
        "one two three four",
        "five six seven eight",
        "nine ten",
    ]


def test_split_passages_packs_short_lines() -> None:
    text = "a b\nc d\n\ne f\ng h i j k l"
    assert split_passages(text, words=5, overlap=1) == ["a b\nc d", "e f", "g h i j k", "k l"]


def test_split_passages_windows_long_lines_with_overlap() -> None:
    text = " ".join(f"w{i}" for i in range(10))
    assert split_passages(text, words=4, overlap=2) == [
        "w0 w1 w2 w3",
        "w2 w3 w4 w5",
        "w4 w5 w6 w7",
        "w6 w7 w8 w9",
    ]


def test_split_passages_windows_long_lines_at_sentence_ends() -> None:
    line = "One two three. Four five six. Seven eight nine. Ten eleven twelve."
    # Windows of whole sentences, each starting with the last sentence of the one before.
    assert split_passages(line, words=7, overlap=3) == [
        "One two three. Four five six.",
        "Four five six. Seven eight nine.",
        "Seven eight nine. Ten eleven twelve.",
    ]
    # A sentence longer than a window: word windows inside it, whole sentences around it.
    line = "Short one here. " + " ".join(f"W{i}" for i in range(8)) + ". Last one here."
    assert split_passages(line, words=5, overlap=2) == [
        "Short one here.", "W0 W1 W2 W3 W4", "W3 W4 W5 W6 W7.", "Last one here."]


def test_split_passages_keep_wrapped_sentences_together() -> None:
    # Hard-wrapped lines: a full passage ends after the last line that ends a sentence.
    text = "Alpha beta gamma delta.\nEpsilon zeta eta\ntheta iota kappa.\nLambda mu."
    assert split_passages(text, words=8, overlap=1) == [
        "Alpha beta gamma delta.", "Epsilon zeta eta\ntheta iota kappa.\nLambda mu."]
    # Unless that would leave less than half a passage: then the line cut stands.
    text = "Alpha.\nBeta gamma delta epsilon zeta eta\ntheta iota."
    assert split_passages(text, words=8, overlap=1) == [
        "Alpha.\nBeta gamma delta epsilon zeta eta", "theta iota."]


def test_split_passages_empty_and_bad_arguments() -> None:
    assert split_passages("") == []
    assert split_passages(" \n\n \t\n") == []
    with pytest.raises(ValueError):
        split_passages("x", words=0)
    with pytest.raises(ValueError):
        split_passages("x", words=5, overlap=5)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab cd\n\n\t"), max_size=400),
    st.integers(1, 12),
    st.data(),
)
def test_split_passages_properties(text: str, words: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, words - 1))
    passages = split_passages(text, words, overlap)
    assert all(p.strip() for p in passages)
    assert all(len(p.split()) <= words for p in passages)
    # Every word of the text is in some passage, in order (overlaps repeat some).
    joined = " ".join(" ".join(p.split()) for p in passages).split()
    it = iter(joined)
    assert all(word in it for word in text.split())


# --- BM25 and top_passages ------------------------------------------------------------------


def test_idf_rewards_rare_tokens() -> None:
    weights = idf([["a", "b"], ["a"], ["a", "c"]])
    assert weights["b"] > weights["a"] > 0


def test_bm25_scores_rank_matching_doc_first() -> None:
    docs = [["cat", "sat"], ["dog", "bark"], ["cat", "cat", "dog"]]
    scores = bm25_scores(["dog", "bark"], docs)
    assert scores.index(max(scores)) == 1
    assert scores[0] == 0.0
    assert bm25_scores(["x"], []) == []


TEXTS = {
    "bees": "Honeybees communicate through a waggle dance.\n\n"
    "The dance tells nestmates the direction and distance of flowers.\n\n"
    "Colonies overwinter by clustering and shivering to keep warm.",
    "tcp": "TCP congestion control uses a congestion window.\n\n"
    "Slow start doubles the window every round trip.",
    "empty": "",
}


def test_top_passages_best_first_with_ids() -> None:
    found = top_passages(TEXTS, "how do bees tell nestmates where flowers are", k=3)
    assert found[0][0] == "bees"
    assert "nestmates" in found[0][1]
    assert [s for _, _, s in found] == sorted((s for _, _, s in found), reverse=True)
    assert all(s > 0 for _, _, s in found)  # passages sharing no query term are left out
    assert all(tid == "bees" for tid, _, _ in found)


def test_top_passages_limits() -> None:
    assert len(top_passages(TEXTS, "window dance", k=1)) == 1
    found = top_passages(TEXTS, "window dance congestion flowers", k=8, max_chars=100)
    assert sum(len(p) for _, p, _ in found) <= 100
    # The best passage alone is over budget: cut at a word boundary, not dropped.
    cut = top_passages(TEXTS, "waggle dance", max_chars=20)
    assert len(cut) == 1 and len(cut[0][1]) <= 20 and "Honeybees".startswith(cut[0][1][:9])
    # ...at a sentence end when one fits.
    texts = {"t": "Bees dance to tell. Their nestmates follow the waggle dance to far flowers."}
    assert top_passages(texts, "waggle dance", max_chars=40) == [
        ("t", "Bees dance to tell.", top_passages(texts, "waggle dance")[0][2])]
    assert top_passages(TEXTS, "waggle", k=0) == []
    assert top_passages({}, "waggle") == []
    assert top_passages(TEXTS, "the of and") == []


def test_top_passages_drops_repeated_passages() -> None:
    texts = {
        "a": "Cookie banner accept all.\n\nReal text about whales.",
        "b": "Cookie banner accept all.",
    }
    found = top_passages(texts, "cookie whales")
    assert [p for _, p, _ in found].count("Cookie banner accept all.") == 1


def test_top_passages_is_deterministic() -> None:
    query = "window dance flowers"
    assert top_passages(TEXTS, query) == top_passages(dict(TEXTS), query)


def test_fused_passages_lead_with_the_first_query() -> None:
    texts = {
        "winter": "Bees overwinter by clustering and shivering to keep warm.",
        "dance": "A waggle dance tells nestmates where flowers are.",
        "tcp": "Slow start doubles the congestion window every round trip.",
    }
    found = fused_passages(texts, ["how do colonies keep warm in winter",
                                   "what do we know about bees and flowers"], k=2)
    assert [tid for tid, _, _ in found] == ["winter", "dance"]  # the first query's best first
    assert [s for _, _, s in found] == sorted((s for _, _, s in found), reverse=True)
    # The context alone ranks when the first query matches nothing; empty ones are skipped.
    assert fused_passages(texts, ["", "congestion window"])[0][0] == "tcp"
    assert fused_passages(texts, ["zyxw"]) == []
    assert fused_passages(texts, ["bees"], k=0) == []
    assert sum(len(p) for _, p, _ in fused_passages(texts, ["bees warm"], max_chars=60)) <= 60
