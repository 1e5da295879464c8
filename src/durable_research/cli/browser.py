"""Opening a local app in the user's browser without putting its token on a command line.

``webbrowser.open(url)`` runs ``xdg-open <url>`` (and perhaps a new browser process
with the URL in its arguments): every local user can read those in ``ps``. So, as
Jupyter does, the URL goes into a private file that redirects to it, and only the
file's path is handed to the browser.
"""

from __future__ import annotations

import html
import os
import sys
import webbrowser
from pathlib import Path

from durable_research.private import write_private


def has_display() -> bool:
    """Whether a graphical browser can be opened (never a text browser in this terminal)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def redirect_page(url: str) -> str:
    """A page that sends the browser to ``url`` at once (no script: a meta refresh)."""
    quoted = html.escape(url, quote=True)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"refresh\" content=\"0;url={quoted}\">"
        "<title>Opening durable-research</title></head>"
        f"<body><p><a href=\"{quoted}\">Open durable-research</a></p></body></html>\n"
    )


def open_private_url(url: str, folder: Path, name: str) -> Path | None:
    """Open ``url`` through a 0600 redirect file ``folder/name``.

    Returns:
        The file (delete it when the app stops), or None when no browser was opened
        (then nothing is left behind).
    """
    if not has_display():
        return None
    path = folder / name
    write_private(path, redirect_page(url))
    try:
        opened = webbrowser.open(path.as_uri(), new=2)
    except webbrowser.Error:
        opened = False
    if not opened:
        path.unlink(missing_ok=True)
        return None
    return path
