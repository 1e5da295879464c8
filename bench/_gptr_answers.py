"""The fake LLM's answers to gpt-researcher's prompts (0.15.1), for ``gptr_compare.py``.

The fake LLM scripts answers to durable-research's prompts (``testing/fake_research.py``:
it plans from the question's parts and writes by quoting its excerpts with their
sources). Without answers of the same kind to gpt-researcher's three prompts, the fake
would echo each prompt back ("FAKE-LLM answer to: ..."): its agent choice would fail to
parse, its search queries would be the prompt's own example (``["query 1", ...]``) and its
report would be its prompt, so its completion tokens would count the prompt twice. So,
by the same rules as ours:

* the agent choice (system prompt ``auto_agent_instructions``): a fixed research agent;
* the search queries (``Write N search queries to research the following task``): the
  question's parts, as the fake plans ours (``fake_research._plan``);
* the report (``Information: "..." Using the above information, answer``): per source
  in its context, in order, up to :data:`SOURCES` sources, its first
  :data:`SENTENCES` sentences of 8+ words quoted with the source's name, and a
  reference list.
"""

from __future__ import annotations

import json
import re

from durable_research.research import prompts
from durable_research.testing.fake_research import research_reply

SOURCES = 8
SENTENCES = 3
AGENT = {"server": "Research Agent",
         "agent_role_prompt": "You are an AI research assistant. You write well-sourced "
                              "reports on the task from the documents you are given."}
_QUERIES = re.compile(r'Write (\d+) search queries to research the following task: "(.*?)"',
                      re.S)
_REPORT = re.compile(r'Information: "(.*)"\s*\n.*?answer the following query or task: '
                     r'"(.*?)"', re.S)
_BLOCK = re.compile(r"Source: (\S+)\nTitle: [^\n]*\nContent: (.*?)(?=\nSource: |\Z)", re.S)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def queries(question: str, n: int) -> list[str]:
    """Search queries from the question's parts, by the fake planner of our reports."""
    plan = json.loads(research_reply(prompts.TASK_PLAN, f"Question:\n{question}\n\n") or "{}")
    return [str(q) for q in plan.get("subquestions", [])][:n]


def report(question: str, context: str) -> str:
    """A report quoting the context's first sources, each sentence with its source."""
    quoted: dict[str, list[str]] = {}
    for source, content in _BLOCK.findall(context):
        if source in quoted or len(quoted) >= SOURCES:
            continue
        sentences = [s.strip() for s in _SENTENCE.split(" ".join(content.split()))]
        quoted[source] = [s for s in sentences if len(s.split()) >= 8][:SENTENCES]
    lines = [f"# {question}", "", "## Findings", ""]
    lines += [f"{s} ([{source}]({source}))" for source, found in quoted.items() for s in found]
    lines += ["", "## References", ""] + [f"- {source}" for source in quoted]
    return "\n".join(lines)


def answer(system: str, user: str) -> str | None:
    """The answer to one of gpt-researcher's prompts; None for any other prompt."""
    if "The server is determined by the field of the topic" in system:
        return json.dumps(AGENT)
    if found := _QUERIES.search(user):
        return json.dumps(queries(found.group(2), int(found.group(1))))
    if found := _REPORT.search(user):
        return report(found.group(2), found.group(1))
    return None
