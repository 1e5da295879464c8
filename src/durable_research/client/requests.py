"""Turning what a person asked for into a validated workflow input (shared by CLI and web)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from durable_research.addresses import check_recipients, parse_recipients
from durable_research.client.options import FORMATS, Spelling
from durable_research.config import Settings
from durable_research.contract.report import DEFAULT_PROMPT, KNOWN_FORMATS, ReportInput
from durable_research.errors import UserError

# Questions longer than this are surely a mistake (a pasted file) and would bloat history.
MAX_PROMPT_CHARS = 100_000
# Read a little past the limit so an oversized file gets the clear "too long" error.
MAX_PROMPT_READ = MAX_PROMPT_CHARS + 1
# Whitespace read past the limit to see whether the question itself ends within it (an
# editor's final newline does not count, as the argument's does not); more is refused.
_SPACE_AFTER = 64 * 1024


def unreadable_file(path: str | Path, what: str, exc: OSError | UnicodeDecodeError,
                    stdin: bool = True) -> UserError:
    """The refusal of a file the user named that cannot be read: the reason and the fix.

    The OS error alone repeated the path ("[Errno 2] No such file or directory: 'x'") and
    said nothing of what to do.
    """
    if isinstance(exc, UnicodeDecodeError):
        return UserError(f"Cannot read {what} from {path}: it is not UTF-8 text",
                         "save the file as UTF-8 (plain text)")
    hint = "check the path and that you may read the file"
    return UserError(f"Cannot read {what} from {path}: {exc.strerror or exc}",
                     f"{hint}, or give - to read from standard input" if stdin else hint)


def utf8_text(text: str, what: str) -> str:
    """``text`` when it is valid UTF-8 text; ``what`` names it in the refusal ("The
    question", "Answer 2"). Undecodable bytes in argv or a file read with
    surrogateescape arrive as lone surrogates, which no payload or LLM request can carry:
    sent, they failed the report's every later LLM call.

    Raises:
        UserError: It holds such a surrogate.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(f"{what} is not valid UTF-8 text",
                        "check the terminal's or the file's encoding") from None
    return text


def formats_hint(spelling: Spelling) -> str:
    """How to choose formats where ``spelling``'s front end takes them: a comma-separated
    list on the command line and in MCP, a JSON list in the HTTP API, boxes on the page."""
    known = ",".join(KNOWN_FORMATS)
    name = FORMATS.name(spelling)
    if spelling is Spelling.FORM:
        return f"tick at least one of {name}"
    if spelling is Spelling.API:
        return f"give {name} as a list of one or more of {', '.join(map(repr, KNOWN_FORMATS))}"
    return f"give {name} a comma-separated subset of {known}"


def parse_formats(raw: str, spelling: Spelling = Spelling.CLI) -> list[str]:
    """Parse ``pdf,md,html,docx`` into a validated list (PDF always first if present)."""
    formats = [f.strip().lower() for f in raw.split(",") if f.strip()]
    hint = formats_hint(spelling)
    if not formats:
        raise UserError("Choose at least one format", hint)
    unknown = [f for f in formats if f not in KNOWN_FORMATS]
    if unknown:
        raise UserError(f"Unknown output format(s): {', '.join(unknown)}", hint)
    return sorted(set(formats), key=KNOWN_FORMATS.index)


def parse_format(raw: str) -> str:
    """One report format (``pdf``, ``md`` or ``html``).

    Raises:
        UserError: Anything else (several formats included).
    """
    fmt = raw.strip().lower()
    if fmt not in KNOWN_FORMATS:
        raise UserError(f"Unknown report format {raw[:20]!r}",
                        f"use one of {', '.join(KNOWN_FORMATS)}")
    return fmt


def require_question(question: str) -> str:
    """A question a script or an assistant sent (the API, MCP), stripped: for them a blank
    one is a lost question, not the CLI's and the page's call for the demo question.

    Raises:
        UserError: The question is blank.
    """
    text = question.strip()
    if not text:
        raise UserError("The question is empty", "ask a research question")
    return text


def build_input(
    prompt: str | None, review: bool, formats: str, out: str | None, overwrite: bool,
    email: str | None, model: str | None, settings: Settings,
    spelling: Spelling = Spelling.CLI,
) -> ReportInput:
    """Validate a front end's options (named as ``spelling`` names them) into the workflow
    input."""
    text = utf8_text((prompt or "").strip() or DEFAULT_PROMPT, "The question")
    if "\x00" in text:
        raise UserError("The question contains a NUL character")
    if len(text) > MAX_PROMPT_CHARS:
        raise UserError(
            f"The question is {len(text):,} characters long; the limit is {MAX_PROMPT_CHARS:,}",
            "put the essentials of the question in the prompt",
        )
    # Blank (a form's empty field) is no choice: the settings' EMAIL_TO applies.
    to = (email or "").strip()
    # UserErrors for malformed or injected addresses, and for ones the policy refuses.
    check_recipients(parse_recipients(to or settings.email_to), settings.email_allowed)
    return ReportInput(
        prompt=text,
        model=model or "",
        formats=parse_formats(formats, spelling),
        output_dir=output_request(out, settings),
        overwrite=overwrite,
        email_to=to,
        review=review,
        review_timeout_s=settings.review_timeout_s,
        review_timeout_action=settings.review_timeout_action,
    )


def output_request(out: str | None, settings: Settings) -> str:
    """``--out`` as a request the worker will honour: a folder inside its output root.

    A separate worker only writes under its RESEARCH_OUTPUT_DIR; ``run`` with a worker
    copies the files to ``--out`` instead (:func:`copy_target`).
    """
    if not out:
        return ""
    root = settings.output_path
    target = Path(out).expanduser()
    target = (target if target.is_absolute() else Path.cwd() / target).resolve()
    if target != root and root not in target.parents:
        raise UserError(
            f"--out {out} is outside the workers' output folder {root} (RESEARCH_OUTPUT_DIR)",
            "name a folder inside it, or fetch the files anywhere afterwards with "
            "`research result ID --download DIR`",
        )
    _check_writable(target, out)
    return str(target)


def check_output_folder(settings: Settings) -> None:
    """This machine's worker writes every report into RESEARCH_OUTPUT_DIR (./reports where
    the command runs, by default): one it cannot create or write failed the report at its
    last step, after the research was paid for.

    Raises:
        UserError: The folder cannot be created or written.
    """
    folder = settings.output_path
    try:
        _writable(folder)
    except OSError as exc:
        raise UserError(
            f"Cannot write reports to {folder} (RESEARCH_OUTPUT_DIR): {exc.strerror or exc}",
            "set RESEARCH_OUTPUT_DIR to a folder you can write, or run the command in one "
            "(the default, reports, is a folder where it runs)") from None


def _check_writable(target: Path, out: str) -> None:
    """Create ``target`` and prove it writable now, before anything is paid for."""
    try:
        _writable(target)
    except OSError as exc:
        raise UserError(f"Cannot write to --out {out}: {exc.strerror or exc}") from None


def _writable(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    probe = target / ".write-test"
    probe.write_bytes(b"")
    probe.unlink()


def copy_target(out: str) -> Path:
    """``--out`` of a run that copies the finished files there: created and checked now.

    Raises:
        UserError: The folder cannot be created or written (before anything is paid).
    """
    target = Path(out).expanduser().resolve()
    _check_writable(target, out)
    return target


def _read_question(f: TextIO) -> tuple[str, bool]:
    """What ``f`` holds up to a little past the limit, with the whitespace after that, and
    whether the question is over the limit: its stripped length counts, as the argument's
    does (an editor's final newline is no part of it), and whitespace past
    ``_SPACE_AFTER`` is taken for more question."""
    text = f.read(MAX_PROMPT_READ)
    while len(text) >= MAX_PROMPT_READ and len(text.strip()) <= MAX_PROMPT_CHARS:
        if len(text) > MAX_PROMPT_READ + _SPACE_AFTER:
            return text, True
        more = f.read(4096)
        if not more:
            break
        text += more
    return text, len(text.strip()) > MAX_PROMPT_CHARS


def read_prompt(prompt: str | None, prompt_file: str | None) -> str | None:
    """The question from the argument or from ``--file`` (not both)."""
    if prompt_file is None:
        return prompt
    if prompt:
        raise UserError("Give the question either as an argument or with --file, not both")
    try:
        if prompt_file == "-":
            text, too_long = _read_question(sys.stdin)
        else:
            with open(prompt_file, encoding="utf-8") as f:
                text, too_long = _read_question(f)
    except (OSError, UnicodeDecodeError) as exc:
        raise unreadable_file(prompt_file, "the question", exc) from None
    stdin = prompt_file == "-"
    where = "on standard input" if stdin else f"in {prompt_file}"
    if too_long:
        raise UserError(
            f"The question {where} is over the limit of {MAX_PROMPT_CHARS:,} characters",
            "put the essentials of the question in " + ("it" if stdin else "the file"),
        )
    if not text.strip():
        raise UserError(f"The question {where} is empty",
                        ("pipe the question in" if stdin else "write the question into the "
                         "file") + ", or pass it as an argument")
    return text
