"""The fake embeddings' vector size (``testing/fake_embeddings.py``): 64 unless a request
asks for another (``dimensions``, as OpenAI's API allows); a size it cannot give is refused."""

from __future__ import annotations

import base64
import struct

import pytest

from durable_research.testing.fake_embeddings import DIM, embeddings_response, fake_vector


def test_a_request_gets_the_dimensions_it_asks_for() -> None:
    payload, texts = embeddings_response({"input": ["git revert a commit", "bisect"],
                                          "dimensions": 1024})
    assert texts == 2 and [len(d["embedding"]) for d in payload["data"]] == [1024, 1024]
    assert payload["data"][0]["embedding"] == fake_vector("git revert a commit", 1024)
    packed, _ = embeddings_response({"input": "bisect", "dimensions": 8,
                                     "encoding_format": "base64"})
    raw = base64.b64decode(packed["data"][0]["embedding"])
    assert len(raw) == 8 * 4
    assert list(struct.unpack("<8f", raw)) == pytest.approx(fake_vector("bisect", 8))


def test_without_dimensions_the_default_size() -> None:
    payload, _ = embeddings_response({"input": "bisect"})
    assert len(payload["data"][0]["embedding"]) == DIM == len(fake_vector("x"))


@pytest.mark.parametrize("bad", [0, -3, 5000, 1.5, "64", True])
def test_a_size_it_cannot_give_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="dimensions must be"):
        embeddings_response({"input": "bisect", "dimensions": bad})
