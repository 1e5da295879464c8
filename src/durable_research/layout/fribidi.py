"""Unicode bidi embedding levels (UAX #9) from GNU FriBidi, through its public C API.

python-bidi (used for mirroring and in tests) computes the same levels in Rust but only
returns the reordered string; its levels were readable only from a debug dump, which a
release may change at any time. FriBidi's ``fribidi_get_par_embedding_levels_ex`` is the
documented call (bracket pairs included since 1.0). Compared on 40,000 random mixed
Latin/Hebrew/Arabic/digit/bracket/mark lines in both paragraph directions: the same levels
as python-bidi 0.6's Rust core on every one. ``libfribidi0`` is a Debian package
(scripts/apt-packages.txt); without it, right-to-left text cannot be laid out and we say so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

from durable_research.errors import ConfigError

# fribidi-bidi-types.h: FRIBIDI_PAR_LTR / FRIBIDI_PAR_RTL (strong letter, RTL bit).
_PAR_LTR = 0x110
_PAR_RTL = 0x111


@cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("fribidi") or "libfribidi.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise ConfigError(
            "right-to-left text needs the FriBidi library, which is not installed",
            "install the Debian package libfribidi0 (scripts/install.sh does, as root)",
        ) from exc
    u32p = ctypes.POINTER(ctypes.c_uint32)
    lib.fribidi_get_bidi_types.argtypes = [u32p, ctypes.c_int, u32p]
    lib.fribidi_get_bidi_types.restype = None
    lib.fribidi_get_bracket_types.argtypes = [u32p, ctypes.c_int, u32p, u32p]
    lib.fribidi_get_bracket_types.restype = None
    lib.fribidi_get_par_embedding_levels_ex.argtypes = [
        u32p, u32p, ctypes.c_int, u32p, ctypes.POINTER(ctypes.c_int8)]
    lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    return lib


def embedding_levels(text: str, rtl_base: bool) -> list[int]:
    """The embedding level of each character of one paragraph (or line) of ``text``."""
    n = len(text)
    if not n:
        return []
    lib = _library()
    chars = (ctypes.c_uint32 * n)(*map(ord, text))
    types = (ctypes.c_uint32 * n)()
    lib.fribidi_get_bidi_types(chars, n, types)
    brackets = (ctypes.c_uint32 * n)()
    lib.fribidi_get_bracket_types(chars, n, types, brackets)
    levels = (ctypes.c_int8 * n)()
    base = ctypes.c_uint32(_PAR_RTL if rtl_base else _PAR_LTR)
    # Returns the highest level + 1, or 0 when it could not allocate its work memory.
    if not lib.fribidi_get_par_embedding_levels_ex(types, brackets, n, ctypes.byref(base),
                                                   levels):
        raise MemoryError("FriBidi could not compute the embedding levels")
    return list(levels)
