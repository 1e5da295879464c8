"""``research web`` in a real browser (Debian's headless Chromium) against the real stack.

The app runs as ``research web`` runs it (uvicorn plus an in-process worker) on the
session's dev server, with the fake LLM. The tests are synchronous (Playwright's sync
API) and use no asyncio fixture: the app has its own loop in its own thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect
from pypdf import PdfReader

from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM
from durable_research.testing.ports import free_port
from tests.support.cli import research
from tests.support.settings import settings_env
from tests.support.web import WebServer, web_app_settings

# Every form control that is not hidden has a label (or an ARIA name).
UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id || e.outerHTML.slice(0, 80))"""
HTTP_STATUS_LOG = "Failed to load resource: the server responded with a status of 4"
STEP_IS_JS = "step => document.querySelector('#step')?.textContent === step"
HOSTILE_REPLY = """# Findings <script>alert('h1')</script>

<script>alert('xss')</script>

<img src=x onerror="alert('img')">

[click me](javascript:alert('link')) and <a href="javascript:alert('raw')">raw link</a>

Plain answer to: {prompt}
"""


# One process (pytest-xdist) for the module: one Chromium and one web app, not one per
# process.
pytestmark = pytest.mark.xdist_group("web")
# How long a page action or expect() may wait before the test fails (a hang, not a speed).
BROWSER_BOUND_MS = 60_000


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (cookies, storage) and page for each test."""
    context = chromium.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def web_settings(fake_llm_server: FakeLLM, temporal_address: str,
                 tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the web app and its worker: the fake LLM, its own task queue."""
    return web_app_settings(fake_llm_server.api_base, temporal_address,
                            tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def web(web_settings: Settings) -> Iterator[WebServer]:
    """One app (with its worker) for the module."""
    server = WebServer(web_settings).start()
    yield server
    server.stop()


@pytest.fixture
def watched(page: Page) -> Iterator[dict[str, list[str]]]:
    """The page's console errors, uncaught exceptions and dialogs (each must stay empty)."""
    seen: dict[str, list[str]] = {"console errors": [], "page errors": [], "dialogs": []}

    def on_console(message: ConsoleMessage) -> None:
        # A refused form answers 4xx on purpose; Chromium logs that as an error too.
        if message.type == "error" and not message.text.startswith(HTTP_STATUS_LOG):
            seen["console errors"].append(message.text)

    def on_dialog(dialog: Dialog) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda exc: seen["page errors"].append(str(exc)))
    page.on("dialog", on_dialog)
    # Bounds for a hang only, for actions and for expect(): expect's own 5 s default was too
    # short for a report to finish with the box at load 5 (make test's processes beside
    # other work); each waits on the page's real state and returns as soon as it is there.
    page.set_default_timeout(BROWSER_BOUND_MS)
    expect.set_options(timeout=BROWSER_BOUND_MS)
    yield seen
    assert seen == {"console errors": [], "page errors": [], "dialogs": []}


def log_in(page: Page, server: WebServer) -> None:
    """Open the link `research web` prints, as the user does: it logs the browser in."""
    page.goto(server.login_url)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert "token" not in page.url


def start_report(page: Page, base: str, question: str, *, review: bool = True) -> str:
    """Fill in the new-report form and submit it; returns the report's id."""
    page.goto(f"{base}/new")
    page.get_by_label("Question").fill(question)
    if review:
        page.get_by_label("Let me review the draft before the report is written").check()
    page.get_by_role("button", name="Start the report").click()
    page.wait_for_url("**/reports/report-*")
    return page.url.rsplit("/", 1)[-1]


def assert_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED_JS) == []
    assert page.locator("iframe:not([title])").count() == 0


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(path).pages).split())


