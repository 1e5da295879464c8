"""Optional dense embeddings (``EMBEDDING_MODEL``) through litellm, cached in the artifact store.

Vectors are stored by content: ``embeddings/<model digest>/<digest of the texts>`` holds
the unit vectors of one group of texts (a document's passages, or one query) as a
float32 ``.npy``. Any worker and any later run reuses them, so a collection is embedded
once per model; they never enter a workflow history.

Credentials are the chat model's: LLM_API_KEY and LLM_API_BASE go with the call only
when the embedding model has LLM_MODEL's provider (``llm_calls.credentials``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from durable_research.config import Settings
from durable_research.contract.keys import embedding_key
from durable_research.errors import FailureType
from durable_research.store import ArtifactStore
from durable_research.store.errors import ArtifactMissingError

# Texts per embedding request: providers cap a request's inputs (OpenAI at 2048) and
# its tokens; 64 passages of ~120 words stay well inside both.
EMBED_BATCH = 64


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _dump(vectors: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, vectors.astype(np.float32), allow_pickle=False)
    return buffer.getvalue()


def _load(data: bytes, rows: int) -> np.ndarray | None:
    """The stored vectors, or None when the object is damaged or of another shape."""
    try:
        vectors = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError):
        return None
    return vectors if vectors.ndim == 2 and vectors.shape[0] == rows else None


def embedding_kwargs(settings: Settings, model: str, texts: list[str]) -> dict[str, Any]:
    """The ``litellm.embedding`` arguments of one request with the worker's settings."""
    from durable_research.llm.calls import credentials

    return {"model": model, "input": texts, "num_retries": 0,
            "timeout": settings.llm_timeout_s, **credentials(settings, model)}


class Embedder:
    """Unit vectors of texts under one model, from the store or else from the provider.

    Blocking (store and HTTP): call it from a worker thread. Provider failures raise the
    ``ApplicationError`` of :func:`llm_calls.classify_llm_error` (retryable or not).
    """

    def __init__(self, settings: Settings, store: ArtifactStore, model: str = "") -> None:
        """Embed with ``model`` (default: EMBEDDING_MODEL), caching in ``store``."""
        self.settings = settings
        self.store = store
        self.model = model or settings.embedding_model
        if not self.model:
            raise ValueError("no embedding model configured")

    def embed_groups(self, groups: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """One ``(len(group), dim)`` array per group; uncached groups share requests."""
        keys = [embedding_key(self.model, group) for group in groups]
        out: list[np.ndarray | None] = []
        for key, group in zip(keys, groups, strict=True):
            try:
                out.append(_load(self.store.get(key), len(group)))
            except ArtifactMissingError:
                out.append(None)
        missing = [i for i, vectors in enumerate(out) if vectors is None]
        fresh = self._request([text for i in missing for text in groups[i]])
        start = 0
        for i in missing:
            block = fresh[start:start + len(groups[i])]
            start += len(groups[i])
            self.store.put(keys[i], _dump(block))
            out[i] = block
        return [vectors for vectors in out if vectors is not None]

    def embed_query(self, text: str) -> np.ndarray:
        """The unit vector of one query (cached like any text)."""
        # Row 0 of the one group's (1, dim) array; indexing an ndarray is typed Any.
        return np.asarray(self.embed_groups([[text]])[0][0])

    def _request(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts`` from the provider, ``EMBED_BATCH`` texts a request."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        import litellm

        from durable_research.llm.calls import classify_llm_error

        rows: list[list[float]] = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start:start + EMBED_BATCH]
            try:
                response = litellm.embedding(**embedding_kwargs(self.settings, self.model,
                                                                batch))
            except Exception as exc:  # every provider error is classified
                raise classify_llm_error(exc, self.model) from exc
            items = sorted(response.data, key=lambda item: _field(item, "index"))
            rows += [list(_field(item, "embedding")) for item in items]
        if len(rows) != len(texts) or len({len(row) for row in rows}) != 1:
            from temporalio.exceptions import ApplicationError

            raise ApplicationError(
                f"embedding model {self.model!r} answered {len(rows)} vectors of unequal or "
                f"wrong count for {len(texts)} texts",
                    type=FailureType.BAD_EMBEDDINGS, non_retryable=True)
        return _unit(np.asarray(rows, dtype=np.float32))


def _field(item: Any, name: str) -> Any:
    """A field of a response item (litellm gives dicts or objects, by version)."""
    return item[name] if isinstance(item, dict) else getattr(item, name)
