"""A prompt holding lone surrogates (a file name read with the file system's
``surrogateescape``, text from a source that kept them) is sent with them replaced. Found
in a new user's trial: the OpenAI client's encoder refused it ("surrogates not allowed"),
litellm called that an InternalServerError, and each call was retried until the report
failed, for a mistake no retry can mend."""

from __future__ import annotations

from temporalio.testing import ActivityEnvironment

from durable_research.activities import llm
from durable_research.config import Settings
from durable_research.testing.fake_llm import FakeLLM


async def test_lone_surrogates_are_replaced_not_retried(settings: Settings,
                                                        fake_llm: FakeLLM) -> None:
    out = await ActivityEnvironment().run(
        llm.complete, settings, settings.llm_model, "system \ud800", "notes/caf\udce9.md: Q?")
    assert out.text
    sent = fake_llm.sent()[-1]
    assert (sent.system, sent.user) == ("system \ufffd", "notes/caf\ufffd.md: Q?")
