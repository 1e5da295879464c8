"""A refused choice of formats says how to choose them where the person is: the page's
boxes and the API's JSON list were told "use a comma-separated subset of pdf,md,html,docx"
(a new user's trial)."""

from __future__ import annotations

import pytest

from durable_research.client.options import Spelling
from durable_research.client.requests import parse_formats
from durable_research.errors import UserError


@pytest.mark.parametrize(("spelling", "hint"), [
    (Spelling.CLI, "give --format a comma-separated subset of pdf,md,html,docx"),
    (Spelling.FIELD, "give formats a comma-separated subset of pdf,md,html,docx"),
    (Spelling.API, "give formats as a list of one or more of 'pdf', 'md', 'html', 'docx'"),
    (Spelling.FORM, 'tick at least one of "Formats"'),
])
def test_no_format_is_refused_with_the_front_ends_way_to_choose(spelling: Spelling,
                                                               hint: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_formats("", spelling)
    assert str(refused.value) == "Choose at least one format" and refused.value.hint == hint


def test_formats_are_still_parsed_and_ordered() -> None:
    assert parse_formats("html, PDF") == ["pdf", "html"]
