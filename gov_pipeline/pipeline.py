"""The stages, declared: which documents each reads, the per-document step it runs (document.py) and
the tables it writes, run by stage_runner.run_stage in worker processes (workers.py). Dagster assets
call the build_* functions below; so do the CLI, the benchmarks and the tests. The catalog
(catalog.py) and the all-years rollups (reports, dq_violations: SQL in warehouse/sql/) close the run."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from gov_pipeline.catalog import catalog_chunk, catalog_row
from gov_pipeline.document import Rejected, checks, clean, facts, structure
from gov_pipeline.domain.records import Fact, RawDocument, Section, TableCell
from gov_pipeline.domain.status import NearCopy, report_status
from gov_pipeline.domain.template import CUMULATIVE_SUFFIX
from gov_pipeline.ingest.inventory import NotReadable, discover, open_document
from gov_pipeline.partitions import scope
from gov_pipeline.quality.near_duplicates import find_near_duplicates, sketch
from gov_pipeline.quality.rules import CARRYOVER_FACTS, Check, ReportContext, YearReport, evaluate_across_years
from gov_pipeline.stage_runner import READ_BATCH, Document, Rows, Stage, StageStats, run_stage
from gov_pipeline.warehouse.queries import query
from gov_pipeline.warehouse.store import TABLES, ensure_tables, frame, replace_rows, replacing
from gov_pipeline.workers import PARALLEL_THRESHOLD, chunks, parallel_map, worker_count

STAGES = ("cleaning", "structure", "facts", "dq_checks")  # document_failures.stage, in run order
CATALOG_CHUNK = 256  # entries per catalog task (reading a head is cheap)

__all__ = ["PARALLEL_THRESHOLD", "STAGES", "StageStats", "build_cleaned_documents", "build_dq_checks",
           "build_facts", "build_raw_documents", "build_reports", "build_structure", "catalog_row", "worker_count"]


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _columns(record: type) -> str:
    return ", ".join(f.name for f in fields(record))


# ---------------------------------------------------------------- stage 1: raw_documents
def build_raw_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path) -> StageStats:
    """Catalog every entry of the folder; the second and later files with the same bytes are duplicates."""
    entries = discover(raw_dir)
    stats = StageStats()
    rows: list[dict[str, Any]] = []
    primary: dict[str, str] = {}
    now = datetime.now().replace(microsecond=0)
    tasks = [(list(chunk), str(raw_dir)) for chunk in chunks(entries, CATALOG_CHUNK)]
    for found in parallel_map(catalog_chunk, tasks, len(entries)):
        for row in found:
            first = primary.setdefault(row["doc_id"], row["source_path"])
            row |= {"duplicate_of": None if first == row["source_path"] else first, "ingested_at": now}
            rows.append(row)
            stats.add(row["content_type"])
            stats.add("duplicates", row["duplicate_of"] is not None)
            stats.add("unreadable", row["read_error"] is not None)
    stats.add("files", len(rows))
    replace_rows(conn, "raw_documents", frame("raw_documents", rows))
    return stats


# ---------------------------------------------------------------- what each stage reads
def raw_documents(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None) -> list[dict[str, Any]]:
    """The cataloged files of the partitions, one per distinct content, in path order."""
    where, params = scope(partitions)
    return _dicts(conn.execute(f"select {_columns(RawDocument)}, partition_key from raw_documents "
                               f"where duplicate_of is null and {where} order by source_path", params))


def reports_in(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None, *, columns: str,
               before: str) -> list[dict[str, Any]]:
    """Annual reports of the partitions (cleaned and recognised as reports) that no stage before
    `before` gave up on (e.g. past its time budget), in doc_id order."""
    where, params = scope(partitions)
    ensure_tables(conn, ["document_failures"])
    earlier = list(STAGES[:STAGES.index(before)])
    return _dicts(conn.execute(
        f"select {columns}, partition_key from cleaned_documents c where is_annual_report and {where} "
        "and not exists (select 1 from document_failures f where f.doc_id = c.doc_id "
        "and f.stage in (select unnest(?))) order by doc_id", [*params, earlier]))


@dataclass(frozen=True)
class Text:
    """A cleaned document's text, as the structure stage reads it."""

    doc_id: str
    text: str


# ---------------------------------------------------------------- the per-document steps
def clean_step(document: Document, raw_dir: str) -> dict[str, list[Any]]:
    """cleaned_documents: the file's bytes (checked against its fingerprint) cleaned (document.clean)."""
    raw = RawDocument(**{f.name: document.columns[f.name] for f in fields(RawDocument)})
    data = b""
    if not raw.read_error:  # else document.clean rejects it with the catalog's reason
        try:
            data = open_document(Path(raw_dir), raw.source_path)
        except NotReadable as exc:
            raise Rejected("unreadable", str(exc)) from exc
        if hashlib.sha256(data).hexdigest() != raw.doc_id:
            raise Rejected("unreadable", "the file changed after it was fingerprinted; re-run raw_documents")
    return {"cleaned_documents": [clean(raw, data).row()]}


