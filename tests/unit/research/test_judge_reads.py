"""The judge reading every claim the rules cannot settle by its source's own words
(``JudgeReads.EVERY``), against what the rules leave open (``JudgeReads.OPEN``)."""

from __future__ import annotations

from durable_research.contract.citations import ClaimStatus
from durable_research.research.citations import cited_sentences
from durable_research.research.claims import Relation
from durable_research.research.crosscheck import (
    JUDGE_SENTENCES,
    Assessment,
    JudgeReads,
    Outcome,
    Question,
    assess,
    settle,
)
from durable_research.research.evidence import Evidence, EvidencePool
from durable_research.research.support import Verdict

# A blog's wrong default, in other words than the claim's: the bag of words supports it.
BLOG = Evidence("blog", "By default, Python's calendar module starts each week on Sunday, the "
                "same as the cal(1) command.", url="https://blog.example/cal", n=1)
DOCS = Evidence("docs", "By default, these calendars have Monday as the first day of the week, "
                "and Sunday as the last (the European convention).",
                url="https://docs.example/calendar")
CLAIM = "Python's calendar module starts the week on Sunday by default, as cal(1) does [1]."
POOL = EvidencePool([BLOG, DOCS])


def assessed(reads: JudgeReads, claim: str = CLAIM, use_judge: bool = True) -> Assessment:
    [sent] = cited_sentences(claim)
    return assess(sent, {1: BLOG}, POOL, use_judge, reads)


def answered(found: Assessment, cited: Relation | None, other: Relation | None) -> Outcome:
    """The outcome when the judge answers the cited passage and the other source as told."""
    answers = {q: r for q in found.questions if (r := cited if q.cited else other) is not None}
    return settle(found, answers, POOL)


def test_the_rules_alone_verify_the_wrong_default_and_leave_nothing_open() -> None:
    found = assessed(JudgeReads.OPEN)
    assert found.verdict is Verdict.SUPPORTED and found.conflict is None
    assert found.questions == []
    assert settle(found, {}, POOL).status is ClaimStatus.VERIFIED


def test_every_supported_claim_not_in_its_sources_words_goes_to_the_judge() -> None:
    found = assessed(JudgeReads.EVERY)
    cited, other = found.questions
    assert cited.cited and cited.key == "blog" and "Sunday" in cited.passage
    assert not other.cited and other.key == "docs" and "Monday" in other.passage


def test_a_supported_claim_the_judge_does_not_find_in_its_source_is_not_verified() -> None:
    assert answered(assessed(JudgeReads.EVERY), Relation.NEITHER, Relation.NEITHER) == Outcome(
        ClaimStatus.UNVERIFIED, "the judge did not find it in its source")
    assert answered(assessed(JudgeReads.EVERY), Relation.CONTRADICTS, None) == Outcome(
        ClaimStatus.UNVERIFIED, "the judge read its source as saying otherwise")


def test_a_judge_contradiction_from_another_source_disputes_it() -> None:
    assert answered(assessed(JudgeReads.EVERY), Relation.SUPPORTS, Relation.CONTRADICTS) == \
        Outcome(ClaimStatus.DISPUTED, "the judge found a contradiction")


def test_a_judge_with_no_verdict_leaves_the_rules_verdict() -> None:
    assert answered(assessed(JudgeReads.EVERY), None, None).status is ClaimStatus.VERIFIED
    assert answered(assessed(JudgeReads.EVERY), Relation.SUPPORTS,
                    Relation.NEITHER).status is ClaimStatus.VERIFIED


def test_a_verbatim_claim_is_never_sent_to_the_judge_about_its_source() -> None:
    verbatim = "By default, Python's calendar module starts each week on Sunday [1]."
    found = assessed(JudgeReads.EVERY, verbatim)
    assert found.verdict is Verdict.SUPPORTED
    assert [q.key for q in found.questions] == ["docs"]  # other sources still are
    assert answered(found, None, Relation.NEITHER).status is ClaimStatus.VERIFIED


