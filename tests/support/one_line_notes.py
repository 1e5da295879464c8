"""One-line notes as people keep them: a heading and one line without a full stop."""

from __future__ import annotations

# 30 like the 210 of a report that quoted none of them in any of its 4 sub-questions.
WAL_FACTS = (
    "WAL mode lets readers continue while a single writer appends to the log",
    "a checkpoint copies committed pages from the WAL file back into the database file",
    "readers in WAL mode see a snapshot of the database as of the start of their transaction",
    "WAL mode does not work on network file systems because it needs shared memory",
    "a long-running reader can stop a checkpoint from resetting the WAL file",
)
WAL_NOTES = {f"doc{n:02d}.md": f"# Doc {n}\n\nSQLite WAL note {n}: {WAL_FACTS[n % 5]}\n"
             for n in range(1, 31)}
