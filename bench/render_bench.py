"""Time rendering of a ~100-page report and print pages per second.

Usage: python bench/render_bench.py [--sections N] [--repeat R]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from pypdf import PdfReader

from durable_research.contract.llm import Usage
from durable_research.contract.report import ReportContent
from durable_research.layout import render_bytes

SECTION = """
## Section {n}: findings

Tardigrades are **micro-animals** with *remarkable* resilience; see `cryptobiosis` and
[the survey](https://example.org/{n}). They survive desiccation, radiation & vacuum.
Greek Ωμέγα, Cyrillic Привет, CJK 中文字符, Hebrew שלום עולם, Arabic مرحبا بالعالم.

1. First point with some explanation that runs long enough to wrap onto a second line.
2. Second point
   - nested detail one
   - nested detail two
3. Third point

> A quoted remark from the literature, kept short but with *emphasis*.

```python
def survive(env: dict[str, float]) -> bool:
    return env["temperature"] > -272 and env["pressure"] < 6000  # tun state
```

| Species | Max temp (°C) | Notes |
|:--------|--------------:|:------|
| H. exemplaris | 151 | lab model, genome sequenced |
| R. varieornatus | 100 | extreme tolerance of radiation and desiccation |

{para}
"""

PARA = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. ") * 6


def make_content(sections: int) -> ReportContent:
    """Build a synthetic report with ``sections`` sections (~2.5 sections per page)."""
    body = "\n".join(SECTION.format(n=n, para=PARA) for n in range(1, sections + 1))
    return ReportContent(title="Benchmark report", question="How fast is rendering?",
                         body_markdown=body, model="bench", date="2025-01-01",
                         usage=Usage(1000, 2000, 3000, 0.01))


def big_table(rows: int) -> ReportContent:
    """A report that is one huge table (the PDF shows a capped part of it, with a note)."""
    md = "| id | name | value | comment |\n|---|---|---|---|\n" + "".join(
        f"| {i} | item {i} | {i * 37 % 1000} | a short comment on row {i} |\n"
        for i in range(rows))
    return ReportContent(title="Big table", body_markdown=md, model="bench", date="2025-01-01")


def main() -> None:
    """Run the benchmark and print the measured figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sections", type=int, default=160)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--table-rows", type=int, default=30_000,
                    help="rows of the big-table case (0 skips it)")
    args = ap.parse_args()
    content = make_content(args.sections)
    render_bytes(make_content(2), "pdf")  # warm up: font loading happens once per process
    for fmt in ("pdf", "html", "md"):
        times: list[float] = []
        data = b""
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            data = render_bytes(content, fmt)
            times.append(time.perf_counter() - t0)
        best, med = min(times), statistics.median(times)
        if fmt == "pdf":
            pages = len(PdfReader(io.BytesIO(data)).pages)
            print(f"pdf : {pages} pages, {len(data) / 1024:.0f} KiB, median {med:.2f} s "
                  f"(best {best:.2f} s) -> {pages / med:.1f} pages/s")
        else:
            print(f"{fmt:4}: {len(data) / 1024:.0f} KiB, median {med * 1000:.0f} ms "
                  f"(best {best * 1000:.0f} ms)")
    if args.table_rows:
        table = big_table(args.table_rows)
        size = len(table.body_markdown) / 1e6
        for fmt in ("pdf", "html"):
            t0 = time.perf_counter()
            data = render_bytes(table, fmt)
            print(f"big table ({args.table_rows:,} rows, {size:.1f} MB) {fmt}: "
                  f"{time.perf_counter() - t0:.2f} s, {len(data) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
