"""Time and memory of the hostile folder (gov_pipeline_tests/hostile.py, issue 14).

    .venv/bin/python benchmarks/bench_hostile.py

1. Every entry on its own through the stage functions (catalog, cleaning, sections and tables, facts,
   rules), in this process: prints the slowest entries and the longest per-document time.
2. One real `gov-pipeline run` over the whole folder (Dagster, dbt), under /usr/bin/time: prints its
   wall time, the number of `reports` rows against the number of entries, and the peak resident set
   size (the largest process of the run)."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from gov_pipeline.cleaning.clean import clean_document
from gov_pipeline.domain.records import RawDocument
from gov_pipeline.facts.extract import extract_prose_facts, extract_table_facts, merge_facts
from gov_pipeline.ingest.inventory import discover, read_entry
from gov_pipeline.pipeline import catalog_row
from gov_pipeline.quality.rules import ReportContext, evaluate_report
from gov_pipeline.structure.sections import split_sections
from gov_pipeline.structure.tables import extract_tables
from gov_pipeline_tests.hostile import (
    build_hostile_folder,
    entries,
    run_without_privileges,
)


def one_document(entry, raw: Path) -> None:
    """Everything the stages do to one entry, in order."""
    row = catalog_row(entry, raw)
    if row["read_error"]:
        return
    raw_document = RawDocument(**{k: row[k] for k in RawDocument.__dataclass_fields__})
    result = clean_document(raw_document, read_entry(entry, raw))
    document = result.document
    if document is None or not document.is_annual_report:
        return
    sections, cells = split_sections(document.doc_id, document.text), extract_tables(document.doc_id, document.text)
    facts, _ = merge_facts(document.doc_id, extract_prose_facts(document.doc_id, sections, document.report_year),
                           extract_table_facts(document.doc_id, cells))
    evaluate_report(ReportContext(document.doc_id, document.report_year, document.publish_date, "legacy"), facts, cells)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        raw = build_hostile_folder(root).resolve()
        timings = []
        for entry in discover(raw):
            start = time.perf_counter()
            one_document(entry, raw)
            timings.append((time.perf_counter() - start, entry.display_path))
        timings.sort(reverse=True)
        print("slowest entries (all stages, one process):")
        for seconds, name in timings[:5]:
            print(f"  {seconds:7.2f} s  {name}")
        print(f"longest per-document time: {timings[0][0]:.2f} s ({timings[0][1]}); in-process peak RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        db = root / "warehouse.duckdb"
        run = [str(Path(sys.executable).parent / "gov-pipeline"), "run", "--raw-dir", str(raw), "--db", str(db),
               "--log-level", "WARNING"]
        start = time.perf_counter()
        result = subprocess.run(["/usr/bin/time", "-v", *run_without_privileges(run)],
                                capture_output=True, text=True, check=False,
                                env=os.environ | {"GOV_PIPELINE_WORKERS": os.environ.get("GOV_PIPELINE_WORKERS", "1")})
        wall = time.perf_counter() - start
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
        with duckdb.connect(str(db), read_only=True) as conn:
            rows = conn.execute("select count(*) from reports").fetchone()[0]
        print(f"gov-pipeline run: exit {result.returncode}, {wall:.0f} s, {rows} reports rows for "
              f"{len(entries(raw))} entries, peak RSS {peak / 1024:.0f} MB")
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
