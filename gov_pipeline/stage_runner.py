"""One declarative runner for the per-document stages: a `Stage` says which documents it reads (and
which rows of earlier tables each needs), the per-document step (document.py) and the tables it
writes; `run_stage` reads the documents in batches, maps the step over worker-sized chunks in the
process pool, files every row under its document's partition and streams the frames into the
warehouse, one transaction per stage. A document the step rejects, or that runs past its time budget,
becomes a document_failures row of that stage and the run goes on."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import duckdb
import polars as pl

from gov_pipeline.budget import BudgetExceeded, time_budget
from gov_pipeline.document import Rejected
from gov_pipeline.domain.records import DocumentFailure
from gov_pipeline.partitions import rewritten
from gov_pipeline.warehouse.store import frame, replacing
from gov_pipeline.workers import chunks, parallel_map

READ_BATCH = 2000  # documents whose rows of earlier tables are read from the warehouse at once
FAILURES = "document_failures"


@dataclass(frozen=True)
class Rows:
    """The rows of one warehouse table a stage's step needs for each document, as `record`s."""

    table: str
    record: type  # a dataclass of domain.records (or quality.rules.Check) whose fields are columns
    where: str = "true"
    order: str = ""  # within a document

    def read(self, conn: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> pl.DataFrame:
        columns = ", ".join(f.name for f in fields(self.record))
        order = f"doc_id, {self.order}" if self.order else "doc_id"
        return conn.sql(f"select {columns} from {self.table} where doc_id in (select unnest(?)) "
                        f"and {self.where} order by {order}", params=[doc_ids]).pl()


@dataclass(frozen=True)
class Document:
    """One document going into a stage: its columns by name, and its rows of each table the stage reads."""

    columns: dict[str, Any]  # at least doc_id and partition_key
    rows: dict[str, list[Any]]  # table -> records, in the Rows' order

    @property
    def doc_id(self) -> str:
        return str(self.columns["doc_id"])


Step = Callable[[Document], dict[str, list[Any]]]  # rows per written table; raises Rejected


@dataclass
class StageStats:
    """Counts a stage reports (shown as Dagster metadata and in the run summary)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(amount)


@dataclass(frozen=True)
class Stage:
    name: str  # document_failures.stage
    reads: Callable[[duckdb.DuckDBPyConnection, Sequence[str] | None], list[dict[str, Any]]]  # its documents
    per_document: Step
    writes: tuple[str, ...]  # tables the step's rows go to (document_failures always)
    needs: tuple[Rows, ...] = ()  # rows of earlier tables each document needs (documents sorted by doc_id)
    budget_label: str = ""  # how a time-budget failure names the stage
    count: Callable[[dict[str, pl.DataFrame], StageStats], None] | None = None  # per chunk, in the coordinator


Chunk = tuple[list[dict[str, Any]], list[pl.DataFrame]]


def document_chunks(conn: duckdb.DuckDBPyConnection, documents: Sequence[dict[str, Any]], needs: Sequence[Rows]
                    ) -> Iterator[Chunk]:
    """Documents in worker-sized chunks, each with its rows of every table in `needs`. Reads READ_BATCH
    documents at a time as DataFrames and slices them, so the coordinator never builds Python rows: the
    workers do, in parallel."""
    for batch in chunks(documents, READ_BATCH):
        frames = [need.read(conn, [row["doc_id"] for row in batch]) for need in needs]
        doc_ids = [df["doc_id"].to_list() for df in frames]
        for chunk in chunks(batch):
            first, last = chunk[0]["doc_id"], chunk[-1]["doc_id"]
            yield list(chunk), [df.slice(start := bisect_left(ids, first), bisect_right(ids, last) - start)
                                for df, ids in zip(frames, doc_ids, strict=True)]


def filed(table: str, rows: Sequence[Any], partitions: dict[str, str]) -> pl.DataFrame:
    """A worker's output rows as the table's frame, each row filed under its document's partition."""
    return frame(table, rows).with_columns(
        pl.col("doc_id").replace_strict(partitions, default=None, return_dtype=pl.String).alias("partition_key"))


def _records(df: pl.DataFrame, record: type) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for row in df.iter_rows(named=True):
        grouped.setdefault(row["doc_id"], []).append(record(**row))
    return grouped


def run_chunk(task: tuple[Stage, Chunk]) -> dict[str, pl.DataFrame]:
    """A worker's task: the stage's step on each document of one chunk, every row filed."""
    stage, (documents, frames) = task
    needed = {need.table: _records(df, need.record) for need, df in zip(stage.needs, frames, strict=True)}
    out: dict[str, list[Any]] = {table: [] for table in (*stage.writes, FAILURES)}
    for columns in documents:
        document = Document(columns, {table: rows.get(columns["doc_id"], []) for table, rows in needed.items()})
        try:
            with time_budget():
                found = stage.per_document(document)
        except BudgetExceeded as exc:
            out[FAILURES].append(DocumentFailure(document.doc_id, stage.name, "unreadable",
                                                 f"{exc} ({stage.budget_label or stage.name})"))
            continue
        except Rejected as rejected:
            out[FAILURES].append(DocumentFailure(document.doc_id, stage.name, rejected.status, rejected.reason))
            continue
        for table, rows in found.items():
            out[table] += rows
    partitions = {row["doc_id"]: row["partition_key"] for row in documents}
    return {table: filed(table, rows, partitions) for table, rows in out.items()}


def run_stage(conn: duckdb.DuckDBPyConnection, stage: Stage, partitions: Sequence[str] | None = None
              ) -> StageStats:
    """The stage on the documents of the partitions (all for None), replacing the rows it wrote before."""
    documents = stage.reads(conn, partitions)
    replaced, params = rewritten(partitions)
    deletes: dict[str, str | tuple[str, Sequence[Any]]] = dict.fromkeys(stage.writes, replaced)
    deletes[FAILURES] = (f"stage = ? and {replaced}", [stage.name, *params])
    stats = StageStats()
    stats.add("documents", len(documents))
    tasks = ((stage, chunk) for chunk in document_chunks(conn, documents, stage.needs))
    with replacing(conn, deletes, params) as write:
        for frames in parallel_map(run_chunk, tasks, len(documents)):
            for table, df in frames.items():
                write(table, df)
            for status, count in frames[FAILURES].group_by("status").len().iter_rows():
                stats.add(status, count)
            if stage.count is not None:
                stage.count(frames, stats)
    return stats
