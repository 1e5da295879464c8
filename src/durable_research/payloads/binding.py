"""What an encrypted payload is bound to, and what a worker does with one it cannot open.

A payload is bound to the workflow it belongs to: its namespace and workflow id are
authenticated with it (AES-GCM associated data, ``codec.py``), so a payload copied out of
one history cannot be replayed into another workflow, namespace or server by someone
without the key. The SDK says which workflow a payload belongs to through its
serialization context (``temporalio.converter.SerializationContext``): the target
workflow's id for a client's start/signal/update/query, the child's id for a child
workflow's input and result, the running workflow's id for its activities' inputs and
results (on the workflow side and in the activity worker alike).

A payload that cannot be opened inside a worker must not fail the whole workflow task:
Temporal retries a failed task for ever, so one plaintext Signal from a client without the
key would wedge a run. The codec therefore hands the SDK an *undecodable* marker payload
in its place, and :class:`UndecodablePayloadConverter` raises when the marker is converted
to a value. The SDK then does what it does with any input it cannot convert: a Signal is
dropped with a log line, an Update is rejected before its validator, a workflow's start
input fails the workflow task (retried: a missing key may be configured later) or, for a
payload bound to another workflow, the workflow itself (non-retryable: nothing will ever
make a copied payload belong here). No workflow code and no activity runs on it.

Sandbox-safe: imported by the payload converter inside workflows (no ``cryptography``).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    EncodingPayloadConverter,
    SerializationContext,
    WorkflowSerializationContext,
)
from temporalio.exceptions import ApplicationError

from durable_research.contract.report import scheduled_action_of

# Metadata of a bound (format 2) payload; the values are authenticated (associated data).
FORMAT_KEY = "encryption-format"
NAMESPACE_KEY = "encryption-namespace"
WORKFLOW_ID_KEY = "encryption-workflow-id"
FORMAT_BOUND = b"2"
# ApplicationError.type of a payload that belongs to another workflow (non-retryable).
PAYLOAD_BOUND_ELSEWHERE = "PayloadBoundElsewhere"
# The marker the codec hands the SDK instead of a payload it cannot open.
UNDECODABLE = "binary/durable-research-undecodable"
_BOUND_ELSEWHERE = "bound-elsewhere"
_REFUSED = "refused"


class PayloadDecodeError(ValueError):
    """A payload cannot be decoded: unknown key id, failed authentication, plaintext, or
    a format this process does not accept. Retryable: fixing the settings fixes it."""


class PayloadBoundElsewhereError(PayloadDecodeError):
    """An authentic payload that belongs to another workflow or namespace (copied)."""


@dataclass(frozen=True)
class Binding:
    """The workflow a payload belongs to: ``("", "")`` for none (encoded without a
    context, e.g. by the codec server's ``/encode``: no worker accepts it)."""

    namespace: str
    workflow_id: str

    def associated_data(self, prefix: bytes) -> bytes:
        """``prefix`` then both fields, each length-prefixed (no two bindings alike)."""
        out = [prefix]
        for text in (self.namespace, self.workflow_id):
            raw = text.encode()
            out += [struct.pack(">I", len(raw)), raw]
        return b"".join(out)

    def metadata(self) -> dict[str, bytes]:
        """The binding as payload metadata (shown to readers; authenticated)."""
        return {FORMAT_KEY: FORMAT_BOUND, NAMESPACE_KEY: self.namespace.encode(),
                WORKFLOW_ID_KEY: self.workflow_id.encode()}

    @staticmethod
    def of_payload(payload: Payload) -> Binding:
        """The binding a format-2 payload claims (checked by decryption)."""
        meta = payload.metadata
        return Binding(meta.get(NAMESPACE_KEY, b"").decode(errors="replace"),
                       meta.get(WORKFLOW_ID_KEY, b"").decode(errors="replace"))

    def opens_in(self, context: Binding) -> bool:
        """Whether a payload bound to this opens in ``context``: the same workflow, or a
        run of the schedule it was stored in (``scheduled-<id>`` opens in the server's
        ``scheduled-<id>-<time>``; no report but a schedule's is bound to that prefix)."""
        return self == context or (
            self.namespace == context.namespace and bool(self.workflow_id)
            and scheduled_action_of(context.workflow_id) == self.workflow_id)

    def describe(self) -> str:
        """For messages: ``workflow 'x' in namespace 'y'``."""
        if not self.workflow_id and not self.namespace:
            return "no workflow"
        return f"workflow {self.workflow_id!r} in namespace {self.namespace!r}"


NO_WORKFLOW = Binding("", "")


def binding_of(context: SerializationContext | None) -> Binding | None:
    """The binding the SDK's context asks for; None without a context (a reader).

    An activity's payloads are bound to the workflow that runs it (not to the activity
    id, which the two sides do not always know alike). Any other context (Nexus) binds to
    no workflow.
    """
    if context is None:
        return None
    if isinstance(context, WorkflowSerializationContext):
        return Binding(context.namespace, context.workflow_id)
    if isinstance(context, ActivitySerializationContext):
        return Binding(context.namespace, context.workflow_id or "")
    return NO_WORKFLOW


def undecodable(error: PayloadDecodeError) -> Payload:
    """The marker payload standing in for one the codec could not open."""
    kind = _BOUND_ELSEWHERE if isinstance(error, PayloadBoundElsewhereError) else _REFUSED
    return Payload(metadata={"encoding": UNDECODABLE.encode()},
                   data=json.dumps({"kind": kind, "message": str(error)}).encode())


class UndecodablePayloadConverter(EncodingPayloadConverter):
    """Raises the codec's reason when its marker is converted; never encodes anything."""

    @property
    def encoding(self) -> str:
        """The marker's encoding."""
        return UNDECODABLE

    def to_payload(self, value: Any) -> Payload | None:
        """Never: the marker only comes from the codec."""
        return None

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        """Raise why the payload could not be opened.

        Raises:
            ApplicationError: Non-retryable :data:`PAYLOAD_BOUND_ELSEWHERE` (fails the
                workflow, an Update or the activity attempt).
            PayloadDecodeError: Any other reason (fails the workflow task, retried).
        """
        try:
            reason = json.loads(payload.data)
            kind, message = str(reason["kind"]), str(reason["message"])
        except (ValueError, KeyError, TypeError):
            kind, message = _REFUSED, "an undecodable payload"
        if kind == _BOUND_ELSEWHERE:
            raise ApplicationError(message, type=PAYLOAD_BOUND_ELSEWHERE, non_retryable=True)
        raise PayloadDecodeError(message)
