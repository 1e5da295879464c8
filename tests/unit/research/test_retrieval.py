"""Retrieval of local documents: heading-aware passages, fields, fusion, and recall on a fixture.

The recall test runs the search this replaced (``retrieval_eval.plain``) and the current one
on the same fixture corpus (tests/data/retrieval: 20 short Git documents, 5 report questions
with their sub-questions and gold documents, two decoys that mention everything).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.research import localdocs
from durable_research.research.chunking import Passage, chunk
from durable_research.research.fielded import BODY, HEADING, TITLE, FieldedBM25, name_words
from durable_research.research.fusion import rrf
from durable_research.research.localdocs import ingest_paths, search_collection, tokenize
from durable_research.store.directory import DirectoryStore
from durable_research.testing import retrieval_eval
from tests.support.paths import DATA

FIXTURE = DATA / "retrieval"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with no cached index."""
    localdocs.clear_cache()


# --- passages ------------------------------------------------------------------------------

def test_passages_know_their_heading_path() -> None:
    text = ("# Guide\n\nIntro text here.\n\n## Install\n\nRun the installer.\n\n### Linux\n\n"
            "Use the package.\n\n## Use\n\nStart it.")
    assert chunk(text) == [
        Passage("Guide", "Intro text here."),
        Passage("Guide > Install", "Run the installer."),
        Passage("Guide > Install > Linux", "Use the package."),
        Passage("Guide > Use", "Start it."),
    ]


def test_setext_headings_count() -> None:
    text = "Threads\n=======\n\n    int f(void);\n\nSome text.\n\nModes\n-----\n\nSerialized.\n\n" \
           "---\n\nAfter a rule."
    assert chunk(text) == [Passage("Threads", "int f(void);\nSome text."),
                           Passage("Threads > Modes", "Serialized.\n---\nAfter a rule.")]


def test_identifiers_match_prose() -> None:
    assert tokenize("PRAGMA foreign_keys = ON; SQLITE_BUSY and __init__") == [
        "pragma", "foreign_key", "foreign", "key", "sqlite_busy", "sqlite", "busy", "init"]


def test_passages_are_whole_sentences() -> None:
    sentences = [f"Sentence {i} has five words." for i in range(30)]
    passages = chunk(" ".join(sentences), words=22)
    assert len(passages) > 1
    for passage in passages:
        assert len(passage.text.split()) <= 22
        assert passage.text.startswith("Sentence") and passage.text.endswith("words.")
    # Every sentence is whole in some passage; a cut inside the paragraph repeats the last
    # (short) sentence, so a fact spanning the cut is still in one passage.
    assert all(any(s in p.text for p in passages) for s in sentences)
    assert passages[1].text.split(". ")[0] + "." == passages[0].text.split(". ")[-1]


def test_new_paragraph_starts_a_passage_once_half_full() -> None:
    one = " ".join(["word"] * 15) + "."
    assert [p.text for p in chunk(f"{one}\n\n{one}", words=40)] == [f"{one}\n{one}"]
    assert [p.text for p in chunk(f"{one} {one}\n\n{one}", words=40)] == [f"{one} {one}", one]


def test_overlong_runs_are_windowed() -> None:
    table = " ".join(f"cell{i}" for i in range(100))  # no sentence end at all
    passages = chunk(table, words=40)
    assert [len(p.text.split()) for p in passages] == [40, 40, 40, 40]
    assert passages[1].text.split()[0] == "cell20"  # windows overlap by 20 words
    with pytest.raises(ValueError):
        chunk("x", words=10)


def test_text_without_markdown_gets_heuristic_headings() -> None:
    # A PDF or plain text: short stand-alone lines without a stop are headings.
    text = "Housekeeping\n\nGit packs objects.\n\nPruning objects\n\nOld ones are deleted.\n" \
           "- a list item\n\nA normal sentence ends."
    assert chunk(text) == [
        Passage("Housekeeping", "Git packs objects."),
        Passage("Pruning objects", "Old ones are deleted.\n- a list item\nA normal sentence ends."),
    ]
    # With Markdown headings present, only those count.
    assert [p.heading for p in chunk("# Real\n\nShort line\n\nText.")] == ["Real"]


# --- fields and fusion --------------------------------------------------------------------

def test_title_and_heading_outweigh_a_mention_in_passing() -> None:
    bodies = [tokenize("vacuum rebuilds the database file"),
              tokenize("see also vacuum, analyze and reindex for maintenance; vacuum again")]
    index = FieldedBM25.build({BODY: bodies,
                               HEADING: [tokenize("Vacuum"), tokenize("Maintenance")],
                               TITLE: [tokenize("The VACUUM command"), tokenize("Overview")]})
    scores = index.scores(tokenize("vacuum"))
    body_only = index.scores(tokenize("vacuum"), {BODY: 1.0})
    assert body_only[1] > body_only[0]  # the passing mention has more "vacuum" in its body
    assert scores[0] > scores[1]  # but the passage whose title and heading say it wins
    assert index.scores(["nothing"]).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        FieldedBM25.build({BODY: bodies, TITLE: bodies[:1]})
    assert name_words("guides/lang_create-table.html") == "lang create table"


