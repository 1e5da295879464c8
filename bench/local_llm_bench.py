"""Benchmark the embedded offline LLM through litellm, exactly as the app calls it.

Prints the server's cold-start time, time to first token, tokens/s and the time to a
~300-token answer to the tardigrade prompt, then one full sample answer.

Usage::

    python bench/local_llm_bench.py [--runs 3] [--max-tokens 400] [--threads N] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# litellm fetches a price map from the internet at import unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm

from durable_research.embedded.localmodel import (
    LocalEndpoint,
    ensure_local_llm,
    running_local_llm,
    stop_local_llm,
)

PROMPT = "Give me 5 fun and fascinating facts about tardigrades."
# About 1,000 tokens, like a report prompt with instructions and an outline.
LONG_PROMPT = (
    "Summarise the following notes in one sentence.\n"
    + "Tardigrades are water-dwelling micro-animals with eight legs that survive drying out, "
    "freezing, radiation and the vacuum of space by entering a state called cryptobiosis. " * 30
)


@dataclass(frozen=True)
class Run:
    """Timings of one streamed completion."""

    first_token_s: float
    total_s: float
    completion_tokens: int
    text: str

    @property
    def tokens_per_s(self) -> float:
        """Decode speed after the first token."""
        decode = self.total_s - self.first_token_s
        return (self.completion_tokens - 1) / decode if decode > 0 else float("nan")


def run_once(endpoint: LocalEndpoint, max_tokens: int, prompt: str = PROMPT) -> Run:
    """Stream one answer to ``prompt`` and time it (the server's prompt cache is off)."""
    start = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    tokens = 0
    stream = litellm.completion(
        model=endpoint.model,
        api_base=endpoint.api_base,
        api_key=endpoint.api_key,
        messages=[{"role": "user", "content": prompt}],
        max_tokens=max_tokens,
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"cache_prompt": False},  # every run pays for its prompt, as in the app
        num_retries=0,
        timeout=300,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            if first is None:
                first = time.perf_counter() - start
            parts.append(chunk.choices[0].delta.content)
        usage = getattr(chunk, "usage", None)
        if usage and usage.completion_tokens:
            tokens = int(usage.completion_tokens)
    total = time.perf_counter() - start
    return Run(first or total, total, tokens, "".join(parts))


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=400)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=0, help="0: the module's default")
    parser.add_argument("--keep", action="store_true", help="leave the server running")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="local-llm-bench-"))

    was_running = running_local_llm(data_dir) is not None
    t0 = time.perf_counter()
    endpoint = ensure_local_llm(data_dir, threads=args.threads)
    start_s = time.perf_counter() - t0
    print(f"model:        {endpoint.description}")
    print(f"endpoint:     {endpoint.model} at {endpoint.api_base}")
    print(f"cpu cores:    {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    print(f"server start: {start_s:.2f} s" + (" (already running)" if was_running else ""))
    try:
        run_once(endpoint, 8, "Say hi.")  # warm-up: the first request pays for allocations
        runs = [run_once(endpoint, args.max_tokens) for _ in range(args.runs)]
        long_run = run_once(endpoint, 16, LONG_PROMPT)
    finally:
        if not args.keep:
            stop_local_llm(data_dir)
    for i, run in enumerate(runs, 1):
        print(
            f"run {i}: first token {run.first_token_s:.2f} s, {run.completion_tokens} tokens "
            f"in {run.total_s:.2f} s, {run.tokens_per_s:.1f} tokens/s"
        )
    median = statistics.median
    tps = median(r.tokens_per_s for r in runs)
    print(f"median time to first token: {median(r.first_token_s for r in runs):.2f} s")
    print(f"median decode speed:        {tps:.1f} tokens/s")
    print(f"median answer:              {median(r.completion_tokens for r in runs):.0f} tokens "
          f"in {median(r.total_s for r in runs):.2f} s")
    per_300 = median(r.first_token_s for r in runs) + 299 / tps
    print(f"time to a 300-token answer: {per_300:.2f} s")
    print(f"first token after a ~1,000-token prompt: {long_run.first_token_s:.2f} s")
    print("\n--- sample answer (run 1) ---\n" + runs[0].text.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
