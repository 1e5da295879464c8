"""Whether the judge is sent the sentence that contradicts a claim, with whole pages as sources.

The labelled sets' other sources are 1-3 sentences, so the judge reads them whole; a report's
sources are whole pages, of which the judge reads a few sentences a claim
(``crosscheck.closest_sentences``). This bench gives the check whole pages: each disputed
claim with its contradicting passage's page (as the product extracts it), and counts, per
claim, whether what the judge would be sent of that page holds the contradicting sentence.

Claims (a claim, its cited page, its contradicting page, the contradicting sentences):

* the evaluation corpus's 26 decoy facts (``bench/eval/decoys.json``): the decoy sentence
  cited from its decoy page, against its official page; split by the id's number as the
  questions are (odd: calibration, even: held out);
* the labelled sets' disputed claims (``tests/data/conflict_pairs*.json``) whose
  contradicting passage is quoted from an official page: ``sqlite:`` pages from the
  evaluation corpus (the first set's calibration and held-out splits), ``python:`` modules'
  docstrings from ``--python-lib`` (all held out), ``pg:`` pages from ``--pg-docs`` (all held
  out, written last; take them from the Debian package named in the set's ``about``:
  ``apt-get download postgresql-doc-15 && dpkg-deb -x postgresql-doc-15_*.deb DIR``, then
  ``--pg-docs DIR/usr/share/doc/postgresql-doc-15/html``). Other passages stay as written;
  a cited passage quoted from a page is given its page.

Per group it prints: ``sent``, the claims whose contradicting sentence is among the
sentences the judge would be sent of that page (asked or not: the rules may settle the
claim first); the same through the product's path (``assess`` with ``JudgeReads.OTHERS``):
disputed by the rules, asked with the sentence, asked without it, the page not asked; and
the words of the page's excerpt (the judge's prompt grows with them). A passage of several
sentences counts as sent when any of them is (``all``: every one).

Usage::

    python bench/judge_reads.py [--pg-docs DIR] [--python-lib DIR] [--pool claim|group]
                                [--gguf FILE] [--show]

``--gguf FILE`` also asks that model, as the judge, each question the product asks about
the page (one pair a call, temperature 0) and counts the claims disputed by the rules or by
its "contradicts".

Run it from a checkout with that checkout's interpreter to measure its code (``main``:
``cd /work/main && .venv/bin/python /path/to/bench/judge_reads.py``).
"""

from __future__ import annotations

import argparse
import ast
import functools
import inspect
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from durable_research.research import crosscheck
from durable_research.research.citations import cited_sentences, text_sentences
from durable_research.research.claims import compare
from durable_research.research.crosscheck import JudgeReads, Question, assess, related
from durable_research.research.evidence import Evidence, EvidencePool
from durable_research.research.extract import extract_file

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EVAL = Path(__file__).resolve().parent / "eval"
CORPUS = EVAL / "corpus"
SETS = ("conflict_pairs.json", "conflict_pairs_python.json", "conflict_pairs_pg.json")


def norm(text: str) -> str:
    """Whitespace normalised, for finding a quoted sentence in a page."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Page:
    title: str
    text: str


@dataclass
class Case:
    """One claim against the page holding the sentence that contradicts it."""

    group: str
    name: str
    claim: str
    cited: Page
    target: Page
    # The contradicting passage's sentences (as the pool splits them).
    wanted: tuple[str, ...]
    # Further sources of the claim as written (passages that are not a page's quote).
    others: list[Page] = field(default_factory=list)


class Pages:
    """Whole pages of the labelled sets' sources, as the product extracts them."""

    def __init__(self, pg_docs: Path | None, python_lib: Path) -> None:
        self.pg_docs, self.python_lib = pg_docs, python_lib
        self.titles: dict[str, str] = json.loads((DATA / "source_titles.json").read_text())
        decoys = json.loads((EVAL / "decoys.json").read_text())["decoys"]
        self.decoy_docs = {d["id"].rsplit("-", 1)[0]: d["decoy_doc"] for d in decoys}

    @functools.cache  # noqa: B019 (one Pages a run)
    def page(self, source: str) -> Page | None:
        """The page a ``kind:name`` source quotes, or None (written for the set, or missing)."""
        kind, _, name = source.partition(":")
        path: Path | None = None
        if kind == "sqlite":
            path = next((p for p in CORPUS.rglob(name) if p.is_file()), None)
        elif kind == "decoy" and name in self.decoy_docs:
            path = CORPUS / self.decoy_docs[name]
        elif kind == "pg" and self.pg_docs is not None:
            path = self.pg_docs / f"{name}.html"
        elif kind == "python":
            return self.docstrings(name)
        if path is None or not path.is_file():
            return None
        got = extract_file(path)
        return Page(self.titles.get(source, got.title), got.text)

    def docstrings(self, module: str) -> Page | None:
        """A module's docstrings in their order, as paragraphs (what the set quotes)."""
        path = self.python_lib / f"{module}.py"
        if not path.is_file():
            path = self.python_lib / module / "__init__.py"
        if not path.is_file():
            return None
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = [ast.get_docstring(node) for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                     ast.AsyncFunctionDef))]
        return Page(self.titles.get(f"python:{module}", module),
                    "\n\n".join(d for d in docs if d))


