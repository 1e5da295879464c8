"""The payload key's text: what RESEARCH_PAYLOAD_KEY, RESEARCH_PAYLOAD_OLD_KEYS and a key
file hold (base64 of 32 bytes).

A module of its own, below config: config checks these settings when it loads them,
and the codec (payloads/) reads keys with the same functions. In the codec they made
config import payloads while payloads imports config.
"""

from __future__ import annotations

import base64
import binascii

from durable_research.errors import ConfigError

KEY_BYTES = 32
KEY_HINT = (
    "a payload key is base64 of 32 random bytes; create one with: python -c "
    "'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'"
)


def parse_key(text: str, where: str) -> bytes:
    """Decode one base64 (standard or URL-safe) 32-byte key.

    Raises:
        ConfigError: Not base64, or not 32 bytes; the message names ``where``.
    """
    raw = text.strip()
    try:
        padded = raw + "=" * (-len(raw) % 4)
        key = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where} is not valid base64", KEY_HINT) from None
    if len(key) != KEY_BYTES:
        raise ConfigError(
            f"{where} decodes to {len(key)} bytes; AES-256 needs exactly {KEY_BYTES}", KEY_HINT
        )
    return key


def parse_key_list(text: str, where: str) -> list[bytes]:
    """Decode a comma-separated list of keys (empty entries ignored)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return [parse_key(p, f"{where} entry {n}") for n, p in enumerate(parts, 1)]
