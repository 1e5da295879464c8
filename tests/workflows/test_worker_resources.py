"""The app's worker closes its activity objects' resources when it stops (the activities'
keep-alive HTTP and SMTP connections were left to the garbage collector: ResourceWarnings
in whatever test ran next, sockets held by a process that hosted a worker and went on)."""

from __future__ import annotations

from temporalio import activity

from durable_research.activities.base import WithSettings
from durable_research.contract.llm import LlmCallInput, LlmCallOutput

from .conftest import WorkerFactory


class Holder(WithSettings):
    """Activities whose object holds a resource."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    @activity.defn(name="llm_call")
    async def llm_call(self, params: LlmCallInput) -> LlmCallOutput:
        raise AssertionError("no report runs in this test")

    @activity.defn(name="create_pdf")
    async def create_pdf(self, params: object) -> None:
        raise AssertionError("no report runs in this test")

    async def aclose(self) -> None:
        self.closed += 1


async def test_a_stopped_worker_closes_its_activities_once(start_worker: WorkerFactory) -> None:
    holder = Holder()
    async with start_worker([holder.llm_call, holder.create_pdf]):
        assert holder.closed == 0
    assert holder.closed == 1
