"""The stages, declared: the catalog (catalog.py), one pass per document through cleaning, structure,
facts and checks (document.process_document, run by stage_runner.run_stage in worker processes:
workers.py) and the all-years rollups (reports, dq_violations: SQL in warehouse/sql/). Dagster assets
call the build_* functions below; so do the CLI, the benchmarks and the tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from gov_pipeline.catalog import catalog_chunk, catalog_row, unchanged
from gov_pipeline.config import document_seconds
from gov_pipeline.document import STAGE_LABELS, process_document
from gov_pipeline.domain.records import Fact, RawDocument
from gov_pipeline.domain.status import NearCopy, report_status
from gov_pipeline.domain.template import CUMULATIVE_SUFFIX
from gov_pipeline.ingest.inventory import NotReadable, discover, open_document
from gov_pipeline.partitions import partition_key, scope
from gov_pipeline.quality.near_duplicates import (
    MAX_BUCKET,
    OTHER_AGENCY,
    SAME_AGENCY,
    Candidate,
    Pair,
    group_copies,
)
from gov_pipeline.quality.rules import CARRYOVER_FACTS, YearReport, evaluate_across_years
from gov_pipeline.scoring.rescoring import mark_for_rescoring
from gov_pipeline.stage_runner import FAILURES, Document, Stage, StageStats, run_stage
from gov_pipeline.warehouse.queries import query
from gov_pipeline.warehouse.store import TABLES, ensure_tables, frame, replace_rows, replacing
from gov_pipeline.workers import PARALLEL_THRESHOLD, chunks, parallel_map, worker_count

STAGES = tuple(STAGE_LABELS)  # document_failures.stage, in run order
# the tables the per-document pass writes, each row filed under its document's report-year partition
DOCUMENT_TABLES = ("cleaned_documents", "report_sketches", "report_sections", "report_tables", "report_facts",
                   "fact_checks", "dq_checks", FAILURES)
CATALOG_CHUNK = 256  # entries per catalog task (reading a head is cheap)

__all__ = ["DOCUMENT_TABLES", "PARALLEL_THRESHOLD", "STAGES", "StageStats", "build_documents", "build_raw_documents",
           "build_reports", "catalog_row", "worker_count"]


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _columns(record: type) -> str:
    return ", ".join(f.name for f in fields(record))


# ---------------------------------------------------------------- stage 1: raw_documents
def build_raw_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path) -> StageStats:
    """Catalog every entry of the folder (reading only the files new or changed since the last catalog:
    catalog.unchanged); the second and later files with the same bytes are duplicates."""
    entries = discover(raw_dir)
    previous = _previous_catalog(conn)
    kept = {entry.source_path: previous[entry.source_path] for entry in entries
            if unchanged(entry, previous.get(entry.source_path))}
    stale = [entry for entry in entries if entry.source_path not in kept]
    now = datetime.now().replace(microsecond=0)
    tasks = [(list(chunk), str(raw_dir), document_seconds()) for chunk in chunks(stale, CATALOG_CHUNK)]
    read = {row["source_path"]: row | {"ingested_at": now}
            for found in parallel_map(catalog_chunk, tasks, len(stale)) for row in found}
    stats = StageStats()
    stats.add("files_read", len(read))
    stats.add("files_unchanged", len(kept))
    rows: list[dict[str, Any]] = []
    primary: dict[str, str] = {}
    for entry in entries:  # in path order, so the first of identical files is the same one every run
        row = kept.get(entry.source_path) or read[entry.source_path]
        first = primary.setdefault(row["doc_id"], row["source_path"])
        row |= {"duplicate_of": None if first == row["source_path"] else first,
                "partition_key": partition_key(row["report_year_hint"])}  # the years open move with today
        rows.append(row)
        stats.add(row["content_type"])
        stats.add("duplicates", row["duplicate_of"] is not None)
        stats.add("unreadable", row["read_error"] is not None)
    stats.add("files", len(rows))
    replace_rows(conn, "raw_documents", frame("raw_documents", rows))
    return stats


def _previous_catalog(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """The last catalog's rows of files it read, by path (what `catalog.unchanged` may keep)."""
    ensure_tables(conn, ["raw_documents"])
    return {row["source_path"]: row for row in _dicts(conn.execute(
        "select * from raw_documents where file_mtime_ns is not null"))}


# ---------------------------------------------------------------- stages 2-5: every document through every stage
def raw_documents(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None) -> pl.DataFrame:
    """The cataloged files of the partitions, one per distinct content, in path order."""
    where, params = scope(partitions)
    return conn.sql(f"select {_columns(RawDocument)}, partition_key from raw_documents "
                    f"where duplicate_of is null and {where} order by source_path", params=params or None).pl()


def document_step(document: Document, raw_dir: str, today: date | None, seconds: float) -> dict[str, list[Any]]:
    """A file's bytes (checked against its fingerprint) through every stage (document.process_document)
    within the time budget: the rows of every per-document table."""
    raw = RawDocument(**{f.name: document.columns[f.name] for f in fields(RawDocument)})
    data = b""
    if not raw.read_error:  # else process_document records the catalog's reason
        try:
            data = open_document(Path(raw_dir), raw.source_path)
        except NotReadable as exc:
            raw = replace(raw, read_error=str(exc))
        else:
            if hashlib.sha256(data).hexdigest() != raw.doc_id:
                raw = replace(raw, read_error="the file changed after it was fingerprinted; re-run raw_documents")
    return process_document(raw, data, today, seconds).rows()


