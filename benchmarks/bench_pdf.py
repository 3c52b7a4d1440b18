"""The PDF path side by side: pdfplumber (the old reader, still the fallback) against pdfium's character
boxes with our layout (gov_pipeline.cleaning.pdf_text), on the bundled PDFs or the files given.

    .venv/bin/python benchmarks/bench_pdf.py [FILE.pdf ...]

Per PDF: seconds per reader (best of REPEAT), pages whose text differs, and the statistics-table cells
and facts the pipeline reads from each text, compared one by one (table, row, column, value)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from gov_pipeline.cleaning import clean
from gov_pipeline.cleaning.pdf_text import join_pages, pages_pdfium, pages_pdfplumber
from gov_pipeline.config import PROJECT_ROOT
from gov_pipeline.facts.extract import extract_table_facts
from gov_pipeline.ingest.inventory import read_raw
from gov_pipeline.structure.tables import extract_tables

REPEAT = 3


def best_of(read: Callable[[bytes], list[str]], data: bytes) -> tuple[float, list[str]]:
    times, pages = [], []
    for _ in range(REPEAT):
        started = time.perf_counter()
        pages = read(data)
        times.append(time.perf_counter() - started)
    return min(times), pages


def cells_and_facts(path: Path, data: bytes, pages: list[str]) -> tuple[set[tuple], set[tuple]]:
    """The mapped table cells and table facts of the cleaning stage run on these pages' text (the
    reader's text put in the place of the stage's own PDF reader for this one call)."""
    reader = clean.pdf_to_text
    clean.pdf_to_text = lambda _: join_pages(pages)
    try:
        document = clean.clean_document(read_raw(path, path.parent, data, path.name), data).document
    finally:
        clean.pdf_to_text = reader
    assert document is not None, path
    cells = extract_tables("bench", document.text)
    return ({(c.table_key, c.row_key, c.col_key, c.value) for c in cells if c.row_key and c.col_key},
            {(f.fact_key, f.value) for f in extract_table_facts("bench", cells)})


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((PROJECT_ROOT / "data" / "raw").rglob("*.pdf"))
    total_old = total_new = 0.0
    print(f"{'file':52s} {'pages':>5s} {'pdfplumber':>10s} {'pdfium':>8s} {'speed-up':>8s}  "
          "differing pages, cells, facts")
    for path in paths:
        data = path.read_bytes()
        old_s, old = best_of(pages_pdfplumber, data)
        new_s, new = best_of(pages_pdfium, data)
        total_old, total_new = total_old + old_s, total_new + new_s
        differing = [i + 1 for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        old_cells, old_facts = cells_and_facts(path, data, old)
        new_cells, new_facts = cells_and_facts(path, data, new)
        print(f"{path.name[:52]:52s} {len(old):5d} {old_s:9.3f}s {new_s:7.3f}s {old_s / new_s:7.1f}x  "
              f"pages {differing or 'none'}; cells {len(old_cells)} old / {len(new_cells)} new, "
              f"{len(old_cells - new_cells)} lost, {len(new_cells - old_cells)} new; "
              f"facts {len(old_facts)} old, {len(old_facts - new_facts)} lost, {len(new_facts - old_facts)} new")
    print(f"{'all':52s} {'':5s} {total_old:9.3f}s {total_new:7.3f}s {total_old / total_new:7.1f}x")


if __name__ == "__main__":
    main()
