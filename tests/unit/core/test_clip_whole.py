"""How a quoted passage is cut (``contract.citations.clip_whole``): after a whole
sentence, never mid-word."""

from __future__ import annotations

from durable_research.contract.citations import clip_whole


def test_a_passage_is_cut_after_its_last_whole_sentence() -> None:
    text = "The broker keeps queues on disk. " * 3 + "Then the queue depth is reported."
    assert clip_whole(text, 120) == ("The broker keeps queues on disk. " * 3).rstrip() + " …"
    assert clip_whole("Short.\n  Enough.", 120) == "Short. Enough."


def test_a_gap_or_an_early_abbreviation_is_no_place_to_stop() -> None:
    # The last end within the limit is an excerpt's gap: cut before it, one mark left.
    assert clip_whole("First sentence here, long enough. … second part goes on", 40) == (
        "First sentence here, long enough. …")
    # Only an abbreviation ends in the first third: cut at a word instead.
    assert clip_whole("See e.g. the broker documentation for the queue depth", 30) == (
        "See e.g. the broker …")
