"""Source authority: preferred domains and paths first, low-trust sites last, validated once.

Pure functions, the client's validation, the References' labels, and the ``search``
activity ordering real web hits (a SearXNG-format server on loopback) under Temporal's
ActivityEnvironment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.client import research as cr
from durable_research.contract.citations import Authority, Reference, SourceKind
from durable_research.contract.report import ReportInput
from durable_research.contract.review import DOMAIN_NAME
from durable_research.document.render_research import reference_entry
from durable_research.errors import UserError
from durable_research.research import localdocs
from durable_research.research.authority import (
    LOW_TRUST_DOMAINS,
    by_authority,
    local_authority,
    path_matches,
    source_authority,
    web_authority,
)
from durable_research.research.localdocs import ingest_paths, search_collection
from durable_research.store.directory import DirectoryStore
from tests.support.paths import DATA

FIXTURE = DATA / "retrieval" / "docs"
A, N, L = Authority.PREFERRED, Authority.NORMAL, Authority.LOW_TRUST


def test_web_authority() -> None:
    prefer = ["sqlite.org"]
    assert web_authority("https://www.sqlite.org/wal.html", prefer) == A  # subdomains too
    assert web_authority("https://notsqlite.org/x", prefer) == N
    assert web_authority("https://newbedev.com/q/1", prefer) == L
    assert web_authority("http://es.answers.com/x", []) == L
    assert web_authority("https://example.org", []) == N
    assert web_authority("http://[::1", prefer) == N  # malformed: nobody's preferred source
    # The built-in list is small, lower-case domain names (so host matching can work).
    assert 5 <= len(LOW_TRUST_DOMAINS) <= 30
    assert all(DOMAIN_NAME.fullmatch(d) and d == d.lower() for d in LOW_TRUST_DOMAINS)
    # Preferring a listed site is the user's call: preferred wins.
    assert web_authority("https://newbedev.com/q/1", ["newbedev.com"]) == A


def test_path_patterns() -> None:
    assert path_matches("guides/wal.md", "guides")  # a folder
    assert path_matches("guides/wal.md", "guides/wal.md")  # a file
    assert path_matches("guides/sub/x.pdf", "*.pdf")  # a glob ("*" crosses folders)
    assert not path_matches("guidesx/wal.md", "guides")
    assert not path_matches("guides/wal.md", "wal.md")
    assert local_authority("guides/wal.md", ["faq.md", "guides"]) == A
    assert local_authority("faq.md", []) == N
    assert source_authority(SourceKind.LOCAL, "newbedev.com", [], []) == N  # a file name
    assert source_authority(SourceKind.WEB, "https://newbedev.com/", [], []) == L


def test_by_authority_boosts_within_the_window() -> None:
    kinds = {"p1": A, "n1": N, "l1": L, "n2": N, "p2": A}
    ranked = ["n1", "l1", "p1", "n2", "p2"]
    assert by_authority(ranked, kinds.__getitem__) == ["p1", "p2", "n1", "n2", "l1"]
    # Only the best 3 are reordered: p2 ranked too low to be pulled ahead.
    assert by_authority(ranked, kinds.__getitem__, window=3) == ["p1", "n1", "l1", "n2", "p2"]
    assert by_authority([], kinds.__getitem__) == []


def test_local_search_puts_preferred_paths_first(tmp_path: Path) -> None:
    localdocs.clear_cache()
    store = DirectoryStore(tmp_path / "store")
    key = ingest_paths(store, [FIXTURE]).key
    query = "undo a commit"
    plain = [h.url for h in search_collection(store, key, query, 6)]
    # The fixture's decoy ranks fifth (second before the search's second pass).
    assert plain[0] == "git-revert.md" and plain.index("faq.md") == 4
    preferred = [h.url for h in search_collection(store, key, query, 6, prefer_paths=["faq.md"])]
    assert preferred[0] == "faq.md" and sorted(preferred) == sorted(plain)
    # A preferred document ranked below twice the results asked for is not pulled ahead.
    far = plain[5]
    assert [h.url for h in search_collection(store, key, query, 2, prefer_paths=[far])] == \
        plain[:2]
    assert search_collection(store, key, query, 3, prefer_paths=[far])[0].url == far


def test_client_validates_preferences(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "guides").mkdir(parents=True)
    (docs / "guides" / "wal.md").write_text("# WAL\n\nWrite-ahead logging.")
    (docs / "faq.md").write_text("# FAQ\n\nQuestions.")
    sources = [str(docs)]
    assert cr.parse_prefer_paths(["guides/", "./faq.md", "*.md"], sources) == [
        "guides", "faq.md", "*.md"]
    # An existing path inside the sources folder is made relative to it.
    assert cr.parse_prefer_paths([str(docs / "guides")], sources) == ["guides"]
    file_source = [str(docs / "faq.md")]
    assert cr.parse_prefer_paths([str(docs / "faq.md")], file_source) == ["faq.md"]
    for bad in ("", "/etc", "../x", "a/../../b"):
        with pytest.raises(UserError):
            cr.parse_prefer_paths([bad], sources)
    with pytest.raises(UserError, match="--sources"):
        cr.parse_prefer_paths(["guides"], [])
    cr.check_prefer_paths(["guides", "*.md"], ["faq.md", "guides/wal.md"])
    with pytest.raises(UserError, match="matches no document"):
        cr.check_prefer_paths(["guide"], ["faq.md", "guides/wal.md"])

    params = ReportInput(prompt="q")
    prepared = cr.PreparedSources(collection="collections/x", names=["faq.md", "guides/wal.md"])
    options = cr.ResearchOptions(sources=sources, prefer_paths=["guides"],
                                 prefer_domains=["https://www.SQLite.org/docs"])
    checked = cr.with_research(params, options, prepared)
    assert checked.prefer_paths == ["guides"] and checked.prefer_domains == ["www.sqlite.org"]
    with pytest.raises(UserError, match="not a domain"):
        cr.with_research(params, cr.ResearchOptions(prefer_domains=["not a domain"]),
                         cr.PreparedSources())
    with pytest.raises(UserError, match="--no-web"):
        cr.with_research(params, cr.ResearchOptions(web=False, prefer_domains=["sqlite.org"]),
                         cr.PreparedSources())
    with pytest.raises(UserError, match="matches no document"):
        cr.with_research(params, cr.ResearchOptions(sources=sources, prefer_paths=["nope"]),
                         prepared)


def test_references_show_their_authority() -> None:
    def text(ref: Reference) -> str:
        return "".join(getattr(part, "text", "") for part in reference_entry(ref).inlines)

    web = Reference(n=1, title="WAL", url="https://sqlite.org/wal.html", accessed="2026-01-02")
    assert "(" not in text(web)
    assert text(Reference(**{**web.__dict__, "authority": A})).endswith("(preferred source)")
    assert "low-trust site" in text(Reference(**{**web.__dict__, "authority": L}))
    refs = [web, Reference(authority=A), Reference(authority=A), Reference(authority=L)]
    assert cr.cited_summary(refs) == "4 cited (2 preferred, 1 low-trust)"
    assert cr.cited_summary([web]) == "1 cited"




def test_a_source_that_only_disputes_a_claim_is_not_counted_as_cited() -> None:
    """`4 sources kept for citing` in the progress, then `7 local documents: 5 cited`: the
    fifth joined the References only because it disputes a claim, and no sentence cites
    it (found in a new user's trial on tests/data/conflict_docs)."""
    cited = [Reference(n=1, authority=A), Reference(n=2)]
    disputing = Reference(n=3, title="forum", url="forum.md", kind=SourceKind.LOCAL,
                          cited=False)
    assert cr.cited_summary([*cited, disputing]) == (
        "2 cited (1 preferred) + 1 that disputes a claim")
    assert cr.cited_summary([*cited, disputing, Reference(n=4, cited=False)]) == (
        "2 cited (1 preferred) + 2 that dispute a claim")
    entry = "".join(getattr(part, "text", "") for part in reference_entry(disputing).inlines)
    assert entry.endswith("(not cited: it disputes a claim)")


def test_the_cited_count_names_the_mcp_answers() -> None:
    """`sources  1 local documents: 5 cited` left a user wondering where 4 came from: the
    agent's MCP tools' answers are sources too (found in a new user's trial)."""
    from durable_research.research.agent.transcript import mcp_address

    local = Reference(n=1, title="Tardigrades", url="tardigrades.md", kind=SourceKind.LOCAL)
    answers = [Reference(n=n, url=mcp_address("tardi", "lookup", {"query": f"q{n}"}))
               for n in (2, 3)]
    assert cr.cited_summary([local, *answers]) == "3 cited (2 MCP tool answers)"
    assert cr.cited_summary([local, answers[0]]) == "2 cited (1 MCP tool answer)"
    preferred = Reference(n=4, authority=A)
    assert cr.cited_summary([preferred, *answers]) == (
        "3 cited (1 preferred, 2 MCP tool answers)")