def test_no_judge_no_questions_and_a_rules_dispute_asks_nothing() -> None:
    assert assessed(JudgeReads.EVERY, use_judge=False).questions == []
    # "numbers differ" against the docs: disputed whatever the judge would say.
    docs = Evidence("docs", "Beginning with version 3.12.0, the default page size is 4096 "
                    "bytes.", url="https://docs.example/pragma")
    blog = Evidence("blog", "In our tests the default page size is 1024 bytes, it seems.",
                    url="https://blog.example/sqlite", n=1)
    pool = EvidencePool([blog, docs])
    [sent] = cited_sentences("The default page size is 1024 bytes [1].")
    found = assess(sent, {1: blog}, pool, True, JudgeReads.EVERY)
    assert found.conflict is not None and found.questions == []
    assert settle(found, {}, pool).status is ClaimStatus.DISPUTED


def test_the_parts_are_measured_apart() -> None:
    cited_only = assessed(JudgeReads.CITED).questions
    others_only = assessed(JudgeReads.OTHERS).questions
    assert [q.cited for q in cited_only] == [True]
    assert [q.cited for q in others_only] == [False]
    assert Question(CLAIM, "", "", cited=True) not in cited_only


# What the judge reads of another source: the sentences the rules compared with the claim,
# not only the closest by words. Here the closest is about the 'utc' modifier; the one that
# contradicts the claim (the functions use UTC) shares fewer of its words, so it is second.
LOCAL = Evidence("forum", "Most people do not know it, but the functions work in local time "
                 "unless you add the 'utc' modifier.", url="https://forum.example/t/1", n=1)
UTC = "The functions compute every time in UTC internally, so a 'Z' suffix changes nothing."
MODIFIER = ("The 'utc' modifier is the opposite of 'localtime': it assumes the time value is "
            "local time and adjusts it to UTC.")
MANUAL = Evidence("manual", f"{UTC} Dates are given to them as text. {MODIFIER}",
                  url="https://docs.example/datefunc")
LOCAL_CLAIM = "The functions work in local time unless you add the 'utc' modifier [1]."


def test_the_judge_reads_a_contradicting_sentence_that_is_not_the_closest() -> None:
    pool = EvidencePool([LOCAL, MANUAL])
    [sent] = cited_sentences(LOCAL_CLAIM)
    found = assess(sent, {1: LOCAL}, pool, True, JudgeReads.OTHERS)
    assert found.conflict is None  # the rules see no contradiction: the judge must read it
    [question] = found.questions  # still one question for the source
    assert question.key == "manual" and not question.cited
    assert UTC in question.passage and MODIFIER in question.passage
    # In the source's order; neither refers back, so neither with the sentence before it.
    assert question.passage.index(UTC) < question.passage.index(MODIFIER)
    assert "Dates are given to them as text." not in question.passage


def test_the_judge_reads_a_few_sentences_of_a_source_not_all_it_relates() -> None:
    # A, C and E say more of the claim than B and D: the three closest are not neighbours.
    related = [f"In mode {m}, the functions work in local time and the 'utc' modifier is "
               f"ignored." if m in "ACE" else f"In mode {m}, the functions work in local time."
               for m in "ABCDE"]
    filler = [f"Mode {m} is chosen at compile time." for m in "ABCDE"]
    manual = Evidence("manual", " ".join(f"{f} {r}" for f, r in zip(filler, related,
                                                                      strict=True)),
                      url="https://docs.example/modes")
    pool = EvidencePool([LOCAL, manual])
    [sent] = cited_sentences(LOCAL_CLAIM)
    [question] = assess(sent, {1: LOCAL}, pool, True, JudgeReads.OTHERS).questions
    read = [r for r in related if r in question.passage]
    assert len(read) == JUDGE_SENTENCES and related[1] not in read and related[3] not in read
    # Alone (none refers back); "…" where the source's sentences were left out.
    assert not any(f in question.passage for f in filler)
    assert question.passage == " … ".join(read)


