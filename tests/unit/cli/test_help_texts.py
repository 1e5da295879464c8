"""Help texts a new user reads: they name every supported document type, and each
command's line in ``research --help`` is one sentence."""

from __future__ import annotations

import inspect

from typer.testing import CliRunner

from durable_research.cli import build_app
from durable_research.research.extract import SUPPORTED_SUFFIXES


def test_the_sources_help_names_every_document_type() -> None:
    out = CliRunner().invoke(build_app(), ["run", "--help"],
                             env={"COLUMNS": "400", "TERM": "dumb"}).output
    line = next(ln for ln in out.splitlines() if "--sources" in ln)
    # .markdown/.text/.htm are other spellings of md/txt/html.
    named = {s for s in SUPPORTED_SUFFIXES if s not in (".markdown", ".text", ".htm")}
    assert {s for s in named if s.lstrip(".") not in line} == set()


def test_each_command_summary_is_one_line() -> None:
    def summaries(app: object) -> list[tuple[str, str]]:
        found = []
        for c in app.registered_commands:  # type: ignore[attr-defined]
            doc = (c.callback.__doc__ or "").strip().split("\n\n")[0]
            found.append((c.name or c.callback.__name__, doc))
        for g in app.registered_groups:  # type: ignore[attr-defined]
            found += summaries(g.typer_instance)
        return found

    assert [name for name, doc in summaries(build_app()) if "\n" in doc] == []


def test_no_help_names_a_number_option_by_its_click_type() -> None:
    # typer 0.28 shows a bounded number's type ("<float range> [x>=0]") unless it has a
    # metavar: "--budget-usd USD [x>=0]" reads as what to give.
    app = build_app()
    env = {"COLUMNS": "200", "TERM": "dumb"}
    for args in (["run"], ["start"], ["list"], ["raise-budget"], ["web"], ["mcp"]):
        out = CliRunner().invoke(app, [*args, "--help"], env=env).output
        assert "range>" not in out, args


def test_no_help_paragraph_breaks_mid_sentence() -> None:
    # The help keeps a docstring's line breaks and wraps at the terminal's width too, so a
    # paragraph written over two lines showed a lone word on a line ("opened" in `research
    # web --help` at 80 columns): each paragraph after the summary is one line.
    def docs(app: object) -> list[tuple[str, str]]:
        found = []
        for c in app.registered_commands:  # type: ignore[attr-defined]
            found.append((c.name or c.callback.__name__, c.callback.__doc__ or ""))
        for g in app.registered_groups:  # type: ignore[attr-defined]
            found += docs(g.typer_instance)
        return found

    broken = [name for name, doc in docs(build_app())
              if any("\n" in p for p in inspect.cleandoc(doc).split("\n\n")[1:])]
    assert broken == []
