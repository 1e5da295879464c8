"""``activities/storage.py``: a JSON document is read in one trip to the store's thread.

Each trip is a hand-off to the I/O pool and back to the event loop; on a loaded worker it
costs a few milliseconds of waiting, and the agent's steps read documents on their chain
(``exists`` then ``get`` was two trips for every present document).
"""

from __future__ import annotations

from pathlib import Path

from durable_research.activities.storage import WithStore
from durable_research.config import Settings
from tests.support.helpers import env_for

WORKFLOW = "report-1"


async def test_a_document_is_read_in_one_trip(tmp_path: Path, trips: list[str]) -> None:
    acts = WithStore(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))
    env = env_for(WORKFLOW)
    key = env.run(acts.my_key, "a.json")
    await env.run(acts.save_json, key, {"x": [1, 2]})
    trips.clear()
    assert await env.run(acts.load_json, key) == {"x": [1, 2]}
    assert len(trips) == 1
    trips.clear()
    assert await env.run(acts.load_json, env.run(acts.my_key, "absent.json")) is None
    assert len(trips) == 1
