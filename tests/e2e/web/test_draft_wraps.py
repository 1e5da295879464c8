"""The draft a running report has written so far wraps inside the page. Found in a new
user's trial in Chromium: "Draft so far" is a ``<pre class="draft">`` whose sections are
each one long line, and without a rule of its own it kept them on one line each: the page
grew to 4,653 pixels wide beside a 1,280-pixel window, every section read by scrolling
sideways (and the draft review below it with them)."""

from __future__ import annotations

from playwright.sync_api import Browser

from durable_research.web.templating import HERE

SECTION = ("In the tun state, tardigrades can survive temperatures close to absolute zero "
           "[1]. " * 30).strip()
# The markup of _progress.html's draft, under the app's stylesheet.
PAGE = f"""<!DOCTYPE html><html><head><style>{{css}}</style></head><body><main>
<details open><summary>Draft so far: 2 of 4 sections</summary>
<pre class="draft" dir="auto">## What do they survive?\n\n{SECTION}\n\n## Space\n\n{SECTION}</pre>
</details></main></body></html>"""


def test_the_draft_so_far_wraps_within_the_window(chromium: Browser) -> None:
    css = (HERE / "static" / "app.css").read_text(encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.set_content(PAGE.replace("{css}", css))
        widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                               "document.documentElement.clientWidth]")
        draft = page.evaluate("() => document.querySelector('pre.draft').scrollWidth <= "
                              "document.querySelector('pre.draft').clientWidth")
    finally:
        page.close()
    assert widths[0] <= widths[1], widths
    assert draft
