"""One declarative runner for per-document work: a `Stage` says which documents it reads, the step run
on each (pipeline.py: one document through every stage, document.py) and the tables it writes;
`run_stage` maps the step over worker-sized chunks in the process pool, files every row under its
document's partition and streams the frames into the warehouse in batches, committed into staging as
they come and replacing the rows the partitions held before in one transaction at the end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from gov_pipeline.partitions import rewritten
from gov_pipeline.warehouse.store import frame, replacing_in_batches
from gov_pipeline.workers import CHUNK, parallel_map

WRITE_BATCH = 2000  # documents whose rows are gathered before one insert per table
FAILURES = "document_failures"


@dataclass(frozen=True)
class Document:
    """One document going into a stage: its columns by name (at least doc_id and partition_key)."""

    columns: dict[str, Any]

    @property
    def doc_id(self) -> str:
        return str(self.columns["doc_id"])


Step = Callable[[Document], dict[str, list[Any]]]  # the document's rows per written table (failures included)


@dataclass
class StageStats:
    """Counts a stage reports (shown as Dagster metadata and in the run summary)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(amount)


@dataclass(frozen=True)
class Stage:
    reads: Callable[[duckdb.DuckDBPyConnection, Sequence[str] | None], pl.DataFrame]  # its documents, a row each
    per_document: Step
    writes: tuple[str, ...]  # tables the step's rows go to, document_failures among them
    count: Callable[[dict[str, pl.DataFrame], StageStats], None] | None = None  # per batch, in the coordinator


def filed(table: str, rows: Sequence[Any], partitions: dict[str, str]) -> pl.DataFrame:
    """A worker's output rows as the table's frame, each row filed under its document's partition."""
    return frame(table, rows).with_columns(
        pl.col("doc_id").replace_strict(partitions, default=None, return_dtype=pl.String).alias("partition_key"))


def run_chunk(task: tuple[Stage, list[dict[str, Any]]]) -> dict[str, pl.DataFrame]:
    """A worker's task: the stage's step on each document of one chunk, every row filed."""
    stage, documents = task
    out: dict[str, list[Any]] = {table: [] for table in stage.writes}
    for columns in documents:
        for table, rows in stage.per_document(Document(columns)).items():
            out[table] += rows
    partitions = {row["doc_id"]: row["partition_key"] for row in documents}
    return {table: filed(table, rows, partitions) for table, rows in out.items()}


def run_stage(conn: duckdb.DuckDBPyConnection, stage: Stage, partitions: Sequence[str] | None = None
              ) -> StageStats:
    """The stage on the documents of the partitions (all for None), replacing the rows it wrote before."""
    documents = stage.reads(conn, partitions)  # columnar: rows become dicts one chunk at a time
    replaced, params = rewritten(partitions)
    stats = StageStats()
    stats.add("documents", documents.height)
    tasks = ((stage, documents.slice(start, CHUNK).to_dicts()) for start in range(0, documents.height, CHUNK))
    pending: list[dict[str, pl.DataFrame]] = []

    def flush(write: Callable[[str, pl.DataFrame], None]) -> None:
        batch = {table: pl.concat([frames[table] for frames in pending]) for table in stage.writes}
        pending.clear()
        for table, df in batch.items():
            write(table, df)
        for status, count in batch[FAILURES].group_by("status").len().iter_rows():
            stats.add(status, count)
        if stage.count is not None:
            stage.count(batch, stats)

    with replacing_in_batches(conn, dict.fromkeys(stage.writes, replaced), params) as write:
        for frames in parallel_map(run_chunk, tasks, documents.height):
            pending.append(frames)
            if len(pending) * CHUNK >= WRITE_BATCH:
                flush(write)
        if pending:
            flush(write)
    return stats
