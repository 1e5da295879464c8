"""Recipients as the user wrote them (``addresses.written_recipients``): the report's
``To:`` header keeps display names and groups, with each address checked as the
envelope's are."""

from __future__ import annotations

import pytest

from durable_research.addresses import parse_recipients, written_recipients
from durable_research.errors import UserError


def test_display_names_and_groups_are_kept() -> None:
    raw = 'me@example.org, Boss <boss@example.org>, "Smith, Bob" <b@y.org>, Team: t@z.org;'
    assert written_recipients(raw) == [
        "me@example.org", "Boss <boss@example.org>", '"Smith, Bob" <b@y.org>',
        "Team: t@z.org;"]
    assert parse_recipients(raw) == ["me@example.org", "boss@example.org", "b@y.org",
                                     "t@z.org"]
    assert written_recipients(" ") == []


@pytest.mark.parametrize("bad", ["Boss <boss@>", "Boss <boss@localhost>", "a@x.org\tBcc: c@z.org",
                                 "Boss <bo ss@example.org>", "Boss <boss@example.org"])
def test_a_bad_address_is_refused_as_for_the_envelope(bad: str) -> None:
    with pytest.raises(UserError):
        written_recipients(bad)
    with pytest.raises(UserError):
        parse_recipients(bad)


@pytest.mark.parametrize(("raw", "bad"), [
    ("me@example.org, Boss <boss@>", "Boss <boss@>"),
    ('"Smith, Bob" <b@y.org>, Boss <boss@example.org', "Boss <boss@example.org"),
    ("me@example.org,, nobody", "nobody"),
])
def test_a_malformed_address_of_a_list_is_named(raw: str, bad: str) -> None:
    # Was "Not a valid e-mail address list: '<the whole list>'": which one of ten?
    with pytest.raises(UserError) as refused:
        parse_recipients(raw)
    assert refused.value.message == f"Not a valid e-mail address: {bad!r}"
