"""What changed between two runs of a scheduled report: its sources and its claims.

Pure functions only. A run is reduced to a :class:`Snapshot` (the sources it cites, the
cited sentences of its body); two snapshots give :class:`Changes`, and those the Markdown
section a scheduled report starts with. The ``report_changes`` activity stores each run's
snapshot and reads the previous run's (activities/changes.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from durable_research.contract.citations import Reference
from durable_research.research.citations import cited_sentences
from durable_research.research.statements import tokens

CHANGES_HEADING = "What changed since the last run"
# Items listed per kind of change; the others are counted ("... and 4 more").
MAX_LISTED = 10
# Share of words (Jaccard over content tokens) at which a claim gone and a claim new are
# read as one claim reworded or updated ("changed") rather than two unrelated ones.
SAME_CLAIM_AT = 0.5
# Characters of a claim shown in the section.
CLAIM_CHARS = 300
# CommonMark inline syntax, and "[" (a "[3]" in a quoted claim would read as a citation).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&#])")


@dataclass(frozen=True)
class SourceMark:
    """One cited source as runs are compared: its identity (the URL, or the kind and title
    of a local document), and its content hash (a source whose text changed)."""

    key: str
    title: str = ""
    url: str = ""
    content_hash: str = ""


@dataclass(frozen=True)
class Snapshot:
    """What a run's report rests on: the sources it cites and its cited claims."""

    sources: tuple[SourceMark, ...] = ()
    claims: tuple[str, ...] = ()

    def empty(self) -> bool:
        """Whether the run cites nothing (a single answer, or research that found nothing)."""
        return not self.sources and not self.claims

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (stored per run in the artifact store)."""
        return {"sources": [vars(s) for s in self.sources], "claims": list(self.claims)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        """The snapshot :meth:`to_json` wrote."""
        return cls(sources=tuple(SourceMark(**s) for s in data.get("sources", [])),
                   claims=tuple(str(c) for c in data.get("claims", [])))


def source_key(ref: Reference) -> str:
    """A source's identity across runs (numbers differ from run to run)."""
    return ref.url or f"{ref.kind}:{ref.title}"


def snapshot_of(body: str, references: Iterable[Reference]) -> Snapshot:
    """A run's snapshot from its body's Markdown and its numbered references."""
    sources = {source_key(r): SourceMark(source_key(r), r.title, r.url, r.content_hash)
               for r in references}
    claims = dict.fromkeys(c.sentence for c in cited_sentences(body) if c.sentence)
    return Snapshot(sources=tuple(sources.values()), claims=tuple(claims))


