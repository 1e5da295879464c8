"""Where font files are looked for: DURABLE_RESEARCH_FONT_DIRS, the packaged fonts, the
usual system folders, ReportLab's own.

A module of its own because both fonts.py (the report's font set) and scriptfonts.py
(fonts for other scripts, loaded on demand) search the same folders, and fonts.py
imports scriptfonts.py: with the search in fonts.py the two imported each other.
"""

from __future__ import annotations

import os
from pathlib import Path

import reportlab

ENV_FONT_DIRS = "DURABLE_RESEARCH_FONT_DIRS"

_SYSTEM_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/truetype/ancient-scripts",
    "/usr/share/fonts/truetype/droid",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/truetype/freefont",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
)


def font_dirs() -> list[Path]:
    """Folders searched for font files, in priority order."""
    dirs = [Path(p) for p in os.environ.get(ENV_FONT_DIRS, "").split(os.pathsep) if p]
    dirs.append(Path(__file__).resolve().parent.parent / "fonts")
    dirs.extend(Path(d) for d in _SYSTEM_DIRS)
    dirs.append(Path(reportlab.__file__).parent / "fonts")
    return dirs


def find_font_file(candidates: tuple[str, ...]) -> Path | None:
    """Return the first existing file among ``candidates`` in :func:`font_dirs`."""
    for name in candidates:
        for d in font_dirs():
            if (d / name).is_file():
                return d / name
    return None
