"""The app's payload converter decodes exactly as Temporal's default one, faster."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any

import pytest
from temporalio.converter import DataConverter

from durable_research.contract import citations, llm, report, review
from durable_research.contract import research as contract_research
from durable_research.contract.citations import Reference, UnsupportedCitation, Verification
from durable_research.contract.llm import Usage
from durable_research.contract.report import (
    ReportInput,
    ReportResult,
    ReportStatus,
    SendEmailOutput,
)
from durable_research.contract.research import Budget, ResearchProgress, SubProgress
from durable_research.payloads import converter
from durable_research.research import types as research_types

DEFAULT = DataConverter.default.payload_converter
APP = converter.APP_DATA_CONVERTER.payload_converter


def _both(value: Any, hint: Any) -> tuple[Any, Any]:
    payloads = DEFAULT.to_payloads([value])
    assert APP.to_payloads([value]) == payloads  # the same JSON on the wire
    return APP.from_payloads(payloads, [hint])[0], DEFAULT.from_payloads(payloads, [hint])[0]


def _boundary_dataclasses() -> list[type]:
    found = []
    for module in (citations, llm, report, contract_research, review, research_types):
        found += [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if dataclasses.is_dataclass(c) and c.__module__ == module.__name__
                  and all(f.default is not dataclasses.MISSING
                          or f.default_factory is not dataclasses.MISSING
                          for f in dataclasses.fields(c))]
    assert len(found) >= 30
    return found


@pytest.mark.parametrize("cls", _boundary_dataclasses(), ids=lambda c: c.__name__)
def test_every_boundary_dataclass_decodes_as_the_default(cls: type) -> None:
    value = cls()
    app, default = _both(value, cls)
    assert app == default == value


def test_nested_values_decode_as_the_default() -> None:
    result = ReportResult(
        pdf_path="/r/a.pdf", paths=["/r/a.pdf", "/r/a.md"], usage=Usage(3, 4, 7, 0.5),
        email=SendEmailOutput(sent=True, recipients=["a@example.org"]),
        references=[Reference(n=1, title="T", url="https://example.org")],
        verification=Verification(checked=2, unsupported=[UnsupportedCitation("s", 1, 0.2)]),
        subquestions=["why?"])
    status = ReportStatus(step="researching", result=result, research=ResearchProgress(
        plan=["a", "b"], subs=[SubProgress(index=1, usage=Usage(1, 2, 3, 0.1), seq=4)],
        budget=Budget(max_usd=1.5)))
    for value in (result, status, ReportInput(prompt="q", budget=Budget(max_pages=3))):
        app, default = _both(value, type(value))
        assert app == default == value
    # A union with None: both members.
    for value in (ReportStatus(), status):
        assert _both(value, ReportStatus)[0].result == value.result


@dataclass
class _Odd:
    name: str
    tags: list[str] = field(default_factory=list)
    derived: int = field(default=0, init=False)


def test_same_rules_as_the_default() -> None:
    payload = DEFAULT.to_payloads([{"name": "x", "tags": ["a"], "derived": 7, "new": 1}])
    for conv in (APP, DEFAULT):  # unknown keys ignored, init=False fields restored
        odd = conv.from_payloads(payload, [_Odd])[0]
        assert (odd.name, odd.tags, odd.derived) == ("x", ["a"], 7)
    missing = DEFAULT.to_payloads([{"tags": []}])
    wrong = DEFAULT.to_payloads([{"name": "x", "tags": 3}])
    for conv in (APP, DEFAULT):
        with pytest.raises(Exception, match="name"):  # a required field is missing
            conv.from_payloads(missing, [_Odd])
        with pytest.raises(Exception, match="tags"):  # a field of the wrong type
            conv.from_payloads(wrong, [_Odd])


def test_an_llm_call_input_of_an_older_history_decodes() -> None:
    """Histories recorded before ``draft`` and ``feedback`` left ``LlmCallInput`` hold them."""
    old = DEFAULT.to_payloads([{"prompt": "p", "system": "s", "model": "", "draft": "d",
                                "feedback": "f", "answer_schema": ""}])
    assert APP.from_payloads(old, [llm.LlmCallInput])[0] == llm.LlmCallInput(prompt="p",
                                                                             system="s")


def test_field_types_are_looked_up_once_per_class() -> None:
    converter._field_types.cache_clear()
    payloads = DEFAULT.to_payloads([ReportResult(usage=Usage(1, 1, 2))])
    for _ in range(3):
        APP.from_payloads(payloads, [ReportResult])
    info = converter._field_types.cache_info()
    assert info.misses == 3  # ReportResult, Usage, SendEmailOutput (verification: None)
    assert info.hits == 6
