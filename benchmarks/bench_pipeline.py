"""Throughput of the stage runners on copies of the bundled reports (no Dagster, no dbt).

    .venv/bin/python benchmarks/bench_pipeline.py --docs 2000 [--pdf-share 0.0]

Each copy gets a unique trailing comment so it is a distinct document (different sha256). Prints
documents per second per stage and the time 100 000 documents would take at that rate.

Measured on the 2-core project machine, `--docs 100000` (3.7 GB of HTML and text): 498 s in all
(8.3 min; cleaning 229 s, structure 105 s, facts 105 s, checks 40 s), coordinating process peak RSS
4.0 GB. PDFs cost far more per document (pdfplumber lays out every page): see `--pdf-share`."""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from gov_pipeline import pipeline
from gov_pipeline.config import PROJECT_ROOT

TARGET = 100_000


def make_corpus(root: Path, count: int, pdf_share: float) -> None:
    sources = sorted(p for p in (PROJECT_ROOT / "data" / "raw").rglob("*")
                     if p.suffix in (".html", ".txt", ".md") and p.name != "README.md")
    pdfs = sorted((PROJECT_ROOT / "data" / "raw").rglob("*.pdf"))
    n_pdf = int(count * pdf_share)
    for index in range(count):
        if index < n_pdf:
            source = pdfs[index % len(pdfs)]
            data = source.read_bytes() + f"\n%{index}\n".encode()
        else:
            source = sources[index % len(sources)]
            marker = f"\n<!-- copy {index} -->\n" if source.suffix == ".html" else f"\n\n{index}\n"
            data = source.read_bytes() + marker.encode()
        (root / f"{index:06d}{source.suffix}").write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--pdf-share", type=float, default=0.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        make_corpus(raw, args.docs, args.pdf_share)
        size = sum(p.stat().st_size for p in raw.iterdir())
        print(f"{args.docs} documents, {size / 2**20:.0f} MB, {pipeline.worker_count()} workers")
        conn = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        stages = [
            ("raw_documents", lambda: pipeline.build_raw_documents(conn, raw)),
            ("cleaned_documents", lambda: pipeline.build_cleaned_documents(conn, raw)),
            ("report_sections+tables", lambda: pipeline.build_structure(conn)),
            ("report_facts", lambda: pipeline.build_facts(conn)),
            ("dq_checks", lambda: pipeline.build_dq_checks(conn)),
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
