"""``check_citations`` with a model that judges asks it about the closest other sources of
every claim, not only those the rules leave undecided (``JudgeReads.OTHERS``), and a
contradiction the judge finds there disputes a claim the rules alone verified. The model
call is replaced by the fake LLM's judge, called in process; on a real folder store."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_research.activities import check_memo, checking
from durable_research.config import Settings
from durable_research.contract.citations import Reference
from durable_research.contract.keys import checked_draft_name, run_key, section_name, text_key
from durable_research.research.types import CheckInput
from tests.support.helpers import env_for
from tests.support.judge import fake_judge_calls

BLOG = ("Pickle protocol 4 dates back to Python 3.0, the first release of Python 3. "
        "Pickle protocols are numbered from 0 upwards.")
DOCS = ("The default protocol is 4. It was introduced in Python 3.4, and is incompatible "
        "with previous versions.")
# The first claim's words are all in the blog (the rules verify it), the docs give another
# version; the second is the blog's own words.
SECTION = ("## Pickle\n\nPickle protocol 4 was introduced in Python 3.0 [1]. "
           "Pickle protocols are numbered from 0 upwards [1].")


async def test_the_judge_reads_a_claim_the_rules_verified_and_disputes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "_MEMO", check_memo.CheckMemo())
    sent = fake_judge_calls(monkeypatch)
    activities = checking.CheckingActivities(Settings(
        store=str(tmp_path / "store"), data_dir=str(tmp_path), llm_api_key="k",
        llm_model="openai/fake-model"))
    for h, text in (("a" * 64, BLOG), ("b" * 64, DOCS)):
        await activities.write_text(text_key(h), text)
    section = run_key("report-1", section_name(1))
    await activities.write_text(section, SECTION)
    check = CheckInput(section_keys=[section], use_judge=True, key=checked_draft_name(),
                       references=[Reference(n=1, title="blog", url="https://blog.example/p",
                                             content_hash="a" * 64)],
                       evidence=[Reference(title="docs", url="https://docs.example/pickle",
                                           content_hash="b" * 64)])
    checked = await env_for("report-1").run(activities.check_citations, check)
    assert checked.checked == 2 and checked.supported == 1 and checked.judged == 2
    [disputed] = checked.disputed
    assert disputed.reason == "the judge found a contradiction"
    assert disputed.sentence.startswith("Pickle protocol 4 was introduced")
    assert "Python 3.4" in disputed.other_passage
    assert disputed.stated  # the blog does say it: its passage is what it says
    # The docs join the References as [2], marked as cited by no sentence.
    [added] = checked.added_references
    assert (added.n, added.content_hash, added.cited) == (2, "b" * 64, False)
    # One call; each claim against the other source only (its own source's support is
    # the rules' to settle: JudgeReads.EVERY's (a) is measured, not the product's path),
    # both under one excerpt: the docs' sentences the two claims read, each sent once.
    [prompt] = sent
    asked = {block.split("\n")[0].split(": ", 1)[1]: [c.split(": ", 1)[1] for c in
                                                      block.split("\n")[1:]]
             for block in prompt.strip().split("\n\n")}
    assert asked == {DOCS: ["Pickle protocol 4 was introduced in Python 3.0.",
                            "Pickle protocols are numbered from 0 upwards."]}
    marked = await env_for("report-1").run(activities.read_text, checked.key)
    assert "Python 3.0 [1] [disputed]." in marked
