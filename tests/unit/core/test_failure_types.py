"""Failure type names cross the worker/workflow boundary: their values never change."""

from __future__ import annotations

from durable_research import errors
from durable_research.errors import FailureType


def test_failure_type_values_are_the_names_histories_hold() -> None:
    assert {t.name: t.value for t in FailureType} == {
        "BAD_EMBEDDINGS": "BadEmbeddings", "BAD_REPORT_REQUEST": "BadReportRequest",
        "CONFIG_ERROR": "ConfigError", "CPU_PROCESS_CRASHED": "CpuProcessCrashed",
        "EMPTY_ANSWER": "EmptyAnswer",
        "FONT_NOT_FOUND": "FontNotFound", "FORBIDDEN_ATTACHMENT": "ForbiddenAttachment",
        "FORBIDDEN_KEY": "ForbiddenKey", "FOREIGN_RUN": "ForeignRun",
        "INVALID_ADDRESS": "InvalidAddress", "LEDGER_NOT_WRITABLE": "LedgerNotWritable",
        "MAIL_IN_FLIGHT": "MailInFlight", "MCP_UNAVAILABLE": "McpUnavailable",
        "MISSING_ATTACHMENT": "MissingAttachment",
        "MODEL_NOT_ALLOWED": "ModelNotAllowed", "OUTPUT_DISK_FULL": "OutputDiskFull",
        "OUTPUT_NOT_WRITABLE": "OutputNotWritable", "OUTSIDE_OUTPUT_ROOT": "OutsideOutputRoot",
        "RECIPIENT_NOT_ALLOWED": "RecipientNotAllowed",
        "SMTP_AUTHENTICATION_ERROR": "SMTPAuthenticationError",
        "SMTP_INSECURE": "SMTPInsecure", "SMTP_RECIPIENTS_REFUSED": "SMTPRecipientsRefused",
        "SMTP_REFUSED": "SMTPRefused",
        "SEARCH_FAILED": "SearchFailed", "STORE_ERROR": "StoreError",
        "STORE_UNAVAILABLE": "StoreUnavailable", "TEMPORAL_UNAVAILABLE": "TemporalUnavailable",
        "UNKNOWN_SCHEMA": "UnknownSchema", "WRONG_STATE": "WrongState",
    }
    assert errors.OUTPUT_DISK_FULL == "OutputDiskFull"
    assert str(FailureType.FOREIGN_RUN) == "ForeignRun"
