"""The notes calls of one report are sent each passage once (``take_notes``'s ledger in the
run's folder, on a real folder store): a passage another call was sent is left out unless
it is its source's best one, and a retry of the same call keeps what it was sent."""

from __future__ import annotations

from pathlib import Path

from durable_research.activities.writing import WritingActivities
from durable_research.config import Settings
from tests.support.helpers import env_for

RANKED = [("a", "A1 best of a", 3.0), ("b", "B1 best of b", 2.5), ("a", "A2 more of a", 2.0),
          ("b", "B2 more of b", 1.0)]


async def test_a_passage_goes_to_one_notes_call_of_the_report(tmp_path: Path) -> None:
    writing = WritingActivities(Settings(store=str(tmp_path / "store"), data_dir=str(tmp_path)))
    first, second = env_for("report-1/q1"), env_for("report-1/q2")
    assert await first.run(writing._send_once, RANKED, "q1-notes") == RANKED
    other = [("a", "A2 more of a", 3.0), ("a", "A3 new in a", 2.0), ("c", "C1 best of c", 1.0)]
    # A2 and B2 were sent to q1 but are the best of a and b here: kept, so every source
    # can be quoted.
    kept = await second.run(writing._send_once, [*other, ("b", "B2 more of b", 0.5)],
                            "q2-notes")
    assert [p for _t, p, _s in kept] == ["A2 more of a", "A3 new in a", "C1 best of c",
                                         "B2 more of b"]
    # Sent before and not the source's best: left out.
    again = await second.run(writing._send_once, [("a", "A1 best of a", 3.0),
                                                  ("a", "A3 new in a", 2.0)], "q3-notes")
    assert [p for _t, p, _s in again] == ["A1 best of a"]
    # A retry of q1's call is sent what q1 was sent.
    assert await first.run(writing._send_once, RANKED, "q1-notes") == RANKED