def test_submit_watch_edit_approve_download(
    page: Page, web: WebServer, fake_llm: FakeLLM, watched: dict[str, list[str]],
    tmp_path: Path,
) -> None:
    fake_llm.configure(delay=1.5)
    log_in(page, web)
    report_id = start_report(page, web.url, "What do tardigrades eat?")
    first_step = page.locator("#step").inner_text()
    assert first_step != "waiting for review"
    page.evaluate("window.stillTheSamePage = true")
    # The step changes in place, pushed by the server; then the review panel appears.
    page.wait_for_function(STEP_IS_JS, arg="waiting for review")
    expect(page.get_by_label("Draft (Markdown)", exact=False)).to_contain_text("FAKE-LLM")
    assert page.evaluate("window.stillTheSamePage") is True
    assert_labelled(page)
    draft_frame = page.frame_locator("iframe[title^='Draft version 1']")
    expect(draft_frame.get_by_text("FAKE-LLM answer to: What do tardigrades eat?")).to_be_visible()

    # An empty edit: the workflow's validator refuses it and the page says why.
    page.get_by_label("Draft (Markdown)", exact=False).fill("   ")
    page.get_by_role("button", name="Save my edit").click()
    expect(page.get_by_role("alert")).to_contain_text("An edit needs the replacement text")

    page.get_by_label("Draft (Markdown)", exact=False).fill(
        "# Mine\n\nA human wrote this paragraph.")
    page.get_by_role("button", name="Save my edit").click()
    expect(page.locator(".notice")).to_contain_text("Your text is now the draft")
    expect(page.frame_locator("iframe[title^='Draft version 2']")
           .get_by_text("A human wrote this paragraph.")).to_be_visible()
    page.get_by_role("button", name="Approve").click()

    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible()
    expect(page.locator("#status")).to_have_text("completed")
    expect(page.frame_locator("iframe[title='The report, rendered']")
           .get_by_text("A human wrote this paragraph.")).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".pdf" and report_id.removeprefix("report-") in saved.name
    text = pdf_text(saved)
    assert "A human wrote this paragraph." in text and "FAKE-LLM" not in text
    # Only the formats the workflow wrote are served (PDF and HTML by default).
    assert page.request.get(f"{web.url}/reports/{report_id}/download/md").status == 404
    assert page.request.get(f"{web.url}/reports/{report_id}/download/html").ok

    page.goto(web.url)
    row = page.get_by_role("row").filter(has_text="What do tardigrades eat?").first
    expect(row).to_contain_text("completed")


