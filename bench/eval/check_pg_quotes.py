"""Check the official passages of tests/data/conflict_pairs_pg.json against the PostgreSQL docs.

Every ``pg:<page>`` passage must occur verbatim (whitespace normalised, case-sensitive) in the
text that ``durable_research.research.extract.extract_file`` gives for ``<page>.html``: a
passage the product cannot see in its own extraction could never be cited. The docs are not
in the repository (2 MB); take them from the Debian package named in the set's ``about``:

    apt-get download postgresql-doc-15 && dpkg-deb -x postgresql-doc-15_*.deb /tmp/pgdoc
    python bench/eval/check_pg_quotes.py /tmp/pgdoc/usr/share/doc/postgresql-doc-15/html

Exit code 1 and one line per problem if any.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from durable_research.research.extract import extract_file

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
SET = DATA / "conflict_pairs_pg.json"
OFFICIAL = "pg:"


def norm(text: str) -> str:
    return " ".join(text.split())


def problems(html_dir: Path) -> tuple[int, list[str]]:
    """How many official passages there are, and the problems with them."""
    texts: dict[str, str] = {}
    count, errors = 0, []
    for item in json.loads(SET.read_text())["items"]:
        passages = [(item["cited"], item["cited_source"]),
                    *zip(item["others"], item["other_sources"], strict=True)]
        for passage, source in passages:
            if not source.startswith(OFFICIAL):
                continue
            count += 1
            page = source.removeprefix(OFFICIAL)
            path = html_dir / f"{page}.html"
            if not path.is_file():
                errors.append(f"{item['id']}: no page {path}")
                continue
            if page not in texts:
                texts[page] = norm(extract_file(path).text)
            if norm(passage) not in texts[page]:
                errors.append(f"{item['id']}: not in {page}.html: {passage[:90]!r}")
    return count, errors


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__)
        return 2
    count, errors = problems(Path(argv[0]))
    for error in errors:
        print(error)
    print(f"{count} official passages: " + ("OK" if not errors else f"{len(errors)} problems"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
