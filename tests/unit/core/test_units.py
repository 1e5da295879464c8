"""Pure unit tests: settings, error classification, addresses, names."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from litellm import exceptions as llm_errors
from temporalio.client import TLSConfig

from durable_research.activities.email import message_id
from durable_research.addresses import parse_recipients
from durable_research.client import _tls
from durable_research.config import Settings, load_settings
from durable_research.contract.llm import Usage
from durable_research.errors import ConfigError, UserError
from durable_research.llm.calls import classify_llm_error, retry_after_seconds
from durable_research.workflows.report import report_basename
from tests.support.llm_errors import llm_error


def test_env_wins_over_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LLM_MODEL=from-file\nLLM_MAX_TOKENS=99\nLLM_TIMEOUT=12\n")
    settings = load_settings({"LLM_MODEL": "from-env"}, env_file)
    assert settings.llm_model == "from-env"
    assert settings.llm_max_tokens == 99
    assert settings.llm_timeout_s == 12.0
    assert settings.llm_judge_batch == 10
    assert load_settings({"LLM_JUDGE_BATCH": "1"}, env_file).llm_judge_batch == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LLM_TIMEOUT": "soon"}, "LLM_TIMEOUT='soon' is not a number"),
        ({"SMTP_PORT": "-1"}, "must not be negative"),
        ({"TEMPORAL_TLS": "maybe"}, "not a yes/no value"),
        ({"RESEARCH_EMBEDDED": "sometimes"}, "is not one of: auto, never"),
        ({"TEMPORAL_TLS_CERT": "/c.pem"}, "must be given together"),
        # A bare name used to pass and fail every search of the report (rc 0, nothing cited).
        ({"EMBEDDING_MODEL": "bogus"}, "EMBEDDING_MODEL='bogus' names no provider"),
        # Accepted once, then every review timer failed (timedelta overflow).
        ({"REVIEW_TIMEOUT": "1e14"}, "REVIEW_TIMEOUT='1e14' is over the maximum"),
        ({"EMAIL_ALLOWED": "example.org, *example.org"}, "EMAIL_ALLOWED entry '*example.org'"),
        # A batch of no pairs would ask the judge nothing; one of thousands, one long call.
        ({"LLM_JUDGE_BATCH": "0"}, "LLM_JUDGE_BATCH='0' is under the minimum of 1"),
        ({"LLM_JUDGE_BATCH": "51"}, "LLM_JUDGE_BATCH='51' is over the maximum of 50"),
        ({"LLM_JUDGE_BATCH": "2.5"}, "LLM_JUDGE_BATCH='2.5' is not a number"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env, tmp_path / "none.env")
    assert message in info.value.message


def test_choices_read_in_any_case(tmp_path: Path) -> None:
    settings = load_settings({"LLM_STRUCTURED_OUTPUT": "OFF", "RESEARCH_EMBEDDED": "Never"},
                             tmp_path / "none.env")
    assert settings.llm_structured_output == "off" and settings.embedded == "never"
    assert load_settings({"EMBEDDING_MODEL": "ollama/nomic-embed-text"},
                         tmp_path / "none.env").embedding_model == "ollama/nomic-embed-text"


def test_tls_and_api_key_settings(tmp_path: Path) -> None:
    assert _tls(Settings()) is False
    assert Settings(temporal_api_key="k").uses_tls
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(b"CERT")
    key.write_bytes(b"KEY")
    tls = _tls(Settings(temporal_tls_cert=str(cert), temporal_tls_key=str(key)))
    assert isinstance(tls, TLSConfig)
    assert tls.client_cert == b"CERT" and tls.client_private_key == b"KEY"
    with pytest.raises(ConfigError) as info:
        _tls(Settings(temporal_tls=True, temporal_tls_ca=str(tmp_path / "missing.pem")))
    assert "Cannot read the TLS CA file" in info.value.message


def test_llm_errors_are_classified() -> None:
    auth = classify_llm_error(llm_error(llm_errors.AuthenticationError, 401), "m")
    assert auth.non_retryable and auth.type == "AuthenticationError"
    limited = classify_llm_error(
        llm_error(llm_errors.RateLimitError, 429, {"retry-after": "7"}), "m")
    assert not limited.non_retryable and limited.next_retry_delay == timedelta(seconds=7)
    capped = llm_error(llm_errors.RateLimitError, 429, {"retry-after": "99999"})
    assert retry_after_seconds(capped) == 600
    assert retry_after_seconds(llm_error(llm_errors.RateLimitError, 429)) is None


def test_recipients_are_validated() -> None:
    assert parse_recipients("a@x.org, B <b@y.org>") == ["a@x.org", "b@y.org"]
    assert parse_recipients("") == []
    for bad in ("a@x.org\r\nBcc: c@z.org", "nobody", "a@localhost", "a b@x.org"):
        with pytest.raises(UserError):
            parse_recipients(bad)


def test_message_id_is_stable_per_key() -> None:
    assert message_id("wf-1/report") == message_id("wf-1/report")
    assert message_id("wf-1/report") != message_id("wf-2/report")
    assert message_id("x").startswith("<") and message_id("x").endswith("@durable-research>")


def test_report_basename_is_safe() -> None:
    assert report_basename("Give me 5 facts about tardigrades!", "report-abc123") == (
        "give-me-5-facts-about-tardigrades-abc123"
    )
    name = report_basename("../../etc/passwd \x00 <script>", "id/../x")
    assert "/" not in name and ".." not in name and "\x00" not in name
    assert report_basename("!!!", "") == "report"


def test_report_basename_keeps_words_with_their_combining_marks() -> None:
    """A Hindi question's file was ``ट-र-ड-ग-र-ड-<id>.pdf``: every vowel sign (a
    combining mark, not a regex word character) split its word (found in a new user's trial)."""
    assert report_basename("टार्डिग्रेड किन परिस्थितियों में जीवित रहते हैं?", "report-abc") == (
        "टार्डिग्रेड-किन-परिस्थितियों-में-जीवित-रहते-abc")
    assert report_basename("ทาร์ดิเกรดอยู่ที่ไหน", "report-abc") == "ทาร์ดิเกรดอยู่ที่ไหน-abc"
    assert report_basename("كيف تعيش بطيئات المشية؟", "report-abc") == (
        "كيف-تعيش-بطيئات-المشية-abc")
    assert report_basename("ä_b ́x", "report-abc") == "ä-b-x-abc"  # no "_", no lone mark


def test_usage_adds_and_keeps_unknown_cost() -> None:
    total = Usage(1, 2, 3, None).add(Usage(10, 20, 30, None))
    assert (total.prompt_tokens, total.completion_tokens, total.total_tokens) == (11, 22, 33)
    assert total.cost_usd is None
    assert Usage(cost_usd=0.5).add(Usage(cost_usd=None)).cost_usd == 0.5




def test_bidi_controls_never_reach_the_terminal() -> None:
    """Issue 25: U+202E in a title showed the rest of the line reversed."""
    from durable_research.terminal import safe, strip_controls

    hostile = "report\u202egnp.exe\u202c \u2066x\u2069 \u200fאב\u200e [b]\x1b[2J\ttab\n"
    assert strip_controls(hostile) == "reportgnp.exe x אב [b][2J\ttab\n"
    assert safe(hostile) == "reportgnp.exe x אב \\[b][2J\ttab\n"
