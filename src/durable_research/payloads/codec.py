"""Payload encryption: every workflow/activity input and result leaves this process as
AES-256-GCM ciphertext, so the Temporal server, its database and anyone reading the
history see neither questions, drafts nor e-mail addresses.

Wired in one place: :func:`durable_research.client.connect` builds the client with
:func:`data_converter`; workers built from that client inherit it.

Payload format (compatible with Temporal's samples): ``metadata.encoding`` is
``binary/encrypted``, ``metadata["encryption-key-id"]`` names the key (a fingerprint
derived from the key itself, so nothing has to be named by hand), ``data`` is a
12-byte random nonce followed by the ciphertext and tag of the serialised original
payload. Format 2 (``encryption-format: 2``) binds the payload to its workflow: the key
id, the namespace and the workflow id (also in the metadata, for readers) are the
associated data, taken from the SDK's serialization context (``binding.py``);
decoded in another workflow's context it is refused. Format 1 (no ``encryption-format``,
written before payload binding) binds only the key id: readers without a context (the
codec server, history inspection) and clients still open it, a worker only with
``RESEARCH_ENCRYPTION_ACCEPT_UNBOUND`` (docs/security.md, "Upgrading").

Keys (see docs/security.md): ``RESEARCH_PAYLOAD_KEY`` (base64 of 32 bytes), else the
file ``RESEARCH_PAYLOAD_KEY_FILE``, else ``<data dir>/payload.key`` created on first
use (0600). In a key file the first key line is the current key and further lines
are old keys; ``RESEARCH_PAYLOAD_OLD_KEYS`` (comma-separated) adds more. Old keys
only decrypt, so rotating is: put the new key first, keep the old one listed until
no running workflow needs it.

``PayloadDecodeError`` (and ``PayloadBoundElsewhereError``) live in ``binding.py``:
the payload converter raises them too, inside workflows.

This module must stay out of workflow modules (``cryptography`` breaks the
workflow sandbox); it imports ``cryptography`` lazily anyway.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)

from durable_research.errors import ConfigError
from durable_research.payload_keys import KEY_BYTES, KEY_HINT, parse_key, parse_key_list
from durable_research.payloads.binding import (
    FORMAT_BOUND,
    FORMAT_KEY,
    NO_WORKFLOW,
    UNDECODABLE,
    Binding,
    PayloadBoundElsewhereError,
    PayloadDecodeError,
    binding_of,
    undecodable,
)
from durable_research.payloads.converter import APP_DATA_CONVERTER, EncodedMessageFailureConverter

if TYPE_CHECKING:
    from durable_research.config import Settings

ENCODING = b"binary/encrypted"
KEY_ID_KEY = "encryption-key-id"
CIPHER_KEY = "encryption-cipher"
CIPHER = b"AES-256-GCM"
KEY_FILE = "payload.key"
NONCE_BYTES = 12
_AAD_PREFIX = b"durable-research/payload/v1:"  # format 1: the key id only
_AAD_PREFIX_BOUND = b"durable-research/payload/v2\0"  # format 2: key id + binding


def new_key() -> str:
    """A fresh random key, base64-encoded."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def key_id(key: bytes) -> str:
    """The key's public fingerprint written next to each payload (16 hex digits)."""
    return hashlib.sha256(b"durable-research payload key id\0" + key).hexdigest()[:16]


def read_key_file(path: Path, where: str) -> list[bytes]:
    """The keys in a key file: one base64 key per line, ``#`` comments; current first.

    Raises:
        ConfigError: Unreadable, empty, a line is not a key, or someone else (not root)
            owns the file or may write it: they could have put their own key there.
    """
    from durable_research.private import check_not_shared

    check_not_shared(path, "The payload key file")
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"Cannot read the payload key file {path} ({where}): {exc.strerror}",
                          "check the path and its permissions") from None
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            keys.append(parse_key(line, f"line {number} of the payload key file {path}"))
    if not keys:
        raise ConfigError(f"The payload key file {path} holds no key", KEY_HINT)
    return keys


