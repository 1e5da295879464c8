"""The package's import graph has no cycle and keeps the layer rules (docs/architecture.md).

Pure: scripts/import_graph.py reads the source with ast, nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.support.paths import ROOT, load_file

SCRIPT = ROOT / "scripts" / "import_graph.py"


def _load() -> ModuleType:
    return load_file(SCRIPT, "import_graph")


graph_tool = _load()
MODULES = graph_tool.module_graph()
WINGS = graph_tool.wing_graph(MODULES)

FOUNDATION = set(graph_tool.FOUNDATION)
# Wings that do I/O or run processes: workflow code must stay deterministic.
IO_WINGS = {"activities", "client", "cli", "web", "mcp", "worker", "embedded", "payloads",
            "store", "mail", "doctor", "layout", "document", "testing", "config",
            "config_sources"}
# Side by side: each talks to reports through the client only, never through another.
FRONT_ENDS = {"cli", "web", "mcp"}

# wing -> the only wings it may import (besides itself).
ONLY = {
    **{name: FOUNDATION for name in FOUNDATION},
    "config": FOUNDATION | {"config_sources"},
    "config_sources": FOUNDATION,
}
# wing -> wings it must not import.
NEVER = {
    "workflows": IO_WINGS,
    "activities": {"workflows", "client", "worker", "doctor", "testing"} | FRONT_ENDS,
    "client": {"worker", "activities", "workflows", "doctor", "testing"} | FRONT_ENDS,
    "document": {"workflows", "activities", "client", "worker", "layout", "testing"}
    | FRONT_ENDS,
    "layout": {"workflows", "activities", "client", "worker", "testing"} | FRONT_ENDS,
    "research": {"workflows", "activities", "client", "worker", "testing"} | FRONT_ENDS,
    "llm": {"research", "workflows", "activities", "client", "worker", "embedded", "testing"}
    | FRONT_ENDS,
    "store": {"workflows", "activities", "client", "worker", "research", "testing"}
    | FRONT_ENDS,
    "embedded": {"workflows", "activities", "client", "worker", "testing"} | FRONT_ENDS,
    "payloads": {"workflows", "activities", "client", "worker", "testing"} | FRONT_ENDS,
    "mail": {"workflows", "activities", "client", "worker", "testing"} | FRONT_ENDS,
    "worker": {"doctor", "testing"} | FRONT_ENDS,
    "doctor": {"testing"} | FRONT_ENDS,
    "web": {"cli", "mcp", "testing"},
    "mcp": {"cli", "web", "doctor", "activities", "workflows", "testing"},
}


def test_no_module_imports_itself_back() -> None:
    assert graph_tool.cycles(MODULES) == []


def test_no_wing_imports_itself_back() -> None:
    assert graph_tool.cycles(WINGS) == []


@pytest.mark.parametrize("wing", sorted(ONLY))
def test_low_wings_import_only_lower_ones(wing: str) -> None:
    assert WINGS.get(wing, set()) - ONLY[wing] == set()


@pytest.mark.parametrize("wing", sorted(NEVER))
def test_no_wing_imports_one_above_it(wing: str) -> None:
    assert WINGS.get(wing, set()) & NEVER[wing] == set()


def test_only_the_command_line_imports_the_command_line() -> None:
    assert [w for w, arrows in WINGS.items() if "cli" in arrows] == []


def test_nothing_in_the_app_imports_the_test_fakes() -> None:
    assert [w for w, arrows in WINGS.items() if "testing" in arrows] == []


def test_the_rules_name_real_wings() -> None:
    named = set(ONLY) | set(NEVER) | {w for ws in NEVER.values() for w in ws}
    assert named - set(WINGS) == set()


def test_the_script_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert graph_tool.cycles(graph) == [["a", "b", "c"]]


def test_lazy_imports_count_and_type_checking_ones_do_not(tmp_path: Path) -> None:
    package = tmp_path / "durable_research"
    (package / "w").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "w" / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from durable_research.w import b\n")
    (package / "w" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from durable_research import a\n"
        "from . import c\n")
    (package / "w" / "c.py").write_text("")
    graph = graph_tool.module_graph(tmp_path)
    assert graph["durable_research.a"] == {"durable_research.w.b"}
    assert graph["durable_research.w.b"] == {"durable_research.w.c"}


def test_the_architecture_picture_is_current() -> None:
    """docs/architecture.md embeds the generated picture: regenerate it with
    ``python scripts/import_graph.py --mermaid`` when a wing's arrows change."""
    assert graph_tool.mermaid(WINGS) in (ROOT / "docs" / "architecture.md").read_text()
