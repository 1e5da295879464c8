"""``prepare_check`` does the citation check's work ahead, and the check's result stays the
same: the same marked draft and findings whether the check was prepared or not (rules only:
the model is one measured not to judge, so no LLM is asked); on a real folder store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from durable_research.activities import check_memo, checking
from durable_research.activities.checking import CheckingActivities
from durable_research.config import Settings
from durable_research.contract.citations import Reference
from durable_research.contract.keys import checked_draft_name, run_key, text_key
from durable_research.research import evidence
from durable_research.research.types import CheckInput, CheckResult
from tests.support.helpers import env_for

TEXTS = {
    "a" * 64: "Larkspur Queue delivers every message at least once. A message stays in its "
              "queue until a consumer acknowledges it, so a crash does not lose it.",
    "b" * 64: "The broker listens on TCP port 7450 by default. The default maximum message "
              "size is 4 MiB, and every setting can be given on the command line.",
    "c" * 64: "Larkspur Queue's broker listens on TCP port 7451 by default, not 7450.",
}
SECTIONS = {
    "sections/01.md": "## Delivery\n\nLarkspur Queue delivers every message at least once [1]. "
                      "A message stays in its queue until a consumer acknowledges it [1].",
    "sections/02.md": "## Broker\n\nThe broker listens on TCP port 7450 by default [2]. "
                      "The default maximum message size is 16 MiB [2].",
}
# The summary repeats a section's sentence and adds one of its own.
SUMMARY = ("sections/00-summary.md", "Larkspur Queue delivers every message at least once "
           "[1]. The broker listens on TCP port 7450 by default [2].")
REFS = [Reference(n=1, title="delivery", url="https://example.org/1", content_hash="a" * 64),
        Reference(n=2, title="broker", url="https://example.org/2", content_hash="b" * 64)]
EVIDENCE = [Reference(title="other", url="https://example.net/3", content_hash="c" * 64)]


def _settings(tmp: Path) -> Settings:
    return Settings(store=str(tmp / "store"), data_dir=str(tmp), llm_api_key="k",
                    llm_model="openai/smollm2-135m-instruct",
                    llm_api_base="http://127.0.0.1:9/v1")


async def _report(activities: CheckingActivities, wid: str) -> CheckInput:
    """A report's sections and summary in the store; the check of all of them."""
    for h, text in TEXTS.items():
        await activities.write_text(text_key(h), text)
    keys = []
    for name, text in [SUMMARY, *SECTIONS.items()]:
        await activities.write_text(run_key(wid, name), text)
        keys.append(run_key(wid, name))
    return CheckInput(question="How does Larkspur Queue work?", section_keys=keys,
                      references=REFS, evidence=EVIDENCE, key=checked_draft_name())


def _pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the evidence pools built (the slow part the preparation takes ahead)."""
    built: list[int] = []
    real = evidence.EvidencePool.__init__

    def counted(self: evidence.EvidencePool, sources: list[evidence.Evidence]) -> None:
        built.append(len(sources))
        real(self, sources)

    monkeypatch.setattr(evidence.EvidencePool, "__init__", counted)
    return built


def _findings(result: CheckResult) -> dict[str, object]:
    """What a check found, without the key it stored the draft at (one per run)."""
    return {k: v for k, v in asdict(result).items() if k != "key"}


async def test_a_prepared_check_finds_what_an_unprepared_one_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "_MEMO", check_memo.CheckMemo())
    built = _pools(monkeypatch)
    activities = CheckingActivities(_settings(tmp_path))
    plain_env, ahead_env = env_for("report-plain"), env_for("report-ahead")
    plain_in = await _report(activities, "report-plain")
    plain = await plain_env.run(activities.check_citations, plain_in)
    assert built == [3]  # the two references and the other source
    assert plain.disputed and plain.supported  # 7450 against 7451: a finding to compare

    ahead_in = await _report(activities, "report-ahead")
    # Prepared while the summary is written: the sections only.
    assessed = await ahead_env.run(activities.prepare_check,
                                   replace(ahead_in, section_keys=ahead_in.section_keys[1:]))
    assert assessed == 4 and built == [3, 3]
    ahead = await ahead_env.run(activities.check_citations, ahead_in)
    assert built == [3, 3]  # the check used the prepared pool
    assert _findings(ahead) == _findings(plain)
    marked = await ahead_env.run(activities.read_text, ahead.key)
    assert marked == await plain_env.run(activities.read_text, plain.key)
    assert "[disputed]" in marked


async def test_a_check_unlike_the_prepared_one_does_its_own_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "_MEMO", check_memo.CheckMemo())
    built = _pools(monkeypatch)
    activities = CheckingActivities(_settings(tmp_path))
    env = env_for("report-other")
    check = await _report(activities, "report-other")
    await env.run(activities.prepare_check, replace(check, evidence=[]))
    checked = await env.run(activities.check_citations, check)
    assert built == [2, 3]  # other sources: built again, with the third
    assert checked.disputed
    # Another run of the same workflow id (a re-used --id) never takes it either.
    await env.run(activities.prepare_check, check)
    again = await env_for("report-other", run_id="run-2").run(
        activities.check_citations, replace(check, key="draft-checked-2.md"))
    assert built == [2, 3, 3, 3] and again.disputed


async def test_the_preparation_indexes_and_assesses_in_the_workers_cpu_pool(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The index and the assessments are seconds of CPU beside the report's last sections
    # and summary: in the worker's interpreter they held the GIL those steps need.
    monkeypatch.setattr(checking, "_MEMO", check_memo.CheckMemo())
    sent: list[str] = []

    async def recorded(func: Callable[..., object], *args: object) -> object:
        sent.append(func.__name__)
        return func(*args)

    monkeypatch.setattr(checking, "in_process", recorded)
    activities = CheckingActivities(_settings(tmp_path))
    env = env_for("report-pooled")
    check = await _report(activities, "report-pooled")
    # The first section written by then, then all of them (keys: the summary first).
    await env.run(activities.prepare_check, replace(check, section_keys=check.section_keys[1:2]))
    assert sent == ["assess_claims"]  # the index built and the section assessed there
    await env.run(activities.prepare_check, check)
    assert sent == ["assess_claims"] * 2  # the rest, with the index built before
    checked = await env.run(activities.check_citations, check)
    assert sent == ["assess_claims"] * 2  # nothing left but the judge and the marks
    assert checked.disputed and checked.supported


def test_the_memo_keeps_the_latest_few() -> None:
    memo = check_memo.CheckMemo(size=2)
    pool = evidence.EvidencePool([])
    for run in ("r1", "r2", "r3"):
        memo.put(run, "k", check_memo.Prepared((), [], pool, True, {}))
    assert memo.take("r1", "k", (), True) is None  # the oldest went
    assert memo.take("r2", "k", (), False) is None  # another judge setting
    assert memo.take("r2", "k", (), True) is None  # taken (and dropped) just before
    assert memo.take("r3", "k", (), True) is not None
