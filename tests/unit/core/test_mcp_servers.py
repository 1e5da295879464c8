"""``MCP_SERVERS`` checked once, when the settings load: its shape, its allow-lists, and
the rule that a server never gets one of the worker's own settings or credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from durable_research.config import Settings, is_worker_var, load_settings
from durable_research.errors import ConfigError
from durable_research.mcp_servers import McpServer

STDIO = {"name": "wiki", "command": ["uvx", "wiki-mcp"], "env": ["WIKI_TOKEN"],
         "allow": ["search", "page"]}
HTTP = {"name": "docs", "url": "https://mcp.example.org/mcp",
        "headers": {"Authorization": "DOCS_MCP_AUTH"}, "allow": ["lookup"], "timeout": 30}


def load(value: object, tmp_path: Path) -> Settings:
    text = value if isinstance(value, str) else json.dumps(value)
    return load_settings({"MCP_SERVERS": text}, tmp_path / "none.env",
                         tmp_path / "none-config.env")


def test_stdio_and_http_servers_are_read(tmp_path: Path) -> None:
    settings = load([STDIO, HTTP], tmp_path)
    wiki, docs = settings.mcp_server_list
    assert wiki == McpServer("wiki", ("search", "page"), command=("uvx", "wiki-mcp"),
                             env=("WIKI_TOKEN",))
    assert docs == McpServer("docs", ("lookup",), url="https://mcp.example.org/mcp",
                             headers=(("Authorization", "DOCS_MCP_AUTH"),), timeout_s=30.0)
    assert wiki.tool_name("search") == "mcp_wiki_search"
    # The checked text is kept: it passes through a worker's environment unchanged.
    assert load_settings({"MCP_SERVERS": settings.mcp_servers}, tmp_path / "none.env",
                         tmp_path / "none-config.env").mcp_server_list == (wiki, docs)
    assert load("", tmp_path).mcp_server_list == ()


@pytest.mark.parametrize(("value", "message"), [
    ("[{name: wiki}]", "MCP_SERVERS: is not JSON"),
    ({"name": "wiki"}, "must be a JSON list of servers"),
    ([{k: v for k, v in STDIO.items() if k != "allow"}],
     "server 'wiki' has no \"allow\" list"),
    ([{**STDIO, "allow": []}], "\"allow\" is empty"),
    ([{**STDIO, "cwd": "/tmp"}], "server 'wiki' has unknown key(s) cwd"),
    ([{**STDIO, "url": "https://x.example/mcp"}], "either \"command\""),
    ([{"name": "wiki", "allow": ["a"]}], "either \"command\""),
    ([{**STDIO, "name": "My_Wiki"}], "needs a \"name\" of lowercase letters"),
    ([STDIO, STDIO], "server name(s) used twice: wiki"),
    ([{**STDIO, "command": "uvx wiki-mcp"}], "\"command\" must be a list"),
    ([{**STDIO, "allow": ["search page"]}], "'search page' is not a valid name"),
    ([{**STDIO, "timeout": 0}], "\"timeout\" must be seconds"),
    ([{**HTTP, "url": "file:///etc/passwd"}], "must be an http(s) URL"),
    ([{**HTTP, "headers": {"Authorization": "Bearer abc"}}], "is not a valid name"),
    # The worker's own secrets never go to a server.
    ([{**STDIO, "env": ["LLM_API_KEY"]}], "names LLM_API_KEY, a setting of the worker"),
    ([{**STDIO, "env": ["SMTP_PASSWORD"]}], "names SMTP_PASSWORD"),
    ([{**STDIO, "env": ["RESEARCH_PAYLOAD_KEY"]}], "names RESEARCH_PAYLOAD_KEY"),
    ([{**HTTP, "headers": {"Authorization": "OPENAI_API_KEY"}}], "names OPENAI_API_KEY"),
    ([{**STDIO, "env": ["AWS_SECRET_ACCESS_KEY"]}], "names AWS_SECRET_ACCESS_KEY"),
])
def test_mistakes_are_named(tmp_path: Path, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(value, tmp_path)
    assert message in err.value.message and err.value.message.startswith("MCP_SERVERS")
    assert err.value.hint


def test_a_dotenv_may_not_name_servers(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"MCP_SERVERS='{json.dumps([STDIO])}'\n")
    with pytest.raises(ConfigError, match="MCP_SERVERS"):
        load_settings({}, env_file, tmp_path / "none-config.env")


def test_the_worker_variables_are_known() -> None:
    assert is_worker_var("SMTP_PASSWORD") and is_worker_var("ANTHROPIC_API_KEY")
    assert is_worker_var("LLM_API_KEY") and is_worker_var("MCP_SERVERS")
    assert not is_worker_var("WIKI_TOKEN") and not is_worker_var("GITHUB_TOKEN")