def decoy_cases() -> Iterator[Case]:
    """The 26 decoy facts, the decoy page cited, the official page the other source."""
    for d in json.loads((EVAL / "decoys.json").read_text())["decoys"]:
        number = int(d["id"].rsplit("-", 1)[1])
        split = "calibration" if number % 2 else "holdout"
        decoy, official = extract_file(CORPUS / d["decoy_doc"]), \
            extract_file(CORPUS / d["official_doc"])
        yield Case(f"decoys {split}", d["id"], d["decoy_sentence"],
                   Page(decoy.title, decoy.text), Page(official.title, official.text),
                   (d["official_sentence"],))


def set_cases(pages: Pages, name: str) -> Iterator[tuple[str, Case | None]]:
    """The disputed claims of one labelled set whose contradicting passage is a page's
    quote (None: the page could not be read, or does not hold the quote)."""
    for item in json.loads((DATA / name).read_text())["items"]:
        if item["label"] != "disputed":
            continue
        cited = pages.page(item["cited_source"]) or Page("", item["cited"])
        passages = list(zip(item["others"], item["other_sources"], strict=True))
        for i, (passage, source) in enumerate(passages):
            if source.startswith("written:"):
                continue
            page = pages.page(source)
            if page is None or norm(passage) not in norm(page.text):
                yield item["id"], None
                continue
            rest = [Page("", p) for j, (p, _s) in enumerate(passages) if j != i]
            group = f"{name.removesuffix('.json')} {item['split']}"
            yield item["id"], Case(group, item["id"], item["claim"], cited, page,
                                   tuple(text_sentences(passage)), rest)


@dataclass
class Outcome:
    sent_any: bool
    sent_all: bool
    path: str  # rules / asked-with / asked-without / not-asked
    words: int
    # The product's question about the page (None: not asked), and a judge's verdict on it.
    question: Question | None = None
    verdict: str = ""


def excerpt_for(claim: str, cited: str, key: str, pool: EvidencePool) -> str:
    """What the judge would be sent of the page ``key`` about ``claim``, asked or not (the
    rules may settle the claim first): the sentences the check's search found on it,
    chosen as ``assess`` chooses them, by this checkout's code."""
    found = [hit if isinstance(hit, tuple) else (hit, 0.0)  # main's related(): units only
             for hit in related(claim, {cited}, pool)]
    mine = [(unit, score) for unit, score in found if unit.key == key]
    # Main's and this branch's closest_sentences take different lists: typed as either.
    choose: Any = crosscheck.closest_sentences
    if "scored" in inspect.signature(choose).parameters:
        chosen = choose([(s, u) for u, s in mine], pool)
    else:  # before the search's scores chose them: the share of the claim's words did
        chosen = choose(
            [(compare(claim, u.sentence, pool.weight, pool.sources[key].names,
                      pool.alternatives, pool.sources[key].topic), u) for u, _s in mine],
            pool)
    return crosscheck.sentences_text(chosen)


def holds(excerpt: str, sentence: str) -> bool:
    return norm(sentence) in norm(excerpt)


class Pools:
    """The pool of sources a claim is checked against: its own pages and passages (``claim``),
    or every page and passage of its group's claims (``group``: a report reads many pages,
    and the check's search then finds fewer sentences of each)."""

    def __init__(self, cases: list[Case], shared: bool) -> None:
        self.cases, self.shared = cases, shared
        self.groups: dict[str, tuple[dict[str, Evidence], EvidencePool]] = {}

    def pool(self, case: Case) -> tuple[Evidence, str, EvidencePool]:
        """The cited source, the target page's key, and the pool."""
        pages = [case.cited, case.target, *case.others]
        if self.shared:
            if case.group not in self.groups:
                found: dict[str, Evidence] = {}
                for c in self.cases:
                    if c.group == case.group:
                        for page in (c.cited, c.target, *c.others):
                            found.setdefault(page.text, Evidence(
                                f"s{len(found)}", page.text, title=page.title,
                                url=f"https://s{len(found)}.example/"))
                self.groups[case.group] = found, EvidencePool(list(found.values()))
            found, shared = self.groups[case.group]
            return found[case.cited.text], found[case.target.text].key, shared
        sources = [Evidence(f"s{i}", page.text, title=page.title, url=f"https://s{i}.example/")
                   for i, page in enumerate(pages)]
        return sources[0], sources[1].key, EvidencePool(sources)


