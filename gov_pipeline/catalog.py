"""Stage 1, raw_documents: every entry of the raw folder read within the limits, fingerprinted and
filed under the report year its head names (cleaning.catalog_year, the one year reader), or the
reason it was not read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gov_pipeline.budget import BudgetExceeded, time_budget
from gov_pipeline.cleaning.catalog_year import catalog_year
from gov_pipeline.domain.records import RawDocument
from gov_pipeline.ingest.inventory import Entry, NotReadable, read_entry, read_raw, unread_document
from gov_pipeline.partitions import partition_key


def catalog_row(entry: Entry, raw_dir: Path) -> dict[str, Any]:
    """One entry's catalog row: read (within the limits) and fingerprinted, or the reason it was not."""
    try:
        data = read_entry(entry, raw_dir)
    except NotReadable as exc:
        raw, year = unread_document(entry, str(exc)), None
    else:
        raw = read_raw(Path(os.fsdecode(entry.path)), raw_dir, data, entry.source_path)
        year = None if raw.read_error else catalog_year(raw.content_type, data, raw.detected_encoding)
    return _catalog_record(entry, raw, year)


def _catalog_record(entry: Entry, raw: RawDocument, year: int | None) -> dict[str, Any]:
    return vars(raw) | {"display_path": entry.display_path, "report_year_hint": year,
                        "partition_key": partition_key(year)}


def catalog_chunk(task: tuple[list[Entry], str, float]) -> list[dict[str, Any]]:
    """A worker's task: the catalog rows of a chunk of entries, each within the time budget."""
    entries, raw_dir, seconds = task
    rows = []
    for entry in entries:
        try:
            with time_budget(seconds):
                rows.append(catalog_row(entry, Path(raw_dir)))
        except BudgetExceeded as exc:
            rows.append(_catalog_record(entry, unread_document(entry, f"{exc} (catalog)"), None))
    return rows
