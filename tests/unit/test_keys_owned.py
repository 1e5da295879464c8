"""Artifact keys are spelled only in contract/keys (issue 24): checked on the source.

Stored artifacts and running histories are read by their keys, so a key is built by a
named function of one module (pinned by tests/unit/core/test_keys.py), never by an
f-string or a concatenation somewhere else, where a change would go unnoticed. Pure:
reads the source with ast. Tests may spell keys (they check them); the app and the
benchmarks may not.
"""

from __future__ import annotations

import ast

from tests.support.paths import ROOT

KEYS_MODULE = ROOT / "src" / "durable_research" / "contract" / "keys.py"
SCANNED = [ROOT / "src" / "durable_research", ROOT / "bench"]
# How every key (or run-relative name) made in contract/keys begins...
KEY_STARTS = ("runs/", "texts/", "collections/", "embeddings/", "doctor/", "llm/", "fetch/",
              "mail/", "report/", "sections/", "notes-r", "conflicts.", "draft-checked",
              "agent/", "links/", "changes/")
# ... and how the names of stored files end.
KEY_ENDS = (".json", ".md", ".meta")
# An f-string that starts with one of these puts a name under a key's folder.
FOLDER_NAMES = ("_FOLDER", "_PREFIX", "run_prefix")


def _skipped(tree: ast.AST) -> set[int]:
    """Docstrings, and the literal parts of f-strings (checked as the whole f-string)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        elif isinstance(node, ast.JoinedStr):
            found.update(id(part) for part in node.values)
    return found


def _text(node: ast.expr) -> tuple[str, str] | None:
    """The literal start and end of a string expression (``{}`` for a placeholder)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, node.value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
        return str(parts[0]), str(parts[-1])
    return None


def _starts_with_folder(node: ast.JoinedStr) -> bool:
    """Whether the f-string begins with a key folder: ``f"{REPORT_FOLDER}/..."``."""
    first = node.values[0] if node.values else None
    if not isinstance(first, ast.FormattedValue):
        return False
    value = first.value.func if isinstance(first.value, ast.Call) else first.value
    name = value.id if isinstance(value, ast.Name) else getattr(value, "attr", "")
    after = node.values[1] if len(node.values) > 1 else None
    slash = isinstance(after, ast.Constant) and str(after.value).startswith("/")
    return name.endswith(FOLDER_NAMES) and (slash or name == "run_prefix")


def key_spellings(source: str, name: str) -> list[str]:
    """Where ``source`` spells a key: a string or f-string starting like a key, an
    f-string ending like a stored file's name or starting with a key folder, or a
    string added to another to make one."""
    tree = ast.parse(source, name)
    skipped = _skipped(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            for side in (node.left, node.right):
                text = _text(side)
                if text and (text[0].startswith(KEY_STARTS) or text[1].endswith(KEY_ENDS)):
                    found.append(f"{where} concatenates {text[0]!r}")
        text = _text(node) if isinstance(node, ast.expr) else None
        if text is None or id(node) in skipped:
            continue
        if text[0].startswith(KEY_STARTS):
            found.append(f"{where} {text[0]!r}")
        elif isinstance(node, ast.JoinedStr) and text[1].endswith(KEY_ENDS):
            found.append(f"{where} f-string ending {text[1]!r}")
        elif isinstance(node, ast.JoinedStr) and _starts_with_folder(node):
            found.append(f"{where} f-string in a key folder")
    return found


def test_keys_are_spelled_only_in_the_keys_module() -> None:
    found = []
    for folder in SCANNED:
        for path in sorted(folder.rglob("*.py")):
            if path != KEYS_MODULE:
                found += key_spellings(path.read_text(), str(path.relative_to(ROOT)))
    assert found == [], "build these keys with a function of contract/keys"


def test_the_check_finds_keys_built_elsewhere() -> None:
    bad = (
        '"""Docstrings may say ``runs/<id>/``."""\n'
        'a = f"runs/{wid}/"\n'
        'b = "texts/" + digest\n'
        'c = f"notes-r{n}.json"\n'
        'd = key + ".meta"\n'
        'e = f"{folder}/{run}/x.md"\n'
        'f = (f"{REPORT_FOLDER}/x", f"{keys.KEY_PREFIX}/{m}", f"{run_prefix(w)}fetch")\n'
        'ok = (f"{n} runs/day", "web-sessions.json", "/reports/" + wid, f"{ID_PREFIX}{x}")\n'
    )
    lines = sorted(int(found.split(":")[1].split()[0]) for found in key_spellings(bad, "x.py"))
    assert lines == [2, 3, 3, 4, 5, 6, 7, 7, 7]


def test_the_keys_module_spells_them() -> None:
    assert key_spellings(KEYS_MODULE.read_text(), "keys.py") != []
