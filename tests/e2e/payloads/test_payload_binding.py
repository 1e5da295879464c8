"""Encrypted payloads are bound to their workflow (issue 25, findings 3 and two Lows).

Attacks by someone without the key who can read histories and talk to the server (a
second local user, a stolen Temporal credential): replay an encrypted input into a new
workflow, read failure messages, wedge a run with one plaintext Signal or Update.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import uuid
from dataclasses import replace
from types import SimpleNamespace
from typing import cast

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.converter import (
    ActivitySerializationContext,
    SerializationContext,
    WorkflowSerializationContext,
)
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from durable_research.client.reports import failure_message
from durable_research.config import Settings
from durable_research.contract.report import ReportInput
from durable_research.contract.review import UPDATE_REVIEW, ReviewInput, ReviewOutcome
from durable_research.errors import root_cause
from durable_research.payloads.binding import (
    FORMAT_KEY,
    PAYLOAD_BOUND_ELSEWHERE,
    UNDECODABLE,
    WORKFLOW_ID_KEY,
    PayloadBoundElsewhereError,
    PayloadDecodeError,
)
from durable_research.payloads.codec import (
    ENCODING,
    KEY_ID_KEY,
    EncryptionCodec,
    Keyring,
    data_converter,
    key_id,
    new_key,
    worker_data_converter,
)
from durable_research.payloads.converter import ENCODED_FAILURE, STACK_TRACE_CHARS
from durable_research.testing.fake_llm import FakeLLM
from durable_research.workflows.subquestion import PROGRESS_SIGNAL
from tests.support.helpers import start, wait_for_step

QUESTION = "Where does Aunt Mildred hide the spare key to the greenhouse?"


async def _history_types(client: Client, workflow_id: str) -> list[int]:
    return [e.event_type async for e in client.get_workflow_handle(workflow_id)
            .fetch_history_events()]


# ----- replay: an input copied from one history into a new workflow -------------------


async def test_copied_start_input_starts_no_work(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str,
) -> None:
    # The user's report, on a queue nobody works: its encrypted input waits in its history.
    idle = replace(settings, task_queue=f"idle-{uuid.uuid4().hex[:8]}")
    victim = await start(client, idle, prompt=QUESTION, email_to="mildred@example.org")
    keyless = await Client.connect(temporal_address)  # no codec, no key
    started = (await keyless.get_workflow_handle(victim.id).fetch_history()).events[0]
    copied = [RawValue(p) for p in
              started.workflow_execution_started_event_attributes.input.payloads]
    try:
        for n in range(3):
            copy = await keyless.start_workflow(
                "GenerateReportWorkflow", args=copied, id=f"replay-{n}-{uuid.uuid4().hex[:8]}",
                task_queue=settings.task_queue)
            with pytest.raises(WorkflowFailureError) as info:
                await asyncio.wait_for(client.get_workflow_handle(copy.id).result(), 60)
            message = root_cause(info.value)
            assert f"bound to workflow {victim.id!r}" in message, message
            assert copy.id in message
            types = await _history_types(client, copy.id)
            assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in types
            assert EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED not in types
            # Failed at once, not retried: one workflow task, then the failure.
            assert types.count(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) == 0
            assert types[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
        assert fake_llm.calls == 0
    finally:
        await victim.terminate("test cleanup")


# ----- failure messages are encrypted like every other payload ----------------------------


async def test_failure_messages_are_not_stored_in_clear(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str,
) -> None:
    folder = "/tmp/mildreds-private-greenhouse-notes"
    handle = await client.start_workflow(
        "GenerateReportWorkflow", ReportInput(prompt=QUESTION, output_dir=folder),
        id=f"fails-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue)
    with pytest.raises(WorkflowFailureError) as info:
        await asyncio.wait_for(handle.result(), 60)
    # The key holder reads why ...
    assert "output root" in root_cause(info.value) and folder in root_cause(info.value)
    # ... the server, its database and a keyless reader of the history do not.
    keyless = await Client.connect(temporal_address)
    history = await keyless.get_workflow_handle(handle.id).fetch_history()
    types = {e.event_type for e in history.events}
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED in types
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED in types
    raw = b"".join(e.SerializeToString() for e in history.events)
    for clear in (folder, "mildreds-private", "output root", "RESEARCH_OUTPUT_DIR"):
        assert clear.encode() not in raw, clear


# ----- a keyless Signal or Update is refused without wedging the run ----------------------


async def test_plain_signal_and_update_do_not_wedge_a_run(
    client: Client, settings: Settings, worker: Worker, fake_llm: FakeLLM,
    temporal_address: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    handle = await start(client, settings, prompt=QUESTION, review=True)
    await wait_for_step(handle, "waiting for review")
    keyless = await Client.connect(temporal_address)
    theirs = keyless.get_workflow_handle(handle.id)
    await theirs.signal(PROGRESS_SIGNAL, {"index": 0, "state": "done"})
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await asyncio.wait_for(theirs.execute_update(UPDATE_REVIEW, {"action": "approve"}), 30)
    # Refused before its validator; the reason is encrypted like any failure message.
    assert "PayloadDecodeError" in root_cause(info.value)
    # The signal was dropped with a log line naming why.
    dropped = [r for r in caplog.records if "dropping the signal" in r.getMessage()]
    assert dropped and dropped[0].exc_info and dropped[0].exc_info[1]
    assert "Refusing an unencrypted payload" in root_cause(dropped[0].exc_info[1])
    # The run goes on: the user's own review is taken and the report finishes.
    await asyncio.wait_for(
        # By name: temporalio types an async update declared with @workflow.update(name=...)
        # as returning its coroutine, not the outcome.
        handle.execute_update(UPDATE_REVIEW, ReviewInput(action="approve"),
                              result_type=ReviewOutcome), 30)
    result = await asyncio.wait_for(handle.result(), 60)
    assert result.status == "completed"
    types = await _history_types(client, handle.id)
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in types


# ----- the codec's binding, without a server ---------------------------------------------

KEY = os.urandom(32)
KEY_B64 = base64.b64encode(KEY).decode()
DATA = Payload(metadata={"encoding": b"json/plain"}, data=b'"Aunt Mildred"')


def _codec(**options: bool) -> EncryptionCodec:
    return EncryptionCodec(Keyring(KEY), **options)


def _in(workflow_id: str, namespace: str = "default") -> WorkflowSerializationContext:
    return WorkflowSerializationContext(namespace=namespace, workflow_id=workflow_id)


def _activity_of(workflow_id: str) -> ActivitySerializationContext:
    return ActivitySerializationContext(
        namespace="default", activity_id="3", activity_type="send_email",
        activity_task_queue="q", workflow_id=workflow_id,
        workflow_type="GenerateReportWorkflow", is_local=False)


def _sealed(context: SerializationContext | None = None) -> Payload:
    codec = _codec() if context is None else _codec().with_context(context)
    return codec.encode_sync([DATA])[0]


def _format1(payload: Payload) -> Payload:
    """A payload as the code before binding wrote it (format 1: the key id only)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kid = key_id(KEY).encode()
    nonce = os.urandom(12)
    data = AESGCM(KEY).encrypt(nonce, payload.SerializeToString(),
                               b"durable-research/payload/v1:" + kid)
    return Payload(metadata={"encoding": ENCODING, KEY_ID_KEY: kid,
                             "encryption-cipher": b"AES-256-GCM"}, data=nonce + data)


