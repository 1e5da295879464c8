"""E-mail addresses: parsing and the EMAIL_ALLOWED policy (shared by client and worker)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from durable_research.errors import ConfigError, UserError

if TYPE_CHECKING:
    from email.headerregistry import AddressHeader, HeaderRegistry

# The sender when SMTP_FROM is not set and SMTP_USER is a login name, not an address.
DEFAULT_SENDER = "durable-research@localhost"
_HINT = "give plain addresses separated by commas: a@example.org, Bob <b@example.org>"
# RFC 5322 dot-atom (no quoted local parts: they may hold spaces) and a host name of two
# or more labels (letters of any script, digits, inner hyphens).
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = r"[^\W_]([\w-]{0,61}[^\W_])?"
_DOMAIN = re.compile(rf"({_LABEL}\.)+[^\W\d_]([\w-]{{0,61}}[^\W_])?")
# A sender may also be at a host of one label (``bot@localhost``, the default sender): it
# is never a place reports go to.
_HOST = re.compile(_LABEL)


@cache
def _registry() -> HeaderRegistry:
    # Imported on first use: the email package is ~15 ms of every command's start, and
    # most commands (a `research run` without --email) parse no address.
    from email.headerregistry import HeaderRegistry

    return HeaderRegistry()


def _address_list(raw: str) -> AddressHeader:
    """``raw`` parsed as an address list by the standard library, or a UserError.

    Control and format characters (a tab, a line break, bidi controls) are refused
    outright: the parser would join ``bob@exa mple.com`` and split a tab into a second
    header (``a@x.org<TAB>Bcc: c@z.org`` added ``c@z.org``).
    """
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in raw):
        raise UserError("E-mail address list contains a line break, tab or other control "
                        f"character: {raw!r}", _HINT)
    from email.errors import HeaderParseError
    from email.headerregistry import AddressHeader

    def parsed(text: str) -> AddressHeader | None:
        try:
            header = _registry()("To", text)
        except (HeaderParseError, ValueError, IndexError):
            return None
        if not isinstance(header, AddressHeader) or header.defects or not header.addresses:
            return None
        return header

    header = parsed(raw)
    if header is None:
        # Name the address that is wrong (a list of ten said only "the list").
        bad = next((p for p in _entries(raw) if parsed(p) is None), None)
        if bad is not None:
            raise UserError(f"Not a valid e-mail address: {bad!r}", _HINT)
        raise UserError(f"Not a valid e-mail address list: {raw!r}", _HINT)
    return header


def _entries(raw: str) -> list[str]:
    """The entries of an address list, split at the commas outside quotes, comments and
    angle brackets (none for a list with a group: its entries are not addresses alone)."""
    entries, depth, quoted, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(raw):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif depth == 0 and ch in ":;":
            return []
        elif depth == 0 and ch == ",":
            entries.append(raw[start:i])
            start = i + 1
    entries.append(raw[start:])
    return [e.strip() for e in entries if e.strip()]


def _checked(address: str, raw: str, host_ok: bool = False) -> str:
    local, _, domain = address.rpartition("@")
    # Written as it is parsed: no space or comment inside it (``bob @example.com``).
    domain_ok = _DOMAIN.fullmatch(domain) or (host_ok and _HOST.fullmatch(domain))
    if address not in raw or not _LOCAL.fullmatch(local) or not domain_ok:
        raise UserError(f"Not a valid e-mail address: {address!r}", _HINT)
    return address


def parse_recipients(raw: str) -> list[str]:
    """The addresses of a comma-separated list (``a@x.org, Bob <b@y.org>``).

    Raises:
        UserError: The list or an address in it is malformed, or holds control
            characters (header injection).
    """
    if not raw.strip():
        return []
    return [_checked(a.addr_spec, raw) for a in _address_list(raw).addresses]


def written_recipients(raw: str) -> list[str]:
    """The recipients of ``raw`` as the user wrote them, for the ``To:`` header: an
    address with its display name (``Boss <boss@y.org>``), a group whole (``Team: a@x.org,
    b@y.org;``), a bare address as it is. Checked as :func:`parse_recipients` checks them.

    Raises:
        UserError: As :func:`parse_recipients`.
    """
    if not raw.strip():
        return []
    header = _address_list(raw)
    for address in header.addresses:
        _checked(address.addr_spec, raw)
    # An address outside a group is a group of its own without a name: str is the address.
    return [str(group) for group in header.groups]


def check_sender(raw: str) -> str:
    """``raw`` if it is one sender address (``bot@x.org``, ``Bot <bot@x.org>``).

    Raises:
        UserError: Not exactly one address.
    """
    header = _address_list(raw)
    if len(header.addresses) != 1 or header.groups[0].display_name is not None:
        raise UserError(f"Not one e-mail address: {raw!r}", "e.g. Research Bot <bot@example.org>")
    _checked(header.addresses[0].addr_spec, raw, host_ok=True)
    return raw.strip()


def mail_sender(smtp_from: str, smtp_user: str) -> str:
    """The ``From:`` of the worker's mail: SMTP_FROM (checked when settings are loaded),
    else SMTP_USER when it is an address (many logins are: "apikey" is not), else
    :data:`DEFAULT_SENDER`."""
    if smtp_from:
        return smtp_from
    try:
        return check_sender(smtp_user)
    except UserError:
        return DEFAULT_SENDER


# One EMAIL_ALLOWED entry: an address, a domain ("example.org" or "@example.org",
# exactly that domain), or its subdomains (".example.org" or "*.example.org", any
# depth, not the domain itself: list both for both).
_POLICY_DOMAIN = re.compile(r"[^\s@*,/\\]+\.[^\s@*,/\\]+")
_POLICY_ADDRESS = re.compile(r"[^\s@,]+@[^\s@*,/\\]+\.[^\s@*,/\\]+")


def _policy(allowed: str) -> list[tuple[str, str]]:
    """EMAIL_ALLOWED as (kind, value) rules; kind is "address", "domain" or "subdomains".

    Raises:
        ConfigError: An entry is none of the three forms.
    """
    rules = []
    for entry in (e.strip().lower() for e in allowed.split(",")):
        if not entry:
            continue
        if _POLICY_ADDRESS.fullmatch(entry):
            rules.append(("address", entry))
            continue
        for prefix, kind in (("*.", "subdomains"), (".", "subdomains"), ("@", "domain"),
                             ("", "domain")):
            if entry.startswith(prefix) and _POLICY_DOMAIN.fullmatch(entry[len(prefix):]):
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
