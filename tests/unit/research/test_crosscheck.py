"""Claims checked across sources: contradiction rules, corroboration, the judge's part."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from durable_research.activities.checking import parse_verdicts
from durable_research.contract.citations import (
    ClaimStatus,
    DisputedCitation,
    UnsupportedCitation,
    Verification,
)
from durable_research.research.citations import cited_sentences, mark_sentences, text_sentences
from durable_research.research.claims import Relation, compare
from durable_research.research.crosscheck import Assessment, Outcome, Question, assess, settle
from durable_research.research.evidence import Evidence, EvidencePool
from durable_research.research.types import NotesConflicts
from durable_research.testing.claims_eval import STATUSES, Mode, evaluate, load_items
from tests.support.paths import DATA


def flat(_token: str) -> float:
    return 1.0


@pytest.mark.parametrize(
    ("claim", "sentence", "why"),
    [
        ("The default page size is 1024 bytes.",
         "Beginning with version 3.12.0, the default page size is 4096 bytes.",
         "numbers differ: 1024 vs 4096"),
        ("All adult insects have six legs.", "All adult insects have eight legs.",
         "numbers differ: six vs eight"),
        ("The bridge opened in 1932.", "In 1937, the bridge opened to traffic.",
         "numbers differ"),
        ("Foreign key constraints are enabled by default.",
         "By default, foreign key constraints are disabled.",
         "opposite words: enabled vs disabled"),
        ("Foreign key constraints are not enforced by default.",
         "Foreign key constraints are enforced by default.", "one of them says not"),
        ("The default journal mode is WAL.", "The default journal mode is DELETE.",
         "names differ: WAL vs DELETE"),
        ("The capital of Australia is Sydney.", "The capital of Australia is Canberra.",
         "names differ: Sydney vs Canberra"),
        ("Foreign key constraints are enforced by default, so ON DELETE CASCADE just works.",
         "Foreign key constraints are disabled by default (for backwards compatibility), so "
         "must be enabled separately.", "opposite words: enforced vs disabled"),
        ("The default acknowledgement mode is auto, so consumers never need to acknowledge "
         "messages themselves.",
         "The default acknowledgement mode is manual: a consumer must acknowledge each message.",
         "values differ: auto vs manual"),
        ("The read_uncommitted pragma is on by default.",
         "The read_uncommitted pragma is off by default and stays off until you turn it on.",
         "opposite words: on vs off"),
    ],
)
def test_one_changed_slot_contradicts(claim: str, sentence: str, why: str) -> None:
    seen = compare(claim, sentence, flat)
    assert seen.relation is Relation.CONTRADICTS, seen
    assert seen.reason.startswith(why)


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # Another subject: two things differ, or a qualifier was replaced.
        ("The maximum page size is 65536 bytes.", "The default page size is 4096 bytes."),
        ("SQLITE_MAX_LENGTH defaults to 1000000000.", "SQLITE_MAX_COLUMN defaults to 2000."),
        ("In WAL mode, readers do not block writers.", "In DELETE mode, readers block writers."),
        # Both may hold: another name where many values fit.
        ("SQLite is used in Android phones.", "SQLite is used in iOS phones."),
        # More words around the number: another statement.
        ("Tardigrades survived 10 days in space on FOTON-M3.",
         "In September 2007 the FOTON-M3 mission carried tardigrades into orbit for 12 days."),
        # The same statement, with more detail.
        ("The default page size is 4096 bytes.",
         "Since version 3.12.0 the default page size is 4096 bytes, up from 1024."),
        ("Tardigrades survive in space.", "Volcanoes erupt when magma rises."),
        # "instead of" contrasts, it does not deny.
        ("To avoid busy errors, use BEGIN IMMEDIATE instead of BEGIN.",
         "X can issue BEGIN IMMEDIATE to start its transaction instead of an ordinary BEGIN."),
        # Conditions and sentences that turn to another case.
        ("When auto-vacuum is disabled, the database file remains the same size.",
         "When auto-vacuum is enabled, free pages are reclaimed and the file shrinks."),
        ("In the DELETE mode, the rollback journal is deleted at the end of each transaction.",
         "But at the end of the transaction, it does not delete the rollback journal."),
        # Another subject in the name's place.
        ("In WAL mode, changes are not written to the original database file.",
         "In rollback mode, changes are written directly into the database file."),
        # A "not" of something the other does not mention.
        ("AUTOINCREMENT is not allowed on WITHOUT ROWID tables.",
         "Any attempt to use AUTOINCREMENT on a WITHOUT ROWID table results in an error."),
    ],
)
def test_compatible_or_unrelated_sentences_do_not_contradict(claim: str, sentence: str) -> None:
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS


def test_the_opposite_is_found_among_many_sentences_on_the_topic() -> None:
    """BM25 ranks sentences sharing the claim's rare words first; the one that says the
    opposite shares none ("enforced" / "disabled") and is found through the opposites."""
    topic = [f"Foreign key constraint number {i} links table {i} to its parent table."
             for i in range(40)]
    docs = Evidence("d", " ".join(topic) + " Foreign key constraints are disabled by "
                    "default (for backwards compatibility).", url="https://docs.example/fk")
    blog = Evidence("b", "Foreign key constraints are enforced by default, so ON DELETE "
                    "CASCADE will just work out of the box.", url="https://blog.example/", n=1)
    pool = pool_of(docs, blog)
    sent = cited_sentences("Foreign key constraints are enforced by default, so ON DELETE "
                           "CASCADE will just work out of the box [1].")[0]
    found = assess(sent, {1: blog}, pool, use_judge=False)
    assert found.conflict is not None and found.conflict.key == "d"
    assert found.conflict.reason == "opposite words: enforced vs disabled"


def test_close_calls_go_to_the_judge() -> None:
    seen = compare("Checkpoints copy pages back into the database file every hour.",
                   "Checkpoints copy pages into the database file.", flat)
    assert seen.relation is Relation.NEITHER and seen.ask_judge and not seen.same
    # Other words for a few of the claim's: the same statement (support, not a question).
    reworded = compare("Checkpoints copy pages back into the database file.",
                       "Checkpoints move pages back into the database file.", flat)
    assert reworded.same and reworded.relation is Relation.NEITHER
    far = compare("Tardigrades survive in space.", "Volcanoes erupt when magma rises.", flat)
    assert not far.ask_judge
    same = compare("Checkpoints copy pages back.", "Checkpoints copy pages back to disk.", flat)
    assert same.same and same.relation is Relation.NEITHER


def test_text_sentences_keep_rows_and_abbreviations() -> None:
    text = ("Dr. Smith measured 3.5 kg, e.g. in spring. It rose.\nIt fell again.\n\n"
            "| a | b |\n| 1 | 2 |\n- one item\n- two items\n## Network\nIt listens.")
    assert text_sentences(text) == [
        "Dr. Smith measured 3.5 kg, e.g. in spring.", "It rose.", "It fell again.",
        "| a | b |", "| 1 | 2 |", "one item", "two items", "## Network", "It listens."]


def test_a_number_in_the_claims_parentheses_is_no_difference_from_the_sentences() -> None:
    # Found in a report: "numbers differ: 2147483646 281,474,976,579,584 vs 281", though
    # the claim says "(about 281 terabytes)" too.
    flat = lambda _t: 1.0  # noqa: E731
    claim = ("The maximum size database would be 2147483646 pages at 65536 bytes per page or "
             "281,474,976,579,584 bytes (about 281 terabytes).")
    sentence = ("When used with the maximum page size of 65536, this gives a maximum SQLite "
                "database size of about 281 terabytes.")
    assert compare(claim, sentence, flat).relation is not Relation.CONTRADICTS
    assert compare(sentence, claim, flat).relation is not Relation.CONTRADICTS


def test_a_list_items_sentences_start_without_its_marker() -> None:
    # What the reader is shown a source says starts on the sentence, and the item's
    # number is none of the sentence's numbers.
    text = ("9. WAL works best with smaller transactions. Large ones are slower.\n"
            "* The count(X) function returns a count.\n12) Twelve is the limit.")
    assert text_sentences(text) == [
        "WAL works best with smaller transactions.", "Large ones are slower.",
        "The count(X) function returns a count.", "Twelve is the limit."]


def test_mark_sentences_puts_each_marker_after_its_citations() -> None:
    md = "One [1]. Two [2]. Three [3]."
    found = cited_sentences(md)
    out = mark_sentences(md, [(found[0], " [disputed]"), (found[2], " [unverified]")])
    assert out == "One [1] [disputed]. Two [2]. Three [3] [unverified]."


OFFICIAL = ("Foreign key constraints are disabled by default. The default page size is 4096 "
            "bytes. The maximum page size is 65536 bytes.")
DECOY = ("In our tests the default page size is 1024 bytes. Foreign key constraints are "
         "disabled by default. The checker keeps SQLite honest: it verifies each claim.")
MIRROR = "Mirror of the docs. Foreign key constraints are disabled by default. More text here."
OTHER = "An independent guide: foreign key constraints are disabled by default in every build."


def pool_of(*sources: Evidence) -> EvidencePool:
    return EvidencePool(list(sources))


def make() -> tuple[dict[int, Evidence], EvidencePool]:
    official = Evidence("h-official", OFFICIAL, url="https://sqlite.example/docs/pragma", n=1)
    decoy = Evidence("h-decoy", DECOY, url="https://blog.example/2011/notes", n=2)
    mirror = Evidence("h-mirror", MIRROR + " " + OFFICIAL, url="https://sqlite.example/mirror")
    other = Evidence("h-other", OTHER, url="https://guide.example/fk")
    return {1: official, 2: decoy}, pool_of(official, decoy, mirror, other)


def check(md: str, use_judge: bool = False,
          answers: dict[int, Relation] | None = None) -> list[tuple[ClaimStatus, str]]:
    refs, pool = make()
    out = []
    for sent in cited_sentences(md):
        found = assess(sent, refs, pool, use_judge)
        given = {q: answers[i] for i, q in enumerate(found.questions) if answers and i in answers}
        outcome = settle(found, given, pool)
        out.append((outcome.status, outcome.reason))
    return out


def test_a_decoy_claim_is_disputed_by_the_official_page() -> None:
    [(status, why)] = check("The default page size is 1024 bytes [2].")
    assert status is ClaimStatus.DISPUTED and why == "numbers differ: 1024 vs 4096"


def test_independent_support_corroborates_but_a_mirror_does_not() -> None:
    [(status, _)] = check("Foreign key constraints are disabled by default [1].")
    assert status is ClaimStatus.CORROBORATED  # the decoy and the independent guide agree
    refs, _pool = make()
    alone = pool_of(refs[1], Evidence("h-mirror", MIRROR + " " + OFFICIAL,
                                      url="https://mirror.example/x"))
    found = assess(cited_sentences("Foreign key constraints are disabled by default [1].")[0],
                   {1: refs[1]}, alone, False)
    assert found.supporters == []  # the mirror copies the cited page: no second source
    assert settle(found, {}, alone).status is ClaimStatus.VERIFIED


def test_unsupported_claim_stays_unverified_and_unknown_source_too() -> None:
    [(status, why)] = check("Tardigrades can live for decades without water [1].")
    assert status is ClaimStatus.UNVERIFIED and "does not state it" in why
    [(status, why)] = check("The default page size is 4096 bytes [9].")
    assert status is ClaimStatus.UNVERIFIED and "not in the list" in why


def test_the_judge_settles_close_calls() -> None:
    blog = Evidence("c", "Checkpoints copy pages back into the database file. Readers go on "
                    "reading the old pages meanwhile.", url="https://blog.example/a", n=2)
    docs = Evidence("o", "Checkpoints copy pages back into the journal. Writers append "
                    "to the log.", url="https://docs.example/wal")
    pool = pool_of(blog, docs, Evidence("t", "Tardigrades live in moss.", url="https://z.example"))
    sent = cited_sentences("Checkpoints copy pages back into the database file [2].")[0]
    found = assess(sent, {2: blog}, pool, use_judge=True)
    [question] = found.questions
    assert not question.cited and question.key == "o"
    assert settle(found, {question: Relation.CONTRADICTS}, pool) == Outcome(
        ClaimStatus.DISPUTED, "the judge found a contradiction")
    found = assess(sent, {2: blog}, pool, use_judge=True)
    assert settle(found, {question: Relation.SUPPORTS}, pool).status is ClaimStatus.CORROBORATED
    found = assess(sent, {2: blog}, pool, use_judge=False)  # no budget: no questions
    assert not found.questions and settle(found, {}, pool).status is ClaimStatus.VERIFIED
    # Its own source, borderline: the judge decides whether it is supported at all.
    sent = cited_sentences("Old pages are read by readers while checkpoints run slowly [2].")[0]
    found = assess(sent, {2: blog}, pool, use_judge=True)
    assert found.questions[0].cited and found.questions[0].key == "c"
    assert settle(found, {}, pool) == Outcome(ClaimStatus.UNVERIFIED,
                                              "the judge gave no verdict")
    found = assess(sent, {2: blog}, pool, use_judge=True)
    assert settle(found, {found.questions[0]: Relation.SUPPORTS}, pool).status in (
        ClaimStatus.VERIFIED, ClaimStatus.CORROBORATED)


def test_parse_verdicts_reads_both_forms_and_drops_the_rest() -> None:
    text = ('{"verdicts": [{"id": 1, "verdict": "Contradicts"}, {"id": 2, "supported": true},'
            ' {"id": 3, "supported": false}, {"id": 4, "verdict": "maybe"}, {"id": "x"}]}')
    assert parse_verdicts(text) == {1: Relation.CONTRADICTS, 2: Relation.SUPPORTS,
                                    3: Relation.NEITHER}
    assert parse_verdicts("no json") == {}


def test_verification_counts_and_summary() -> None:
    v = Verification(checked=9, supported=6, corroborated=2,
                     unsupported=[UnsupportedCitation("a", 1)],
                     disputed=[DisputedCitation("b", 1), DisputedCitation("c", 2)])
    assert v.counts() == {ClaimStatus.VERIFIED: 4, ClaimStatus.CORROBORATED: 2,
                          ClaimStatus.DISPUTED: 2, ClaimStatus.UNVERIFIED: 1}
    assert v.summary() == ("9 cited sentences: 4 verified, 2 corroborated, 2 disputed, "
                           "1 unverified")
    assert Verification(checked=1, supported=1).summary() == "1 cited sentence: 1 verified"
    marked = Verification(checked=13, supported=1, disputed=[DisputedCitation("x", 1)] * 12)
    assert marked.summary(marks={ClaimStatus.DISPUTED: "red"}) == (
        "13 cited sentences: 1 verified, [red]12 disputed[/]")
    assert Question("c", "p", "k", cited=True) == Question("c", "p", "k", cited=True)


# --- the labelled set (tests/data/conflict_pairs.json, written apart from the checker) -------

CONFLICT_PAIRS = DATA / "conflict_pairs.json"


def test_labelled_claims_are_well_formed() -> None:
    items = load_items(CONFLICT_PAIRS)
    assert len(items) >= 150 and len({i["id"] for i in items}) == len(items)
    assert Counter(i["label"] for i in items).keys() == set(STATUSES)
    assert Counter(i["split"] for i in items)["holdout"] >= 40
    kinds = Counter(i["kind"] for i in items)
    for kind in ("changed-number", "flipped-negation", "swapped-name", "wrong-default",
                 "wrong-date", "related-but-compatible-other", "two-sources"):
        assert kinds[kind] >= 4, kind


def test_checker_on_labelled_claims() -> None:
    """Floors under the measured rates (docs/research-quality.md has the table).

    Measured (rules alone / with the fake LLM's judge), calibration split: false-verified
    0.031 / 0.077, disputed recall 0.85 / 0.85, disputed precision 1.0 / 0.94; held-out
    split (scored once the frames were fixed): 0.154 / 0.154, 0.444 / 0.444, 1.0 / 1.0;
    all 164: 0.066 / 0.099, 0.724 / 0.724, 1.0 / 0.955. The own-source check alone:
    false-verified 0.185 / 0.154, no dispute found. The fake judge knows shared words,
    numbers and negations only. The product's path (the judge also reads the closest other
    sources of every claim, ``Mode.OTHERS``), all 164: 0.099, 0.724, 0.933.
    """
    items = load_items(CONFLICT_PAIRS)
    own = evaluate(items, Mode.OWN)
    rules = evaluate(items, Mode.RULES)
    judged = evaluate(items, Mode.JUDGE)
    others = evaluate(items, Mode.OTHERS)
    print(f"\nown source: {own}\nrules: {rules}\njudge: {judged}\nothers: {others}")
    # The cross-source check passes fewer wrong claims than the own-source check did.
    assert rules["false_verified"] < own["false_verified"]
    assert rules["false_verified"] <= 0.1 and judged["false_verified"] <= 0.15
    assert rules["disputed_recall"] >= 0.62 and judged["disputed_recall"] >= 0.62
    assert rules["disputed_precision"] >= 0.97 and judged["disputed_precision"] >= 0.9
    assert others["false_verified"] <= 0.15 and others["disputed_recall"] >= 0.62
    assert others["disputed_precision"] >= 0.9


def test_the_web_page_shows_the_counts_and_both_passages() -> None:
    from durable_research.client.reports import ReportState
    from durable_research.contract.citations import Reference
    from durable_research.contract.report import ReportResult, RunStatus
    from durable_research.web.templating import _ENV
    from durable_research.web.views import report_view

    result = ReportResult(
        references=[Reference(1, "Forum <b>tips</b>", "community/tips.md", "local", "h1"),
                    Reference(2, "Configuration", "official/configuration.md", "local", "h2")],
        sources_used="local documents",
        verification=Verification(checked=4, supported=2, corroborated=1, disputed=[
            DisputedCitation("The broker listens on port 5672.", 1, "Port 5672 <script>.", 2,
                             "The broker listens on TCP port 7450 by default.",
                             "numbers differ: 5672 vs 7450")] * 2))
    view = report_view(ReportState(workflow_id="report-x", status=RunStatus.COMPLETED,
                                   result=result))
    html = _ENV.get_template("_actions.html").render(v=view, csrf_token="", error="")
    assert "4 cited sentences: 1 verified, 1 corroborated, 2 disputed" in html
    assert html.count("numbers differ: 5672 vs 7450") == 1  # one claim made twice: one row
    assert "<th>Another source says</th>" in html
    assert "[2] The broker listens on TCP port 7450 by default." in html
    assert "Port 5672 &lt;script&gt;." in html and "<script>" not in html


def test_a_section_may_cite_only_the_other_side_of_its_own_conflicts() -> None:
    conflicts = NotesConflicts(count=2, hashes=["a", "b", "c", "d"],
                               pairs=[["a", "b"], ["c", "d"]])
    assert conflicts.other_sides({"a"}) == {"a", "b"}
    assert conflicts.other_sides({"b", "d"}) == {"a", "b", "c", "d"}
    assert conflicts.other_sides({"e"}) == set()
    # A result from a worker before pairs existed: every disputed source, as it was.
    assert NotesConflicts(count=1, hashes=["a", "b"]).other_sides({"e"}) == {"a", "b"}


def test_a_claim_in_another_language_than_its_source_goes_to_the_judge() -> None:
    source = Evidence("en", "Tardigrades survived ten days in the vacuum of space during the "
                      "FOTON-M3 mission in 2007. They were dried out before the launch.",
                      url="https://space.example/tardigrades", n=1)
    pool = pool_of(source)
    claim = "Bärtierchen überlebten im Jahr 2007 zehn Tage im Vakuum des Weltraums [1]."
    sent = cited_sentences(claim)[0]
    # Without the judge the words cannot meet: unverified, as before.
    alone = assess(sent, {1: source}, pool, use_judge=False)
    assert alone.questions == [] and settle(alone, {}, pool).status is ClaimStatus.UNVERIFIED
    found = assess(sent, {1: source}, pool, use_judge=True)
    [question] = found.questions
    assert question.cited and question.key == "en" and "2007" in question.passage
    assert settle(found, {question: Relation.SUPPORTS}, pool).status is ClaimStatus.VERIFIED
    assert settle(found, {question: Relation.NEITHER}, pool) == Outcome(
        ClaimStatus.UNVERIFIED, "the judge found no support")
    # A claim in the source's language that it does not state asks no judge on that ground.
    same = assess(cited_sentences("Tardigrades live for decades without any water [1].")[0],
                  {1: source}, pool, use_judge=True)
    assert all(not q.cited for q in same.questions)


CONFLICT_PAIRS_PYTHON = DATA / "conflict_pairs_python.json"
# The third held-out set (PostgreSQL 15's documentation), written after the rules were
# calibrated on the Python set: it says whether later rule changes generalise.
CONFLICT_PAIRS_PG = DATA / "conflict_pairs_pg.json"
# Every item of every labelled set has exactly these fields (the first set's format).
ITEM_FIELDS = {"id", "split", "claim", "cited", "others", "label", "kind", "cited_source",
               "other_sources"}
PAIR_KINDS = {"changed-number", "flipped-negation", "swapped-name", "wrong-default",
              "wrong-date", "antonym", "close-support", "paraphrase-support",
              "related-but-compatible-other", "unrelated-other", "two-sources",
              "missing-detail", "wrong-source"}


@pytest.mark.parametrize(("path", "official"), [(CONFLICT_PAIRS_PYTHON, "python"),
                                                (CONFLICT_PAIRS_PG, "pg")],
                         ids=["python", "pg"])
def test_the_held_out_sets_are_well_formed(path: Path, official: str) -> None:
    """The held-out labelled sets (all held out: nothing tuned on them) have the first one's
    shape: its fields, every label, the near-duplicate kinds, unique ids, and passages that
    are either the official text (``<official>:<page>``) or written for the set."""
    assert json.loads(path.read_text())["about"]
    items = load_items(path)
    assert len(items) >= 30 and len({i["id"] for i in items}) == len(items)
    assert {i["split"] for i in items} == {"holdout"}
    assert Counter(i["label"] for i in items).keys() == set(STATUSES)
    kinds = Counter(i["kind"] for i in items if i["label"] == "disputed")
    for kind in ("changed-number", "flipped-negation", "swapped-name", "wrong-default",
                 "wrong-date", "antonym"):
        assert kinds[kind] >= 1, kind
    for item in items:
        assert set(item) == ITEM_FIELDS and item["kind"] in PAIR_KINDS, item["id"]
        assert item["claim"].strip() and item["cited"].strip(), item["id"]
        assert len(item["others"]) == len(item["other_sources"]) <= 3, item["id"]
        assert item["label"] != "corroborated" or item["others"], item["id"]
        for source in (item["cited_source"], *item["other_sources"]):
            origin, _, name = source.partition(":")
            assert origin in (official, "written") and name, (item["id"], source)


def test_the_checker_on_the_second_held_out_set_passes_fewer_wrong_claims() -> None:
    """Measured (docs/research-quality.md): false verified 0.613 own source only, 0.516 with
    the rules (0.548 before this set's frames), 0.323 once a source's title words stand in
    for its sentences' subject (the titles its sources have: tests/data/source_titles.json);
    disputed recall 0.12 -> 0.38, precision 0.60 -> 0.82. Floors under the last."""
    items = load_items(CONFLICT_PAIRS_PYTHON)
    own, rules = evaluate(items, Mode.OWN), evaluate(items, Mode.RULES)
    assert rules["false_verified"] < own["false_verified"]
    assert rules["false_verified"] <= 0.36 and rules["disputed_recall"] >= 0.33
    assert rules["disputed_precision"] >= 0.8


def test_the_checker_on_the_third_held_out_set() -> None:
    """The PostgreSQL set, scored once before the title rule and once after: false verified
    0.406 own source only, 0.344 with the rules; disputed recall 0.12, precision 0.60 (the
    rules carry little to a new domain; the judge path is measured in the bench). The rules
    must at least not pass more wrong claims than the own-source check."""
    items = load_items(CONFLICT_PAIRS_PG)
    own, rules = evaluate(items, Mode.OWN), evaluate(items, Mode.RULES)
    assert rules["false_verified"] < own["false_verified"]


# A page on one subject, whose sentences leave the subject to its title.
BROTLI_TITLE = "brotli — Brotli compression bindings"
BROTLI_PAGE = ("The default quality is 11. Lower qualities compress faster, and quality 0 is "
               "the fastest.")


def _brotli_claim(claim: str, title: str) -> ClaimStatus:
    blog = Evidence("blog", f"{claim} We use it everywhere.", url="https://blog.example/b",
                    n=1)
    page = Evidence("page", BROTLI_PAGE, title=title, url="https://docs.example/brotli")
    [sent] = cited_sentences(f"{claim} [1]")
    pool = EvidencePool([blog, page])
    return settle(assess(sent, {1: blog}, pool, False), {}, pool).status


def test_a_sentence_may_leave_its_subject_to_its_pages_title() -> None:
    """"The default quality is 11." on the page titled "brotli ..." says what "Brotli's
    default quality is 5." says, but for the number: the title holds the word the sentence
    leaves out (a claim on Python's pickle protocol was printed verified beside "The
    default protocol is 4." on pickle's page)."""
    assert _brotli_claim("Brotli's default quality is 5.", BROTLI_TITLE) \
        is ClaimStatus.DISPUTED
    # Without the title, "brotli" is a word the sentence lacks: no contradiction.
    assert _brotli_claim("Brotli's default quality is 5.", "") is ClaimStatus.VERIFIED
    # The title stands in only for the words it has: another setting is another subject.
    assert _brotli_claim("The default brotli window size is 22.", BROTLI_TITLE) \
        is ClaimStatus.VERIFIED


def test_a_sentence_that_refers_back_has_the_names_of_the_one_before() -> None:
    """"It sank ..." is the Vasa's sentence: its names are the sentence before's, as a
    page's title is every sentence's (a claim naming the Vasa is not "another subject")."""
    page = Evidence("d", "The Vasa was a Swedish warship built for King Gustavus Adolphus. "
                    "It sank on its maiden voyage in 1628 within a mile of the harbour.",
                    url="https://museum.example/vasa")
    blog = Evidence("b", "King Gustavus Adolphus' Vasa sank on its maiden voyage in 1638.",
                    url="https://blog.example/", n=1)
    sent = cited_sentences("King Gustavus Adolphus' Vasa sank on its maiden voyage in 1638 "
                           "[1].")[0]
    found = assess(sent, {1: blog}, pool_of(page, blog), use_judge=False)
    assert found.conflict is not None and "1638 vs 1628" in found.conflict.reason


def test_a_dispute_the_judge_found_quotes_a_heading_without_its_marks() -> None:
    """The table quoted the excerpt the judge read with a raw heading, "[5] # First look:
    Larkspur Queue 1.0 … Out of the box ..." (found in a new user's trial)."""
    question = Question("The broker listens on port 7450.", "", "b", cited=False,
                        sentences=((0, "# First look: Larkspur Queue 1.0"),
                                   (4, "Out of the box the broker listens on port 5672.")))
    found = Assessment(sentence=cited_sentences("The broker listens on port 7450 [1].")[0],
                       n=1, key="o", questions=[question])
    pool = pool_of(Evidence("o", "The broker listens on port 7450.", url="https://o.example"),
                   Evidence("b", "Out of the box the broker listens on port 5672.",
                            url="https://b.example"))
    read = ("# First look: Larkspur Queue 1.0 … Installation is a single binary. … "
            "## Ports Out of the box the broker listens on port 5672 (see #2).")
    outcome = settle(found, {question: Relation.CONTRADICTS}, pool, {question: read})
    assert outcome.status is ClaimStatus.DISPUTED and found.conflict is not None
    assert found.conflict.passage == (
        "First look: Larkspur Queue 1.0 … Installation is a single binary. … "
        "Ports Out of the box the broker listens on port 5672 (see #2).")
