"""The install writes the bytecode of what the app imports (scripts/precompile.py).

Where PYTHONDONTWRITEBYTECODE is set nothing else caches it, and every worker start
compiled litellm again (issue 26). Pure: the script is loaded, not run.
"""

from __future__ import annotations

from types import ModuleType

from tests.support.paths import ROOT, load_file

SCRIPT = ROOT / "scripts" / "precompile.py"
INSTALL = ROOT / "scripts" / "install.sh"


def _load() -> ModuleType:
    return load_file(SCRIPT, "precompile")


def test_install_precompiles_after_the_sync_and_before_the_stamp() -> None:
    lines = INSTALL.read_text().splitlines()

    def first(needle: str) -> int:
        return next(i for i, line in enumerate(lines) if needle in line)

    sync = first("scripts/uv.sh sync")
    compile_step = first(".venv/bin/python scripts/precompile.py")
    stamp = first('echo "$want" > "$stamp"')
    assert sync < compile_step < stamp
    # An install made before the step existed runs it once: the script is in the stamp,
    # and so is the list of files it compiles.
    stamp_inputs = lines[first("want=$(cat")] + lines[first("want=$(cat") + 1]
    assert "scripts/precompile.py" in stamp_inputs
    assert "scripts/precompile-files.txt" in stamp_inputs


def test_precompile_imports_the_worker_and_cli_but_not_the_fakes_or_entry_points() -> None:
    tool = _load()

    names = tool.app_modules(ROOT / "src" / "durable_research")
    assert {"durable_research.worker.build", "durable_research.worker.supervisor",
            "durable_research.llm.calls", "durable_research.cli.reports"} <= set(names)
    assert not [n for n in names if n.startswith("durable_research.testing")
                or n.endswith("__main__") or n == "durable_research.worker.proc"]


def test_the_list_of_files_to_compile_is_of_this_uv_lock() -> None:
    # Recorded for another lock, the install takes the slow way (imports everything, about
    # twice the CPU): after `make lock`, `python scripts/precompile.py --record`.
    tool = _load()

    digest, files = tool.read_list()
    assert digest == tool.lock_digest(), "run: python scripts/precompile.py --record"
    assert {"litellm/main.py", "temporalio/worker/__init__.py", "httpcore/__init__.py"} \
        <= set(files)
    assert not [name for name in files if not name.endswith(".py") or name.startswith("/")]


def test_an_unknown_argument_is_refused_before_anything_runs() -> None:
    tool = _load()

    assert tool.main(["--recrod"]) == 2
