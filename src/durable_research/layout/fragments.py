"""reportlab's ``sameFrag`` (do two fragments share a style?) without its exceptions.

Line breaking asks it for every word of a paragraph with more than one fragment (a
citation link, a [disputed] mark). The C version (``_rl_accel.sameFrag``) looks each
attribute up with ``getattr``, and our fragments lack four of the ten it asks for
(``cbDefn``, ``lineBreak``, ``backColor``, ``nobr``): every call raised and cleared up
to eight AttributeErrors, 3-4 us a call and 11 % of a deep report's PDF (py-spy, 20,549
calls). Fragments made by reportlab's parser keep their attributes in ``__dict__``
(``ParaFrag`` defines none of these names), so reading that is the same lookup; any
other object goes to the C version.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import rl_accel
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.paraparser import ParaFrag

# The attributes the C version compares, in its order (rl_accel 0.9.1, _rl_accel.c).
_STYLE = ("fontName", "fontSize", "textColor", "rise", "us_lines", "link", "backColor", "nobr")
# Either present on a fragment: never the same style (an image, a forced line break).
_SPECIAL = ("cbDefn", "lineBreak")
_MISSING = object()
_c_same_frag = rl_accel.sameFrag


def _plain(cls: type) -> bool:
    """Whether instances of ``cls`` keep every compared name in ``__dict__`` (no class
    attribute, no ``__getattr__``), so a dict lookup is what getattr would find."""
    names = (*_STYLE, *_SPECIAL, "__getattr__")
    return not any(n in vars(base) for base in cls.__mro__[:-1] for n in names)


_FAST = _plain(ParaFrag)


def same_frag(f: Any, g: Any) -> bool:
    """True when ``f`` and ``g`` have the same style, as ``_rl_accel.sameFrag`` answers:
    neither is special, and each compared attribute is missing on both or equal."""
    if not (_FAST and type(f) is ParaFrag and type(g) is ParaFrag):
        return bool(_c_same_frag(f, g))
    fd, gd = f.__dict__, g.__dict__
    if "cbDefn" in fd or "cbDefn" in gd or "lineBreak" in fd or "lineBreak" in gd:
        return False
    for name in _STYLE:
        a, b = fd.get(name, _MISSING), gd.get(name, _MISSING)
        if a is b:  # as PyObject_RichCompareBool: the same object is never unequal
            continue
        if a is _MISSING or b is _MISSING or a != b:  # missing on one side only: differ
            return False
    return True


# reportlab's Paragraph looks it up as a module global of its paragraph module.
rl_paragraph.sameFrag = same_frag