@dataclass(frozen=True)
class Keyring:
    """The key that encrypts (None: do not encrypt) and every key that may decrypt."""

    current: bytes | None
    old: tuple[bytes, ...] = ()
    source: str = ""

    @property
    def current_id(self) -> str:
        """Key id of the current key ("" without one)."""
        return key_id(self.current) if self.current else ""

    def by_id(self) -> dict[str, bytes]:
        """Every decryption key by its id."""
        keys = ([self.current] if self.current else []) + list(self.old)
        return {key_id(k): k for k in keys}


def _data_dir_key(data_dir: Path, create: bool) -> list[bytes]:
    from durable_research.private import (
        check_not_shared,
        create_private_exclusive,
        private_dir,
        private_file,
    )

    path = data_dir / KEY_FILE
    check_not_shared(data_dir, "The data folder")
    if not path.exists():
        if not create:
            return []
        try:
            private_dir(data_dir)
            create_private_exclusive(path, (
                "# durable-research payload key (AES-256-GCM), created on first use.\n"
                "# Keep it secret. Every worker and client of the same Temporal namespace\n"
                "# needs the same key (RESEARCH_PAYLOAD_KEY or RESEARCH_PAYLOAD_KEY_FILE).\n"
                "# To rotate: put a new key on the first line; keep old ones below it.\n"
                f"{new_key()}\n"
            ))
        except OSError as exc:
            raise ConfigError(
                f"Cannot create the payload key {path}: {exc.strerror}",
                "make RESEARCH_DATA_DIR writable, or give the key with RESEARCH_PAYLOAD_KEY "
                "or RESEARCH_PAYLOAD_KEY_FILE",
            ) from None
    private_file(path)
    return read_key_file(path, "the data dir's key")


