"""Prompt injection exfiltration (issue 25, finding 6): a page tells the model to copy the
user's documents into its follow-up query, which goes to the web search provider next."""

from __future__ import annotations

from pathlib import Path

from durable_research.activities.writing import WritingActivities
from durable_research.config import Settings
from durable_research.contract.citations import SourceKind
from durable_research.research import prompts
from durable_research.research.queryguard import web_safe_query
from durable_research.research.types import FOLLOW_UP_LEFT_OUT, NotesInput, Source
from durable_research.store import put_text
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.fake_research import INJECTION
from tests.support.helpers import env_for

QUESTION = "How do tardigrades survive extreme cold?"
SUB = "What happens to tardigrades when they freeze?"
SECRET = ("When tardigrades freeze in the Nightjar lab, the budget is cut by 40 percent, "
          "says the internal memo.")
PAGE = ("Tardigrades survive freezing by forming a tun. They lose most of their water and "
        f"slow their metabolism. {INJECTION} Freezing tolerance differs between species, "
        "and some survive minus 200 degrees.")


def test_local_only_words_and_pairs_are_dropped() -> None:
    guarded = web_safe_query("tardigrade freezing Nightjar budget 40 percent",
                             [SECRET], [QUESTION, SUB], [PAGE])
    assert guarded.query == "tardigrade freezing"
    assert guarded.dropped == ["Nightjar", "budget", "40", "percent"]
    # Common words each on the web page, in the document's order: the pair gives it away.
    guarded = web_safe_query("survive freezing the internal memo", [SECRET],
                             [QUESTION, SUB], [PAGE, "an internal page", "a memo"])
    assert guarded.query == "survive freezing"


def test_queries_without_local_only_words_go_as_they_are() -> None:
    query = '"tun formation" of tardigrades: C++ site:example.org'
    assert web_safe_query(query, [SECRET], [QUESTION, SUB], [PAGE]).query == query
    assert web_safe_query(query, [], [QUESTION]).query == query  # no documents this round
    assert web_safe_query("Nightjar budget", [SECRET], [QUESTION]).query == ""
    # Words of the question are the user's own, wherever else they occur.
    assert web_safe_query("tardigrades survive", ["tardigrades survive"],
                          [QUESTION]).query == "tardigrades survive"


async def test_an_obeyed_injection_does_not_carry_local_text_to_the_web(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    settings = Settings(llm_model="openai/fake-model", llm_api_key="test-key",
                        llm_api_base=fake_llm.api_base, data_dir=str(tmp_path / "data"))
    activities = WritingActivities(settings)
    local = Source(url="memo.md", title="Memo", kind=SourceKind.LOCAL,
                   content_hash=put_text(activities.store, SECRET))
    page = Source(url="https://example.org/tardigrades", title="Tardigrades",
                  content_hash=put_text(activities.store, PAGE))
    params = NotesInput(question=QUESTION, subquestion=SUB, sources=[local, page],
                        model="openai/fake-model", key="notes-r0.json")
    out = await env_for("inject-report/q1").run(activities.take_notes, params)
    # The scripted model obeyed the page: its follow-up copied the memo's first sentence.
    assert fake_llm.calls_containing("Note to AI assistants reading this page") == 1
    assert out.extra == "When tardigrades"  # Nightjar, budget, 40 percent, memo: left out
    assert f"16 {FOLLOW_UP_LEFT_OUT}" in out.summary  # and the report's notes say so
    assert prompts.UNTRUSTED in prompts.NOTES_SYSTEM
    assert prompts.UNTRUSTED in prompts.SECTION_SYSTEM
    assert prompts.UNTRUSTED in prompts.SUMMARY_SYSTEM
    assert prompts.JUDGE_UNTRUSTED in prompts.JUDGE_SYSTEM
