"""The embedded mode's local processes: the Temporal dev server (devserver,
devserver_cmd), the supervised local worker (local_worker), the offline model server
(localmodel, localmodel_server), and how their processes are found and stopped (procs)."""
