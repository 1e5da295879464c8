"""The embedded mode: the local Temporal dev server (devserver, devserver_cmd), the
supervised local worker (local_worker), and how their processes are found and stopped
(procs)."""