@pytest.mark.parametrize(("written", "read"), [
    (_in("report-1"), _in("report-2")),                      # another workflow
    (_in("report-1"), _in("report-1", "other-namespace")),   # another namespace
    (_in("report-1/q1"), _in("report-1")),                   # a child's input as its parent's
    (_in("report-1"), _in("report-1/q1")),
    (_activity_of("report-1"), _activity_of("report-2")),    # an activity of another run
    (_in("report-1"), _activity_of("report-2")),
    (None, _in("report-1")),                                 # bound to no workflow (/encode)
    # A schedule's input opens in its own runs only (test below), no report's in a run's.
    (_in("report-1"), _in("report-1-2026-12-07T07:00:00Z")),
    (_in("scheduled-s1"), _in("scheduled-s2-2026-12-07T07:00:00Z")),
    (_in("scheduled-s1"), _in("scheduled-s1-2026-12-07T07:00:00Z", "other-namespace")),
    (_in("scheduled-s1"), _in("scheduled-s1-x")),
    (_in("scheduled-s1-2026-12-07T07:00:00Z"), _in("scheduled-s1")),
])
def test_a_payload_opens_only_in_its_own_workflow(
    written: SerializationContext | None, read: SerializationContext
) -> None:
    sealed = _sealed(written)
    with pytest.raises(PayloadBoundElsewhereError, match="copied from another workflow"):
        _codec().with_context(read).decode_sync([sealed])
    # Its own workflow, the workflow's activities, and readers without a context open it.
    if isinstance(written, WorkflowSerializationContext):
        for own in (written, _activity_of(written.workflow_id)):
            assert _codec().with_context(own).decode_sync([sealed]) == [DATA]
    assert _codec().decode_sync([sealed]) == [DATA]


def test_a_schedules_input_opens_in_its_runs() -> None:
    """The server names a schedule's runs ``<action id>-<time>``; the input stored in the
    schedule was bound to the action id (the SDK's context when the schedule was made)."""
    sealed = _sealed(_in("scheduled-s1"))
    for run in (_in("scheduled-s1-2026-12-07T07:00:00Z"),
                _activity_of("scheduled-s1-2026-12-07T07:00:00Z")):
        assert _codec().with_context(run).decode_sync([sealed]) == [DATA]


def test_the_binding_cannot_be_rewritten_or_stripped() -> None:
    sealed = _sealed(_in("report-1"))
    assert sealed.metadata[WORKFLOW_ID_KEY] == b"report-1"  # shown to readers
    forged = Payload()
    forged.CopyFrom(sealed)
    forged.metadata[WORKFLOW_ID_KEY] = b"report-2"
    downgraded = Payload()
    downgraded.CopyFrom(sealed)
    del downgraded.metadata[FORMAT_KEY]  # posing as format 1
    for codec in (_codec().with_context(_in("report-2")), _codec().for_worker(True)):
        for bad in (forged, downgraded):
            with pytest.raises(PayloadDecodeError, match="failed authentication"):
                codec.decode_sync([bad])