def structure_step(document: Document) -> dict[str, list[Any]]:
    [text] = document.rows["cleaned_documents"]
    found = structure(document.doc_id, text.text)
    return {"report_sections": found.sections, "report_tables": found.cells}


def facts_step(document: Document) -> dict[str, list[Any]]:
    found = facts(document.doc_id, document.columns["report_year"], document.rows["report_sections"],
                  document.rows["report_tables"])
    return {"report_facts": found.facts, "fact_checks": found.checks}


def checks_step(document: Document, today: date | None) -> dict[str, list[Any]]:
    """dq_checks: the checks made while reading facts, and every single-report rule."""
    context = ReportContext(**{f.name: document.columns[f.name] for f in fields(ReportContext)})
    found = checks(context, document.rows["report_facts"], document.rows["report_tables"], today)
    return {"dq_checks": [*document.rows["fact_checks"], *found]}


# ---------------------------------------------------------------- counts each stage reports
def _count_cleaning(frames: dict[str, pl.DataFrame], stats: StageStats) -> None:
    cleaned = frames["cleaned_documents"]
    reports = int(cleaned["is_annual_report"].sum())
    stats.add("reports", reports)
    stats.add("not_a_report", cleaned.height - reports)


def _count_structure(frames: dict[str, pl.DataFrame], stats: StageStats) -> None:
    sections, cells = frames["report_sections"], frames["report_tables"]
    stats.add("documents_with_table3", cells.filter(pl.col("table_key") == "table3")["doc_id"].n_unique())
    stats.add("sections", sections.height)
    stats.add("table_cells", cells.height)


def _count_facts(frames: dict[str, pl.DataFrame], stats: StageStats) -> None:
    found = frames["report_facts"]
    stats.add("facts", found.height)
    for method, count in found.group_by("method").len().iter_rows():
        stats.add(f"{method}_facts", count)
    stats.add("fact_warnings", frames["fact_checks"].filter(~pl.col("passed")).height)


SECTIONS = Rows("report_sections", Section, order="ordinal")
CELLS = Rows("report_tables", TableCell, order="table_idx, row_idx, col_idx")
STRUCTURE = Stage("structure", partial(reports_in, columns="doc_id", before="structure"), structure_step,
                  ("report_sections", "report_tables"), (Rows("cleaned_documents", Text),),
                  "sections and tables", _count_structure)
FACTS = Stage("facts", partial(reports_in, columns="doc_id, report_year", before="facts"), facts_step,
              ("report_facts", "fact_checks"), (SECTIONS, CELLS), "facts", _count_facts)


def cleaning_stage(raw_dir: Path) -> Stage:
    return Stage("cleaning", raw_documents, partial(clean_step, raw_dir=str(raw_dir)), ("cleaned_documents",),
                 budget_label="cleaning", count=_count_cleaning)


def checks_stage(today: date | None) -> Stage:
    return Stage("dq_checks", partial(reports_in, columns=_columns(ReportContext), before="dq_checks"),
                 partial(checks_step, today=today), ("dq_checks",),
                 (Rows("report_facts", Fact), CELLS, Rows("fact_checks", Check)), "dq_checks")


# ---------------------------------------------------------------- stages 2-5, per report-year partition
def build_cleaned_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path,
                            partitions: Sequence[str] | None = None) -> StageStats:
    return run_stage(conn, cleaning_stage(raw_dir), partitions)


def build_structure(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None) -> StageStats:
    return run_stage(conn, STRUCTURE, partitions)


def build_facts(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None) -> StageStats:
    return run_stage(conn, FACTS, partitions)


def build_dq_checks(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None,
                    today: date | None = None) -> StageStats:
    """Every single-report rule on the reports of the partitions (plus the checks made while reading
    facts)."""
    stats = run_stage(conn, checks_stage(today), partitions)
    where, params = scope(partitions)
    row = conn.execute(f"select count(*), count(*) filter (where not passed) from dq_checks where {where}",
                       params).fetchone()
    assert row is not None
    stats.add("checks", row[0])
    stats.add("failed", row[1])
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
    """The reports that copy another (near_duplicates.py), sketched batch by batch."""
    cursor = conn.execute(query("near_duplicate_candidates"))
    names = [column[0] for column in cursor.description or []]
    sketches = []
    while batch := cursor.fetchmany(READ_BATCH):
        sketches += [sketch(**dict(zip(names, row, strict=True))) for row in batch]
    copies = find_near_duplicates(sketches)
    return replace_rows(conn, "near_duplicates", frame("near_duplicates", copies))
