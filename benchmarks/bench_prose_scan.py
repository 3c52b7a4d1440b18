"""Time of the prose grammar on hostile clauses (issue 14): long digit and numeral runs in one clause.

    .venv/bin/python benchmarks/bench_prose_scan.py [--size 40000]

Before the number grammar anchored and capped its tokens, one clause of 40 000 digits took 96 s and
30 000 Chinese numerals 39 s (quadratic backtracking); both now cost a fraction of a second and grow
linearly with the size (compare --size 40000 with --size 400000)."""

from __future__ import annotations

import argparse
import time

from gov_pipeline.domain.metadata import extract_metadata
from gov_pipeline.domain.numbers import parse_quantity
from gov_pipeline.domain.records import Section
from gov_pipeline.facts.extract import extract_prose_facts


def clauses(size: int) -> dict[str, str]:
    return {
        f"{size} digits after a topic": "行政复议" + "1" * size + "件",
        f"{size} Chinese numerals after a topic": "行政复议" + "一" * size + "件",
        f"{size} digits with separators": "收到政府信息公开申请" + "1," * (size // 2) + "件",
        f"{size} characters of digit/numeral alternation": "收到申请" + "1一" * (size // 2) + "件",
        f"{size} characters of a negation without its noun": "未发生" + "针对" * (size // 2) + "行政复议",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=40_000)
    size = parser.parse_args().size
    for name, text in clauses(size).items():
        sections = [Section("doc", 1, 1, None, "heading", key, text) for key in ("requests", "review_litigation")]
        start = time.perf_counter()
        extract_prose_facts("doc", sections, 2016)
        parse_quantity(text)
        prose = time.perf_counter() - start
        start = time.perf_counter()
        extract_metadata(html_title=None, html_heading=None, meta={}, header={}, page_text=text, body=text)
        print(f"{name}: prose {prose:.3f} s, metadata {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