def test_a_sentence_goes_with_the_one_before_it_only_when_it_refers_back() -> None:
    """The sentence before each chosen one was a third of the judge's prompt (the research
    eval: 4,253 -> 2,888 judge tokens a report without them); a sentence needs it only
    when it opens by referring back to it ("It", "This", "However", ...)."""
    plain = "The functions compute every time in UTC internally."
    referring = "It is adjusted to local time by the 'localtime' modifier only."
    manual = Evidence("manual", f"Dates are given to them as text. {plain} Every value "
                      f"is a string. Times are stored as text. {referring}",
                      url="https://docs.example/datefunc")
    pool = EvidencePool([LOCAL, manual])
    [sent] = cited_sentences(LOCAL_CLAIM)
    [question] = assess(sent, {1: LOCAL}, pool, True, JudgeReads.OTHERS).questions
    assert plain in question.passage and referring in question.passage
    assert "Dates are given to them as text." not in question.passage
    assert f"Times are stored as text. {referring}" in question.passage


def test_a_source_not_in_english_sends_each_sentence_with_the_one_before_it() -> None:
    """Which openings refer back is known for English only: elsewhere ("Sie wird ...")
    the sentence before goes with every chosen one, as it did for all before."""
    forum = Evidence("forum-de", "Die Funktionen rechnen in lokaler Zeit, außer man setzt "
                     "den Modifikator 'utc'.", url="https://forum.example/t/2", n=1)
    before = "Der Himmel ist heute über der ganzen Stadt blau und klar."
    manual = Evidence("handbuch", f"{before} Die Funktionen rechnen intern immer in UTC. "
                      "Viele Leute trinken am Morgen gern einen starken Kaffee. Ein Wert "
                      "ist eine Zeichenkette. Im Garten blühen im Mai die Rosen.",
                      url="https://docs.example/de/datefunc")
    pool = EvidencePool([forum, manual])
    [sent] = cited_sentences("Die Funktionen rechnen in lokaler Zeit, außer man setzt den "
                             "Modifikator 'utc' [1].")
    [question] = assess(sent, {1: forum}, pool, True, JudgeReads.OTHERS).questions
    assert "Die Funktionen rechnen intern immer in UTC." in question.passage
    assert f"{before} Die Funktionen rechnen intern immer in UTC." in question.passage


def test_the_judge_reads_the_sentence_sharing_the_claims_rare_words() -> None:
    """What the judge reads of a source is ranked by the search's (BM25) score, not by the
    share of the claim's words: three sentences sharing many of the claim's common words
    ("changed file", "folder", "server", "hour": all over the manual) must not push out
    the short one sharing its rare ones ("backup tool", "compression"), which is the one
    that says otherwise. (cheatsheet-2's official sentence was not sent for this reason;
    ``bench/judge_reads.py`` counts such misses on whole pages.)"""
    says = "The backup tool never skips compression."
    many = ["A changed file of a folder is sent to the server once an hour.",
            "The server is sent each changed file of the folder every hour.",
            "Every hour the server lists each changed file it was sent from a folder."]
    filler = ["Each folder on the server holds files.", "A folder lists its files.",
              "The server names each file by its folder.", "Files are read from a folder."]
    manual = Evidence("manual", " ".join([*many, *filler, says]),
                      url="https://docs.example/backup")
    claim = ("The backup tool sends each changed file of a folder to the server every hour "
             "without compression")
    forum = Evidence("forum", f"{claim}.", url="https://forum.example/t/3", n=1)
    pool = EvidencePool([forum, manual])
    [sent] = cited_sentences(f"{claim} [1].")
    found = assess(sent, {1: forum}, pool, True, JudgeReads.OTHERS)
    assert found.conflict is None  # the rules see no contradiction: the judge must read it
    [question] = found.questions
    assert question.key == "manual" and question.sentences  # its sentences, as chosen
    assert says in question.passage
    assert len([m for m in many if m in question.passage]) == JUDGE_SENTENCES - 1
