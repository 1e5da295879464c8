"""The worker process side: building the Temporal worker (build), the supervised worker
process (proc), the supervisor that keeps those running (supervisor) and heap tuning
(heap). Imports workflows and activities; nothing but the CLI and tests imports it."""
