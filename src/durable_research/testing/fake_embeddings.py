"""The fake LLM's ``/v1/embeddings`` answers: deterministic vectors, as OpenAI sends them.

A text's vector is a hashed bag of its words (each word adds ±1 to one of ``DIM``
dimensions chosen by its hash), normalised: texts sharing words point the same way,
so dense ranking behaves sensibly in tests, and the same text always gets the same
vector on any machine.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from typing import Any

DIM = 64
_WORD = re.compile(r"\w+")


def fake_vector(text: str) -> list[float]:
    """The unit vector of ``text`` (all zeros for a text without words)."""
    vector = [0.0] * DIM
    for word in _WORD.findall(text.lower()):
        digest = hashlib.sha256(word.encode("utf-8")).digest()
        vector[digest[0] % DIM] += 1.0 if digest[1] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def embeddings_response(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The response to an embeddings request, and how many texts it embedded.

    ``encoding_format: base64`` (what the OpenAI SDK asks for by default) gets
    little-endian float32 bytes in base64; otherwise lists of floats.
    """
    raw = body.get("input", [])
    texts = [raw] if isinstance(raw, str) else [str(t) for t in raw]
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for i, text in enumerate(texts):
        vector = fake_vector(text)
        encoded: Any = (base64.b64encode(struct.pack(f"<{DIM}f", *vector)).decode()
                        if as_base64 else vector)
        data.append({"object": "embedding", "index": i, "embedding": encoded})
    tokens = sum(len(t.split()) for t in texts)
    return ({"object": "list", "data": data, "model": body.get("model", "fake-embed"),
             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}, len(texts))
