"""Check the research-quality evaluation data against the corpus, as the product reads it.

Every path must exist and every quoted sentence must occur verbatim (whitespace normalised,
case-sensitive) in the text that ``durable_research.research.extract.extract_file`` gives for
that file: a quote the product cannot see in its own extraction could never be cited. Also
checked: corpus size and format mix, the manifest against the built files, the number of
questions, decoys and labelled claim pairs, and the small test fixture corpus.

    python bench/eval/check_data.py        # exit code 1 and one line per problem if any
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from durable_research.research.extract import SUPPORTED_SUFFIXES, ExtractError, extract_file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "corpus"
DATA = ROOT / "tests" / "data"

MIN_DOCS = 110
MAX_CORPUS_BYTES = 4 * 1024 * 1024
MIN_TEXT_CHARS = 500  # a smaller extraction means the page was a stub or extraction failed
# Share of each format among the corpus files: (least, most); PDFs are counted, not shared.
FORMAT_SHARES = {".html": (0.45, 0.65), ".md": (0.18, 0.32), ".txt": (0.10, 0.22)}
MIN_PDFS = 5
MIN_QUESTIONS = 12
MIN_DECOY_DOCS = 4
MIN_DECOY_FACTS = 12
MIN_DECOY_FACTS_PER_DOC = 3
DECOY_KINDS = {"number", "negation", "default", "name", "date"}
MIN_PAIRS = 150
LABELS = {"verified", "corroborated", "disputed", "unverified"}
# Target shares of the labels in conflict_pairs.json, with some slack either way.
LABEL_SHARES = {"disputed": 0.35, "verified": 0.25, "corroborated": 0.20, "unverified": 0.20}
LABEL_SLACK = 0.07
FIXTURE_DOCS = (6, 8)
FIXTURE_WORDS = (150, 400)
FIXTURE_SENTENCE_WORDS = (8, 25)


def norm(text: str) -> str:
    return " ".join(text.split())


class Texts:
    """Normalised extracted text of each corpus file, extracted once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str] = {}

    def get(self, rel: str) -> str | None:
        if rel not in self._cache:
            path = self.root / rel
            if not path.is_file():
                return None
            try:
                self._cache[rel] = norm(extract_file(path).text)
            except ExtractError:
                self._cache[rel] = ""
        return self._cache[rel]

    def quote(self, rel: str, quote: str, where: str) -> list[str]:
        """Problems with ``quote`` as a verbatim excerpt of ``rel``."""
        text = self.get(rel)
        if text is None:
            return [f"{where}: no such file {rel}"]
        if not quote.strip():
            return [f"{where}: empty quote"]
        if norm(quote) not in text:
            return [f"{where}: not in the extracted text of {rel}: {quote[:90]!r}"]
        return []


def check_corpus(texts: Texts) -> tuple[list[str], list[str]]:
    """Problems, and the corpus files (relative paths)."""
    files = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file())
    errors = [
        f"corpus: unsupported file {f}" for f in files if Path(f).suffix not in SUPPORTED_SUFFIXES
    ]
    if len(files) < MIN_DOCS:
        errors.append(f"corpus: {len(files)} documents, want at least {MIN_DOCS}")
    size = sum((CORPUS / f).stat().st_size for f in files)
    if size > MAX_CORPUS_BYTES:
        errors.append(f"corpus: {size} bytes, want at most {MAX_CORPUS_BYTES}")
    counts = Counter(Path(f).suffix for f in files)
    for suffix, (low, high) in FORMAT_SHARES.items():
        share = counts[suffix] / max(1, len(files))
        if not low <= share <= high:
            errors.append(
                f"corpus: {suffix} is {share:.0%} of the files, want {low:.0%}-{high:.0%}"
            )
    if counts[".pdf"] < MIN_PDFS:
        errors.append(f"corpus: {counts['.pdf']} PDFs, want at least {MIN_PDFS}")
    for rel in files:
        text = texts.get(rel) or ""
        if len(text) < MIN_TEXT_CHARS:
            errors.append(f"corpus: {rel} extracts to {len(text)} characters")
    manifest = json.loads((HERE / "corpus_manifest.json").read_text())
    built = {row["path"]: row["sha256"] for row in manifest["documents"]}
    on_disk = {f for f in files if f.startswith("docs/")}
    for rel in sorted(on_disk ^ set(built)):
        errors.append(
            f"manifest: {rel} is {'not built' if rel in built else 'not in the manifest'}"
        )
    for rel in sorted(on_disk & set(built)):
        if hashlib.sha256((CORPUS / rel).read_bytes()).hexdigest() != built[rel]:
            errors.append(f"manifest: {rel} differs from the built file (rebuild the corpus)")
    return errors, files


