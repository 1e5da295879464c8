"""Sources and claims: the numbered references a report cites, how far each source is
trusted, and what the citation check found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar


class SourceKind(StrEnum):
    """Where a source came from."""

    WEB = "web"
    LOCAL = "local"


class Authority(StrEnum):
    """How far a source is trusted: the user's preferred sources (``--prefer-domain``,
    ``--prefer-path``), ordinary ones, and known content farms / re-post sites."""

    PREFERRED = "preferred"
    NORMAL = "normal"
    LOW_TRUST = "low-trust"


@dataclass
class Reference:
    """One entry of the fixed, numbered source list."""

    n: int = 0
    title: str = ""
    url: str = ""
    kind: str = SourceKind.WEB
    content_hash: str = ""
    accessed: str = ""
    authority: str = Authority.NORMAL
    # False: no sentence cites it; it joined the list because it disputes a claim (its
    # passage is shown beside the claim). Counted apart, so "5 cited" means cited.
    cited: bool = True


@dataclass
class UnsupportedCitation:
    """A cited sentence the checker could not verify against its source."""

    sentence: str = ""
    n: int = 0
    score: float = 0.0
    reason: str = ""


class ClaimStatus(StrEnum):
    """What the check says of one cited sentence, against all gathered sources."""

    # Its cited source supports it and no gathered source contradicts it.
    VERIFIED = "verified"
    # ... and another, independent source supports it too.
    CORROBORATED = "corroborated"
    # A gathered source contradicts it (whatever its own source says).
    DISPUTED = "disputed"
    # Its cited source does not support it, and nothing contradicts it.
    UNVERIFIED = "unverified"


# The end of a sentence, or an excerpt's gap, where a long passage may be cut.
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


def clip_whole(text: str, limit: int) -> str:
    """``text`` on one line, cut after its last whole sentence within ``limit`` characters
    (at a word when none ends past a third of it): a quoted passage never ends mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    # An end in the first third is more likely an abbreviation's ("e.g.") than worth it.
    ends = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() > limit // 3]
    kept = cut[:ends[-1]].removesuffix(" …") if ends else cut.rsplit(" ", 1)[0]
    return kept.rstrip() + " …"


@dataclass
class DisputedCitation:
    """A cited sentence that another gathered source contradicts: both passages, and why."""

    sentence: str = ""
    # The cited source and what it says.
    n: int = 0
    passage: str = ""
    # The source that says otherwise (a References number) and what it says.
    other: int = 0
    other_passage: str = ""
    reason: str = ""
    # Whether the cited source states the claim; False: ``passage`` is only its closest
    # passage (a claim cited to the wrong source, which another source also contradicts),
    # and the reader must not take it for what the source says.
    stated: bool = True


@dataclass
class Verification:
    """What the citation check found, for the report's "About" section.

    ``supported`` counts the verified and the corroborated sentences (``corroborated`` of
    them had an independent second source); ``disputed`` and ``unsupported`` list the others.
    """

    checked: int = 0
    supported: int = 0
    judged: int = 0
    unsupported: list[UnsupportedCitation] = field(default_factory=list)
    # How unsupported sentences were treated, e.g. "marked [unverified]".
    treatment: str = ""
    corroborated: int = 0
    disputed: list[DisputedCitation] = field(default_factory=list)

    def counts(self) -> dict[ClaimStatus, int]:
        """How many cited sentences got each status."""
        return {ClaimStatus.VERIFIED: self.supported - self.corroborated,
                ClaimStatus.CORROBORATED: self.corroborated,
                ClaimStatus.DISPUTED: len(self.disputed),
                ClaimStatus.UNVERIFIED: len(self.unsupported)}

    def distinct_disputes(self) -> list[DisputedCitation]:
        """The disputed claims once each (a report may make one claim in several places)."""
        return _once(self.disputed, lambda d: (d.n, d.other))

    def disputes_listed(self) -> str:
        """How the disputed sentences are listed when some are one claim made in several
        places ("4 disputed sentences, 3 claims: ..."); "" when each is a claim of its own.
        A reader counting the rows against the summary's "4 disputed" would find one
        missing."""
        return _listed_once(len(self.disputed), len(self.distinct_disputes()),
                            ClaimStatus.DISPUTED)

    def distinct_unsupported(self) -> list[UnsupportedCitation]:
        """The unverified claims once each, as :meth:`distinct_disputes`."""
        return _once(self.unsupported, lambda u: (u.n,))

    def unsupported_listed(self) -> str:
        """As :meth:`disputes_listed`, for the unverified sentences."""
        return _listed_once(len(self.unsupported), len(self.distinct_unsupported()),
                            ClaimStatus.UNVERIFIED)

    def summary(self, marks: dict[ClaimStatus, str] | None = None) -> str:
        """One line for people: "28 cited sentences: 20 verified, 4 corroborated, ...";
        ``marks``: a terminal's markup style for some statuses (``[red]2 disputed[/]``)."""
        noun = "sentence" if self.checked == 1 else "sentences"
        parts = []
        for status, n in self.counts().items():
            if n or status is ClaimStatus.VERIFIED:
                style = (marks or {}).get(status)
                parts.append(f"[{style}]{n} {status}[/]" if style and n else f"{n} {status}")
        return f"{self.checked} cited {noun}: {', '.join(parts)}"


# A checked sentence of either list (disputed, unverified).
_Cited = TypeVar("_Cited", "DisputedCitation", "UnsupportedCitation")


def _once(items: list[_Cited], sources: Callable[[_Cited], tuple[int, ...]]) -> list[_Cited]:
    """``items`` in order, each claim once: the same sentence (spacing aside) citing the
    same ``sources``."""
    seen: set[tuple[str, tuple[int, ...]]] = set()
    out = []
    for item in items:
        key = (" ".join(item.sentence.split()), sources(item))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _listed_once(sentences: int, claims: int, status: ClaimStatus) -> str:
    """"4 disputed sentences, 3 claims: ..." when a list shows a claim made in several
    places once; "" when each sentence is a claim of its own."""
    if claims == sentences:
        return ""
    return (f"{sentences} {status} sentences, {claims} {'claim' if claims == 1 else 'claims'}"
            ": a claim made in more than one place is listed once")
