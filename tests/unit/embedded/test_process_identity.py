"""The CLI recognises its detached helpers by command line, under the module names of
this layout and of the one before it (issue 24): an upgrade never doubles a supervisor
or a model server that an older install started."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from durable_research.embedded import local_worker, localmodel


@pytest.mark.parametrize("module", ["durable_research.worker.supervisor",
                                    "durable_research.supervisor"])
def test_a_supervisor_is_recognised_by_its_new_and_former_module(
        tmp_path: Path, module: str) -> None:
    check = local_worker._check(tmp_path)
    assert check([sys.executable, "-m", module, "--data-dir", str(tmp_path), "--workers", "1"])
    assert not check([sys.executable, "-m", module, "--data-dir", str(tmp_path / "other")])


def test_another_module_is_no_supervisor(tmp_path: Path) -> None:
    check = local_worker._check(tmp_path)
    assert not check([sys.executable, "-m", "durable_research.worker.proc",
                      "--data-dir", str(tmp_path)])


@pytest.mark.parametrize("module", ["durable_research.embedded.localmodel_server",
                                    "durable_research.localmodel_server"])
def test_a_model_server_is_recognised_by_its_new_and_former_module(
        tmp_path: Path, module: str) -> None:
    state_file = str(tmp_path.resolve() / localmodel.STATE_FILE)
    check = localmodel._server_check(tmp_path)
    assert check([sys.executable, "-m", module, "serve", "--state-file", state_file])
    assert not check([sys.executable, "-m", module, "serve", "--state-file", "/elsewhere"])
    assert not check([sys.executable, "-m", "durable_research.cli", "--state-file", state_file])