def test_cancel_a_running_report(page: Page, web: WebServer,
                                 watched: dict[str, list[str]]) -> None:
    """A report waiting for review is cancelled from its page: the page says so and ends
    showing it cancelled, with no download; cancelling again is refused with a reason."""
    log_in(page, web)
    report_id = start_report(page, web.url, "Cancel me from the page")
    page.wait_for_function(STEP_IS_JS, arg="waiting for review")
    token = page.locator("form.cancel input[name=csrf_token]").get_attribute("value") or ""
    page.get_by_role("button", name="Cancel this report").click()
    expect(page.locator(".notice")).to_contain_text("Cancelling")
    expect(page.locator("#status")).to_have_text("canceled")
    expect(page.get_by_text("The report ended: canceled")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel this report")).to_have_count(0)
    expect(page.get_by_role("link", name="Download PDF")).to_have_count(0)
    # A second tab still showing the button: the refusal says why.
    again = page.request.post(f"{web.url}/reports/{report_id}/cancel",
                              form={"csrf_token": token})
    assert again.status == 409 and "is not running" in again.text()


def test_hostile_llm_text_is_shown_and_runs_nothing(
    page: Page, web: WebServer, fake_llm: FakeLLM, watched: dict[str, list[str]],
) -> None:
    fake_llm.configure(reply=HOSTILE_REPLY)
    log_in(page, web)
    question = "Hostile <script>alert('q')</script> <img src=x onerror=alert('q')> question"
    start_report(page, web.url, question)
    page.wait_for_function(STEP_IS_JS, arg="waiting for review")
    expect(page.locator(".question")).to_have_text(question)
    expect(page.get_by_label("Draft (Markdown)", exact=False)).to_have_value(
        HOSTILE_REPLY.replace("{prompt}", question))
    draft = page.frame_locator("iframe[title^='Draft']")
    expect(draft.get_by_text("<script>alert('xss')</script>")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    report = page.frame_locator("iframe[title='The report, rendered']")
    expect(report.get_by_text("<script>alert('xss')</script>")).to_be_visible()
    for frame in (page.main_frame, *page.main_frame.child_frames):
        # Nothing from the LLM became markup: no inline script, no image, no js: link.
        assert frame.locator("script:not([src])").count() == 0
        assert frame.locator("img, [onerror]").count() == 0
        assert frame.locator("a[href^='javascript' i]").count() == 0
    page.goto(web.url)
    expect(page.get_by_role("link", name=question)).to_be_visible()


def test_keyboard_only(page: Page, web: WebServer, watched: dict[str, list[str]]) -> None:
    def tab_to(selector: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    log_in(page, web)
    page.goto(f"{web.url}/new")
    assert_labelled(page)
    tab_to("#question")
    page.keyboard.type("Typed with the keyboard alone")
    tab_to("#review")
    page.keyboard.press("Space")
    tab_to("button.primary")
    page.keyboard.press("Enter")
    page.wait_for_url("**/reports/report-*")
    page.wait_for_function(STEP_IS_JS, arg="waiting for review")
    tab_to("button[value='approve']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    tab_to("a[href$='/download/pdf']")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename.endswith(".pdf")


def test_uploaded_sources_and_plan_review(
    page: Page, web: WebServer, watched: dict[str, list[str]], tmp_path: Path,
) -> None:
    doc = tmp_path / "tardigrades.md"
    doc.write_text("# Tardigrades\n\nTardigrades survive the vacuum of space for ten days. "
                   "They also survive temperatures close to absolute zero.\n", encoding="utf-8")
    log_in(page, web)
    page.goto(f"{web.url}/new")
    page.get_by_label("Question").fill("What do tardigrades survive?")
    page.get_by_label("Your documents", exact=False).set_input_files(doc)
    page.get_by_label("Preferred documents", exact=False).fill("tardigrades.md")
    page.get_by_label("Let me review the research plan first").check()
    page.get_by_label("Before planning, let the model ask me", exact=False).check()
    # The agent asked for: the fake model calls no tools, so the fixed pipeline says why.
    page.get_by_label("Research agent").select_option("on")
    page.get_by_role("button", name="Start the report").click()
    page.wait_for_url("**/reports/report-*")
    # The model's clarifying questions come first; the answers go into the plan.
    page.get_by_label("Which aspect of", exact=False).fill("surviving in space")
    assert_labelled(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: the research plan is made next.")).to_be_visible()
    expect(page.locator("#progress")).to_contain_text(
        "research: the fixed pipeline (litellm does not list 'openai/fake-model'")
    plan = page.get_by_label("Sub-questions, one a line", exact=False)
    expect(plan).not_to_have_value("")
    assert_labelled(page)

    too_many = "\n".join(f"Sub-question number {n}?" for n in range(1, 10))
    plan.fill(too_many)
    page.get_by_role("button", name="Use my edited plan").click()
    # The workflow's validator refuses it; the page says why and keeps what was typed.
    expect(page.get_by_role("alert")).to_contain_text(
        "Invalid sub-questions: give at most 8 sub-questions, not 9")
    expect(plan).to_have_value(too_many)

    mine = ["What do tardigrades survive in space?", "How cold can tardigrades get?",
            "How long do tardigrades live without water?"]
    plan.fill("\n".join(f"- {q}" for q in mine))
    page.get_by_role("button", name="Use my edited plan").click()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    for question in mine:
        expect(page.locator("#progress")).to_contain_text(question)
    expect(page.locator("#actions")).to_contain_text("1 local document")
    expect(page.locator("#actions")).to_contain_text("1 cited (1 preferred)")
    expect(page.locator("#actions .check-counts")).to_contain_text("cited sentences:")
    expect(page.locator("#actions")).to_contain_text(
        "the user answered clarifying questions: Which aspect of")


def test_reload_and_restart_lose_nothing(
    page: Page, web_settings: Settings, fake_llm: FakeLLM,
) -> None:
    # Not `watched`: while the app is down the browser logs its failed reconnections.
    settings = replace(web_settings, task_queue=f"web-restart-{uuid.uuid4().hex[:8]}")
    port = free_port()
    fake_llm.configure(delay=3.0)
    first = WebServer(settings, port).start()
    try:
        log_in(page, first)
        report_id = start_report(page, first.url, "Survive a restart?")
        page.reload()  # mid-report: the page picks up the live view again
        assert page.locator("#step").inner_text() != "waiting for review"
        page.evaluate("window.stillTheSamePage = true")
        page.wait_for_function(STEP_IS_JS, arg="waiting for review")
        assert page.evaluate("window.stillTheSamePage") is True
    finally:
        first.stop()
    second = WebServer(settings, port).start()
    try:
        # The page from the first process still works: its form, its token, its session
        # (sessions outlive the process; the second launch has a token of its own).
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
        assert page.url.endswith(f"/reports/{report_id}?done=review-approve")
    finally:
        second.stop()


def test_schedules_page_pauses_resumes_and_runs_now(
        page: Page, web: WebServer, web_settings: Settings, watched: dict[str, list[str]],
        tmp_path: Path) -> None:
    """A schedule added with the CLI is listed; its buttons pause, resume and run it now
    (the run's report page follows, and the run completes on the page's worker)."""
    schedule_id = f"sched-{uuid.uuid4().hex[:8]}"
    env = settings_env(web_settings)
    added = research("schedule", "add", "Scheduled from the page?", "--every", "day 06:00",
                     "--depth", "quick", "--id", schedule_id, env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stdout + added.stderr
    try:
        log_in(page, web)
        page.get_by_role("link", name="Schedules").click()
        row = page.locator("tr", has_text=schedule_id)
        expect(row).to_contain_text("day 06:00")
        expect(row).to_contain_text("active")
        assert_labelled(page)
        row.get_by_role("button", name=f"Pause {schedule_id}").click()
        expect(page.locator(".notice")).to_contain_text("Paused")
        expect(row).to_contain_text("paused")
        row.get_by_role("button", name=f"Resume {schedule_id}").click()
        expect(row).to_contain_text("active")
        row.get_by_role("button", name=f"Run now {schedule_id}").click()
        page.wait_for_url(f"**/reports/scheduled-{schedule_id}-*")
        expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    finally:
        research("schedule", "delete", schedule_id, env=env, cwd=tmp_path)
