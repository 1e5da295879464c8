"""The HTTP guard of ``research mcp --http`` (in process: no socket)."""

from __future__ import annotations

import httpx
from starlette.types import Receive, Scope, Send

from durable_research.access import Throttle
from durable_research.mcp.http import TokenGuard

TOKEN = "t" * 43


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"mcp"})


async def test_token_host_and_throttle() -> None:
    now = [0.0]
    guard = TokenGuard(_app, TOKEN, Throttle(max_failures=2, window_s=60, clock=lambda: now[0]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guard),
                                 base_url="http://127.0.0.1:8765") as http:
        good = {"authorization": f"Bearer {TOKEN}"}
        assert (await http.post("/mcp", headers=good)).text == "mcp"
        missing = await http.post("/mcp")
        assert missing.status_code == 401 and "Bearer" in missing.headers["www-authenticate"]
        rebound = await http.post("/mcp", headers={**good, "host": "evil.example"})
        assert rebound.status_code == 421
        for _ in range(2):
            assert (await http.post("/mcp", headers={"authorization": "Bearer no"})
                    ).status_code == 401
        throttled = await http.post("/mcp", headers=good)
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "60"
        now[0] = 61.0
        assert (await http.post("/mcp", headers=good)).status_code == 200


async def test_a_wrong_token_is_told_apart_from_a_missing_one() -> None:
    """A new user's trial: a client still sending the token of an earlier start (a new one
    is made at each) was told "A token is required", as if it had sent none."""
    guard = TokenGuard(_app, TOKEN)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guard),
                                 base_url="http://127.0.0.1:8765") as http:
        missing = await http.post("/mcp")
        wrong = await http.post("/mcp", headers={"authorization": "Bearer of-the-last-start"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.text == "A token is required: Authorization: Bearer <token>."
    assert wrong.text == ("Wrong token: send the one this server printed when it started "
                          "(a new one at each start): Authorization: Bearer <token>.")
