"""E-mail addresses: parsing and the EMAIL_ALLOWED policy (shared by client and worker)."""

from __future__ import annotations

import re
from email.utils import getaddresses

from durable_research.errors import ConfigError, UserError


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


# One EMAIL_ALLOWED entry: an address, a domain ("example.org" or "@example.org",
# exactly that domain), or its subdomains (".example.org" or "*.example.org", any
# depth, not the domain itself: list both for both).
_DOMAIN = re.compile(r"[^\s@*,/\\]+\.[^\s@*,/\\]+")
_ADDRESS = re.compile(r"[^\s@,]+@[^\s@*,/\\]+\.[^\s@*,/\\]+")


def _policy(allowed: str) -> list[tuple[str, str]]:
    """EMAIL_ALLOWED as (kind, value) rules; kind is "address", "domain" or "subdomains".

    Raises:
        ConfigError: An entry is none of the three forms.
    """
    rules = []
    for entry in (e.strip().lower() for e in allowed.split(",")):
        if not entry:
            continue
        if _ADDRESS.fullmatch(entry):
            rules.append(("address", entry))
            continue
        for prefix, kind in (("*.", "subdomains"), (".", "subdomains"), ("@", "domain"),
                             ("", "domain")):
            if entry.startswith(prefix) and _DOMAIN.fullmatch(entry[len(prefix):]):
                rules.append((kind, entry[len(prefix):]))
                break
        else:
            raise ConfigError(
                f"EMAIL_ALLOWED entry {entry!r} is not an address or a domain",
                "use a@example.org, example.org (exactly that domain) or .example.org / "
                "*.example.org (its subdomains), comma-separated",
            )
    return rules


def check_policy(allowed: str) -> None:
    """Validate EMAIL_ALLOWED once, at load time (raises ConfigError)."""
    _policy(allowed)


def recipient_allowed(address: str, allowed: str) -> bool:
    """Whether ``address`` matches EMAIL_ALLOWED (addresses or domains; empty: anyone).

    A domain admits exactly that domain; subdomains only when written ``.example.org``
    or ``*.example.org`` (anyone able to get a subdomain must not receive reports).
    """
    rules = _policy(allowed)
    if not rules:
        return True
    address = address.lower()
    domain = address.rsplit("@", 1)[-1]
    return any(address == value if kind == "address"
               else domain == value if kind == "domain"
               else domain.endswith("." + value)
               for kind, value in rules)


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