def check_decoys(texts: Texts, facts: list[dict[str, Any]], where: str) -> list[str]:
    errors = []
    ids = Counter(fact["id"] for fact in facts)
    errors += [f"{where}: duplicate id {i}" for i, n in ids.items() if n > 1]
    for fact in facts:
        at = f"{where} {fact['id']}"
        if fact["kind"] not in DECOY_KINDS:
            errors.append(f"{at}: kind {fact['kind']!r} not in {sorted(DECOY_KINDS)}")
        if fact["decoy_doc"] == fact["official_doc"]:
            errors.append(f"{at}: the decoy and the official page are the same file")
        errors += texts.quote(fact["decoy_doc"], fact["decoy_sentence"], at + " decoy_sentence")
        errors += texts.quote(fact["official_doc"], fact["official_sentence"], at + " official")
    return errors


def check_eval(texts: Texts) -> tuple[list[str], dict[str, int]]:
    decoys = json.loads((HERE / "decoys.json").read_text())["decoys"]
    errors = check_decoys(texts, decoys, "decoys.json")
    per_doc = Counter(fact["decoy_doc"] for fact in decoys)
    if len(per_doc) < MIN_DECOY_DOCS or len(decoys) < MIN_DECOY_FACTS:
        errors.append(f"decoys.json: {len(per_doc)} decoys, {len(decoys)} wrong facts")
    errors += [
        f"decoys.json: {doc} has {n} wrong facts, want {MIN_DECOY_FACTS_PER_DOC}"
        for doc, n in per_doc.items()
        if n < MIN_DECOY_FACTS_PER_DOC
    ]
    errors += [f"decoys.json: {doc} is under docs/" for doc in per_doc if doc.startswith("docs/")]
    questions = json.loads((HERE / "questions.json").read_text())["questions"]
    if len(questions) < MIN_QUESTIONS:
        errors.append(f"questions.json: {len(questions)} questions, want {MIN_QUESTIONS}")
    for q in questions:
        at = f"questions.json {q['id']}"
        gold = q["gold_docs"]
        if not 2 <= len(gold) <= 5 or not 3 <= len(q["key_facts"]) <= 6:
            errors.append(f"{at}: {len(gold)} gold docs, {len(q['key_facts'])} key facts")
        errors += [f"{at}: gold doc {d} does not exist" for d in gold if not (CORPUS / d).is_file()]
        errors += [f"{at}: gold doc {d} is a decoy" for d in gold if d in per_doc]
        errors += [f"{at}: {d} is not a known decoy" for d in q["decoys"] if d not in per_doc]
        for n, fact in enumerate(q["key_facts"], 1):
            if fact["doc"] not in gold:
                errors.append(f"{at} fact {n}: {fact['doc']} is not a gold doc")
            errors += texts.quote(fact["doc"], fact["quote"], f"{at} fact {n}")
    with_decoys = sum(1 for q in questions if q["decoys"])
    if not 0.4 <= with_decoys / max(1, len(questions)) <= 0.7:
        errors.append(f"questions.json: {with_decoys}/{len(questions)} questions have a decoy")
    counts = {"questions": len(questions), "decoys": len(per_doc), "decoy_facts": len(decoys)}
    return errors, counts


