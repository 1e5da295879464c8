"""The uploaded files a report started from the page could not use, shown on its page:
the CLI prints ``skipped NAME: reason`` when it reads ``--sources``, and the page, which
redirects to the report, had nowhere to say it.

Kept for every view of the page, not the first only (a reload, or the page's own refresh,
lost them: a new user's trial). In memory only (a restarted web process forgets them: the
report itself is unaffected), and bounded, oldest first out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

# Reports whose left-out files are kept at once.
KEPT = 200


@dataclass
class LeftOut:
    """``skipped NAME: reason`` lines by report id."""

    limit: int = KEPT
    _lines: OrderedDict[str, list[str]] = field(default_factory=OrderedDict)

    def put(self, report_id: str, lines: list[str]) -> None:
        """Keep ``lines`` (nothing when empty) for the report's page."""
        if not lines:
            return
        self._lines[report_id] = list(lines)
        while len(self._lines) > self.limit:
            self._lines.popitem(last=False)

    def lines(self, report_id: str) -> list[str]:
        """The lines kept for ``report_id`` (none when none were, or they went out)."""
        return list(self._lines.get(report_id, []))
