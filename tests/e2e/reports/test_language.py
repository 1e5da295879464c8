"""A report in another language end to end: the prompts carry the language, the local
documents are Chinese, and the citation check runs on Chinese text (real dev server, fake
LLM)."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client

from durable_research.client import research as cr
from durable_research.config import Settings
from durable_research.llm.prompts import LANGUAGE_RULE
from durable_research.research import prompts
from durable_research.testing.fake_llm import FakeLLM
from durable_research.worker.build import build_worker
from tests.support.helpers import run_report

DOCS = {
    "水熊虫.md": "# 水熊虫\n\n水熊虫是一种微小的无脊椎动物，体长通常不到一毫米，生活在世界各地。\n"
                "水熊虫在脱水后进入隐生状态，在这种状态下可以在太空的真空中存活整整十天。\n"
                "科学家在实验中发现，水熊虫能够承受高达五千戈瑞的伽马辐射而不会死亡。\n",
    "栖息地.md": "# 栖息地\n\n水熊虫通常生活在苔藓和地衣表面的水膜中，也能在城市的屋顶上找到。\n"
                "研究人员还在深海沉积物、温泉以及南极洲的湖泊中发现了许多种类的水熊虫。\n",
}


async def test_a_chinese_report_from_chinese_documents(
    client: Client, settings: Settings, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    prepared = cr.ingest_sources(settings, [str(folder)])
    assert prepared.documents == 2
    async with build_worker(client, settings):
        result = await run_report(client, settings, prompt="水熊虫能在什么环境中存活？",
                                  depth="standard", collection=prepared.collection,
                                  formats=["md"], web=False, language="zh")
    rule = LANGUAGE_RULE.format(name="Chinese")
    told = fake_llm.systems_containing(rule)
    # The plan, the notes and the sections were each asked for in Chinese.
    for task in (prompts.TASK_PLAN, prompts.TASK_NOTES, prompts.TASK_SECTION):
        assert any(s.startswith(task) for s in told), (task, told)
    assert len(result.references) >= 1
    assert result.verification is not None and result.verification.checked >= 1
    # The fake model quotes its Chinese sources exactly: the check finds every quote.
    assert result.verification.supported == result.verification.checked
    md = Path(result.paths[0]).read_text(encoding="utf-8")
    assert "水熊虫" in md.split("References")[0]
