"""Recall per layout of the layout-variant harness (issue 13 §3): every real template report in
data/raw with gold, its tables rendered into each layout and read back; facts compared with the ones
read from the real document.

    .venv/bin/python benchmarks/layout_variants.py [--verbose]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from gov_pipeline_tests.layout_variants import (
    LAYOUTS,
    applies,
    expected_of,
    read_back,
    score,
    template_reports,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true", help="list every missing or wrong fact")
    args = parser.parse_args()
    reports = template_reports()
    print(f"{len(reports)} template reports: " + ", ".join(r.name for r in reports))
    print(f"{'layout':<32} {'reports':>7} {'facts':>6} {'right':>6} {'wrong':>6} {'recall':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for layout in LAYOUTS:
            total = right = wrong = count = 0
            for report in reports:
                if not applies(layout, report):
                    continue
                count += 1
                result = score(expected_of(layout, report), read_back(report, layout, Path(folder))[0])
                total, right, wrong = total + result.expected, right + result.right, wrong + len(result.wrong)
                if args.verbose and (result.wrong or result.missing):
                    print(f"  {layout} {report.name}: wrong {result.wrong[:6]} missing {len(result.missing)} "
                          f"{result.missing[:8]}")
            print(f"{layout:<32} {count:>7} {total:>6} {right:>6} {wrong:>6} {right / total if total else 1:>7.3f}")


if __name__ == "__main__":
    main()
