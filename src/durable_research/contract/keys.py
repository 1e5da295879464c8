"""Every artifact-store key shape: the one place a key is spelled.

Why here, in the contract: the names of a run's artifacts are chosen by workflow code
(``notes-r1.json``, ``sections/01.md``) and turned into keys by the activities
(``runs/<workflow id>/...``); the client reads report files by the same keys, and the
store validates them. Workflow code may import the contract but never ``store/`` (an
I/O wing: tests/unit/test_import_graph.py), so the module every side shares lives
where every side may import it. Like the rest of the contract, it is pure (strings and
hashes, no I/O) and changing it changes what running histories and stored artifacts
mean: every function's output is pinned byte for byte by tests/unit/core/test_keys.py,
and tests/unit/test_keys_owned.py fails when a key is spelled anywhere else.

The shapes:

- shared, content-addressed (anyone may read them: knowing the key means knowing the
  content): ``texts/<sha256>``, ``collections/<sha256 of the manifest>``,
  ``embeddings/<model digest>/<texts digest>``;
- a run's folder, ``runs/<root workflow id>/``, holding the names below (child
  workflows, ids ``<parent id>/<name>``, get sub-folders);
- ``doctor/probe-<hex>``: ``research doctor``'s probe.

Workflow ids map to folders injectively, so no id a client chooses can name another
run's folder: an id made only of lower-case letters, digits and ``._-`` (what the CLI
makes) is its own folder name; any other id (upper case, spaces, ``=``, non-ASCII, too
long) becomes a readable part, ``=`` and a hash of the whole id. ``=`` never occurs in
a plain name, so the two kinds never meet, and no two run folders differ only in case (a
directory store on macOS or Windows would merge them).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from durable_research.errors import StoreError

# A key: ``/``-separated parts of letters, digits and ``._=-``, each starting with a
# letter or digit (so no ``..`` walks up, no leading ``/``, no hidden file).
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=-]*(/[A-Za-z0-9][A-Za-z0-9._=-]*)*$")
MAX_KEY_CHARS = 512
_DIGEST = re.compile(r"[0-9a-f]{64}")

TEXTS = "texts/"
COLLECTIONS = "collections/"
EMBEDDINGS = "embeddings/"
RUNS = "runs/"
# Keys anyone may read: content-addressed, so knowing the key means knowing the content.
SHARED_PREFIXES = (TEXTS, COLLECTIONS)
# "_doctor/" would be clearer but is not a valid key (keys start with a letter or digit).
PROBE_FOLDER = "doctor"
# A run's report files: under the Temporal run id, so a new run with a re-used --id
# (same workflow id, same folder) never replaces or attaches an earlier run's report.
REPORT_FOLDER = "report"
# Where a stored LLM step keeps its record (model, usage, summary) beside its text.
META_SUFFIX = ".meta"

# Plain ids: their own folder name. 200 characters: every id the CLI accepts.
_PLAIN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
_NOT_PLAIN = re.compile(r"[^a-z0-9._-]+")
# 128 bits: no one can make a second id with the hash of another.
_HASH_CHARS = 32
_READABLE_CHARS = 48
# Names of a run's own files, chosen by the activities' code (not by a client).
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key (no ``..``, no leading ``/``).

    Raises:
        StoreError: The key is malformed (a programming error or a forged input).
    """
    if len(key) > MAX_KEY_CHARS or not _KEY.match(key) or ".." in key.split("/"):
        raise StoreError(f"invalid artifact key {key[:80]!r}")
    return key


# Shared, content-addressed keys.

def text_key(digest: str) -> str:
    """``texts/<sha256>``: an extracted text with the given sha256 digest.

    Raises:
        StoreError: ``digest`` is not a sha256 hex digest (a forged input).
    """
    if not _DIGEST.fullmatch(digest):
        raise StoreError(f"not a sha256 digest: {digest[:80]!r}")
    return f"{TEXTS}{digest}"


def collection_key(manifest_digest: str) -> str:
    """``collections/<sha256>``: a collection's manifest, by the digest of its bytes."""
    return f"{COLLECTIONS}{manifest_digest}"


def is_collection_key(key: str) -> bool:
    """Whether ``key`` names a collection manifest."""
    return key.startswith(COLLECTIONS)


def embedding_key(model: str, texts: Sequence[str]) -> str:
    """``embeddings/<model digest>/<texts digest>``: the vectors of ``texts`` (in order)
    under ``model``; the texts are length-prefixed, so no two groups share a key."""
    digest = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return f"{EMBEDDINGS}{_sha256(model)[:16]}/{digest.hexdigest()}"


def probe_key(token: str) -> str:
    """``doctor/probe-<token>``: one ``research doctor`` round trip (a fresh token each,
    so concurrent doctors never read each other's probe)."""
    return f"{PROBE_FOLDER}/probe-{token}"


# A run's folder.

def id_segment(workflow_id_part: str) -> str:
    """The folder name of one ``/``-separated part of a workflow id (injective)."""
    if _PLAIN_ID.fullmatch(workflow_id_part):
        return workflow_id_part
    digest = hashlib.sha256(workflow_id_part.encode("utf-8", "surrogatepass")).hexdigest()
    readable = _NOT_PLAIN.sub("_", workflow_id_part.lower())[:_READABLE_CHARS].strip("._-")
    return f"{readable or 'x'}={digest[:_HASH_CHARS]}"


def _name_part(text: str) -> str:
    seg = _UNSAFE.sub("_", text)[:120] or "_"
    return seg if seg[0].isalnum() else f"x{seg}"


