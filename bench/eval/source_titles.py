"""Write tests/data/source_titles.json: the titles of the labelled sets' official sources.

A report's sources have titles, and a page's sentences leave its subject to its title ("The
default protocol is 4." on the page of Python's pickle module), so the checker is measured on
the labelled claim sets (``testing/claims_eval``) with the titles those sources have, taken
as the product takes them:

- ``sqlite:<file>``: ``extract_file``'s title of the file in bench/eval/corpus;
- ``pg:<page>``: ``extract_file``'s title of ``<page>.html`` of the PostgreSQL 15 docs (the
  Debian package named in conflict_pairs_pg.json's ``about``; not in the repository);
- ``python:<module>``: the module's name and the first line of its docstring (the passages
  are docstrings of /usr/lib/python3.11, Debian ``libpython3.11-stdlib``), as the Python
  docs title a module's page ("pickle — ...").

The passages written for the sets (``written:``, ``decoy:``) have none. Usage::

    apt-get download postgresql-doc-15 && dpkg-deb -x postgresql-doc-15_*.deb /tmp/pgdoc
    python bench/eval/source_titles.py /tmp/pgdoc/usr/share/doc/postgresql-doc-15/html
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from durable_research.research.extract import extract_file
from durable_research.testing.claims_eval import CLAIM_SETS, TITLES

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
CORPUS = Path(__file__).resolve().parent / "corpus"
PYTHON_LIB = Path("/usr/lib/python3.11")
WRITTEN = ("written", "decoy")


def official_sources() -> set[str]:
    """The names of every official source the labelled sets quote."""
    found: set[str] = set()
    for name in CLAIM_SETS:
        for item in json.loads((DATA / name).read_text())["items"]:
            found.update(s for s in (item["cited_source"], *item["other_sources"])
                         if s.partition(":")[0] not in WRITTEN)
    return found


def title(source: str, pg_html: Path) -> str:
    """The title the product would read for ``source``."""
    origin, _, page = source.partition(":")
    if origin == "sqlite":
        [path] = list(CORPUS.rglob(page))
        return extract_file(path).title
    if origin == "pg":
        return extract_file(pg_html / f"{page}.html").title
    if origin == "python":
        path = PYTHON_LIB / f"{page}.py"
        path = path if path.exists() else PYTHON_LIB / page / "__init__.py"
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        return f"{page} — {doc.strip().splitlines()[0].strip()}" if doc else page
    raise ValueError(f"unknown source {source!r}")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__)
        return 2
    titles = {s: title(s, Path(argv[0])) for s in sorted(official_sources())}
    TITLES.write_text(json.dumps(titles, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(titles)} titles written to {TITLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
