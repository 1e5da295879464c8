"""Word lists the claim comparison reads: opposites, and words that make a slot single-valued.

Data only (stemmed at import, like every token the comparison sees), so the lists can grow
without touching the rules in :mod:`claims`.
"""

from __future__ import annotations

from durable_research.research.passages import STOPWORDS, stem

# Words whose swap turns a statement into its opposite: each line is two families, and a
# word of one against a word of the other is a contradiction ("enforced by default" vs
# "disabled by default"). Stemmed at import, so "enabled"/"disables" match. Kept to words
# that stay opposites in technical prose ("same | different" does not: "at the same time
# ... a different connection", "the same database" / "different database files").
_OPPOSITES = """
enable enabled enforce enforced activate activated active on | disable disabled
    deactivate deactivated inactive off ignore ignored
true yes | false
allow allowed permit permitted accept accepted | forbid forbidden disallow disallowed
    prohibit prohibited reject rejected refuse refused
required mandatory compulsory | optional
always | sometimes rarely
increase increases increased rise rises gain | decrease decreases decreased fall falls lose
before earlier | after later
more | less fewer
larger bigger | smaller
higher | lower
maximum | minimum
faster quicker | slower
safe | unsafe
synchronous | asynchronous
include included | exclude excluded
persistent permanent | temporary transient
automatic automatically | manual manually
implicit implicitly | explicit explicitly
ascending | descending
supported | unsupported
first earliest oldest | last latest newest
lossless | lossy
visible | invisible hidden
mutable | immutable
valid | invalid
possible | impossible
legal | illegal
sufficient | insufficient
compatible | incompatible
inside internal | outside external
above | below
north | south
east | west
success succeeds succeeded | failure fails failed
same identical | distinct independent
free | costly expensive overhead
millisecond milliseconds | second seconds microsecond microseconds nanosecond nanoseconds
byte bytes | kilobyte kilobytes kibibyte kibibytes megabyte megabytes
kilobyte kilobytes kibibyte kibibytes | megabyte megabytes gigabyte gigabytes
"""


def _opposite_pairs(table: str) -> frozenset[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for line in table.replace("\n    ", " ").strip().splitlines():
        left, right = (side.split() for side in line.split("|"))
        pairs.update(frozenset((stem(a), stem(b))) for a in left for b in right
                     if stem(a) != stem(b))
    return frozenset(pairs)


ANTONYMS = _opposite_pairs(_OPPOSITES)
_OPPOSITE_OF: dict[str, set[str]] = {}
for _pair in ANTONYMS:
    _a, _b = sorted(_pair)
    _OPPOSITE_OF.setdefault(_a, set()).add(_b)
    _OPPOSITE_OF.setdefault(_b, set()).add(_a)


def opposites(toks: list[str]) -> list[str]:
    """The opposites of these (stemmed) tokens, to search for what says otherwise."""
    return sorted({o for t in toks for o in _OPPOSITE_OF.get(t, ())})
# The opposites that are stopwords elsewhere ("on", "off", "before"...): a claim keeps them.
KEPT_STOPWORDS: frozenset[str] = frozenset(w for w in _OPPOSITES.split() if w in STOPWORDS)


# Words that make a slot hold one value only ("the default journal mode", "the capital"),
# so that another name in it contradicts rather than adds.
SINGLE_VALUE_CUES: frozenset[str] = frozenset(stem(w) for w in """
default only sole capital named called name author inventor founder creator current latest
official maximum minimum largest smallest highest lowest first last born died
""".split())
