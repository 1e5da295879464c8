"""Every artifact key shape, pinned byte for byte (contract/keys).

Running histories and stored artifacts are read by these keys: a key that changes
shape orphans a user's notes, drafts, memoised answers and sent-mail ledger. The
expected strings were computed with the code before the keys moved into one module
(the f-strings in activities, workflows, research and store), and stay literal here:
never regenerate them from the functions under test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from durable_research.contract import keys
from durable_research.errors import StoreError

DIGEST = "3ffa733d1eddb96dcda746ae4275cc37e5d5590f1fe279ec876dd6a396e551ea"  # sha256 "tardigrades"
RUN_ID = "0193-run-id"
# What the activities hashed before the move: the bytes of a large answer.
ANSWER_DIGEST = hashlib.sha256(b"a long answer").hexdigest()

PINNED: list[tuple[str, Callable[[], str], str]] = [
    ("text", lambda: keys.text_key(DIGEST), f"texts/{DIGEST}"),
    ("collection", lambda: keys.collection_key(
        "c3aa9744214caf6eb993d6f88f3f1dda3e4e60d59f712b6463c4ce2c4b00dfa1"),
     "collections/c3aa9744214caf6eb993d6f88f3f1dda3e4e60d59f712b6463c4ce2c4b00dfa1"),
    ("embedding", lambda: keys.embedding_key("openai/text-embedding-3-small",
                                             ["first passage", "second"]),
     "embeddings/3d0b02d049d370f4/"
     "e31f9f07d8631117f7a2fea670b47d67cbefdcdbc68e78bad3b4443905cc3252"),
    ("embedding-none", lambda: keys.embedding_key("m", []),
     "embeddings/62c66a7a5dd70c31/"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("probe", lambda: keys.probe_key("0123456789abcdef"), "doctor/probe-0123456789abcdef"),
    # Run folders: plain ids are their own names; others a readable part, "=" and a hash.
    ("prefix-plain", lambda: keys.run_prefix("report-0123abcd4567"),
     "runs/report-0123abcd4567/"),
    ("prefix-child", lambda: keys.run_prefix("report-x/q2"), "runs/report-x/"),
    ("prefix-grandchild", lambda: keys.run_prefix("report-a/q1/deeper"), "runs/report-a/"),
    ("prefix-underscore", lambda: keys.run_prefix("a_b"), "runs/a_b/"),
    ("prefix-200", lambda: keys.run_prefix("a" * 200), f"runs/{'a' * 200}/"),
    ("prefix-250", lambda: keys.run_prefix("x" * 250),
     f"runs/{'x' * 48}=086d4a1c293bde318dc1fec9a21b9d82/"),
    ("prefix-space", lambda: keys.run_prefix("My Report"),
     "runs/my_report=14df3d2ed0c5b59435a2ebbb262898da/"),
    ("prefix-unicode", lambda: keys.run_prefix("\u00dcn\u00efcode id/q1"),
     "runs/n_code_id=060a45cb8c63c7c923b54b7d2066f734/"),
    ("prefix-upper", lambda: keys.run_prefix("UPPER"),
     "runs/upper=9cba1c6593a62cf5e44b2d18a7331e5c/"),
    ("prefix-lead", lambda: keys.run_prefix("-lead"),
     "runs/lead=54e05a0bef38bd81404e5a27c05c9124/"),
    ("prefix-dot", lambda: keys.run_prefix("."), "runs/x=cdb4ee2aea69cc6a83331bbe96dc2caa/"),
    ("segment-space", lambda: keys.id_segment("My Report"),
     "my_report=14df3d2ed0c5b59435a2ebbb262898da"),
    ("run-notes", lambda: keys.run_key("report-x/q2", keys.notes_name(1)),
     "runs/report-x/q2/notes-r1.json"),
    ("run-section", lambda: keys.run_key("report-x", keys.section_name(1)),
     "runs/report-x/sections/01.md"),
    ("run-odd-parent", lambda: keys.run_key("My Report/q3", keys.notes_name(2)),
     "runs/my_report=14df3d2ed0c5b59435a2ebbb262898da/q3/notes-r2.json"),
    ("run-unsafe-name", lambda: keys.run_key("report-x", "../evil name/.x"),
     "runs/report-x/x../evil_name/x.x"),
    ("run-odd-child", lambda: keys.run_key("report-x/Q 1", "a//b"),
     "runs/report-x/q_1=53aeb28579b498b09b19e4cd786b7f0b/a/b"),
    ("meta", lambda: keys.meta_key(keys.run_key("report-x/q2", keys.notes_name(1))),
     "runs/report-x/q2/notes-r1.json.meta"),
    # Names the workflows choose.
    ("notes", lambda: keys.notes_name(1), "notes-r1.json"),
    ("conflicts", keys.conflicts_name, "conflicts.json"),
    ("section-conflicts", lambda: keys.section_conflicts_name(3), "conflicts/03.json"),
    ("section-1", lambda: keys.section_name(1), "sections/01.md"),
    ("section-12", lambda: keys.section_name(12), "sections/12.md"),
    ("section-100", lambda: keys.section_name(100), "sections/100.md"),
    ("summary", keys.summary_name, "sections/00-summary.md"),
    ("checked-draft", keys.checked_draft_name, "draft-checked.md"),
    # Names the activities choose.
    ("llm-answer", lambda: keys.llm_answer_name(RUN_ID, "openai/gpt-4o-mini", "sys",
                                                "prompt text"),
     "llm/answers/0193-run-id-429732cc25c8dd7f819cdfffedd20d62.json"),
    ("llm-answer-full", lambda: keys.run_key("report-x/q1", keys.llm_answer_name(
        RUN_ID, "openai/gpt-4o-mini", "sys", "prompt text")),
     "runs/report-x/q1/llm/answers/0193-run-id-429732cc25c8dd7f819cdfffedd20d62.json"),
    ("llm-text", lambda: keys.llm_text_name(ANSWER_DIGEST),
     "llm/8567ce5da7f86d46e097fcf7a72e408c.md"),
    ("llm-text-full", lambda: keys.run_key("report-x/q1", keys.llm_text_name(ANSWER_DIGEST)),
     "runs/report-x/q1/llm/8567ce5da7f86d46e097fcf7a72e408c.md"),
    ("fetch-memo", lambda: keys.shared_run_key(
        "report-x/q1", keys.fetch_memo_name("https://example.org/a?b=1")),
     "runs/report-x/fetch/aa8f8f8dbc8c01c454e74d52eeeb245c.json"),
    ("mail-ledger", lambda: keys.mail_ledger_name("report-x/0193-run-id/report"),
     "mail/58fdca46a0ae63f0e7e99d25fecbe2b3.json"),
    ("mail-ledger-full", lambda: keys.run_key(
        "report-x", keys.mail_ledger_name("report-x/0193-run-id/report")),
     "runs/report-x/mail/58fdca46a0ae63f0e7e99d25fecbe2b3.json"),
    ("agent-folder", lambda: keys.agent_folder(RUN_ID), "agent/0193-run-id"),
    ("agent-turn", lambda: keys.agent_turn_name("agent/0193-run-id", 7),
     "agent/0193-run-id/turn-007.json"),
    ("agent-result", lambda: keys.agent_result_name("agent/0193-run-id", 7, 2),
     "agent/0193-run-id/turn-007-call-2.txt"),
    ("agent-result-full", lambda: keys.run_key("report-x/q1", keys.agent_result_name(
        keys.agent_folder(RUN_ID), 0, 0)),
     "runs/report-x/q1/agent/0193-run-id/turn-000-call-0.txt"),
    ("agent-record", lambda: keys.agent_call_record_key("runs/r/q1/agent/x/turn-000-call-0.txt"),
     "runs/r/q1/agent/x/turn-000-call-0.txt.out.json"),
    ("agent-sources", lambda: keys.agent_sources_key("agent/x/turn-001-call-3.txt"),
     "agent/x/turn-001-call-3.sources.json"),
    ("agent-note", lambda: keys.agent_note_key("agent/x/turn-001-call-3.txt"),
     "agent/x/turn-001-call-3.note.json"),
    ("page-links", lambda: keys.page_links_name(DIGEST), f"links/{DIGEST[:32]}.json"),
    ("report", lambda: keys.report_name(RUN_ID, "report.pdf"), "report/0193-run-id/report.pdf"),
    ("report-full", lambda: keys.run_key("report-x", keys.report_name("Run.ID+1",
                                                                       "Report file.pdf")),
     "runs/report-x/report/Run.ID_1/Report_file.pdf"),
    ("written", lambda: keys.written_name(RUN_ID), "report/0193-run-id/written.json"),
    ("legacy-report", lambda: keys.legacy_report_name("report.pdf"), "report/report.pdf"),
    ("changes-snapshot", keys.changes_snapshot_name, "changes/snapshot.json"),
    ("changes-body", keys.changes_body_name, "changes/body.md"),
    ("changes-snapshot-of-a-scheduled-run", lambda: keys.run_key(
        "scheduled-s1-2026-12-07T07:00:00Z", keys.changes_snapshot_name()),
     "runs/scheduled-s1-2026-12-07t07_00_00z=3bfcc324f2f8af138c18626545f696ac/changes/"
     "snapshot.json"),
]


@pytest.mark.parametrize(("build", "expected"), [(b, e) for _, b, e in PINNED],
                         ids=[name for name, _, _ in PINNED])
def test_every_key_keeps_its_shape(build: Callable[[], str], expected: str) -> None:
    assert build() == expected


def test_shared_keys_are_the_content_addressed_ones() -> None:
    assert keys.SHARED_PREFIXES == ("texts/", "collections/")
    assert keys.is_collection_key(keys.collection_key(DIGEST))
    assert not keys.is_collection_key(keys.text_key(DIGEST))


@pytest.mark.parametrize("digest", ["", DIGEST.upper(), DIGEST[:-1], f"../{DIGEST[3:]}",
                                    DIGEST + "0"])
def test_text_keys_take_only_sha256_digests(digest: str) -> None:
    with pytest.raises(StoreError, match="not a sha256 digest"):
        keys.text_key(digest)


@pytest.mark.parametrize(
    "key", ["../x", "a/../b", "/abs", "a//b", "", "a/", ".hidden", "sp ace", "x" * 600]
)
def test_malformed_keys_are_refused(key: str) -> None:
    with pytest.raises(StoreError, match="invalid artifact key"):
        keys.validate_key(key)


def test_a_key_too_long_for_the_store_is_refused_when_built() -> None:
    with pytest.raises(StoreError, match="invalid artifact key"):
        keys.run_key("report-x", "/".join(["n" * 120] * 5))


# --- run folders (issue 25, finding 4) ---

# Ids a key holder may choose (any client, not only the CLI) next to ids of other runs:
# each pair sanitised to one folder, so one run read and mailed the other's files.
SAME_FOLDER_BEFORE = [
    ("a_b", "a b"), ("a_b", "a\tb"), ("x.a", ".a"), ("x_a", "_a"), ("report-1", "Report-1"),
    ("a" * 120 + "1", "a" * 120 + "2"), ("a=b_", "a=b?"), ("r_", "r\u00e9"),
]


@pytest.mark.parametrize(("victim", "other"), SAME_FOLDER_BEFORE)
def test_workflow_ids_never_share_a_store_folder(victim: str, other: str) -> None:
    """Two different ids never map to one folder, nor to folders that differ only in
    case (a directory store on macOS or Windows would merge them)."""
    assert keys.run_prefix(victim).lower() != keys.run_prefix(other).lower()
    # Nor does one's child (``<id>/q1``) land in the other's folder.
    child = keys.run_key(f"{other}/q1", "x")
    assert not child.lower().startswith(keys.run_prefix(victim).lower())
    theirs = keys.run_key(victim, "report/r1/report.pdf")
    with pytest.raises(StoreError, match="belongs to another run"):
        keys.readable_key(other, theirs)
    assert keys.readable_key(victim, theirs) == theirs
    assert keys.readable_key(other, keys.text_key(DIGEST)) == f"texts/{DIGEST}"


def test_plain_ids_keep_their_folder_names() -> None:
    """Ids as the CLI makes and accepts them are their own folder names (readable, and the
    stores of earlier versions keep working); everything else carries a hash."""
    odd = keys.run_prefix("My Report")
    assert odd.startswith("runs/my_report=") and len(odd) < 100
    long = keys.run_prefix("x" * 1000)
    assert long.startswith("runs/xxx") and len(long) < 100


def test_embedding_keys_tell_groups_and_models_apart() -> None:
    assert keys.embedding_key("m", ["ab", "c"]) != keys.embedding_key("m", ["a", "bc"])
    assert keys.embedding_key("m", ["x"]) != keys.embedding_key("n", ["x"])
