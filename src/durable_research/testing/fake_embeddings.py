"""The fake LLM's ``/v1/embeddings`` answers: deterministic vectors, as OpenAI sends them.

A text's vector is a hashed bag of its words (each word adds ±1 to one of ``DIM``
dimensions chosen by its hash), normalised: texts sharing words point the same way,
so dense ranking behaves sensibly in tests, and the same text always gets the same
vector on any machine. A request may ask for another size (``dimensions``, as OpenAI's
API allows): more dimensions, fewer words sharing one, a closer lexical similarity.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import re
import struct
from typing import Any

DIM = 64
_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=1 << 16)
def _slot(word: str, dim: int) -> tuple[int, float]:
    """The dimension a word adds to and its sign. Cached: a client that embeds a whole
    corpus per query (gpt-researcher: 2.2 M words per report) kept the fake busy 30-48 s
    per report hashing the same words again (measured on 300 k words of the eval corpus:
    2.0 s uncached, 0.6 s cached)."""
    digest = hashlib.sha256(word.encode("utf-8")).digest()
    # The first byte alone chooses among 64 (the vectors tests have always had); more
    # bytes for more dimensions.
    return int.from_bytes(digest[:4], "little") % dim, 1.0 if digest[1] & 1 else -1.0


def fake_vector(text: str, dim: int = DIM) -> list[float]:
    """The unit vector of ``text`` (all zeros for a text without words)."""
    vector = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        slot, sign = _slot(word, dim)
        vector[slot] += sign
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def dimensions(body: dict[str, Any]) -> int:
    """The vector size a request asks for (``dimensions``; :data:`DIM` if none).

    Raises ValueError for anything but a whole number from 1 to 4096, as OpenAI refuses."""
    dim = body.get("dimensions", DIM)
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= 4096:
        raise ValueError(f"dimensions must be a whole number from 1 to 4096, not {dim!r}")
    return dim


def embeddings_response(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The response to an embeddings request, and how many texts it embedded.

    ``encoding_format: base64`` (what the OpenAI SDK asks for by default) gets
    little-endian float32 bytes in base64; otherwise lists of floats. Raises ValueError
    for a size it cannot give (:func:`dimensions`).
    """
    dim = dimensions(body)
    raw = body.get("input", [])
    texts = [raw] if isinstance(raw, str) else [str(t) for t in raw]
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for i, text in enumerate(texts):
        vector = fake_vector(text, dim)
        encoded: Any = (base64.b64encode(struct.pack(f"<{dim}f", *vector)).decode()
                        if as_base64 else vector)
        data.append({"object": "embedding", "index": i, "embedding": encoded})
    tokens = sum(len(t.split()) for t in texts)
    return ({"object": "list", "data": data, "model": body.get("model", "fake-embed"),
             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}, len(texts))
