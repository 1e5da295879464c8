"""Words of scripts written without spaces: Thai, Lao, Khmer and Myanmar.

A line may break only between words there, and finding the words takes a dictionary.
We use ICU's line breaker, whose dictionary engines cover exactly these four scripts
(Thai, Lao, Khmer and Burmese word lists, plus rules for what may not start or end a
line), through ``icu4py``: MIT licensed, typed, kept by a well-known maintainer, with
binary wheels that bundle ICU 78 and its data, so nothing is compiled or installed from
Debian. Measured here: a 16 MB download, 42 MB installed, 4 s added to a fresh
``scripts/install.sh``; importing it takes 50 ms (done on first use: reports without
these scripts never load it); a Thai paragraph of 50 characters is split in about
0.2 ms (the first call, loading the dictionary, 1 ms).

The others considered: PyICU has no binary wheels (it compiles against libicu-dev,
minutes of C++ on every fresh machine); ``pyicu-wheels`` and ``pyicu-binary`` are
unofficial rebuilds (the latter last released in 2021); PyThaiNLP covers Thai only
(Lao and Khmer would need laonlp and khmer-nltk, three libraries and three
dictionaries); calling Debian's libicu through ctypes would tie the code to one ICU
version's symbol names (``ubrk_open_72``) and to Linux.

Only a word (text between spaces) with characters of these scripts goes to ICU:
other text keeps the rules it had (spaces, CJK characters, see :mod:`linebreak`), so a
Latin "world-wide" is still not split at its hyphen.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icu4py.breakers import LineBreaker

# Thai, Lao (U+0E00-U+0EFF), Myanmar (U+1000-U+109F) and Khmer (U+1780-U+17FF).
NO_SPACES = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")


def needs_dictionary(text: str) -> bool:
    """Whether ``text`` has characters of a script written without spaces."""
    return NO_SPACES.search(text) is not None


@cache
def _line_breaker() -> type[LineBreaker]:
    # Imported on first use: loading ICU costs 50 ms that most reports never need.
    from icu4py.breakers import LineBreaker

    return LineBreaker


@lru_cache(maxsize=4096)  # a paragraph is wrapped again for each width tried
def split_words(text: str) -> tuple[str, ...]:
    """``text`` cut where ICU allows a line break (pieces keep trailing spaces).

    Text without a script that needs the dictionary comes back whole.
    """
    if not needs_dictionary(text):
        return (text,)
    # Iterating gives the pieces; segments() would give UTF-16 offsets, not str indices.
    return tuple(_line_breaker()(text, ""))