def load_keyring(settings: Settings, create: bool = True) -> Keyring:
    """The payload keys from the settings.

    Args:
        settings: ``payload_key``, ``payload_key_file``, ``payload_old_keys``, ``data_dir``.
        create: Create ``<data dir>/payload.key`` when no key is configured or stored.

    Raises:
        ConfigError: A key is malformed or the key file is unreadable.
    """
    old = parse_key_list(settings.payload_old_keys, "RESEARCH_PAYLOAD_OLD_KEYS")
    found: list[bytes]
    if settings.payload_key:
        found = [parse_key(settings.payload_key, "RESEARCH_PAYLOAD_KEY")]
        source = "RESEARCH_PAYLOAD_KEY"
    elif settings.payload_key_file:
        path = Path(settings.payload_key_file).expanduser()
        found = read_key_file(path, "RESEARCH_PAYLOAD_KEY_FILE")
        source = f"RESEARCH_PAYLOAD_KEY_FILE ({path})"
    else:
        found = _data_dir_key(settings.data_path, create)
        source = f"{settings.data_path / KEY_FILE}"
    current = found[0] if found else None
    return Keyring(current, tuple(found[1:]) + tuple(old), source)


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """AES-256-GCM codec: key ids, old keys for decryption, payloads bound to their workflow.

    The SDK hands it the workflow a payload belongs to (:meth:`with_context`); without a
    context (the codec server, inspecting a history) it encodes for no workflow and opens
    any payload it has the key for, whatever workflow it is bound to.

    Args:
        keyring: The current key (encrypts) and old keys (decrypt only).
        accept_plain: Pass payloads that are not encrypted through on decode
            (histories recorded before encryption, plain clients). Off: they are
            refused with :class:`PayloadDecodeError`.
        encrypt: Encrypt on encode (off: payloads leave as they are).
        accept_unbound: Open format-1 payloads (bound to no workflow, written before
            payload binding) in a workflow's context. Clients read old reports with
            them; a worker's codec (:meth:`for_worker`) only with
            ``RESEARCH_ENCRYPTION_ACCEPT_UNBOUND``.
    """

    def __init__(self, keyring: Keyring, accept_plain: bool = False, encrypt: bool = True,
                 accept_unbound: bool = True):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        super().__init__()
        if encrypt and keyring.current is None:
            raise ValueError("an encrypting codec needs a current key")
        self.keyring = keyring
        self.accept_plain = accept_plain
        self.encrypt = encrypt
        self.accept_unbound = accept_unbound
        self.binding: Binding | None = None
        self._ciphers = {kid: AESGCM(key) for kid, key in keyring.by_id().items()}
        self._current_id = keyring.current_id

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        """This codec for the payloads of the workflow ``context`` names (the SDK calls it
        for every workflow task, activity and client call)."""
        bound = copy.copy(self)
        bound.binding = binding_of(context)
        return bound

    def for_worker(self, accept_unbound: bool) -> EncryptionCodec:
        """This codec for a worker: format-1 payloads only if ``accept_unbound`` (or if
        plain payloads are accepted anyway: refusing old ciphertext then protects nothing)."""
        strict = copy.copy(self)
        strict.accept_unbound = accept_unbound or self.accept_plain
        return strict

    # The Temporal SDK calls the async methods; the codec server calls the sync ones.
    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload with the current key, bound to the context's workflow."""
        return self.encode_sync(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt each payload; one that cannot be opened becomes the undecodable marker,
        so the SDK refuses only the input it carries (a Signal, an Update, the start), not
        the whole workflow task for ever (``binding.py``)."""
        out = []
        for payload in payloads:
            try:
                out.append(self._open(payload, self.accept_plain))
            except PayloadDecodeError as exc:
                out.append(undecodable(exc))
        return out

    def encode_sync(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Synchronous :meth:`encode`."""
        if not self.encrypt:
            return list(payloads)
        cipher = self._ciphers[self._current_id]
        kid = self._current_id.encode()
        binding = self.binding or NO_WORKFLOW
        aad = binding.associated_data(_AAD_PREFIX_BOUND + kid + b"\0")
        metadata = {"encoding": ENCODING, KEY_ID_KEY: kid, CIPHER_KEY: CIPHER,
                    **binding.metadata()}
        out = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), aad)
            out.append(Payload(metadata=metadata, data=nonce + sealed))
        return out

    def decode_sync(self, payloads: Sequence[Payload], accept_plain: bool | None = None
                    ) -> list[Payload]:
        """Synchronous :meth:`decode` that raises; ``accept_plain`` overrides the codec's.

        Raises:
            PayloadBoundElsewhereError: An authentic payload of another workflow.
            PayloadDecodeError: Unknown key id, failed authentication, a plain payload
                while plain ones are not accepted, or format 1 where it is not.
        """
        plain_ok = self.accept_plain if accept_plain is None else accept_plain
        return [self._open(payload, plain_ok) for payload in payloads]

    def _open(self, payload: Payload, plain_ok: bool) -> Payload:
        encoding = payload.metadata.get("encoding", b"")
        if encoding != ENCODING:
            # A marker sent from outside is no reason of ours: refused like plaintext.
            if not plain_ok or encoding == UNDECODABLE.encode():
                raise PayloadDecodeError(self._plain_message(encoding))
            return payload
        kid = payload.metadata.get(KEY_ID_KEY, b"").decode(errors="replace")
        version = payload.metadata.get(FORMAT_KEY, b"")
        if version == FORMAT_BOUND:
            claimed = Binding.of_payload(payload)
            plain = self._decrypt(payload, kid, claimed.associated_data(
                _AAD_PREFIX_BOUND + kid.encode() + b"\0"))
            if self.binding is not None and not claimed.opens_in(self.binding):
                raise PayloadBoundElsewhereError(
                    f"Refusing a payload bound to {claimed.describe()} in "
                    f"{self.binding.describe()}: it was copied from another workflow's "
                    "history, so nothing runs on it here"
                )
            return plain
        if version:
            raise PayloadDecodeError(
                f"Payload in an unknown encryption format {version.decode(errors='replace')!r}"
                " (this version writes format 2): upgrade this process"
            )
        if self.binding is not None and not self.accept_unbound:
            raise PayloadDecodeError(
                f"Refusing a payload in the old encryption format 1 in "
                f"{self.binding.describe()}: it is bound to no workflow, so it could have "
                "been copied from any history. If this workflow was started before the "
                "upgrade to format 2, set RESEARCH_ENCRYPTION_ACCEPT_UNBOUND=true on the "
                "workers until such workflows have finished (docs/security.md)"
            )
        return self._decrypt(payload, kid, _AAD_PREFIX + kid.encode())

    def _decrypt(self, payload: Payload, kid: str, aad: bytes) -> Payload:
        from cryptography.exceptions import InvalidTag

        cipher = self._ciphers.get(kid)
        if cipher is None:
            known = ", ".join(
                f"{k} (current)" if k == self._current_id else k for k in self._ciphers
            ) or "none"
            raise PayloadDecodeError(
                f"Payload encrypted with unknown key id {kid!r}; this process has the key "
                f"ids: {known} (from {self.keyring.source or 'no key'}). Give every worker "
                "and client the same RESEARCH_PAYLOAD_KEY or RESEARCH_PAYLOAD_KEY_FILE, and "
                "keep retired keys in RESEARCH_PAYLOAD_OLD_KEYS (or later lines of the key file)"
            )
        data = payload.data
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], aad)
        except InvalidTag:
            raise PayloadDecodeError(
                f"Payload with key id {kid!r} failed authentication: it was altered (its "
                "data or the workflow it names), or encrypted with a different key under "
                "the same id"
            ) from None
        return Payload.FromString(plain)

    @staticmethod
    def _plain_message(encoding: bytes) -> str:
        shown = encoding.decode(errors="replace") or "none"
        return (
            f"Refusing an unencrypted payload (encoding {shown!r}): this worker only accepts "
            "payloads encrypted with its payload key, so a client without the key cannot "
            "run work here. Give the sender the same RESEARCH_PAYLOAD_KEY (or "
            "RESEARCH_PAYLOAD_KEY_FILE); to accept plain payloads on purpose (e.g. workflows "
            "started before encryption was enabled), set RESEARCH_ENCRYPTION_ACCEPT_PLAIN=true"
        )


