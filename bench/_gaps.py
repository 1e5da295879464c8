"""Where a workflow's orchestration time goes: the gaps between its history events.

For one report run one at a time: from the client's start call to the first event,
between consecutive events (server clock), and from the last event to the client
holding the result. An activity's own run (started -> completed) is its work, not
orchestration, and is left out. Each gap is named by its two events and how many times
that pair occurred before (``#2``: the second workflow task), so runs of the same shape
line up and the medians of several kinds can be printed side by side.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from _common import event_ts, pct
from temporalio.api.enums.v1 import EventType

CLIENT_START, CLIENT_RESULT = "client start", "client has the result"
_WORK = ("ACTIVITY_TASK_STARTED", "ACTIVITY_TASK_COMPLETED")


def _name(event_type: int) -> str:
    return EventType.Name(EventType.ValueType(event_type)).removeprefix("EVENT_TYPE_")


def event_gaps(started: float, events: list[Any], done: float) -> dict[str, float]:
    """Seconds of each gap of one run, the activities' own runs left out."""
    gaps: dict[str, float] = {}
    seen: Counter[tuple[str, str]] = Counter()
    prev_name, prev_t = CLIENT_START, started
    for ev in [*events, None]:
        name = CLIENT_RESULT if ev is None else _name(ev.event_type)
        t = done if ev is None else event_ts(ev)
        pair = (prev_name, name)
        seen[pair] += 1
        if pair != _WORK:
            gaps[f"{prev_name.lower()} -> {name.lower()} #{seen[pair]}"] = t - prev_t
        prev_name, prev_t = name, t
    return gaps


class GapTable:
    """Gaps of many runs per kind; medians side by side."""

    def __init__(self) -> None:
        """No runs yet."""
        self.runs: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))

    def add(self, kind: str, gaps: dict[str, float]) -> None:
        """One run of ``kind``."""
        for name, seconds in gaps.items():
            self.runs[kind][name].append(seconds)

    def lines(self, kinds: tuple[str, ...]) -> list[str]:
        """One line per gap (in the first kind's order, then any others): p50 ms per kind,
        '-' where a kind has no such gap; a total line last."""
        names = list(dict.fromkeys(n for k in kinds for n in self.runs[k]))
        width = max(len(n) for n in names)
        out = [f"  {'gap (p50 ms)':<{width}} " + " ".join(f"{k:>7}" for k in kinds)]
        totals = dict.fromkeys(kinds, 0.0)
        for name in names:
            cells = []
            for k in kinds:
                values = self.runs[k].get(name)
                cells.append(f"{pct(values, 50) * 1000:7.2f}" if values else f"{'-':>7}")
                totals[k] += pct(values, 50) * 1000 if values else 0.0
            out.append(f"  {name:<{width}} " + " ".join(cells))
        out.append(f"  {'sum of the medians':<{width}} " + " ".join(
            f"{totals[k]:7.2f}" for k in kinds))
        return out
