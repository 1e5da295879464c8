"""The contract: the names, enums and dataclasses every side shares (client, workflows,
activities, worker). Each module is one conversation: report (a report's run, its
result and delivery), llm (one model call), citations (sources and how claims were
checked), research (depth, budget, progress), review (the Updates a reviewer sends),
keys (every artifact-store key: where each side puts and finds a run's artifacts).

No re-exports here: each name is imported from the one module that defines it.
Every workflow/activity input is one dataclass whose fields all have defaults, so
fields can be added without breaking running histories. Imports nothing of the app
but ``errors`` (keys refuse a malformed key with its StoreError).
"""
