"""The import graph of ``durable_research``: modules, cycles and wings (top-level packages).

Why a script: the folders are meant to show the architecture, and an import that runs
against it (a cycle, or a low wing importing a high one) is easy to add and hard to see in
review. Read from the source with :mod:`ast` (stdlib only, nothing is imported, so it is
fast and safe on a broken tree), every ``import`` counts: module-level ones and the ones
inside functions (a lazy import is still a dependency, just a hidden one). Imports under
``if TYPE_CHECKING:`` are left out: they never run.

    python scripts/import_graph.py             # modules, cycles, wing graph
    python scripts/import_graph.py --mermaid   # the wing graph as a mermaid block
                                               # (docs/architecture.md embeds it)

tests/unit/test_import_graph.py uses :func:`module_graph`, :func:`cycles` and
:func:`wing_graph` to fail on any cycle and on an arrow the layer rules forbid.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = "durable_research"
SRC = Path(__file__).resolve().parent.parent / "src"

Graph = dict[str, set[str]]
# The foundation: small loose modules and the shared contract that every wing may import.
# The picture draws them as one box instead of an arrow from every wing.
FOUNDATION = frozenset({"durable_research", "errors", "private", "loopback", "access",
                        "terminal", "addresses", "payload_keys", "mcp_servers", "heap",
                        "contract"})


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, skipping ``if TYPE_CHECKING:`` bodies."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    """The module an ``ImportFrom`` names, relative levels resolved against ``name``."""
    if not node.level:
        return node.module or ""
    base = name.split(".")
    # A package's own module is its __init__: level 1 means the package itself.
    drop = node.level - 1 if is_package else node.level
    base = base[: len(base) - drop] if drop else base
    return ".".join([*base, node.module] if node.module else base)


def module_graph(src: Path = SRC) -> Graph:
    """Module -> the package's modules it imports (anything outside is left out)."""
    known = modules(src)
    graph: Graph = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            else:
                base = _absolute(node, name, is_package)
                # ``from pkg import mod`` imports the module pkg.mod when there is one.
                wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                          for a in node.names]
            for target in wanted:
                # ``import a.b.c`` also runs a and a.b: the nearest known module stands in.
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def wing(module: str) -> str:
    """The wing a module belongs to: its top-level package, or itself if it is loose."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def wing_graph(graph: Graph) -> Graph:
    """Wing -> the other wings its modules import."""
    wings: Graph = {}
    for source, targets in graph.items():
        arrows = wings.setdefault(wing(source), set())
        arrows.update(wing(t) for t in targets if wing(t) != wing(source))
    return wings


def reduction(graph: Graph) -> Graph:
    """The transitive reduction of an acyclic graph: an arrow a -> c is left out when
    a -> b -> ... -> c says it already (the picture stays readable)."""
    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph.get(start, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return seen

    return {a: {b for b in targets
                if not any(b in reach(c) for c in targets if c != b)}
            for a, targets in graph.items()}


def mermaid(wings: Graph) -> str:
    """A mermaid flowchart of the wing graph (importer -> imported), without the arrows
    into the foundation and without arrows implied by others (:func:`reduction`)."""
    upper = {w: {t for t in ts if t not in FOUNDATION}
             for w, ts in wings.items() if w not in FOUNDATION}
    lines = ["```mermaid", "flowchart TD"]
    for source in sorted(upper):
        targets = sorted(reduction(upper)[source])
        if not targets:
            lines.append(f"    {source}")
        lines.extend(f"    {source} --> {target}" for target in targets)
    lines.append("    subgraph foundation [foundation: imported by any wing]")
    lines.extend(f"        {name}" for name in sorted(w for w in wings if w in FOUNDATION))
    lines += ["    end", "```"]
    return "\n".join(lines)


def _show(graph: Graph, title: str) -> Iterable[str]:
    yield f"# {title}"
    for source in sorted(graph):
        yield f"{source} -> {', '.join(sorted(graph[source])) or '-'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mermaid", action="store_true", help="print the wing graph only")
    args = parser.parse_args(argv)
    graph = module_graph()
    wings = wing_graph(graph)
    if args.mermaid:
        print(mermaid(wings))
        return 0
    print("\n".join(_show(graph, "modules")))
    module_cycles, wing_cycles = cycles(graph), cycles(wings)
    print("\n# module cycles")
    print("\n".join(" <-> ".join(c) for c in module_cycles) or "none")
    print()
    print("\n".join(_show(wings, "wings")))
    print("\n# wing cycles")
    print("\n".join(" <-> ".join(c) for c in wing_cycles) or "none")
    return 1 if module_cycles or wing_cycles else 0


if __name__ == "__main__":
    sys.exit(main())
