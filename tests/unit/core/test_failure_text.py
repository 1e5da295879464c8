"""failure_text: a failed report shows the activity's classified message with its advice,
not the provider's error it quotes (the innermost message alone dropped the advice)."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from durable_research.errors import failure_text, root_cause

PROVIDER = ("litellm.InternalServerError: InternalServerError: OpenAIException - "
            "Connection error.")
CLASSIFIED = (f"LLM call to 'openai/gpt-4o-mini' failed: InternalServerError (HTTP 500): "
              f"{PROVIDER} (cannot reach the LLM server: check LLM_API_BASE and the network)")


def _chain(*layers: BaseException) -> BaseException:
    for outer, inner in zip(layers, layers[1:], strict=False):
        outer.__cause__ = inner
    return layers[0]


def test_the_classified_message_is_kept_over_the_error_it_quotes() -> None:
    failed = _chain(RuntimeError("Workflow execution failed"),
                    RuntimeError("Activity task failed"),
                    ApplicationError(CLASSIFIED, type="InternalServerError"),
                    ApplicationError(PROVIDER, type="InternalServerError"))
    assert failure_text(failed) == f"InternalServerError: {CLASSIFIED}"
    assert "check LLM_API_BASE" not in root_cause(failed)  # what the CLI showed before


def test_a_cut_quote_still_counts_as_said() -> None:
    long = "x" * 600
    failed = _chain(RuntimeError("Activity task failed"),
                    ApplicationError(f"LLM call failed: {long[:500]} (advice)"),
                    ApplicationError(long))
    assert failure_text(failed).endswith("(advice)")


def test_a_cause_that_says_something_new_is_the_answer() -> None:
    failed = _chain(RuntimeError("Workflow execution failed"),
                    RuntimeError("Activity task failed"),
                    ApplicationError("disk full", type="OSError"),
                    RuntimeError(""))
    assert failure_text(failed) == root_cause(failed) == "OSError: disk full"


def test_a_child_process_traceback_is_not_the_answer() -> None:
    """A new user's trial: a report whose output folder could not be created (a file named
    ``reports`` where the folder goes) failed with 14 lines of a child process's traceback
    ("_RemoteTraceback: ... File ".../concurrent/futures/process.py" ..."): the step runs in
    the worker's process pool, whose error carries the child's traceback as its cause."""
    remote = ('\n"""\nTraceback (most recent call last):\n  File "/usr/lib/python3.11/'
              'concurrent/futures/process.py", line 261, in _process_worker\n'
              "FileExistsError: [Errno 17] File exists: '/home/me/reports'\n\"\"\"")
    failed = _chain(RuntimeError("Workflow execution failed"),
                    RuntimeError("Activity task failed"),
                    ApplicationError("[Errno 17] File exists: '/home/me/reports'",
                                     type="FileExistsError"),
                    ApplicationError(remote, type="_RemoteTraceback"))
    assert failure_text(failed) == "FileExistsError: [Errno 17] File exists: '/home/me/reports'"
