"""Storing ``--sources`` documents in an artifact store that cannot take them ends with one
line and a hint, never a traceback. Found in a new user's trial: with
``RESEARCH_STORE=s3://bucket/...`` and the bucket not created (or the endpoint down, or a
store folder that cannot be made), ``research run q --sources DIR`` printed a 100-line
traceback ending in ``StoreError: bucket ... does not exist``."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.errors import StoreError, UserError
from durable_research.store import factory
from durable_research.store.errors import StoreUnavailableError


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nTardigrades survive drying out.\n", encoding="utf-8")
    return docs


class _Refusing:
    """A store that refuses every request as the S3 one does (no bucket, no answer)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def put(self, key: str, data: bytes) -> None:
        raise self.error

    def get(self, key: str) -> bytes:
        raise self.error

    def exists(self, key: str) -> bool:
        raise self.error

    def describe(self) -> str:
        return "s3://nu6-bucket/research at http://127.0.0.1:9"


@pytest.mark.parametrize("error", [
    StoreError("bucket 'nu6-bucket' does not exist at http://127.0.0.1:9: create it"),
    StoreUnavailableError("the S3 store at http://127.0.0.1:9 did not answer"),
])
def test_a_store_that_refuses_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              error: Exception) -> None:
    monkeypatch.setattr(factory, "open_store", lambda settings: _Refusing(error))
    with pytest.raises(UserError) as refused:
        cr.ingest_sources(Settings(), [str(_docs(tmp_path))])
    assert refused.value.message == (
        "Cannot store the documents in s3://nu6-bucket/research at http://127.0.0.1:9: "
        f"{error}"), refused.value.message
    assert "RESEARCH_STORE" in refused.value.hint and "research doctor" in refused.value.hint


def test_a_store_folder_that_cannot_be_made_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = Settings(store=str(blocker / "store"))
    with pytest.raises(UserError) as refused:
        cr.ingest_sources(settings, [str(_docs(tmp_path))])
    assert refused.value.message.startswith(
        f"Cannot store the documents in {blocker / 'store'}: "), refused.value.message