def test_format1_opens_for_readers_and_for_workers_only_when_accepted() -> None:
    old = _format1(DATA)
    worker = _codec().for_worker(accept_unbound=False).with_context(_in("report-1"))
    with pytest.raises(PayloadDecodeError, match="RESEARCH_ENCRYPTION_ACCEPT_UNBOUND"):
        worker.decode_sync([old])
    assert _codec().for_worker(True).with_context(_in("report-1")).decode_sync([old]) == [DATA]
    # Accepting plaintext makes refusing old ciphertext pointless: it is accepted too.
    lenient = _codec(accept_plain=True).for_worker(False).with_context(_in("report-1"))
    assert lenient.decode_sync([old]) == [DATA]
    # Clients (reading old reports) and the codec server (no context) open it.
    assert _codec().with_context(_in("report-1")).decode_sync([old]) == [DATA]
    assert _codec().decode_sync([old]) == [DATA]


async def test_in_the_sdk_a_refused_payload_fails_only_its_own_input() -> None:
    """The SDK's decode gets a marker instead of an error; converting it raises."""
    settings = Settings(payload_key=KEY_B64)
    converter = data_converter(settings).with_context(_in("report-2"))
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"hi"')
    marker_from_outside = Payload(metadata={"encoding": UNDECODABLE.encode()},
                                  data=b'{"kind": "bound-elsewhere", "message": "x"}')
    codec = converter.payload_codec
    assert codec is not None
    copied, refused, forged = await codec.decode(
        [_sealed(_in("report-1")), plain, marker_from_outside])
    with pytest.raises(ApplicationError) as info:
        converter.payload_converter.from_payloads([copied])
    assert info.value.non_retryable and info.value.type == PAYLOAD_BOUND_ELSEWHERE
    assert "bound to workflow 'report-1'" in str(info.value)
    for payload in (refused, forged):
        with pytest.raises(PayloadDecodeError, match="Refusing an unencrypted payload"):
            converter.payload_converter.from_payloads([payload])
    # Even where plaintext is accepted, a marker from outside is no reason of the codec's.
    with pytest.raises(PayloadDecodeError, match="Refusing an unencrypted payload"):
        _codec(accept_plain=True).decode_sync([marker_from_outside])


async def test_failure_messages_travel_encrypted() -> None:
    converter = data_converter(Settings(payload_key=KEY_B64)).with_context(_in("report-1"))
    failure = Failure()
    who = "mildred@example.org"  # a value: in the messages, not in the traces' source lines
    try:
        try:
            raise OSError(f"the disk of {who} is full")
        except OSError as cause:
            raise ApplicationError(f"mail to {who} failed") from cause
    except ApplicationError as exc:
        await converter.encode_failure(exc, failure)
    assert failure.message == ENCODED_FAILURE and failure.cause.message == ENCODED_FAILURE
    assert b"mildred" not in failure.SerializeToString()
    # Code locations stay readable, and short: the server drops what it cannot shorten.
    assert "test_payload_binding.py" in failure.stack_trace
    assert all(len(f.stack_trace) <= STACK_TRACE_CHARS + 10 for f in (failure, failure.cause))
    # `research status` shows a pending activity's last failure as the key holder reads it.
    reader = SimpleNamespace(data_converter=data_converter(Settings(payload_key=KEY_B64)))
    # cast: failure_message reads nothing of a Client but its data_converter.
    assert await failure_message(cast(Client, reader), failure) == f"mail to {who} failed"
    stranger = SimpleNamespace(data_converter=data_converter(Settings(payload_key=new_key())))
    assert await failure_message(cast(Client, stranger), failure) == ENCODED_FAILURE


def test_worker_codec_refuses_format1_unless_settings_accept_it() -> None:
    settings = Settings(payload_key=KEY_B64)
    client_side = data_converter(settings)
    for accept in (False, True):
        worker_side = worker_data_converter(
            client_side, replace(settings, encryption_accept_unbound=accept))
        codec = worker_side.payload_codec
        assert isinstance(codec, EncryptionCodec) and codec.accept_unbound is accept
        assert worker_side.failure_converter_class is client_side.failure_converter_class
    assert isinstance(client_side.payload_codec, EncryptionCodec)
    assert client_side.payload_codec.accept_unbound


def test_the_converter_of_a_context_is_made_once() -> None:
    converter = data_converter(Settings(payload_key=KEY_B64))
    first = converter.with_context(_in("report-1"))
    assert converter.with_context(_in("report-1")) is first
    other = converter.with_context(_activity_of("report-2"))
    for bound, wid in ((first, "report-1"), (other, "report-2")):
        codec = bound.payload_codec
        assert isinstance(codec, EncryptionCodec) and codec.binding is not None
        assert codec.binding.workflow_id == wid
    assert isinstance(converter.payload_codec, EncryptionCodec)
    assert converter.payload_codec.binding is None  # the original stays unbound
