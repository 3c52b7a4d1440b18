"""Stage 1, raw_documents: every entry of the raw folder read within the limits, fingerprinted and
filed under the report year its head names (cleaning.catalog_year, the one year reader), or the
reason it was not read. A file the last catalog read, unchanged since (same size and modification
time, a regular file) under the same pipeline code (`code_version`), keeps its row without being read
again: the catalog re-reads what changed, not the whole folder."""

from __future__ import annotations

import hashlib
import os
import stat
from functools import cache
from pathlib import Path
from typing import Any

from gov_pipeline.budget import BudgetExceeded, time_budget
from gov_pipeline.cleaning.catalog_year import catalog_year
from gov_pipeline.domain.records import RawDocument
from gov_pipeline.ingest.inventory import Entry, NotReadable, read_entry, read_raw, unread_document
from gov_pipeline.partitions import partition_key


def catalog_row(entry: Entry, raw_dir: Path) -> dict[str, Any]:
    """One entry's catalog row: read (within the limits) and fingerprinted, or the reason it was not."""
    state = file_state(entry)  # before the read: a write during or after it changes what the next catalog sees
    try:
        data = read_entry(entry, raw_dir)
    except NotReadable as exc:
        raw, year = unread_document(entry, str(exc)), None
    else:
        raw = read_raw(Path(os.fsdecode(entry.path)), raw_dir, data, entry.source_path)
        year = None if raw.read_error else catalog_year(raw.content_type, data, raw.detected_encoding)
    return _catalog_record(entry, raw, year, state[1] if state and raw.read_error is None else None)


def _catalog_record(entry: Entry, raw: RawDocument, year: int | None, mtime_ns: int | None = None) -> dict[str, Any]:
    return vars(raw) | {"display_path": entry.display_path, "report_year_hint": year,
                        "partition_key": partition_key(year), "file_mtime_ns": mtime_ns,
                        "catalog_version": code_version()}


def file_state(entry: Entry) -> tuple[int, int] | None:
    """(size, modification time in ns) of a regular file, None for anything else (a symlink, a FIFO, an
    entry gone): what says a file is unchanged since the last catalog."""
    try:
        info = os.lstat(entry.path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else None


def unchanged(entry: Entry, previous: dict[str, Any] | None) -> bool:
    """Whether the last catalog's row of this entry still stands: read under this code, and the file
    the same size with the same modification time."""
    if previous is None or previous["catalog_version"] != code_version() or previous["file_mtime_ns"] is None:
        return False
    return file_state(entry) == (previous["byte_size"], previous["file_mtime_ns"])


@cache
def code_version() -> str:
    """sha256 over the pipeline package's files (code and the data it ships): a catalog row is reused
    only under the code that wrote it, so a better reader re-reads every file once."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


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