def build_codec(settings: Settings) -> EncryptionCodec | None:
    """The codec the settings ask for; None for no codec at all.

    With ``RESEARCH_ENCRYPTION`` on (the default): encrypt with the current key
    (created in the data dir on first use). Off: do not encrypt and accept plain
    payloads, but still decrypt with any key that is configured or already stored,
    so encrypted workflows stay readable; without any key, no codec.

    Raises:
        ConfigError: A key is malformed or the key file is unreadable.
    """
    if settings.encryption:
        return EncryptionCodec(load_keyring(settings), settings.encryption_accept_plain)
    keyring = load_keyring(settings, create=False)
    if not keyring.by_id():
        return None
    return EncryptionCodec(keyring, accept_plain=True, encrypt=False)


def data_converter(settings: Settings, **codec_overrides: Any) -> DataConverter:
    """The app's data converter (:mod:`durable_research.payloads.converter`) with its payload codec.

    Args:
        settings: The encryption settings.
        codec_overrides: Replace settings fields first (e.g. ``encryption_accept_plain=True``
            for replaying histories recorded before encryption).
    """
    if codec_overrides:
        settings = dataclasses.replace(settings, **codec_overrides)
    codec = build_codec(settings)
    if codec is None:
        return APP_DATA_CONVERTER
    if not codec.encrypt:
        return dataclasses.replace(APP_DATA_CONVERTER, payload_codec=codec)
    # Failure messages travel as a payload, encrypted like the rest: they name questions,
    # paths and recipients.
    return dataclasses.replace(APP_DATA_CONVERTER, payload_codec=codec,
                               failure_converter_class=EncodedMessageFailureConverter)


def worker_data_converter(converter: DataConverter, settings: Settings) -> DataConverter:
    """``converter`` as a worker uses it: payloads in the old, unbound format 1 are opened
    only with ``RESEARCH_ENCRYPTION_ACCEPT_UNBOUND`` (clients keep reading old reports)."""
    codec = converter.payload_codec
    if not isinstance(codec, EncryptionCodec):
        return converter
    return dataclasses.replace(
        converter, payload_codec=codec.for_worker(settings.encryption_accept_unbound))