@dataclass(frozen=True)
class Changes:
    """The differences of a run from the previous one."""

    new_sources: tuple[SourceMark, ...] = ()
    dropped_sources: tuple[SourceMark, ...] = ()
    # Cited by both runs, with a different text now.
    updated_sources: tuple[SourceMark, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # (before, now) pairs: a claim reworded or updated.
    changed: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def any(self) -> bool:
        """Whether anything differs."""
        return bool(self.new_sources or self.dropped_sources or self.updated_sources
                    or self.added or self.removed or self.changed)

    def summary(self) -> str:
        """The changes in a few words: ``1 new source, 2 claims added`` or ``no changes``."""
        counts = [(len(self.new_sources), "new source", "new sources"),
                  (len(self.dropped_sources), "source no longer cited",
                   "sources no longer cited"),
                  (len(self.updated_sources), "source updated", "sources updated"),
                  (len(self.added), "claim added", "claims added"),
                  (len(self.removed), "claim removed", "claims removed"),
                  (len(self.changed), "claim changed", "claims changed")]
        parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
        return ", ".join(parts) or "no changes"


def _words(claim: str) -> set[str]:
    return set(tokens(claim))


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _pair_changed(gone: Sequence[str], new: Sequence[str]
                  ) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Pair claims gone with new ones that say nearly the same (best pairs first)."""
    words = {c: _words(c) for c in (*gone, *new)}
    scored = sorted(((_similarity(words[g], words[n]), i, j)
                     for i, g in enumerate(gone) for j, n in enumerate(new)), reverse=True)
    used_g: set[int] = set()
    used_n: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for score, i, j in scored:
        if score < SAME_CLAIM_AT:
            break
        if i not in used_g and j not in used_n:
            used_g.add(i)
            used_n.add(j)
            pairs.append((i, j))
    changed = [(gone[i], new[j]) for i, j in sorted(pairs, key=lambda p: p[1])]
    return (changed, [g for i, g in enumerate(gone) if i not in used_g],
            [n for j, n in enumerate(new) if j not in used_n])


def diff(previous: Snapshot, current: Snapshot) -> Changes:
    """What ``current`` has that ``previous`` had not, and the other way round."""
    before = {s.key: s for s in previous.sources}
    now = {s.key: s for s in current.sources}
    old_claims = set(previous.claims)
    new_claims = set(current.claims)
    changed, removed, added = _pair_changed(
        [c for c in previous.claims if c not in new_claims],
        [c for c in current.claims if c not in old_claims])
    return Changes(
        new_sources=tuple(s for k, s in now.items() if k not in before),
        dropped_sources=tuple(s for k, s in before.items() if k not in now),
        updated_sources=tuple(s for k, s in now.items() if k in before and s.content_hash
                              and before[k].content_hash
                              and s.content_hash != before[k].content_hash),
        added=tuple(added), removed=tuple(removed), changed=tuple(changed))


def _escape(text: str, limit: int = CLAIM_CHARS) -> str:
    """Text shown literally on one line of Markdown, cut at ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return _MD_SPECIAL.sub(r"\\\1", text)


def _source_line(s: SourceMark) -> str:
    title = _escape(s.title or s.url or s.key)
    # Only web addresses become links; the layout drops unsafe schemes anyway.
    return f"- {title} (<{s.url}>)" if s.url.startswith(("http://", "https://")) else \
        f"- {title}"


def _listed(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    shown = lines[:MAX_LISTED]
    more = [f"- ... and {len(lines) - MAX_LISTED} more"] if len(lines) > MAX_LISTED else []
    return [f"**{title} ({len(lines)})**", "", *shown, *more, ""]


def changes_section(changes: Changes | None, previous: str = "",
                    cites_nothing: bool = False) -> str:
    """The Markdown section a scheduled report starts with.

    Args:
        changes: The differences from the previous run; None on a schedule's first run.
        previous: Which run was compared against (its workflow id), named in the text.
        cites_nothing: This run cites no source (nothing to compare is not "no change").
    """
    head = [f"## {CHANGES_HEADING}", ""]
    if changes is None:
        return "\n".join([*head, "This is the first run of this schedule: there is no "
                          "earlier report to compare with. Later runs start with what "
                          "changed since the previous one.", ""])
    intro = (f"Compared with the previous report of this schedule ({_escape(previous)}): "
             if previous else "Compared with the previous report of this schedule: ")
    if not changes.any() and cites_nothing:
        return "\n".join([*head, intro + "neither report cites a source, so there are no "
                          "sources or cited claims to compare (a quick report answers "
                          "without research).", ""])
    if not changes.any():
        return "\n".join([*head, intro + "nothing changed; the same sources support the "
                          "same claims.", ""])
    lines = [*head, intro + changes.summary() + ".", ""]
    lines += _listed("New sources", [_source_line(s) for s in changes.new_sources])
    lines += _listed("Sources no longer cited",
                     [_source_line(s) for s in changes.dropped_sources])
    lines += _listed("Sources whose text changed",
                     [_source_line(s) for s in changes.updated_sources])
    lines += _listed("Claims added", [f"- {_escape(c)}" for c in changes.added])
    lines += _listed("Claims removed", [f"- {_escape(c)}" for c in changes.removed])
    lines += _listed("Claims changed", [f"- Before: {_escape(a)}  \n  Now: {_escape(b)}"
                                        for a, b in changes.changed])
    return "\n".join(lines)