def run_prefix(workflow_id: str) -> str:
    """``runs/<root id>/``: the folder of a report run and all its child workflows."""
    return f"{RUNS}{id_segment(workflow_id.split('/')[0])}/"


def run_key(workflow_id: str, name: str) -> str:
    """The key for ``name`` (``a/b.json``) in the folder of ``workflow_id`` (a child
    workflow's in its sub-folder); each part of ``name`` made safe.

    Raises:
        StoreError: The key would be too long.
    """
    parts = [id_segment(p) for p in workflow_id.split("/")[1:]]
    parts += [_name_part(p) for p in name.split("/") if p]
    return validate_key(run_prefix(workflow_id) + "/".join(parts))


def shared_run_key(workflow_id: str, name: str) -> str:
    """The key for ``name`` in the folder of the whole run (the report and its children
    share it), ``name`` taken as it is: only code-made names (:func:`fetch_memo_name`).

    Raises:
        StoreError: ``name`` makes no valid key.
    """
    return validate_key(run_prefix(workflow_id) + name)


def readable_key(workflow_id: str, key: str) -> str:
    """Return ``key`` if the run of ``workflow_id`` may read it.

    Raises:
        StoreError: The key belongs to another run (a forged input).
    """
    validate_key(key)
    if key.startswith(SHARED_PREFIXES) or key.startswith(run_prefix(workflow_id)):
        return key
    raise StoreError(f"key {key[:80]!r} belongs to another run")


def meta_key(key: str) -> str:
    """The key of the record (model, usage, summary) of the stored step text ``key``."""
    return f"{key}{META_SUFFIX}"


# Names inside a run's folder, chosen by workflow code (passed in activity inputs).

def notes_name(round_: int) -> str:
    """A sub-question's notes of one search round."""
    return f"notes-r{round_}.json"


def conflicts_name() -> str:
    """Where the notes' sources disagree (compare_notes)."""
    return "conflicts.json"


def section_conflicts_name(number: int) -> str:
    """Where the notes of section ``number``'s sources disagree with those of the sections
    before it (compare_notes while later sub-questions still run)."""
    return f"conflicts/{number:02d}.json"


def section_name(number: int) -> str:
    """Section ``number`` (1-based) of the report's body."""
    return f"sections/{number:02d}.md"


def summary_name() -> str:
    """The opening summary (sorts before section 01)."""
    return "sections/00-summary.md"


def checked_draft_name() -> str:
    """The draft after the citation check: the report's body."""
    return "draft-checked.md"


# Names inside a run's folder, chosen by activity code.

def changes_snapshot_name() -> str:
    """What a scheduled run's report rests on (cited sources and claims): the next run of
    the schedule compares itself with it."""
    return "changes/snapshot.json"


def changes_body_name() -> str:
    """A scheduled run's body with "What changed since the last run" in front."""
    return "changes/body.md"


def llm_answer_name(run_id: str, model: str, system: str, prompt: str) -> str:
    """The saved answer of one exact model call in one Temporal run (paid once)."""
    digest = _sha256(f"{model}\0{system}\0{prompt}")
    return f"llm/answers/{run_id}-{digest[:32]}.json"


def llm_text_name(text_digest: str) -> str:
    """A model answer too large for the history, by its sha256 digest."""
    return f"llm/{text_digest[:32]}.md"


def fetch_memo_name(url: str) -> str:
    """The saved fetch of ``url`` (one per URL and run: see :func:`shared_run_key`)."""
    return f"fetch/{_sha256(url)[:32]}.json"


def mail_ledger_name(message_key: str) -> str:
    """The sent-mail ledger's entry of the mail with ``message_key``."""
    return f"mail/{_sha256(message_key)[:32]}.json"


def report_name(run_id: str, file_name: str) -> str:
    """One of a run's report files: ``report/<run id>/<file>``."""
    return f"{REPORT_FOLDER}/{run_id}/{file_name}"


def legacy_report_name(file_name: str) -> str:
    """A report file as versions before run ids in the key wrote it: ``report/<file>``
    (read only: a run in flight during the upgrade may still attach one)."""
    return f"{REPORT_FOLDER}/{file_name}"


def written_name(run_id: str) -> str:
    """The record of what a run's ``create_pdf`` wrote (stem, paths)."""
    return report_name(run_id, "written.json")


# The research agent's names: its folder (chosen by workflow code) and what its steps
# keep there (each model turn's answer, each tool call's result, record and note).

def agent_folder(run_id: str) -> str:
    """``agent/<run id>``: one agent run's steps, in its sub-question's folder."""
    return f"agent/{run_id}"


def agent_turn_name(folder: str, turn: int) -> str:
    """The model's answer of turn ``turn`` (0-based): its tool calls."""
    return f"{folder}/turn-{turn:03d}.json"


def agent_result_name(folder: str, turn: int, call: int) -> str:
    """The result (the text the model reads) of call ``call`` of turn ``turn``."""
    return f"{folder}/turn-{turn:03d}-call-{call}.txt"


def agent_call_record_key(result_key: str) -> str:
    """The record of a completed tool call (its output), beside its result."""
    return f"{result_key}.out.json"


def agent_note_key(result_key: str) -> str:
    """The note (a JSON list of one, as notes are stored) a ``note`` call made."""
    return f"{result_key.removesuffix('.txt')}.note.json"


def agent_sources_key(result_key: str) -> str:
    """The agent's source table ([n] is entry n) after the call whose result this is."""
    return f"{result_key.removesuffix('.txt')}.sources.json"


def page_links_name(text_digest: str) -> str:
    """The links of the fetched page whose text has this digest (per run)."""
    return f"links/{text_digest[:32]}.json"
