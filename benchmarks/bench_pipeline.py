"""Throughput of the stage runners alone (no Dagster, no Great Expectations, no dbt) on the generated
benchmark corpus (bench_corpus.py), to separate the stage code from the orchestration around it;
`make bench` (bench_run.py) measures the real path.

    .venv/bin/python benchmarks/bench_pipeline.py --docs 2000

Prints documents per second per stage and the time 100 000 documents would take at that rate."""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb
from bench_corpus import generate  # a sibling script, not a package

from gov_pipeline import pipeline

TARGET = 100_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        generate(raw, args.docs)
        size = sum(p.stat().st_size for p in raw.iterdir())
        print(f"{args.docs} documents, {size / 2**20:.0f} MB, {pipeline.worker_count()} workers")
        conn = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        stages = [
            ("raw_documents", lambda: pipeline.build_raw_documents(conn, raw)),
            ("documents (every stage)", lambda: pipeline.build_documents(conn, raw)),
            ("reports+dq_violations", lambda: pipeline.build_reports(conn)),
        ]
        total = 0.0
        for name, run in stages:
            started = time.perf_counter()
            run()
            elapsed = time.perf_counter() - started
            total += elapsed
            print(f"{name:24s} {elapsed:7.2f} s  {args.docs / elapsed:8.0f} docs/s  "
                  f"-> {TARGET / args.docs * elapsed / 60:6.1f} min per {TARGET:,}")
        print(f"{'all stages':24s} {total:7.2f} s  {args.docs / total:8.0f} docs/s  "
              f"-> {TARGET / args.docs * total / 60:6.1f} min per {TARGET:,}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the coordinating process (with DuckDB's buffers): {peak:.0f} MB")


if __name__ == "__main__":
    main()
