"""Store access for activities: one store per worker, errors mapped for Temporal."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from durable_research.activities.base import WithSettings
from durable_research.activities.pools import in_io, in_keep
from durable_research.contract.keys import readable_key, run_key, shared_run_key
from durable_research.errors import FailureType, StoreError
from durable_research.store import ArtifactStore, get_if_any
from durable_research.store.errors import StoreUnavailableError

T = TypeVar("T")


class WithStore(WithSettings):
    """Activities that read and write the artifact store configured on the worker."""

    _store: ArtifactStore | None = None

    @property
    def store(self) -> ArtifactStore:
        """The worker's store, opened on first use."""
        if self._store is None:
            from durable_research.store.factory import open_store

            self._store = open_store(self.settings)
        return self._store

    async def in_store(self, func: Callable[..., T], *args: Any, keep: bool = False) -> T:
        """Run a blocking store call in a thread, mapping store errors for the RetryPolicy.

        ``keep``: it saves something paid for, on threads of its own (``pools.in_keep``).
        """
        try:
            return await (in_keep if keep else in_io)(func, *args)
        except StoreUnavailableError as exc:
            raise ApplicationError(str(exc), type=FailureType.STORE_UNAVAILABLE) from exc
        except StoreError as exc:
            raise ApplicationError(str(exc),
                                   type=FailureType.STORE_ERROR, non_retryable=True) from exc

    def my_key(self, name: str) -> str:
        """A key for ``name`` in the current run's folder (never a path from the input)."""
        return run_key(activity.info().workflow_id or "", name)

    def run_key(self, name: str) -> str:
        """A key for ``name`` shared by the whole run (the report and its children)."""
        return shared_run_key(activity.info().workflow_id or "", name)

    def check_readable(self, key: str) -> str:
        """``key`` if this run may read it; else a non-retryable refusal."""
        try:
            return readable_key(activity.info().workflow_id or "", key)
        except StoreError as exc:
            raise ApplicationError(str(exc),
                                   type=FailureType.FORBIDDEN_KEY, non_retryable=True) from exc

    async def read_text(self, key: str) -> str:
        """A UTF-8 text this run may read."""
        data = await self.in_store(self.store.get, self.check_readable(key))
        return data.decode("utf-8", errors="replace")

    async def write_text(self, key: str, text: str) -> None:
        """Write a text under one of this run's keys."""
        await self.in_store(self.store.put, key, text.encode("utf-8"))

    async def load_json(self, key: str) -> Any:
        """A JSON document this run may read, or None when absent (one trip to the I/O
        pool: on a loaded worker each is a few milliseconds of waiting)."""
        data = await self.in_store(get_if_any, self.store, self.check_readable(key))
        return None if data is None else json.loads(data.decode("utf-8", errors="replace"))

    async def save_json(self, key: str, value: Any, keep: bool = False) -> None:
        """Write a JSON document under one of this run's keys (``keep``: see in_store)."""
        data = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
        await self.in_store(self.store.put, key, data, keep=keep)