def _count(frames: dict[str, pl.DataFrame], stats: StageStats) -> None:
    """What a batch of documents gave, per table (the stage's Dagster metadata and the run summary)."""
    cleaned, sections, cells = frames["cleaned_documents"], frames["report_sections"], frames["report_tables"]
    reports = int(cleaned["is_annual_report"].sum())
    stats.add("reports", reports)
    stats.add("not_a_report", cleaned.height - reports)
    stats.add("documents_with_table3", cells.filter(pl.col("table_key") == "table3")["doc_id"].n_unique())
    stats.add("sections", sections.height)
    stats.add("table_cells", cells.height)
    found = frames["report_facts"]
    stats.add("facts", found.height)
    for method, count in found.group_by("method").len().iter_rows():
        stats.add(f"{method}_facts", count)
    stats.add("fact_warnings", frames["fact_checks"].filter(~pl.col("passed")).height)
    checked = frames["dq_checks"]
    stats.add("checks", checked.height)
    stats.add("failed", checked.filter(~pl.col("passed")).height)


def documents_stage(raw_dir: Path, today: date | None = None) -> Stage:
    """The pass, configured here (the budget read in the coordinator: the pool's workers outlive a run)."""
    step = partial(document_step, raw_dir=str(raw_dir), today=today, seconds=document_seconds())
    return Stage(raw_documents, step, DOCUMENT_TABLES, _count)


def build_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path, partitions: Sequence[str] | None = None,
                    today: date | None = None) -> StageStats:
    """Every distinct file of the partitions cleaned, split into sections and tables, read for facts and
    checked by every single-report rule, in one pass per document: the partitions' rows of
    DOCUMENT_TABLES replaced in one transaction at the end (staged batch by batch before)."""
    stats = run_stage(conn, documents_stage(raw_dir, today), partitions)
    mark_for_rescoring(conn, partitions)
    return stats


# ---------------------------------------------------------------- stage 6: reports and dq_violations (all years)
def build_cross_year_checks(conn: duckdb.DuckDBPyConnection) -> int:
    """Rules across an agency's consecutive years, on the facts they compare."""
    documents = conn.execute("select doc_id, agency_key, report_year from cleaned_documents "
                             "where is_annual_report order by doc_id").fetchall()
    facts_of: dict[str, dict[str, Fact]] = {}
    for row in _dicts(conn.execute(query("cross_year_facts"), {"carryover_facts": list(CARRYOVER_FACTS),
                                                                "cumulative_suffix": CUMULATIVE_SUFFIX})):
        facts_of.setdefault(row["doc_id"], {})[row["fact_key"]] = Fact(**row)
    cross_year = evaluate_across_years([YearReport(doc_id, key, year, facts_of.get(doc_id, {}))
                                        for doc_id, key, year in documents])
    return replace_rows(conn, "dq_cross_year_checks", frame("dq_cross_year_checks", cross_year))


def build_reports(conn: duckdb.DuckDBPyConnection) -> StageStats:
    """Rules across an agency's years, then every input file's one status."""
    build_cross_year_checks(conn)
    ensure_tables(conn, ["dq_checks", "fetch_log", "document_failures"])
    with replacing(conn, {"dq_violations": "true"}):
        conn.execute(query("dq_violations"))
    stats = StageStats()
    stats.add("near_duplicates", build_near_duplicates(conn))
    replace_rows(conn, "reports", reports_frame(conn))
    for status, count in conn.execute("select status, count(*) from reports group by 1").fetchall():
        stats.add(status, count)
    violations = conn.execute("select count(*) from dq_violations").fetchone()
    stats.add("violations", violations[0] if violations else 0)
    return stats


def reports_frame(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The reports table: every input file with what it went through, and its status (domain.status)."""
    df = conn.sql(query("reports"), params={"stages": list(STAGES)}).pl()
    derived = [report_status(
        duplicate_of=row["duplicate_of"],
        failure=(row["failure_status"], row["failure_reason"]) if row["failure_status"] is not None else None,
        processed=row["processed"], partition_key=row["partition_key"], is_annual_report=row["is_annual_report"],
        not_report_reason=row["not_report_reason"], blocking_reasons=row["blocking_reasons"],
        near_copy=None if row["near_copy_of"] is None else NearCopy(
            row["near_copy_of"], row["sentence_containment"], row["number_similarity"]),
    ) for row in df.iter_rows(named=True)]
    return df.with_columns(pl.Series("status", [s.status for s in derived], dtype=pl.String),
                           pl.Series("status_reason", [s.reason for s in derived], dtype=pl.String),
                           ).select(TABLES["reports"].column_names)


def build_near_duplicates(conn: duckdb.DuckDBPyConnection) -> int:
    """The reports that copy another (near_duplicates.py): the pairs compared in SQL, grouped here."""
    thresholds = {"max_bucket": MAX_BUCKET, "same_text": SAME_AGENCY[0], "same_numbers": SAME_AGENCY[1],
                  "other_text": OTHER_AGENCY[0], "other_numbers": OTHER_AGENCY[1]}
    pairs = [Pair(Candidate(*row[2:6]), Candidate(*row[6:10]), row[0], row[1])
             for row in conn.execute(query("near_duplicate_pairs"), thresholds).fetchall()]
    return replace_rows(conn, "near_duplicates", frame("near_duplicates", group_copies(pairs)))
