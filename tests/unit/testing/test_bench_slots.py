"""``throughput.py --slots``' summary of a burst (``bench/_slots.py``): waits on the server
and runs in the worker by type, slots held at once, attempts after the first."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest

from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def slots() -> ModuleType:
    """The bench module (bench/ is not a package: its modules import each other by name)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import _slots
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return _slots


def test_waits_runs_and_slots_held_of_a_burst(slots: ModuleType) -> None:
    from _common import Step

    steps = [  # two LLM calls at once, then a render that was retried once
        Step("llm_call", scheduled=0.0, started=1.0, closed=3.0, attempt=1),
        Step("llm_call", scheduled=0.0, started=2.0, closed=3.0, attempt=1),
        Step("create_pdf", scheduled=3.0, started=3.5, closed=5.0, attempt=2),
        Step("send_email", scheduled=5.0),  # never started: left out
    ]
    use = slots.slot_use(steps)
    assert use.waits == {"llm_call": [1.0, 2.0], "create_pdf": [0.5]}
    assert use.runs == {"llm_call": [2.0, 1.0], "create_pdf": [1.5]}
    assert use.max_held == 2
    # Held over 1..5 s: 1 for 1 s, 2 for 1 s, 0 for 0.5 s, 1 for 1.5 s = 4.5 slot-seconds.
    assert use.mean_held == pytest.approx(4.5 / 4.0)
    assert use.mean_llm_held == pytest.approx(3.0 / 4.0)
    assert use.retried == 1
    assert "attempts after the first 1" in use.line()


def test_an_empty_burst_holds_nothing(slots: ModuleType) -> None:
    use = slots.slot_use([])
    assert (use.mean_held, use.max_held, use.retried, use.waits) == (0.0, 0, 0, {})
