"""Talking to language models: the provider rules of a call (calls: allowed models,
credentials, structured-output support, error classification, usage) and the prompts the
workflows send (prompts). The embedded offline model is a process of the embedded mode
(durable_research.embedded.localmodel)."""
