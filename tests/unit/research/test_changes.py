"""The "What changed since the last run" diff: two runs' sources and claims -> the section."""

from __future__ import annotations

from durable_research.contract.citations import Reference, SourceKind
from durable_research.research.changes import (
    CHANGES_HEADING,
    MAX_LISTED,
    Changes,
    Snapshot,
    SourceMark,
    changes_section,
    diff,
    snapshot_of,
)

A = Reference(n=1, title="Tardigrades", url="https://a.example/t", content_hash="h1")
B = Reference(n=2, title="Water bears", url="https://b.example/w", content_hash="h2")
C = Reference(n=1, title="Cryptobiosis [3]", url="https://c.example/c", content_hash="h3")
LOCAL = Reference(n=3, title="notes.md", kind=SourceKind.LOCAL, content_hash="h4")

BODY = """## Survival

Tardigrades survive in space for ten days [1]. They can live without water for decades [2].

## References

1. Something cited [1] here is not a claim.
"""


def test_snapshot_keeps_cited_claims_and_sources_by_identity() -> None:
    snap = snapshot_of(BODY + "\nUncited sentence.", [A, B, LOCAL])
    assert snap.claims == ("Tardigrades survive in space for ten days.",
                           "They can live without water for decades.")
    assert [s.key for s in snap.sources] == [A.url, B.url, "local:notes.md"]
    assert Snapshot.from_json(snap.to_json()) == snap


def test_same_run_twice_has_no_changes() -> None:
    snap = snapshot_of(BODY, [A, B])
    changes = diff(snap, snap)
    assert not changes.any() and changes.summary() == "no changes"
    section = changes_section(changes, "report-s-1")
    assert section.startswith(f"## {CHANGES_HEADING}\n")
    assert "nothing changed" in section and "report-s-1" in section


def test_sources_new_dropped_and_updated() -> None:
    before = snapshot_of(BODY, [A, B])
    after = snapshot_of(BODY, [Reference(n=1, title=A.title, url=A.url, content_hash="new"),
                               C])
    changes = diff(before, after)
    assert [s.url for s in changes.new_sources] == [C.url]
    assert [s.url for s in changes.dropped_sources] == [B.url]
    assert [s.url for s in changes.updated_sources] == [A.url]
    assert changes.summary() == ("1 new source, 1 source no longer cited, 1 source updated")
    section = changes_section(changes, "report-s-1")
    # A title with a citation-like "[3]" is escaped: it is not read as a citation.
    assert "**New sources (1)**\n\n- Cryptobiosis \\[3\\] (<https://c.example/c>)" in section
    assert "**Sources no longer cited (1)**" in section and "Water bears" in section
    assert "**Sources whose text changed (1)**" in section


def test_claims_added_removed_and_changed() -> None:
    before = Snapshot(claims=("Tardigrades survive in space for ten days.",
                              "They eat moss and algae.",
                              "They were described in 1773."))
    after = Snapshot(claims=("Tardigrades survive in open space for twelve days.",
                             "They eat moss and algae.",
                             "Some species reproduce without males."))
    changes = diff(before, after)
    assert changes.added == ("Some species reproduce without males.",)
    assert changes.removed == ("They were described in 1773.",)
    assert changes.changed == (("Tardigrades survive in space for ten days.",
                                "Tardigrades survive in open space for twelve days."),)
    assert changes.summary() == "1 claim added, 1 claim removed, 1 claim changed"
    section = changes_section(changes, "")
    assert "**Claims added (1)**\n\n- Some species reproduce without males." in section
    assert "- Before: Tardigrades survive in space for ten days.  \n  Now: Tardigrades " \
           "survive in open space for twelve days." in section


def test_unrelated_claims_are_not_paired() -> None:
    changes = diff(Snapshot(claims=("The sky is blue.",)),
                   Snapshot(claims=("Moss grows on stones.",)))
    assert changes.changed == () and changes.added and changes.removed


def test_long_lists_are_cut_and_counted() -> None:
    many = tuple(SourceMark(key=f"https://x.example/{i}", title=f"Page {i}",
                            url=f"https://x.example/{i}") for i in range(MAX_LISTED + 3))
    section = changes_section(diff(Snapshot(), Snapshot(sources=many)), "r")
    assert f"**New sources ({MAX_LISTED + 3})**" in section
    assert "- ... and 3 more" in section and "Page 12" not in section


def test_first_run_says_so() -> None:
    section = changes_section(None)
    assert section.startswith(f"## {CHANGES_HEADING}\n") and "first run" in section


def test_markdown_in_claims_is_shown_literally() -> None:
    changes = Changes(added=("A [link](javascript:alert(1)) and *stars* <b>.",))
    section = changes_section(changes, "r")
    assert "\\[link\\](javascript:alert(1)) and \\*stars\\* \\<b\\>." in section


def test_reports_citing_nothing_say_so_rather_than_no_change() -> None:
    empty = snapshot_of("A single answer without citations.", [])
    assert empty.empty()
    section = changes_section(diff(empty, empty), "r", cites_nothing=True)
    assert "neither report cites a source" in section and "nothing changed" not in section
