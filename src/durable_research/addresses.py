"""E-mail addresses: parsing and the EMAIL_ALLOWED policy (shared by client and worker)."""

from __future__ import annotations

from email.utils import getaddresses

from durable_research.errors import UserError


def parse_recipients(raw: str) -> list[str]:
    """Split and validate a comma-separated list of e-mail addresses.

    Raises:
        UserError: An address is malformed or the text tries header injection.
    """
    if any(ch in raw for ch in "\r\n\x00"):
        raise UserError("E-mail address contains a line break", "give plain addresses, a,b,c")
    addresses = []
    for _name, address in getaddresses([raw]):
        if not address:
            continue
        local, _, domain = address.rpartition("@")
        if not local or "." not in domain or any(c.isspace() for c in address):
            raise UserError(f"Not a valid e-mail address: {address!r}")
        addresses.append(address)
    if raw.strip() and not addresses:
        raise UserError(f"Not a valid e-mail address: {raw!r}")
    return addresses


def recipient_allowed(address: str, allowed: str) -> bool:
    """Whether ``address`` matches EMAIL_ALLOWED (addresses or domains; empty: anyone)."""
    rules = [r.strip().lower().lstrip("@") for r in allowed.split(",") if r.strip()]
    if not rules:
        return True
    address = address.lower()
    domain = address.rsplit("@", 1)[-1]
    return any(address == r or domain == r or domain.endswith("." + r) for r in rules)


def check_recipients(recipients: list[str], allowed: str) -> None:
    """Refuse recipients outside the worker's EMAIL_ALLOWED policy.

    Raises:
        UserError: Naming the refused addresses.
    """
    refused = [r for r in recipients if not recipient_allowed(r, allowed)]
    if refused:
        raise UserError(
            f"Recipient(s) not allowed by EMAIL_ALLOWED: {', '.join(refused)}",
            f"allowed: {allowed}",
        )
