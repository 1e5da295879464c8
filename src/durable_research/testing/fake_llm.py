"""A real HTTP server speaking the OpenAI chat-completions protocol, for tests and benchmarks.

litellm reaches it through its normal HTTP path (model ``openai/<name>`` with
``api_base`` pointing here), so retries, error mapping and accounting are the
real ones. The server counts every call and can be scripted to fail.

Scripted actions (a queue, consumed one per request; when empty, ``ok``)::

    {"status": 500}                        # server error
    {"status": 429, "retry_after": 2}      # rate limited, with Retry-After
    {"status": 401}                        # bad key
    {"delay": 3.0}                         # slow, then success
    {"ok": true}                           # success

Control endpoints: ``GET /_stats``, ``POST /_script`` (JSON list, appended),
``POST /_config`` (``{"reply": ..., "delay": ...}``), ``POST /_reset``.

A request offering ``tools`` is answered with ``tool_calls`` (``fake_agent``): the next
turn of ``tool_script`` (``POST /_tool_script`` or :meth:`FakeLLM.script_tools`) or a
default researcher's; every tool-calling request's transcript is counted
(``turns_repeated``: a completed turn asked again).

A request with ``"stream": true`` gets the same answer as server-sent
``chat.completion.chunk`` events (``fake_stream``), usage last when
``stream_options.include_usage`` asks for it.

``POST /v1/embeddings`` answers with deterministic vectors (``fake_embeddings``, of the
``dimensions`` asked for) and counts requests, texts and tokens, so tests can see what an
embedding cache saved, and its seconds computing them (a benchmark's share of the CPU).

Research prompts (``TASK: ...`` system prompts) get answers in the requested JSON shape,
and the server records, per task, which ``response_format`` schema each call asked for
(``schemas_by_task``). A task can be made to answer non-conformantly, as a model or
provider that ignores the schema would: in prose (``plain_tasks``) or in JSON of the wrong
shape (``wrong_json_tasks``).

A judge request (``TASK: judge``) can be answered by a real model instead
(``judge_upstream``, ``fake_forward``): the request goes to an OpenAI-protocol server as
the product sent it, so a benchmark measures a real judge behind the scripted writer.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from durable_research.research.prompts import TASK_JUDGE
from durable_research.testing.fake_agent import agent_reply
from durable_research.testing.fake_embeddings import embeddings_response
from durable_research.testing.fake_forward import Forwarded, Upstream, forward
from durable_research.testing.fake_research import research_reply
from durable_research.testing.fake_stream import CONTENT_TYPE as STREAM_TYPE
from durable_research.testing.fake_stream import events, wants_stream, wants_usage
from durable_research.testing.http_base import BackgroundServer, QuietServer

DEFAULT_REPLY = (
    "# Findings\n\n"
    "FAKE-LLM answer to: {prompt}\n\n"
    "## Facts\n\n"
    "1. **Tardigrades** survive the vacuum of space.\n"
    "2. They can live for *decades* without water.\n\n"
    "That is all."
)


@dataclass(frozen=True)
class SentPrompt:
    """One answered call: its task (``TASK: notes``, "" for others), tokens (words, as
    counted in ``usage``), what was sent (the system prompt and the other messages) and
    the answer."""

    task: str
    prompt_tokens: int
    completion_tokens: int
    system: str
    user: str
    # The answer's text (a benchmark reads what the judge said about a claim).
    answer: str = ""

    @property
    def text(self) -> str:
        """The prompt as the model reads it: system prompt first."""
        return f"{self.system}\n{self.user}"


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    script: deque[dict[str, Any]] = field(default_factory=deque)
    reply: str = DEFAULT_REPLY
    delay: float = 0.0
    calls: int = 0
    successes: int = 0
    failures: int = 0
    # Successful calls per user prompt, so callers can detect duplicate work.
    by_prompt: Counter[str] = field(default_factory=Counter)
    # Every successful answer: (prompt, URL path before /chat/completions, start, end) in
    # epoch seconds, so a chaos run can tell which worker paid for a repeated call and when.
    answers: list[tuple[str, str, float, float]] = field(default_factory=list)
    api_keys: set[str] = field(default_factory=set)
    # Research answers: every k-th written sentence cites a wrong source (0: never).
    wrong_every: int = 0
    # Sentences the model believes: the note-taker quotes them first wherever an excerpt
    # has them, the section writer states them as fact (siding with them in a disagreement).
    prefer_quotes: list[str] = field(default_factory=list)
    # Extra seconds for requests whose system prompt starts with a marker ("TASK: section").
    task_delays: dict[str, float] = field(default_factory=dict)
    # Tasks answered with the plain reply instead (a model that ignores the format).
    plain_tasks: set[str] = field(default_factory=set)
    # Tasks answered with JSON of the wrong shape (a model that ignores the schema).
    wrong_json_tasks: set[str] = field(default_factory=set)
    # Per task ("TASK: plan"), the schema name each answered call asked for ("" = none).
    schemas: dict[str, list[str]] = field(default_factory=dict)
    # Bumped by reset(): a slow request begun before it must not count after it.
    generation: int = 0
    # Embedding requests and the texts they embedded.
    embedding_calls: int = 0
    embedded_texts: int = 0
    embedded_tokens: int = 0
    # Seconds spent computing vectors (the fake's own CPU, which a benchmark's wall time
    # of an embedding-heavy client includes).
    embedding_seconds: float = 0.0
    # Tool-calling turns: the scripted ones still to give, and each transcript answered.
    tool_script: deque[dict[str, Any]] = field(default_factory=deque)
    turns: Counter[str] = field(default_factory=Counter)
    # The tools each tool-calling request offered (OpenAI ``tools`` entries).
    offered: list[list[dict[str, Any]]] = field(default_factory=list)
    # Every answered call's tokens, by task, with the prompt as sent (benchmarks of tokens
    # and of prompt prefixes that a provider's cache could reuse).
    sent: list[SentPrompt] = field(default_factory=list)
    # The system prompt of every request (tests see the report's language reach the model).
    systems: Counter[str] = field(default_factory=Counter)
    # A benchmark's answers to prompts that are not ours (another tool's, in-process only):
    # called with the system and user prompt; None = the reply template as usual.
    answer: Callable[[str, str], str | None] | None = None
    # Where judge requests go instead of the fake judge (None: answered here), and each
    # upstream answer (its own token counts and seconds), in order.
    judge_upstream: Upstream | None = None
    forwarded: list[Forwarded] = field(default_factory=list)

    def reset(self) -> None:
        """Forget counters, scripted actions and configuration (caller holds the lock)."""
        self.generation += 1
        self.script.clear()
        self.calls = self.successes = self.failures = 0
        self.embedding_calls = self.embedded_texts = self.embedded_tokens = 0
        self.embedding_seconds = 0.0
        self.by_prompt.clear()
        self.answers.clear()
        self.delay = 0.0
        self.reply = DEFAULT_REPLY
        self.wrong_every = 0
        self.prefer_quotes = []
        self.task_delays = {}
        self.plain_tasks = set()
        self.wrong_json_tasks = set()
        self.schemas = {}
        self.tool_script.clear()
        self.turns.clear()
        self.offered.clear()
        self.sent.clear()
        self.systems.clear()
        self.answer = None
        self.judge_upstream = None
        self.forwarded.clear()


def _user_prompt(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content", "")
            return content if isinstance(content, str) else json.dumps(content)
    return ""


def _schema_name(body: dict[str, Any]) -> str:
    """The name of the JSON schema a request asks for in ``response_format`` ("" if none)."""
    fmt = body.get("response_format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return ""
    return str((fmt.get("json_schema") or {}).get("name") or "")


def _task(system: str) -> str:
    """The ``TASK: ...`` line a research system prompt starts with ("" if none)."""
    first = system.split("\n", 1)[0]
    return first if first.startswith("TASK: ") else ""


def _wrong_json(text: str) -> str:
    """JSON that parses but has none of the fields any research schema requires."""
    return json.dumps({"answer": text})


def _system_prompt(body: dict[str, Any]) -> str:
    for message in body.get("messages", []):
        if message.get("role") == "system":
            return str(message.get("content", ""))
    return ""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        """Silence per-request logging."""

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_events(self, parts: Iterable[bytes]) -> None:
        """Send server-sent events in HTTP/1.1 chunks, so the connection stays reusable."""
        self.send_response(200)
        self.send_header("Content-Type", STREAM_TYPE)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in parts:
            self.wfile.write(b"%X\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else None

    def do_GET(self) -> None:
        """Serve stats and a model list."""
        state = self.server.state
        if self.path.startswith("/_stats"):
            with state.lock:
                self._send(
                    200,
                    {
                        "calls": state.calls,
                        "successes": state.successes,
                        "failures": state.failures,
                        "by_prompt": dict(state.by_prompt),
                        "pending_script": len(state.script),
                        "embedding_calls": state.embedding_calls,
                        "embedded_texts": state.embedded_texts,
                        "schemas_by_task": {t: list(n) for t, n in state.schemas.items()},
                    },
                )
        elif self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        """Answer chat completions and control requests."""
        state = self.server.state
        body = self._body()
        if self.path.startswith("/_script"):
            with state.lock:
                state.script.extend(body or [])
            self._send(200, {"ok": True})
        elif self.path.startswith("/_tool_script"):
            with state.lock:
                state.tool_script.extend(body or [])
            self._send(200, {"ok": True})
        elif self.path.startswith("/_config"):
            with state.lock:
                state.reply = body.get("reply", state.reply)
                state.delay = float(body.get("delay", state.delay))
                state.wrong_every = int(body.get("wrong_every", state.wrong_every))
            self._send(200, {"ok": True})
        elif self.path.startswith("/_reset"):
            with state.lock:
                state.reset()
            self._send(200, {"ok": True})
        elif self.path.rstrip("/").endswith("/chat/completions"):
            self._complete(body or {})
        elif self.path.rstrip("/").endswith("/embeddings"):
            self._embed(body or {})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def _embed(self, body: dict[str, Any]) -> None:
        state = self.server.state
        if str(body.get("model", "")).startswith("unknown"):
            message = f"The model `{body['model']}` does not exist"  # like OpenAI
            self._send(404, {"error": {"message": message, "type": "fake", "code": 404}})
            return
        t0 = time.perf_counter()
        try:
            payload, texts = embeddings_response(body)
        except ValueError as e:  # like OpenAI: a 400 saying what is wrong
            self._send(400, {"error": {"message": str(e), "type": "fake", "code": 400}})
            return
        took = time.perf_counter() - t0
        with state.lock:
            state.embedding_seconds += took
            state.embedding_calls += 1
            state.embedded_texts += texts
            state.embedded_tokens += int(payload["usage"]["prompt_tokens"])
        self._send(200, payload)

    def _forward(self, upstream: Upstream, body: dict[str, Any], generation: int
                 ) -> Forwarded | None:
        """``upstream``'s answer to this request (kept in ``forwarded``); its failure is
        sent to the client with the upstream's status (None)."""
        state = self.server.state
        got = forward(upstream, body)
        with state.lock:
            if got.status != 200:
                state.failures += 1
            elif state.generation == generation:
                state.forwarded.append(got)
        if got.status != 200:
            self._send(got.status, {"error": {"message": got.error, "type": "fake",
                                              "code": got.status}})
            return None
        return got

    def _complete(self, body: dict[str, Any]) -> None:
        state = self.server.state
        started = time.time()
        with state.lock:
            state.calls += 1
            generation = state.generation
            action = state.script.popleft() if state.script else {"ok": True}
            delay = float(action.get("delay", state.delay))
            reply = state.reply
            wrong_every = state.wrong_every
            prefer = list(state.prefer_quotes)
            answer = state.answer
            system = _system_prompt(body)
            state.systems[system] += 1
            delay += sum(d for task, d in state.task_delays.items() if system.startswith(task))
            plain = any(system.startswith(task) for task in state.plain_tasks)
            wrong = any(system.startswith(task) for task in state.wrong_json_tasks)
            state.api_keys.add(self.headers.get("Authorization", ""))
            tools = bool(body.get("tools"))
            scripted = state.tool_script.popleft() if tools and state.tool_script else None
            upstream = state.judge_upstream if _task(system) == TASK_JUDGE else None
        status = int(action.get("status", 200))
        if str(body.get("model", "")).startswith("unknown"):
            # Like OpenAI for a model name it does not serve.
            status, action = 404, {"message": f"The model `{body['model']}` does not exist"}
        if status != 200:
            with state.lock:
                state.failures += 1
            headers = {}
            if "retry_after" in action:
                headers["Retry-After"] = str(action["retry_after"])
            message = action.get("message", f"scripted failure {status}")
            error = {"message": message, "type": "fake", "code": status}
            self._send(status, {"error": error}, headers)
            return
        if delay:
            time.sleep(delay)
        prompt = _user_prompt(body)
        if upstream is not None:
            got = self._forward(upstream, body, generation)
            if got is None:
                return
            research: str | None = got.text
        else:
            research = None if plain else research_reply(system, prompt, wrong_every, prefer)
        if research is None and answer is not None and not plain:
            research = answer(system, prompt)
        text = research if research is not None else reply.replace("{prompt}", prompt)
        if wrong:
            text = _wrong_json(text)
        message = agent_reply(body, scripted) if tools else {"role": "assistant",
                                                               "content": text}
        text = message.get("content") or json.dumps(message.get("tool_calls"))
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        completion_tokens = len(text.split())
        with state.lock:
            if state.generation == generation:
                state.successes += 1
                state.by_prompt[prompt] += 1
                route = self.path.rstrip("/").removesuffix("/chat/completions")
                state.answers.append((prompt, route, started, time.time()))
                if _task(system):
                    state.schemas.setdefault(_task(system), []).append(_schema_name(body))
                if tools:
                    state.turns[json.dumps(body["messages"], sort_keys=True)] += 1
                    state.offered.append(list(body["tools"]))
                state.sent.append(SentPrompt(
                    _task(system), prompt_tokens, completion_tokens, system,
                    "\n".join(str(m.get("content", "")) for m in body["messages"]
                              if m.get("role") != "system"), text))
        completion = {
            "id": f"chatcmpl-fake-{state.calls}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if "tool_calls" in message else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        if wants_stream(body):
            self._send_events(events(completion, wants_usage(body)))
        else:
            self._send(200, completion)


class _Server(QuietServer):
    state: _State


class FakeLLM(BackgroundServer):
    """In-process handle on a fake OpenAI-compatible server on 127.0.0.1."""

    def __init__(self, port: int = 0, reply: str = DEFAULT_REPLY, delay: float = 0.0) -> None:
        self._server: _Server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = _State(reply=reply, delay=delay)

    @property
    def api_base(self) -> str:
        """Base URL to give litellm as ``api_base``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *actions: dict[str, Any]) -> None:
        """Append scripted actions, consumed one per chat-completion request."""
        with self._server.state.lock:
            self._server.state.script.extend(actions)

    def script_tools(self, *turns: dict[str, Any]) -> None:
        """Append scripted tool-calling turns: ``{"calls": [{"name": ..., "arguments":
        {...}}, ...]}`` or ``{"content": "..."}`` (no call), one per such request."""
        with self._server.state.lock:
            self._server.state.tool_script.extend(turns)

    @property
    def tool_turns(self) -> int:
        """Tool-calling requests answered."""
        with self._server.state.lock:
            return sum(self._server.state.turns.values())

    @property
    def tools_offered(self) -> list[list[dict[str, Any]]]:
        """The tools each tool-calling request offered, in order."""
        with self._server.state.lock:
            return [list(tools) for tools in self._server.state.offered]

    def turns_repeated(self) -> int:
        """Tool-calling transcripts answered more than once (a completed turn paid again)."""
        with self._server.state.lock:
            return sum(1 for n in self._server.state.turns.values() if n > 1)

    def configure(
        self, reply: str | None = None, delay: float | None = None,
        wrong_every: int | None = None, task_delays: dict[str, float] | None = None,
        prefer_quotes: list[str] | None = None,
        plain_tasks: set[str] | None = None, wrong_json_tasks: set[str] | None = None,
        answer: Callable[[str, str], str | None] | None = None,
        judge_upstream: Upstream | None = None,
    ) -> None:
        """Change the reply template (``{prompt}`` is replaced), the delay, how often
        research sections cite a wrong source, the sentences the model believes
        (``prefer_quotes``: quoted wherever an excerpt has them, written as fact, the side
        taken where sources disagree: a model that trusts decoy pages), or which tasks
        (``prompts.TASK_*``) answer in prose (``plain_tasks``) or in JSON of the wrong
        shape (``wrong_json_tasks``);
        ``answer(system, user)`` answers prompts that are not ours (a benchmark's answers
        to another tool's prompts; None from it: the reply template);
        ``judge_upstream``: a real model answers the judge's requests (``fake_forward``)."""
        with self._server.state.lock:
            if judge_upstream is not None:
                self._server.state.judge_upstream = judge_upstream
            if answer is not None:
                self._server.state.answer = answer
            if wrong_every is not None:
                self._server.state.wrong_every = wrong_every
            if prefer_quotes is not None:
                self._server.state.prefer_quotes = list(prefer_quotes)
            if task_delays is not None:
                self._server.state.task_delays = dict(task_delays)
            if plain_tasks is not None:
                self._server.state.plain_tasks = set(plain_tasks)
            if wrong_json_tasks is not None:
                self._server.state.wrong_json_tasks = set(wrong_json_tasks)
            if reply is not None:
                self._server.state.reply = reply
            if delay is not None:
                self._server.state.delay = delay

    def reset(self) -> None:
        """Forget counters and scripted actions."""
        with self._server.state.lock:
            self._server.state.reset()

    @property
    def calls(self) -> int:
        """All chat-completion requests received, failed ones included."""
        return self._server.state.calls

    @property
    def successes(self) -> int:
        """Requests answered with a completion."""
        return self._server.state.successes

    def sent(self) -> list[SentPrompt]:
        """Every answered call so far (since the last reset), in order."""
        with self._server.state.lock:
            return list(self._server.state.sent)

    @property
    def keys_seen(self) -> set[str]:
        """The ``Authorization`` headers of every chat-completion request ("" without)."""
        with self._server.state.lock:
            return set(self._server.state.api_keys)

    def forwarded(self) -> list[Forwarded]:
        """The upstream judge's answers so far (since the last reset), in order."""
        with self._server.state.lock:
            return list(self._server.state.forwarded)

    @property
    def embedding_calls(self) -> int:
        """Embedding requests answered."""
        return self._server.state.embedding_calls

    @property
    def embedded_texts(self) -> int:
        """Texts embedded over all requests."""
        return self._server.state.embedded_texts

    @property
    def embedded_tokens(self) -> int:
        """Tokens (words, as in ``usage``) of the texts embedded over all requests."""
        return self._server.state.embedded_tokens

    @property
    def embedding_seconds(self) -> float:
        """Seconds the fake spent computing vectors, over all requests."""
        return self._server.state.embedding_seconds

    @property
    def schemas_by_task(self) -> dict[str, list[str]]:
        """Per task (``prompts.TASK_PLAN`` ...), the ``response_format`` schema name each
        answered call asked for, in order ("" for a call that asked for none)."""
        with self._server.state.lock:
            return {task: list(names) for task, names in self._server.state.schemas.items()}

    def successes_for(self, prompt: str) -> int:
        """Successful completions whose user message was exactly ``prompt``."""
        return self._server.state.by_prompt[prompt]

    def answers_for(self, prompt: str) -> list[tuple[str, float, float]]:
        """(URL route, start, end) of each successful completion of ``prompt``, in order."""
        with self._server.state.lock:
            return [(r, t0, t1) for p, r, t0, t1 in self._server.state.answers if p == prompt]

    def systems_containing(self, needle: str) -> list[str]:
        """The system prompts received that contain ``needle``, in first-seen order."""
        with self._server.state.lock:
            return [s for s in self._server.state.systems if needle in s]

    def calls_containing(self, needle: str) -> int:
        """Successful completions whose user message contains ``needle``."""
        with self._server.state.lock:
            return sum(n for p, n in self._server.state.by_prompt.items() if needle in p)


def main() -> None:
    """Run the fake server in the foreground (for benchmarks and manual tests)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per completion")
    args = parser.parse_args()
    fake = FakeLLM(port=args.port, delay=args.delay).start()
    fake.serve_until_interrupted(f"fake LLM listening on {fake.api_base}")


if __name__ == "__main__":
    main()