def outcome(case: Case, pools: Pools) -> Outcome:
    cited, key, pool = pools.pool(case)
    cited = Evidence(cited.key, cited.text, title=cited.title, url=cited.url, n=1)
    [sent] = cited_sentences(case.claim.rstrip() + " [1]")
    excerpt = excerpt_for(sent.sentence, cited.key, key, pool)
    found = assess(sent, {1: cited}, pool, use_judge=True, reads=JudgeReads.OTHERS)
    questions = [q for q in found.questions if q.key == key and not q.cited]
    asked = [q.passage for q in questions]
    if found.conflict is not None:
        path = "rules"
    elif not asked:
        path = "not-asked"
    elif any(holds(a, s) for a in asked for s in case.wanted):
        path = "asked-with"
    else:
        path = "asked-without"
    return Outcome(any(holds(excerpt, s) for s in case.wanted),
                   all(holds(excerpt, s) for s in case.wanted), path,
                   len(excerpt.split()), questions[0] if questions else None)


def judged(done: list[tuple[Case, Outcome]], gguf: Path) -> str:
    """A GGUF model as the judge of each question the product asks about the page, one pair a
    call at the product's temperature (``judge_bench.ModelJudge``): its verdicts."""
    import tempfile

    from judge_bench import ModelJudge

    from durable_research.config import Settings
    from durable_research.embedded.localmodel import (
        ensure_local_llm,
        stop_local_llm,
        with_local_endpoint,
    )

    data_dir = Path(tempfile.mkdtemp(prefix="judge-reads-"))
    endpoint = ensure_local_llm(data_dir, gguf=gguf)
    try:
        judge = ModelJudge(with_local_endpoint(Settings(), endpoint), 1)
        questions = [o.question for _c, o in done if o.question is not None]
        answers = judge(questions)
        for _case, got in done:
            if got.question is not None:
                answer = answers.get(got.question)
                got.verdict = answer.value if answer is not None else "no verdict"
        return judge.per_pair()
    finally:
        stop_local_llm(data_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-docs", type=Path, default=None,
                        help="the PostgreSQL 15 docs' html directory (else that set is left out)")
    parser.add_argument("--python-lib", type=Path, default=Path("/usr/lib/python3.11"),
                        help="CPython 3.11's standard library (the Python set's docstrings)")
    parser.add_argument("--pool", choices=("claim", "group"), default="claim",
                        help="the sources a claim is checked against: its own pages and "
                        "passages, or those of every claim of its group")
    parser.add_argument("--gguf", type=Path, default=None,
                        help="also ask this GGUF model (the embedded llama.cpp server) each "
                        "question the product asks about the page, one pair a call")
    parser.add_argument("--show", action="store_true", help="one line per claim")
    args = parser.parse_args()
    t0 = time.perf_counter()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; code: "
          f"{Path(crosscheck.__file__).resolve().parents[3]}", flush=True)
    pages = Pages(args.pg_docs, args.python_lib)
    cases: list[Case] = list(decoy_cases())
    skipped: list[str] = []
    for name in SETS:
        for item_id, case in set_cases(pages, name):
            if case is None:
                skipped.append(item_id)
            else:
                cases.append(case)
    groups: dict[str, list[tuple[Case, Outcome]]] = {}
    pools = Pools(cases, args.pool == "group")
    for case in cases:
        got = outcome(case, pools)
        groups.setdefault(case.group, []).append((case, got))
    everything = [done for group in groups.values() for done in group]
    pace = judged(everything, args.gguf) if args.gguf is not None else ""
    if args.show:
        for case, got in everything:
            print(f"  {case.group} {case.name}: sent {'yes' if got.sent_any else 'NO'}"
                  f", {got.path}, {got.words} words"
                  + (f", judge: {got.verdict}" if got.verdict else ""), flush=True)
    print(f"\npool: {args.pool}")
    print("| claims | contradicting sentence sent (any / all) | product's path: rules "
          "dispute / asked with it / asked without it / page not asked | words of the "
          "page's excerpt a claim |" + (" disputed with the judge |" if pace else ""))
    print("| --- | --- | --- | --- |" + (" --- |" if pace else ""))
    for group, done in groups.items():
        n = len(done)
        paths = [sum(o.path == p for _c, o in done)
                 for p in ("rules", "asked-with", "asked-without", "not-asked")]
        # Disputed with the judge: by the rules, or the judge's "contradicts" on the page.
        caught = sum(o.path == "rules" or o.verdict == "contradicts" for _c, o in done)
        print(f"| {group} ({n}) | {sum(o.sent_any for _c, o in done)} / "
              f"{sum(o.sent_all for _c, o in done)} | {' / '.join(map(str, paths))} | "
              f"{sum(o.words for _c, o in done) / n:.1f} |"
              + (f" {caught} |" if pace else ""))
    if pace:
        print(f"(last column: disputed by the rules or by the judge's \"contradicts\" on the "
              f"page's excerpt, {args.gguf.name}; {pace})")
    if skipped:
        print(f"\nleft out (page not read, or the quote not in it): {', '.join(skipped)}")
    print(f"\n{time.perf_counter() - t0:.1f} s, load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