def test_rrf_fuses_weighted_rankings() -> None:
    assert rrf([(1.0, ["a", "b", "c"])]) == sorted(rrf([(1.0, ["a", "b", "c"])]),
                                                   key=lambda p: -p[1])
    fused = [item for item, _ in rrf([(1.0, ["a", "b", "c"]), (1.0, ["c", "b", "d"])])]
    assert fused[:2] == ["b", "c"] or fused[:2] == ["c", "b"]  # found twice, near the top
    assert fused.index("a") < fused.index("d")
    # A lighter list only breaks ties of the main one.
    main = [item for item, _ in rrf([(1.0, ["x", "y"]), (0.5, ["y", "x"])])]
    assert main == ["x", "y"]
    # Ties keep the order of first appearance (deterministic).
    assert [i for i, _ in rrf([(1.0, ["p"]), (1.0, ["q"])])] == ["p", "q"]
    assert rrf([]) == []
    with pytest.raises(ValueError):
        rrf([(1.0, ["a"])], k=-1)


def test_search_fuses_extra_queries(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "store")
    key = ingest_paths(store, [FIXTURE / "docs"]).key
    alone = [h.url for h in search_collection(store, key, "fixup commits", 3)]
    assert alone[0] in ("git-commit.md", "git-rebase.md")
    # A query matching nothing still finds documents through the context query (the
    # second pass's feedback words rank git-merge.md second here: top 3).
    fused = search_collection(store, key, "zyxwvut", 3, ["interactive rebase squash"])
    assert fused == search_collection(store, key, "interactive rebase squash", 3)
    assert "git-rebase.md" in [h.url for h in fused]
    assert search_collection(store, key, "zyxwvut", 3, ["qqqq"]) == []


# --- recall on the fixture ------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 3])
def test_recall_over_a_reports_searches_beats_the_plain_search(tmp_path: Path, k: int) -> None:
    store = DirectoryStore(tmp_path / "store")
    key = ingest_paths(store, [FIXTURE / "docs"]).key
    questions, decoys = retrieval_eval.load_questions(FIXTURE / "questions.json")
    old = retrieval_eval.measure(retrieval_eval.plain(store, key), questions, k, decoys)
    new = retrieval_eval.measure(retrieval_eval.current(store, key), questions, k, decoys)
    assert new.gold == old.gold > 10
    assert new.recall >= max(0.9, old.recall), new.missed
    assert new.with_decoy <= old.with_decoy
    if k > 1:  # with room for a decoy, the plain search lets them in far more often
        assert new.with_decoy < old.with_decoy


def test_question_sets_load_and_split() -> None:
    # One question with its decoy facts (the conflict fixture) reads as a set of one.
    questions, decoys = retrieval_eval.load_questions(DATA / "conflict_docs.json")
    assert len(questions) == 1 and len(questions[0].gold) == 2
    assert decoys == ["community/forum-larkspur-tips.md", "blog/2019-larkspur-first-look.html"]
    questions, decoys = retrieval_eval.load_questions(FIXTURE / "questions.json")
    parts = retrieval_eval.split(questions)
    # Decided before tuning: the odd-numbered questions tune, the even-numbered are held out.
    assert parts["all"] == questions and parts["tuning (odd)"] == questions[0::2]
    assert parts["held out (even)"] == questions[1::2] and decoys == ["faq.md", "release-notes.md"]


def test_documents_rank_as_their_best_passage_ties_by_name(tmp_path: Path) -> None:
    # The numpy ranking gives what the plain loop it replaced gave: each document's best
    # passage (the first of equals), documents by that score, ties by name, cut at depth.
    import numpy as np

    store = DirectoryStore(tmp_path / "store")
    key = ingest_paths(store, [FIXTURE / "docs"]).key
    index = localdocs._index(store, key)
    rng = np.random.default_rng(7)
    for _ in range(20):
        # Few distinct values, many zeros: ties within and across documents.
        scores = rng.integers(0, 4, len(index.passages)).astype(np.float32)
        best: dict[int, tuple[float, int]] = {}
        for number in np.flatnonzero(scores > 0).tolist():
            doc, score = index.passages[number][0], float(scores[number])
            if doc not in best or score > best[doc][0]:
                best[doc] = (score, number)
        expected = sorted(best, key=lambda d: (-best[d][0], index.docs[d].name))[:5]
        ranked, passages = localdocs._rank(index, scores, 5)
        assert ranked == expected
        assert passages == {d: best[d][1] for d in expected}
    assert localdocs._rank(index, np.zeros(len(index.passages), dtype=np.float32)) == ([], {})
