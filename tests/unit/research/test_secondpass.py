"""The second pass of a local search: feedback words, links between documents, and both
in the search (the recall floor on the fixture is in test_retrieval.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.research import localdocs
from durable_research.research.doclinks import HTML, MARKDOWN, raw_links, resolve
from durable_research.research.feedback import expansion_terms, idf
from durable_research.research.fielded import BODY, FieldedBM25
from durable_research.research.localdocs import ingest_paths, load_collection, search_collection
from durable_research.research.secondpass import FIRST_PASS_ONLY, linked_ranking
from durable_research.store.directory import DirectoryStore


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with no cached index."""
    localdocs.clear_cache()


# --- feedback ---------------------------------------------------------------------------------

def test_expansion_words_are_shared_rare_and_new() -> None:
    passages = [(2.0, ["memory", "uri", "cache", "shared", "sqlite"]),
                (1.0, ["memory", "uri", "filename", "sqlite", "only"])]
    df = {"memory": 5, "uri": 3, "cache": 4, "shared": 4, "sqlite": 90, "filename": 3, "only": 1}
    terms = expansion_terms(passages, df, 100, query={"memory"}, count=3)
    # "uri" is in both passages and rare; "sqlite" is everywhere; "only" is in no other
    # passage of the collection (it would find the same passage again); "memory" was asked.
    assert list(terms)[0] == "uri"
    assert "sqlite" not in terms and "only" not in terms and "memory" not in terms
    assert len(terms) == 3 and sum(terms.values()) == pytest.approx(1.0)
    # The better passage lends more: "cache" (first passage) beats "filename" (second).
    assert terms["cache"] > terms.get("filename", 0.0)
    assert idf(1, 100) > idf(50, 100) > 0
    assert expansion_terms([], df, 100, set(), 3) == {}
    assert expansion_terms(passages, df, 100, set(), 0) == {}
    assert expansion_terms([(0.0, ["uri"])], df, 100, set(), 3) == {}


def test_weighted_scores_weigh_each_word() -> None:
    index = FieldedBM25.build({BODY: [["uri", "cache"], ["uri", "uri", "memory"], ["cache"]]})
    both = index.weighted_scores({"uri": 1.0, "cache": 1.0})
    assert both.tolist() == pytest.approx(index.scores(["uri", "cache"]).tolist())
    uri_only = index.weighted_scores({"uri": 1.0, "cache": 0.0})
    assert uri_only.tolist() == pytest.approx(index.scores(["uri"]).tolist())
    assert index.weighted_scores({"nothing": 1.0}).tolist() == [0.0, 0.0, 0.0]


# --- links --------------------------------------------------------------------------------------

def test_links_of_html_and_markdown() -> None:
    html = (b'<html><body><a href="expridx.html#x">see</a> <a href="https://sqlite.org/a.html">'
            b'web</a> <a href="../c3ref/open.html">open</a> <a href="expridx.html">again</a>'
            b'<a href="mailto:x@example.org">mail</a> <a href="#top">top</a>'
            b'<img src="pic.png"></body></html>')
    assert raw_links(html, HTML) == ["expridx.html", "../c3ref/open.html"]
    md = b"# T\n\nSee [WAL](wal.md) and [the site](http://x.org/) and [uri](../storage/uri.html).\n"
    assert raw_links(md, MARKDOWN) == ["wal.md", "../storage/uri.html"]
    assert raw_links(b"see wal.md", "text/plain") == []
    assert raw_links(b"", HTML) == []


def test_links_resolve_to_documents_by_path_or_by_name() -> None:
    names = ["docs/sql/pragma.html", "docs/sql/expridx.txt", "docs/storage/uri.html",
             "docs/c-api/c3ref/open.html", "docs/storage/threadsafe.html",
             "docs/c-api/c3ref/threadsafe.txt", "guides/wal.md"]
    links = {
        # The page moved folder or changed format: found by its name, without suffix.
        # Two documents fit "threadsafe" (neither in pragma's folder): neither is guessed;
        # a missing one and the page itself are left out.
        "docs/sql/pragma.html": ["expridx.html", "uri.html", "c3ref/open.html", "pragma.html",
                                 "threadsafe.html", "missing.html"],
        # In the page's own folder first; the longer path tells the two others apart.
        "docs/storage/uri.html": ["threadsafe.html", "c3ref/threadsafe.html"],
        "guides/wal.md": ["../docs/storage/uri.html"],
    }
    assert resolve(links, names) == {
        "docs/sql/pragma.html": ["docs/sql/expridx.txt", "docs/storage/uri.html",
                                 "docs/c-api/c3ref/open.html"],
        "docs/storage/uri.html": ["docs/storage/threadsafe.html",
                                  "docs/c-api/c3ref/threadsafe.txt"],
        "guides/wal.md": ["docs/storage/uri.html"],
    }


def test_linked_ranking_counts_links_from_the_best() -> None:
    links = {0: [5, 6], 1: [5, 6, 7], 2: [6, 0], 3: [7], 9: [8, 8]}
    order = {0: 0, 1: 1, 2: 2, 3: 3, 6: 4, 5: 5}
    # 6 is linked from three of the top four, 5 and 7 from two (5 ranked higher); a link to
    # itself or from outside the top does not count; 0 is linked once.
    assert linked_ranking([0, 1, 2, 3], links, 2, order) == [6, 5, 7]
    assert linked_ranking([0, 1, 2, 3], links, 3, order) == [6]
    assert linked_ranking([], links, 2, order) == []


# --- in the search ------------------------------------------------------------------------------

def _site(root: Path) -> Path:
    """Six pages: the index of a topic links to the two pages it builds on."""
    docs = root / "docs"
    docs.mkdir()
    filler = " ".join(f"filler{i}" for i in range(40))
    pages = {
        "json.md": "# JSON functions\n\nStore JSON documents as text and query them with "
                   "json_extract. See [indexes](exprindex.md) and [columns](gencol.md).\n",
        "json-tips.md": "# JSON tips\n\nQuery JSON documents quickly: keep the JSON small. "
                        "See [indexes](exprindex.md) and [columns](gencol.md).\n",
        "exprindex.md": f"# Indexes on expressions\n\nAn index on an expression. {filler}\n",
        "gencol.md": f"# Generated columns\n\nA column computed from others. {filler}\n",
        "other.md": f"# Other\n\nNothing related to anything here. {filler}\n",
        "more.md": f"# More\n\nA page about JSON once. {filler}\n",
    }
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    return docs


def test_ingest_keeps_links_and_search_follows_them(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "store")
    key = ingest_paths(store, [_site(tmp_path)]).key
    links = {d.name: d.links for d in load_collection(store, key)}
    assert links["json.md"] == ["exprindex.md", "gencol.md"] and links["other.md"] == []
    query = "query JSON documents"
    first = [h.url for h in search_collection(store, key, query, 6, tuning=FIRST_PASS_ONLY)]
    second = search_collection(store, key, query, 6)
    urls = [h.url for h in second]
    # The pages both JSON pages link to are found, though they never say "JSON".
    assert "exprindex.md" not in first and "gencol.md" not in first
    assert {"exprindex.md", "gencol.md"} <= set(urls)
    assert urls[:2] == first[:2]  # a lift from below, never over the best
    found = {h.url: h for h in second}
    assert found["gencol.md"].snippet.startswith("A column computed")
