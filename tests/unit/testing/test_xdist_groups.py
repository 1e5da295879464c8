"""``xdist_group`` marks reach the node ids the loadgroup scheduler reads (pytest 9)."""

from __future__ import annotations

import pytest

from tests.support.xdist_groups import apply_groups, group_name

pytest_plugins = ["pytester"]

MODULE = """
import pytest

pytestmark = pytest.mark.xdist_group("server")

def test_plain():
    pass

@pytest.mark.xdist_group("other")
@pytest.mark.parametrize("x", ["a]b", "c"])
def test_two_groups(x):
    pass
"""


def test_grouped_items_get_the_suffix_in_a_loadgroup_worker(pytester: pytest.Pytester) -> None:
    # The inner session's own ini (pytest-asyncio warns when its loop scope is unset).
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    items = pytester.getitems(MODULE)
    config = items[0].config
    assert [group_name(item) for item in items] == ["server", "other_server", "other_server"]
    before = [item.nodeid for item in items]
    apply_groups(config, items)
    assert [item.nodeid for item in items] == before  # not a loadgroup worker: unchanged
    config.option.loadgroup = True  # what pytest-xdist sets in a --dist loadgroup worker
    apply_groups(config, items)
    assert [item.nodeid for item in items] == [
        before[0] + "@server", before[1] + "@other_server", before[2] + "@other_server"]
    apply_groups(config, items)  # already there (a fixed xdist): not added twice
    assert items[0].nodeid == before[0] + "@server"
