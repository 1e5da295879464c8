"""The fake LLM's judge requests answered by a real model (benchmarks only).

A benchmark that wants a real judge behind a scripted planner, note-taker and writer
(``bench/research_eval.py --judge-gguf``) gives the fake LLM an upstream: an
OpenAI-protocol server (the embedded llama.cpp server, vLLM, a hosted API). The judge's
request goes to it as the product sent it (prompt, ``response_format``, ``max_tokens``),
only the model's name replaced, so the judge reads exactly what a user's judge reads
through litellm; the answer's text comes back in the fake's reply. How many pairs a
request holds is the product's setting (``LLM_JUDGE_BATCH``).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

# A real model on 2 shared cores: a batch of 10 judge pairs can take minutes.
UPSTREAM_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Upstream:
    """Where the judge's requests go: ``api_base`` (ending in ``/v1``), the model name the
    server knows, and its key ("" for none)."""

    api_base: str
    model: str
    api_key: str = ""


@dataclass(frozen=True)
class Forwarded:
    """The upstream's answer: its text, the model it names and its usage (its own
    tokenizer's counts), and the seconds it took; or ``status`` and ``error`` when it
    failed."""

    text: str = ""
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    status: int = 200
    error: str = ""


def upstream_body(body: dict[str, Any], model: str) -> dict[str, Any]:
    """The request as sent to the upstream: the same, but for the model's name and no
    streaming (the fake streams the answer itself when its client asked)."""
    out = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    out["model"] = model
    return out


def forward(upstream: Upstream, body: dict[str, Any]) -> Forwarded:
    """Send one chat-completion request to ``upstream`` and read its answer."""
    data = json.dumps(upstream_body(body, upstream.model)).encode()
    headers = {"Content-Type": "application/json"}
    if upstream.api_key:
        headers["Authorization"] = f"Bearer {upstream.api_key}"
    request = urllib.request.Request(f"{upstream.api_base.rstrip('/')}/chat/completions",
                                     data=data, headers=headers, method="POST")
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=UPSTREAM_TIMEOUT_S) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as e:
        return Forwarded(status=e.code, error=f"upstream judge: HTTP {e.code}",
                         seconds=time.perf_counter() - t0)
    except (urllib.error.URLError, TimeoutError, ValueError) as e:
        # Unreachable, too slow or not JSON: a gateway's error, which the product retries.
        return Forwarded(status=502, error=f"upstream judge: {e}",
                         seconds=time.perf_counter() - t0)
    try:
        usage = answer.get("usage") or {}
        text = str(answer["choices"][0]["message"].get("content") or "")
    except (AttributeError, KeyError, IndexError, TypeError):
        return Forwarded(status=502, error="upstream judge: not a chat completion",
                         seconds=time.perf_counter() - t0)
    return Forwarded(text=text, model=str(answer.get("model") or ""),
                     prompt_tokens=int(usage.get("prompt_tokens") or 0),
                     completion_tokens=int(usage.get("completion_tokens") or 0),
                     seconds=time.perf_counter() - t0)

