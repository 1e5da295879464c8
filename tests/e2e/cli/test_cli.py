"""The ``research`` command as a user runs it: real subprocesses, real servers."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from durable_research.config import Settings
from durable_research.embedded import devserver, local_worker
from durable_research.embedded.localmodel import INSTALL_HINT, local_model_available, stop_local_llm
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.ports import free_port
from tests.support.cli import RESEARCH, assert_clean_error, research
from tests.support.paths import ROOT
from tests.support.settings import settings_env


def embedded_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the environment of the embedded default at free ports."""
    env = settings_env(settings)
    env["TEMPORAL_ADDRESS"] = f"127.0.0.1:{free_port()}"
    env["TEMPORAL_UI_PORT"] = str(free_port())
    env["RESEARCH_EMBEDDED"] = "auto"
    env["TEMPORAL_TASK_QUEUE"] = "research"
    return env


@pytest.fixture
def embedded_env(settings: Settings, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for the embedded default: nothing runs at the address yet."""
    env = embedded_environment(settings)
    yield env
    local_worker.stop_embedded(Path(env["RESEARCH_DATA_DIR"]))


@pytest.fixture(scope="module")
def module_embedded_env(
    fake_llm_server: FakeLLM, temporal_address: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """One embedded default for the module's tests that need no fresh one: its server and
    supervised worker start once (seconds of imports) and serve every such test. Each
    test's reports have their own prompt, so its own workflow ids and files."""
    tmp = tmp_path_factory.mktemp("embedded")
    # As the `settings` fixture's, with the session's payload key (conftest sets it).
    settings = Settings(
        llm_model="openai/fake-model", llm_api_key="test-key",
        llm_api_base=fake_llm_server.api_base, llm_timeout_s=30,
        temporal_address=temporal_address, data_dir=str(tmp / "data"),
        output_dir=str(tmp / "reports"), embedded="never",
        payload_key=os.environ["RESEARCH_PAYLOAD_KEY"],
    )
    env = embedded_environment(settings)
    yield env
    local_worker.stop_embedded(Path(env["RESEARCH_DATA_DIR"]))


# The tests of the module's one embedded default run in one process (pytest-xdist), one
# after another: spread over the processes, each started its own server and supervised
# worker, and again whenever a process ran another module's test in between (a module
# fixture ends when the next test is in another module).
shares_embedded = pytest.mark.xdist_group("cli-embedded")


@pytest.fixture
def shared_embedded_env(module_embedded_env: dict[str, str], fake_llm: FakeLLM) -> dict[str, str]:
    """The module's embedded default (a copy of its environment), the fake LLM reset."""
    return dict(module_embedded_env)


def test_run_on_embedded_default_writes_pdf(
    embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    proc = research("run", "What do tardigrades eat?", env=embedded_env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # On stderr: stdout is the command's answer (tests/unit/cli/test_start_stdout.py).
    assert "Embedded Temporal dev server started" in proc.stderr
    # Headless: the Temporal UI (no login, any Host) only with `research server --ui`.
    assert "Web UI" not in proc.stdout + proc.stderr
    assert not devserver.port_open("127.0.0.1", int(embedded_env["TEMPORAL_UI_PORT"]))
    pdfs = list(Path(embedded_env["RESEARCH_OUTPUT_DIR"]).glob("*.pdf"))
    assert len(pdfs) == 1 and str(pdfs[0]) in proc.stdout.replace("\n", "")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdfs[0]).pages).split())
    assert "FAKE-LLM answer to: What do tardigrades eat?" in text
    assert fake_llm.successes == 1
    # The server stays up for status and result; a second run reuses it.
    wid = next(w for w in proc.stdout.split() if w.startswith("report-"))
    status = research("status", wid, env=embedded_env, cwd=tmp_path)
    assert status.returncode == 0 and "completed" in status.stdout, status.stdout
    listed = research("list", env=embedded_env, cwd=tmp_path)
    assert wid in listed.stdout and "What do tardigrades eat?" in listed.stdout, listed.stdout
    again = research("run", "--format", "pdf,md", env=embedded_env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Embedded Temporal dev server started" not in again.stdout + again.stderr
    assert len(list(Path(embedded_env["RESEARCH_OUTPUT_DIR"]).glob("give-me-5-fun*.md"))) == 1


def test_email_without_smtp_is_refused_before_anything_starts(
    embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    """The embedded server's worker would have no SMTP_HOST: said now, not after the
    report ("e-mail not sent: SMTP_HOST is not set", found in a new user's trial)."""
    proc = research("run", "--email", "me@example.com", "q", env=embedded_env, cwd=tmp_path)
    assert_clean_error(proc, "Error: --email: SMTP_HOST is not set", "drop --email")
    assert not devserver.port_open(*devserver.split_address(embedded_env["TEMPORAL_ADDRESS"]))
    assert fake_llm.calls == 0


def test_start_then_result_with_worker(
    embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    started = research("start", "fire and forget", env=embedded_env, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    wid = started.stdout.strip().splitlines()[-1]
    assert wid.startswith("report-")
    pending = research("status", wid, env=embedded_env, cwd=tmp_path)
    assert "running" in pending.stdout
    done = research("result", wid, env=embedded_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "completed" in done.stdout and ".pdf" in done.stdout
    assert fake_llm.successes_for("fire and forget") == 1
    listed = research("list", env=embedded_env, cwd=tmp_path)
    assert wid in listed.stdout
    for out in (done.stdout, listed.stdout):  # piped tables: no padding to the widest row
        assert not [line for line in out.splitlines() if line.endswith(" ")], out


def test_no_llm_configured(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    env.update(LLM_MODEL="", LLM_API_KEY="", LLM_LOCAL="never")
    proc = research("run", "x", env=env, cwd=tmp_path)
    assert_clean_error(proc, "No LLM is configured", "LLM_MODEL")


@pytest.mark.localmodel
@pytest.mark.skipif(
    not local_model_available(), reason=f"offline model not installed: {INSTALL_HINT}"
)
def test_run_without_any_llm_settings_uses_offline_model(
    embedded_env: dict[str, str], tmp_path: Path
) -> None:
    """The README's main command on a machine with no API key at all."""
    embedded_env.update(LLM_MODEL="", LLM_API_KEY="", LLM_API_BASE="", LLM_TIMEOUT="300")
    try:
        proc = research("run", env=embedded_env, cwd=tmp_path, timeout=400)
    finally:
        stop_local_llm(Path(embedded_env["RESEARCH_DATA_DIR"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Using SmolLM2-135M-Instruct" in proc.stdout and "LLM_MODEL" in proc.stdout
    pdf = next(Path(embedded_env["RESEARCH_OUTPUT_DIR"]).glob("*.pdf"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "smollm2-135m-instruct" in text
    # A real (if small) answer: several sentences of generated text in the body.
    body = text.split("About this report")[0]
    assert len(body.split()) > 60, body


def test_missing_provider_key(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    env.update(LLM_MODEL="anthropic/claude-3-5-haiku-latest", LLM_API_KEY="", LLM_API_BASE="")
    env.pop("ANTHROPIC_API_KEY", None)
    proc = research("run", "x", env=env, cwd=tmp_path)
    assert_clean_error(proc, "No API key", "LLM_API_KEY")


def test_dotenv_file_is_honoured(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    env.pop("LLM_TIMEOUT")
    env.pop("RESEARCH_ENV_FILE", None)
    (tmp_path / ".env").write_text("LLM_TIMEOUT=soon\n")
    proc = research("status", "x", env=env, cwd=tmp_path)
    assert_clean_error(proc, "LLM_TIMEOUT='soon' is not a number")


def test_unreachable_local_temporal(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    env.update(TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}", RESEARCH_EMBEDDED="never")
    proc = research("run", "x", env=env, cwd=tmp_path)
    assert_clean_error(proc, "No Temporal server answers")


def test_unreachable_remote_temporal(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    env["TEMPORAL_ADDRESS"] = "temporal.invalid:7233"
    proc = research("status", "report-x", env=env, cwd=tmp_path)
    assert_clean_error(proc, "Cannot connect to Temporal at temporal.invalid:7233")


def test_unknown_workflow_id(settings: Settings, tmp_path: Path) -> None:
    env = settings_env(settings)
    for command in ("status", "result", "approve", "cancel"):
        proc = research(command, "report-does-not-exist", env=env, cwd=tmp_path)
        assert_clean_error(proc, "No report workflow with id 'report-does-not-exist'")
    # With no LLM configured, `result` refuses before starting an offline model for a
    # worker that an unknown report will never need.
    env.update(LLM_MODEL="", LLM_API_KEY="")
    proc = research("result", "report-does-not-exist", env=env, cwd=tmp_path)
    assert_clean_error(proc, "No report workflow with id 'report-does-not-exist'")
    assert "offline" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--format", "pdf,odt"], "Unknown output format(s): odt"),
        (["--email", "a@example.org\nBcc: victim@example.org"], "line break"),
        (["--email", "not-an-address"], "Not a valid e-mail address"),
    ],
)
def test_bad_options(settings: Settings, tmp_path: Path, args: list[str], needle: str) -> None:
    proc = research("run", "x", *args, env=settings_env(settings), cwd=tmp_path)
    assert_clean_error(proc, needle)


def test_start_says_which_web_search_and_why(settings: Settings, tmp_path: Path) -> None:
    """auto with nothing configured, DuckDuckGo unreachable: one line says so (a quick
    report searches no web: no line)."""
    env = {**settings_env(settings), "SEARCH_DDGS_PROBE": f"127.0.0.1:{free_port()}"}
    proc = research("start", "q", "--depth", "standard", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert ("no web search: no SEARXNG_URL/TAVILY_API_KEY/BRAVE_API_KEY and DuckDuckGo is "
            "unreachable (offline?)") in proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("report-")
    quick = research("start", "q", "--depth", "quick", env=env, cwd=tmp_path)
    assert quick.returncode == 0 and "web search" not in quick.stderr, quick.stderr


def test_huge_prompt_is_refused(settings: Settings, tmp_path: Path) -> None:
    proc = research("run", "x" * 100_001, env=settings_env(settings), cwd=tmp_path)
    assert_clean_error(proc, "the limit is 100,000")
    huge = tmp_path / "huge.txt"
    huge.write_text("tardigrade " * 100_000)  # 1.1 MB
    proc = research("run", "--file", str(huge), env=settings_env(settings), cwd=tmp_path)
    assert_clean_error(proc, "is over the limit of 100,000 characters")
    proc = research("start", "--file", "-", env=settings_env(settings), cwd=tmp_path,
                    input="y" * 1_000_000)
    assert_clean_error(proc, "on standard input is over the limit of 100,000 characters")
    missing = research("run", "--file", "nope.txt", env=settings_env(settings), cwd=tmp_path)
    assert_clean_error(missing, "Cannot read the question from nope.txt")
    binary = tmp_path / "bin.dat"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    bad = research("run", "--file", str(binary), env=settings_env(settings), cwd=tmp_path)
    assert_clean_error(bad, "Cannot read the question")


def test_help_lists_commands(tmp_path: Path) -> None:
    proc = research("--help", env=dict(os.environ), cwd=tmp_path)
    assert proc.returncode == 0
    for command in ("run", "start", "status", "result", "worker", "server", "review", "cancel"):
        assert command in proc.stdout


@shares_embedded
def test_review_from_the_command_line(
    shared_embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    started = research("start", "--review", "review by hand", env=shared_embedded_env, cwd=tmp_path)
    wid = started.stdout.strip().splitlines()[-1]
    # `result` hosts the worker and waits through the review.
    waiter = subprocess.Popen([*RESEARCH, "result", wid], env=shared_embedded_env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while "waiting for review" not in (
            status := research("status", wid, env=shared_embedded_env, cwd=tmp_path)
        ).stdout:
            if waiter.poll() is not None or time.monotonic() > deadline:
                waiter.kill()
                out, err = waiter.communicate()
                raise AssertionError(f"never reached the review:\n{status.stdout}\n{out}\n{err}")
            time.sleep(0.5)
        empty = research("revise", wid, "--feedback", " ", env=shared_embedded_env, cwd=tmp_path)
        assert_clean_error(empty, "Review not accepted", "needs feedback")
        revised = research("revise", wid, "--feedback", "Add bears.", env=shared_embedded_env,
                           cwd=tmp_path)
        assert revised.returncode == 0, revised.stderr
        assert "draft v2" in revised.stdout and "Add bears." in revised.stdout
        # Interactive review: edit in "$EDITOR" (sed here), then approve.
        env = dict(shared_embedded_env, EDITOR="sed -i s/FAKE-LLM/HUMAN-EDITED/")
        review = research("review", wid, env=env, cwd=tmp_path, input="edit\napprove\n")
        assert review.returncode == 0, review.stdout + review.stderr
        assert "draft v3" in review.stdout and "Approved" in review.stdout
        out, err = waiter.communicate(timeout=120)
    finally:
        waiter.kill()
    assert waiter.returncode == 0, out + err
    pdf = next(Path(shared_embedded_env["RESEARCH_OUTPUT_DIR"]).glob("review-by-hand-*.pdf"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "HUMAN-EDITED answer to:" in text and "Add bears." in text
    again = research("approve", wid, env=shared_embedded_env, cwd=tmp_path)
    assert_clean_error(again, "Review not accepted")


@shares_embedded
def test_clarifying_questions_from_the_command_line(
    shared_embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    from durable_research.testing.fixture_site import write_fixture_documents

    env = shared_embedded_env
    quick = research("start", "--clarify", "--depth", "quick", "q", env=env, cwd=tmp_path)
    assert_clean_error(quick, "--depth quick", "--clarify")
    docs = tmp_path / "docs"
    write_fixture_documents(docs)
    wid = f"clarify-{uuid.uuid4().hex[:8]}"
    started = research("start", "--clarify", "--id", wid, "--sources", str(docs), "--no-web",
                       "--format", "md", "What do tardigrades eat?", env=env, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    deadline = time.monotonic() + 90
    while "waiting for your answers" not in (
            shown := research("answer", wid, env=env, cwd=tmp_path)).stdout:
        assert time.monotonic() < deadline, shown.stdout + shown.stderr
        time.sleep(0.5)
    assert "1. Which aspect of tardigrades matters most to you?" in shown.stdout
    status = research("status", wid, env=env, cwd=tmp_path)
    assert "question 2" in status.stdout and f"research answer {wid}" in status.stdout
    both = research("answer", wid, "--none", "x", env=env, cwd=tmp_path)
    assert_clean_error(both, "Give answers or --none, not both")
    many = research("answer", wid, "a", "b", "c", env=env, cwd=tmp_path)
    assert_clean_error(many, "Answers not accepted: Invalid answers: 3 answers for 2")
    sent = research("answer", wid, "what they eat in moss", env=env, cwd=tmp_path)
    assert sent.returncode == 0 and "1 answer sent" in sent.stdout, sent.stderr
    result = research("result", wid, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    md = next(Path(env["RESEARCH_OUTPUT_DIR"]).glob(f"*{wid[-12:]}.md")).read_text()
    assert "clarifying questions: Which aspect of tardigrades matters most to you? what " \
           "they eat in moss" in " ".join(md.split())
    late = research("answer", wid, "again", env=env, cwd=tmp_path)
    assert_clean_error(late, "Answers not accepted", "not running any more")


@shares_embedded
def test_cancel_from_the_command_line(
    shared_embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    started = research("start", "--review", "cancel me", env=shared_embedded_env, cwd=tmp_path)
    wid = started.stdout.strip().splitlines()[-1]
    cancelled = research("cancel", wid, env=shared_embedded_env, cwd=tmp_path)
    said = cancelled.stdout
    assert cancelled.returncode == 0 and f"Cancellation requested for {wid}." in said, said
    # The command waits up to 60 s for a worker to act on it; on a loaded box (load 5,
    # make test beside a CPU spinner) it said so instead, and the report ended later.
    assert "Cancelled." in said or "Not cancelled yet; it ends when a worker" in said, said
    deadline = time.monotonic() + 300
    while "canceled" not in (status := research("status", wid, env=shared_embedded_env,
                                                 cwd=tmp_path, timeout=60)).stdout:
        assert time.monotonic() < deadline, status.stdout
        time.sleep(1)
    twice = research("cancel", wid, env=shared_embedded_env, cwd=tmp_path)
    assert_clean_error(twice, "is not running")


# A whole research run in a CLI process: over 180 s with the box at load 15 (make test's
# three processes beside other work), so the bounds, for a hang only, are wide.
@pytest.mark.timeout(900)
def test_research_run_with_local_sources(
    shared_embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    from durable_research.testing.fixture_site import write_fixture_documents

    docs = tmp_path / "my docs"
    write_fixture_documents(docs)
    out = tmp_path / "mine"
    proc = research("run", "What do tardigrades eat and where do they live?", "--sources",
                    str(docs), "--format", "pdf,md", "--out", str(out), env=shared_embedded_env,
                    cwd=tmp_path, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "document(s) from --sources stored" in output and "skipped" in output
    assert "local documents" in output and "cited sentences:" in output and "verified" in output
    md = next(out.glob("*.md")).read_text()
    refs = md.split("## References", 1)[1]
    assert any(p.name in refs for p in docs.iterdir()), refs
    wid = next(w for w in proc.stdout.split() if w.startswith("report-"))
    listed = research("list", env=shared_embedded_env, cwd=tmp_path)
    assert wid in listed.stdout and f"runs/{wid}/report/" in listed.stdout, listed.stdout


def test_run_out_writes_only_there(
    embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    """`run --out DIR` leaves the files in DIR, not another copy in ./reports (issue 24)."""
    env = {k: v for k, v in embedded_env.items() if k != "RESEARCH_OUTPUT_DIR"}
    out = tmp_path / "mine"
    proc = research("run", "--depth", "quick", "--format", "pdf,md", "--out", str(out),
                    "What do tardigrades eat?", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(list(out.glob("*.pdf"))) == 1 and len(list(out.glob("*.md"))) == 1
    # The worker hosted in the command shut its process pool down before the command ended
    # (it left "resource_tracker: There appear to be 7 leaked semaphore objects").
    assert "leaked" not in proc.stderr, proc.stderr
    default = tmp_path / "reports"
    assert not default.exists() or not any(default.iterdir()), list(default.iterdir())


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--depth", "bogus"], "Unknown depth 'bogus'"),
        (["--sources", "/nonexistent/folder"], "/nonexistent/folder"),
        (["--depth", "quick", "--sources", "."], "--depth quick"),
        (["--allow-domain", "not a domain"], "is not a domain name"),
        (["--prefer-path", "guides"], "--prefer-path ranks documents of --sources"),
        (["--prefer-domain", "sqlite.org", "--no-web"], "--no-web turns the web off"),
        (["--no-web"],
         "Error: No web search (--no-web) and no documents (--sources): nothing to research"),
        (["--out", "/tmp", "--no-worker"], "outside the workers' output folder"),
        # What the option wants, never click's "'abc' is not a valid float range".
        (["--budget-usd", "abc"],
         "Error: --budget-usd: 'abc' is not an amount in US dollars (e.g. 0.50)"),
        (["--max-pages", "-1"], "Error: --max-pages: -1 is below 0"),
        (["--depth", "quick", "--max-pages", "5"], "--depth quick reads no web page"),
    ],
)
def test_bad_research_options(
    settings: Settings, tmp_path: Path, args: list[str], needle: str
) -> None:
    proc = research("run", "q", *args, env=settings_env(settings), cwd=tmp_path)
    assert_clean_error(proc, needle)


def test_hostile_text_never_breaks_or_drives_the_terminal(
    shared_embedded_env: dict[str, str], fake_llm: FakeLLM, tmp_path: Path
) -> None:
    """Markup and escape sequences in questions, ids and drafts are shown inert."""
    fake_llm.configure(reply="Draft \x1b]52;c;ZXZpbA==\x07 with [bold]markup[/] and \x1b[2J.")
    question = "What about [/] and [red]x[/red]?\x1b]0;title\x07"
    proc = research("run", question, "--depth", "quick", env=shared_embedded_env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wid = next(w for w in proc.stdout.split() if w.startswith("report-"))
    for args in (["list"], ["status", wid]):
        shown = research(*args, env=shared_embedded_env, cwd=tmp_path)
        assert shown.returncode == 0, shown.stdout + shown.stderr
        assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "[/]" in research("list", env=shared_embedded_env, cwd=tmp_path).stdout
    odd = research("status", "[/]x\x1b[2J", env=shared_embedded_env, cwd=tmp_path)
    assert_clean_error(odd, "No report workflow")
    assert "\x1b" not in odd.stdout + odd.stderr


@pytest.mark.parametrize(
    ("env_change", "needle"),
    [
        ({"REVIEW_TIMEOUT": "nan"}, "not a finite number"),
        ({"REVIEW_TIMEOUT": "inf"}, "not a finite number"),
    ],
)
def test_bad_settings_refused_before_anything_runs(
    settings: Settings, fake_llm: FakeLLM, tmp_path: Path, env_change: dict[str, str],
    needle: str,
) -> None:
    env = {**settings_env(settings), **env_change}
    assert_clean_error(research("run", "q", env=env, cwd=tmp_path), needle)
    assert fake_llm.calls == 0


def test_invalid_utf8_question(settings: Settings, fake_llm: FakeLLM, tmp_path: Path) -> None:
    bad = tmp_path / "q.txt"
    bad.write_bytes(b"caf\xe9 \xff\xfe question")
    proc = research("run", "--file", str(bad), env=settings_env(settings), cwd=tmp_path)
    assert_clean_error(proc, "Cannot read the question")
    argv = subprocess.run([*RESEARCH, "run", os.fsdecode(b"caf\xe9")],
                          env=settings_env(settings), cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert_clean_error(argv, "not valid UTF-8")
    assert fake_llm.calls == 0


def test_make_run_cannot_be_injected(tmp_path: Path) -> None:
    root = ROOT
    proc = subprocess.run(["make", "-n", "-C", str(root), "run",
                           "PROMPT=x\" ; echo INJECTED ; echo \""],
                          capture_output=True, text=True, timeout=60)
    line = next(ln for ln in proc.stdout.splitlines() if "research run" in ln)
    assert line == '.venv/bin/research run -- "$PROMPT"', line  # quoted by the shell


@pytest.mark.parametrize("origin", ["command line", "environment"])
def test_make_never_expands_the_prompt(tmp_path: Path, origin: str) -> None:
    """Issue 25: `make run PROMPT='$(shell ...)'` ran the command (make expands a variable
    it exports). The real Makefile's `run` recipe runs, with a stand-in for the CLI."""
    root = ROOT
    work = tmp_path / "checkout"
    (work / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(root / "Makefile", work / "Makefile")
    (work / "scripts").mkdir()
    (work / "scripts" / "install.sh").write_text("exit 0\n")
    stand_in = work / ".venv" / "bin" / "research"
    stand_in.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/argv"\n')
    stand_in.chmod(0o755)
    marker = tmp_path / "pwned"
    prompt = f"$(shell touch {marker}) `touch {marker}` $$(touch {marker}) -x $(HOME)"
    args, env = ["make", "-s", "-C", str(work), "run"], dict(os.environ)
    if origin == "command line":
        args.append(f"PROMPT={prompt}")
    else:
        env["PROMPT"] = prompt
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not marker.exists()
    argv = (work / ".venv" / "bin" / "argv").read_text().splitlines()
    assert argv == ["run", "--", prompt]


def test_review_without_a_worker_says_so_at_once(
    settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    env = settings_env(settings)
    started = research("start", "q", "--review", "--depth", "quick", env=env, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    wid = started.stdout.strip()
    t0 = time.monotonic()
    for command in (["approve", wid], ["raise-budget", wid, "--pages", "5"]):
        proc = research(*command, env=env, cwd=tmp_path, timeout=60)
        assert_clean_error(proc, "No worker is running", "research worker")
    assert time.monotonic() - t0 < 30


async def test_run_says_what_it_waits_for_when_no_worker_takes_the_report(
    settings: Settings, tmp_path: Path
) -> None:
    """No worker polls the queue (--no-worker, a cluster's queue): after a few seconds
    `research run` says it waits for a worker instead of only showing a spinner."""
    from durable_research.cli.progress import WAITING_NOTICE
    from durable_research.testing.temporal import connect_retrying

    env = settings_env(settings)
    env.update(RESEARCH_EMBEDDED="never", TEMPORAL_TASK_QUEUE=f"nobody-{free_port()}")
    proc = subprocess.Popen([*RESEARCH, "run", "--no-worker", "nobody takes this"], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if WAITING_NOTICE[:40] in line or not line:
                break
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    output = "".join(lines)
    assert WAITING_NOTICE[:40] in output, output
    wid = next(w for w in output.split() if w.startswith("report-"))
    client = await connect_retrying(settings.temporal_address, settings=settings)
    await client.get_workflow_handle(wid).terminate("test over")
