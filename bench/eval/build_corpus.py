"""Rebuild ``bench/eval/corpus/docs/`` from the Debian package ``sqlite3-doc``.

The evaluation corpus is the SQLite 3.40.1 documentation (public domain) as a user's folder
would hold it: most pages as saved HTML, others converted to Markdown, plain text or PDF (see
``_selection.py`` for which page gets which format and why). The package is checked against its
SHA-256 so the corpus is the same on every machine; the hand-written decoy pages
(``corpus/community``, ``corpus/blog``, ``corpus/wiki``) are not touched.

    cd /tmp && apt-get download sqlite3-doc=3.40.1-2+deb12u2
    python bench/eval/build_corpus.py --deb /tmp/sqlite3-doc_3.40.1-2+deb12u2_all.deb

Writes ``corpus/docs/`` (replacing it) and ``corpus_manifest.json`` (source page, output path,
format and SHA-256 of each output).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import sys
import tarfile
from pathlib import Path

from _pdf import to_pdf
from _selection import PAGES
from _sqlitepage import SVG, parse_page, to_markdown, to_text

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
MANIFEST = HERE / "corpus_manifest.json"

PACKAGE = "sqlite3-doc"
VERSION = "3.40.1-2+deb12u2"
DEB_NAME = f"{PACKAGE}_{VERSION}_all.deb"
DEB_SHA256 = "466e30d7066e2641fa13e56bc662a2ad521b8cc9c17dde9c9dac3d4f105e32f2"
DOC_ROOT = "./usr/share/doc/sqlite3/"


class BuildError(Exception):
    """The package is missing, is not the expected one, or lacks a selected page."""


def _ar_members(deb: bytes) -> dict[str, bytes]:
    """The members of a Debian package (an ``ar`` archive), by name."""
    if not deb.startswith(b"!<arch>\n"):
        raise BuildError("not a Debian package (no ar header)")
    members, at = {}, 8
    while at + 60 <= len(deb):
        header = deb[at : at + 60]
        name = header[:16].decode("ascii").strip().rstrip("/")
        size = int(header[48:58].decode("ascii"))
        members[name] = deb[at + 60 : at + 60 + size]
        at += 60 + size + (size % 2)  # members are padded to an even offset
    return members


def read_pages(deb_path: Path) -> dict[str, bytes]:
    """The selected pages of the package, by their path under /usr/share/doc/sqlite3/."""
    try:
        deb = deb_path.read_bytes()
    except OSError as exc:
        raise BuildError(
            f"cannot read {deb_path}: {exc.strerror or exc}\n"
            f"hint: cd /tmp && apt-get download {PACKAGE}={VERSION}"
        ) from exc
    digest = hashlib.sha256(deb).hexdigest()
    if digest != DEB_SHA256:
        raise BuildError(f"{deb_path} has SHA-256 {digest}, expected {DEB_SHA256} ({DEB_NAME})")
    data = next(
        (body for name, body in _ar_members(deb).items() if name.startswith("data.tar")), None
    )
    if data is None:
        raise BuildError(f"{deb_path} has no data.tar member")
    wanted = {DOC_ROOT + source for source, _ in PAGES}
    pages = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.name in wanted:
                handle = tar.extractfile(member)
                if handle is not None:
                    pages[member.name.removeprefix(DOC_ROOT)] = handle.read()
    missing = sorted(wanted - {DOC_ROOT + name for name in pages})
    if missing:
        raise BuildError(f"pages missing from the package: {', '.join(missing)}")
    return pages


def convert(markup: bytes, suffix: str) -> bytes:
    """One page in the format its corpus path asks for."""
    if suffix == ".html":
        return SVG.sub(b"", markup)  # the original page, minus its syntax-diagram pictures
    page = parse_page(markup)
    if suffix == ".md":
        return to_markdown(page).encode()
    if suffix == ".txt":
        return to_text(page).encode()
    if suffix == ".pdf":
        return to_pdf(page)
    raise BuildError(f"no converter for {suffix}")


def build(deb_path: Path) -> list[dict[str, str]]:
    """Write corpus/docs/ from the package; return the manifest rows."""
    pages = read_pages(deb_path)
    docs = CORPUS / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    rows = []
    for source, target in PAGES:
        out = CORPUS / target
        out.parent.mkdir(parents=True, exist_ok=True)
        body = convert(pages[source], out.suffix)
        out.write_bytes(body)
        rows.append(
            {
                "source": source,
                "path": target,
                "format": out.suffix.lstrip("."),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deb", type=Path, default=Path("/tmp") / DEB_NAME, help="the .deb")
    args = parser.parse_args(argv)
    try:
        rows = build(args.deb)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    manifest = {
        "package": PACKAGE,
        "version": VERSION,
        "deb": DEB_NAME,
        "deb_sha256": DEB_SHA256,
        "upstream": "SQLite 3.40.1",
        "licence": "public domain (see /usr/share/doc/sqlite3-doc/copyright in the package)",
        "documents": rows,
    }
    MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n")
    size = sum((CORPUS / row["path"]).stat().st_size for row in rows)
    print(f"wrote {len(rows)} documents ({size / 1e6:.2f} MB) under {CORPUS / 'docs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
