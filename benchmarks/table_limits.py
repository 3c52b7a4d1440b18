"""Bounded work in the table stages: the digit-run solver on glued 48-digit table-3 rows and the
grid builder on a span-amplification page. Prints seconds and peak memory (not a test: timings).

    .venv/bin/python benchmarks/table_limits.py
"""

from __future__ import annotations

import random
import resource
import time
import tracemalloc

from gov_pipeline.cleaning.html_text import parse_html
from gov_pipeline.domain.identities import row_sums
from gov_pipeline.domain.template import TABLE3_COLUMNS, TABLE3_COLUMNS_WITH_SUBTOTAL
from gov_pipeline.structure.tables import extract_tables, split_digit_run


def glued_rows(count: int, seed: int = 7) -> list[str]:
    """48-digit runs of 8-column table-3 rows (six applicant columns, 小计, 总计), half consistent."""
    rng = random.Random(seed)
    rows: list[str] = []
    while len(rows) < count:
        if len(rows) % 2:
            rows.append("".join(rng.choice("0123456789") for _ in range(48)))
            continue
        parts = [rng.randint(0, 10 ** rng.randint(1, 8)) for _ in range(6)]
        run = "".join(map(str, [*parts, sum(parts[1:]), sum(parts)]))
        if len(run) == 48:
            rows.append(run)
    return rows


def main() -> None:
    for columns in (TABLE3_COLUMNS_WITH_SUBTOTAL, TABLE3_COLUMNS):
        rule = row_sums("table3", columns)
        times = []
        for run in [*glued_rows(40), "1" * 48, "9" * 48]:
            start = time.perf_counter()
            readings = split_digit_run(run, rule)
            times.append(time.perf_counter() - start)
            assert readings.capped is None or "steps" in readings.capped
        print(f"digit-run solver, 48 digits, {len(columns)} columns: worst {max(times):.3f} s, "
              f"mean {sum(times) / len(times):.3f} s over {len(times)} runs")
    cell = "申" * 30_000
    html = ("<html><body><div id='zoom'><p>" + "政府信息公开工作年度报告" * 1500 + "</p>"
            f"<table><tr><td rowspan='200' colspan='60'>{cell}</td></tr><tr><td>1</td></tr></table>"
            "</div></body></html>")
    tracemalloc.start()
    start = time.perf_counter()
    page = parse_html(html)
    extract_tables("span", page.body_text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"span page ({len(html.encode()) // 1024} KB, one 30 000-character cell at rowspan=200 colspan=60): "
          f"{time.perf_counter() - start:.2f} s, peak traced memory {peak / 2**20:.1f} MiB, "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
          f"cut {page.removed.get('table_text_over_grid_cap', 0)} characters")


if __name__ == "__main__":
    main()
