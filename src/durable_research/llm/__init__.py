"""Talking to language models: the provider calls (calls), the prompts the workflows send
(prompts), and the embedded offline model (localmodel, and server: the process that
serves it)."""
