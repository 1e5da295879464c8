"""A text's direction by its strong characters (Unicode bidi classes), and nothing more.

Apart from :mod:`bidi` (which reorders lines for the PDF and imports HarfBuzz and
FriBidi to do so), so the Word output can ask without loading them (2 s of imports).
"""

from __future__ import annotations

import unicodedata

RTL_CLASSES = frozenset({"R", "AL"})


def has_rtl(text: str) -> bool:
    """Whether ``text`` contains a strong right-to-left character (Hebrew, Arabic...)."""
    return any(unicodedata.bidirectional(ch) in RTL_CLASSES for ch in text)


def base_is_rtl(text: str) -> bool:
    """Paragraph direction per UAX #9 rules P2/P3: the first strong character decides."""
    for ch in text:
        cls = unicodedata.bidirectional(ch)
        if cls == "L":
            return False
        if cls in RTL_CLASSES:
            return True
    return False