def check_pairs() -> tuple[list[str], Counter[str]]:
    data = json.loads((DATA / "conflict_pairs.json").read_text())
    items = data["items"]
    errors = [] if data.get("about") else ["conflict_pairs.json: no 'about'"]
    errors += [
        f"conflict_pairs.json: duplicate id {i}"
        for i, n in Counter(x["id"] for x in items).items()
        if n > 1
    ]
    for item in items:
        at = f"conflict_pairs.json {item['id']}"
        if item["label"] not in LABELS or item["split"] not in ("calibration", "holdout"):
            errors.append(f"{at}: label {item['label']!r} split {item['split']!r}")
        if not item["claim"].strip() or not item["cited"].strip() or not item["kind"].strip():
            errors.append(f"{at}: empty claim, cited passage or kind")
        if len(item["others"]) > 3:
            errors.append(f"{at}: {len(item['others'])} other passages, want at most 3")
        if item["label"] == "corroborated" and not item["others"]:
            errors.append(f"{at}: corroborated without another passage")
    labels = Counter(item["label"] for item in items)
    if len(items) < MIN_PAIRS:
        errors.append(f"conflict_pairs.json: {len(items)} items, want {MIN_PAIRS}")
    for label, share in LABEL_SHARES.items():
        if abs(labels[label] / max(1, len(items)) - share) > LABEL_SLACK:
            errors.append(f"conflict_pairs.json: {labels[label]} {label}, want about {share:.0%}")
    holdout = sum(1 for item in items if item["split"] == "holdout") / max(1, len(items))
    if not 0.25 <= holdout <= 0.35:
        errors.append(f"conflict_pairs.json: holdout is {holdout:.0%}, want about 30%")
    return errors, labels


def check_fixture() -> list[str]:
    root = DATA / "conflict_docs"
    texts = Texts(root)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    errors = []
    if not FIXTURE_DOCS[0] <= len(files) <= FIXTURE_DOCS[1]:
        errors.append(f"conflict_docs: {len(files)} documents")
    for rel in files:
        words = len((texts.get(rel) or "").split())
        if not FIXTURE_WORDS[0] <= words <= FIXTURE_WORDS[1]:
            errors.append(f"conflict_docs: {rel} has {words} words")
    spec = json.loads((DATA / "conflict_docs.json").read_text())
    errors += [
        f"conflict_docs.json: gold doc {d} missing" for d in spec["gold_docs"] if d not in files
    ]
    errors += check_decoys(texts, spec["decoys"], "conflict_docs.json")
    for n, fact in enumerate(spec["key_facts"], 1):
        errors += texts.quote(fact["doc"], fact["quote"], f"conflict_docs.json fact {n}")
    for fact in spec["decoys"]:
        words = len(fact["decoy_sentence"].split())
        if not FIXTURE_SENTENCE_WORDS[0] <= words <= FIXTURE_SENTENCE_WORDS[1]:
            errors.append(f"conflict_docs.json {fact['id']}: decoy sentence of {words} words")
    return errors


def main() -> int:
    texts = Texts(CORPUS)
    errors, files = check_corpus(texts)
    eval_errors, counts = check_eval(texts)
    pair_errors, labels = check_pairs()
    errors += eval_errors + pair_errors + check_fixture()
    formats = Counter(Path(f).suffix for f in files)
    size = sum((CORPUS / f).stat().st_size for f in files)
    print(f"corpus: {len(files)} documents, {size / 1e6:.2f} MB, {dict(sorted(formats.items()))}")
    print(
        f"questions: {counts['questions']}, decoys: {counts['decoys']} pages with "
        f"{counts['decoy_facts']} wrong facts, claim pairs: {dict(sorted(labels.items()))}"
    )
    for error in errors:
        print(error)
    print("OK" if not errors else f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
