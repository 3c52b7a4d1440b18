"""Batch runners, one per stage: read the previous stage's table, process documents in parallel worker
processes, write the stage's table. Dagster assets call these; so do the CLI, the benchmark and the
tests. The per-document work lives in the stage modules (ingest, cleaning, sections, tables, facts,
quality); workers take chunks of documents and hand back ready-made DataFrames, so the coordinating
process only concatenates and writes."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from gov_pipeline.cleaning import clean_document
from gov_pipeline.facts import extract_prose_facts, extract_table_facts, merge_facts
from gov_pipeline.ingest import discover, read_raw
from gov_pipeline.metadata import agency_key
from gov_pipeline.quality import (
    Check,
    ReportContext,
    YearReport,
    evaluate_across_years,
    evaluate_report,
    percentage_checks,
)
from gov_pipeline.records import DocumentFailure, Fact, RawDocument, Section, TableCell
from gov_pipeline.sections import split_sections
from gov_pipeline.tables import extract_tables
from gov_pipeline.template import detect_template
from gov_pipeline.partitions import partition_key, scope
from gov_pipeline.warehouse import TABLES, ensure_tables, frame, read_frame, replace_rows

T = TypeVar("T")
R = TypeVar("R")
CHUNK = 32  # documents per worker task
READ_BATCH = 2000  # documents whose sections and cells are read from the warehouse at once
PARALLEL_THRESHOLD = 24  # below this many documents a worker pool costs more than it saves
_YEAR_HINT = re.compile(r"((?:19|20)\d{2})\s*年度?[^\n。]{0,30}?(?:政府信息公开|政务公开|信息公开)[^\n。]{0,12}?(?:报告|年报)")


def worker_count() -> int:
    return max(1, int(os.environ.get("GOV_PIPELINE_WORKERS") or os.cpu_count() or 1))


def chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def parallel_map(function: Callable[[T], R], tasks: Sequence[T], documents: int) -> Iterator[R]:
    """Map over tasks in worker processes (spawned: the caller may be a threaded Dagster process), in
    order; runs inline when there are few documents or one worker."""
    workers = worker_count()
    if workers == 1 or documents < PARALLEL_THRESHOLD:
        yield from map(function, tasks)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(function, tasks)


def concat(table: str, frames: Sequence[pl.DataFrame], partitions: dict[str, str]) -> pl.DataFrame:
    """The workers' frames as one, each row filed under its document's partition."""
    df = pl.concat(frames, how="vertical") if frames else frame(table, [])
    keys = pl.col("doc_id").replace_strict(partitions, default=None, return_dtype=pl.String)
    return df.with_columns(keys.alias("partition_key")).select(TABLES[table].column_names)


@dataclass
class StageStats:
    """Counts a stage reports (shown as Dagster metadata and in the run summary)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(amount)


# ---------------------------------------------------------------- stage 1: raw_documents
def year_hint(raw: RawDocument, data: bytes) -> int | None:
    """The report year as the file's first lines state it (cheap: no parsing), for partitioning."""
    if raw.detected_encoding is None:
        return None
    match = _YEAR_HINT.search(data[:16384].decode(raw.detected_encoding, errors="ignore"))
    return int(match.group(1)) if match else None


def _fingerprint(task: tuple[list[str], str]) -> list[dict[str, Any]]:
    paths, raw_dir = task
    rows = []
    for name in paths:
        path = Path(name)
        data = path.read_bytes()
        raw = read_raw(path, Path(raw_dir), data)
        hint = year_hint(raw, data)
        rows.append(vars(raw) | {"report_year_hint": hint, "partition_key": partition_key(hint)})
    return rows


def build_raw_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path) -> StageStats:
    """Fingerprint every file; the second and later files with the same bytes are duplicates."""
    paths = [str(p) for p in discover(raw_dir)]
    stats = StageStats()
    rows: list[dict[str, Any]] = []
    primary: dict[str, str] = {}
    now = datetime.now().replace(microsecond=0)
    for found in parallel_map(_fingerprint, [(list(c), str(raw_dir)) for c in chunks(paths, 256)], len(paths)):
        for row in found:
            first = primary.setdefault(row["doc_id"], row["source_path"])
            row |= {"duplicate_of": None if first == row["source_path"] else first, "ingested_at": now}
            rows.append(row)
            stats.add(row["content_type"])
            stats.add("duplicates", row["duplicate_of"] is not None)
            stats.add("undecodable", row["read_error"] is not None)
    stats.add("files", len(rows))
    replace_rows(conn, "raw_documents", frame("raw_documents", rows))
    return stats


# ---------------------------------------------------------------- stage 2: cleaned_documents
def _clean(task: tuple[list[RawDocument], str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    raws, raw_dir = task
    cleaned: list[dict[str, Any]] = []
    failures: list[DocumentFailure] = []
    for raw in raws:
        data = (Path(raw_dir) / raw.source_path).read_bytes()
        if hashlib.sha256(data).hexdigest() != raw.doc_id:
            failures.append(DocumentFailure(raw.doc_id, "cleaning", "unreadable",
                                            "the file changed after it was fingerprinted; re-run raw_documents"))
            continue
        result = clean_document(raw, data)
        if result.document is None:
            failures.append(result.failure)  # type: ignore[arg-type]
            continue
        document = result.document
        cleaned.append(vars(document) | {"converted_traditional_chars": result.converted_traditional_chars,
                                         "agency_key": agency_key(document.agency_name),
                                         "template": detect_template(document.text)})
    return frame("cleaned_documents", cleaned), frame("document_failures", failures)


def _raw_documents(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None
                   ) -> tuple[list[RawDocument], dict[str, str]]:
    where, params = scope(partitions)
    columns = ", ".join(RawDocument.__dataclass_fields__)
    rows = conn.execute(f"select {columns}, partition_key from raw_documents where duplicate_of is null and {where} "
                        "order by source_path", params).fetchall()
    return [RawDocument(*row[:-1]) for row in rows], {row[0]: row[-1] for row in rows}


def build_cleaned_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path,
                            partitions: Sequence[str] | None = None) -> StageStats:
    raws, keys = _raw_documents(conn, partitions)
    tasks = [(list(chunk), str(raw_dir)) for chunk in chunks(raws)]
    cleaned: list[pl.DataFrame] = []
    failures: list[pl.DataFrame] = []
    for documents, failed in parallel_map(_clean, tasks, len(raws)):
        cleaned.append(documents)
        failures.append(failed)
    cleaned_df = concat("cleaned_documents", cleaned, keys)
    failures_df = concat("document_failures", failures, keys)
    where, params = scope(partitions)
    replace_rows(conn, "cleaned_documents", cleaned_df, where=where, params=params)
    replace_rows(conn, "document_failures", failures_df, where=f"stage = 'cleaning' and {where}", params=params)
    stats = StageStats()
    stats.add("reports", cleaned_df["is_annual_report"].sum())
    stats.add("not_a_report", (~cleaned_df["is_annual_report"]).sum())
    for status, count in failures_df.group_by("status").len().iter_rows():
        stats.add(status, count)
    return stats


def _reports_in(conn: duckdb.DuckDBPyConnection, columns: str, partitions: Sequence[str] | None) -> list[tuple]:
    """Annual reports of the partitions (cleaned and recognised as reports), partition key last."""
    where, params = scope(partitions)
    return conn.execute(f"select {columns}, partition_key from cleaned_documents where is_annual_report and {where} "
                        "order by doc_id", params).fetchall()


# ---------------------------------------------------------------- stage 3: sections and tables
def _structure(documents: list[tuple[str, str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    sections: list[Section] = []
    cells: list[TableCell] = []
    for doc_id, text in documents:
        sections += split_sections(doc_id, text)
        cells += extract_tables(doc_id, text)
    return frame("report_sections", sections), frame("report_tables", cells)


def build_structure(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None) -> StageStats:
    documents = _reports_in(conn, "doc_id, text", partitions)
    keys = {row[0]: row[-1] for row in documents}
    sections: list[pl.DataFrame] = []
    cells: list[pl.DataFrame] = []
    for found_sections, found_cells in parallel_map(_structure, chunks([row[:2] for row in documents]), len(documents)):
        sections.append(found_sections)
        cells.append(found_cells)
    sections_df, cells_df = concat("report_sections", sections, keys), concat("report_tables", cells, keys)
    where, params = scope(partitions)
    replace_rows(conn, "report_sections", sections_df, where=where, params=params)
    replace_rows(conn, "report_tables", cells_df, where=where, params=params)
    stats = StageStats()
    stats.add("documents", len(documents))
    stats.add("documents_with_table3", cells_df.filter(pl.col("table_key") == "table3")["doc_id"].n_unique())
    stats.add("sections", sections_df.height)
    stats.add("table_cells", cells_df.height)
    return stats


# ---------------------------------------------------------------- stage 4: facts
def _fields(record: type) -> str:
    """The select list that yields a record type's fields in order (doc_id first)."""
    return ", ".join(record.__dataclass_fields__)


def _grouped(rows: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


FactTask = list[tuple[str, int | None, list[tuple[Any, ...]], list[tuple[Any, ...]]]]


def _facts(documents: FactTask) -> tuple[pl.DataFrame, pl.DataFrame]:
    facts: list[Fact] = []
    checks: list[Check] = []
    for doc_id, year, section_rows, cell_rows in documents:
        sections = [Section(*row) for row in section_rows]
        cells = [TableCell(*row) for row in cell_rows]
        found, disagreements = merge_facts(doc_id, extract_prose_facts(doc_id, sections, year),
                                           extract_table_facts(doc_id, cells))
        facts += found
        checks += [Check(v.doc_id, v.rule_id, v.severity, "prose vs table", False, v.detail) for v in disagreements]
        checks += percentage_checks(doc_id, sections)
    return frame("report_facts", facts), frame("fact_checks", checks)


def build_facts(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None) -> StageStats:
    documents = _reports_in(conn, "doc_id, report_year", partitions)
    keys = {row[0]: row[-1] for row in documents}
    facts: list[pl.DataFrame] = []
    checks: list[pl.DataFrame] = []
    for start in range(0, len(documents), READ_BATCH):
        batch = documents[start:start + READ_BATCH]
        ids = [row[0] for row in batch]
        sections = _grouped(conn.execute(f"select {_fields(Section)} from report_sections where doc_id in "
                                         "(select unnest(?)) order by doc_id, ordinal", [ids]).fetchall())
        cells = _grouped(conn.execute(f"select {_fields(TableCell)} from report_tables where doc_id in "
                                      "(select unnest(?)) and col_key is not null "
                                      "order by doc_id, table_idx, row_idx, col_idx", [ids]).fetchall())
        tasks = [[(doc_id, year, sections.get(doc_id, []), cells.get(doc_id, [])) for doc_id, year, _ in chunk]
                 for chunk in chunks(batch)]
        for found, checked in parallel_map(_facts, tasks, len(documents)):
            facts.append(found)
            checks.append(checked)
    facts_df, checks_df = concat("report_facts", facts, keys), concat("fact_checks", checks, keys)
    where, params = scope(partitions)
    replace_rows(conn, "report_facts", facts_df, where=where, params=params)
    replace_rows(conn, "fact_checks", checks_df, where=where, params=params)
    stats = StageStats()
    stats.add("facts", facts_df.height)
    for method, count in facts_df.group_by("method").len().iter_rows():
        stats.add(f"{method}_facts", count)
    stats.add("fact_warnings", checks_df.filter(~pl.col("passed")).height)
    return stats


# ---------------------------------------------------------------- stage 5: dq_checks (per report, per partition)
def build_dq_checks(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None,
                    today: date | None = None) -> StageStats:
    """Every single-report rule on the reports of the partitions (plus the checks made while reading
    facts)."""
    documents = _reports_in(conn, "doc_id, report_year, publish_date, template", partitions)
    where, params = scope(partitions)
    facts = _grouped(conn.execute(f"select {_fields(Fact)} from report_facts where {where}", params).fetchall())
    cells = _grouped(conn.execute(f"select {_fields(TableCell)} from report_tables where col_key is not null "
                                  f"and {where}", params).fetchall())
    checks = [Check(*row) for row in conn.execute(f"select {_fields(Check)} from fact_checks where {where}",
                                                  params).fetchall()]
    for doc_id, year, published, template, _ in documents:
        checks += evaluate_report(ReportContext(doc_id, year, published, template),
                                  [Fact(*row) for row in facts.get(doc_id, [])],
                                  [TableCell(*row) for row in cells.get(doc_id, [])], today)
    checks_df = concat("dq_checks", [frame("dq_checks", checks)], {row[0]: row[-1] for row in documents})
    replace_rows(conn, "dq_checks", checks_df, where=where, params=params)
    stats = StageStats()
    stats.add("checks", checks_df.height)
    stats.add("failed", checks_df.filter(~pl.col("passed")).height)
    return stats


# ---------------------------------------------------------------- stage 6: reports and dq_violations (all years)
def build_reports(conn: duckdb.DuckDBPyConnection) -> StageStats:
    """Rules across an agency's years, then every input file's one status."""
    documents = conn.execute("select doc_id, agency_key, report_year from cleaned_documents "
                             "where is_annual_report order by doc_id").fetchall()
    facts = _grouped(conn.execute(f"select {_fields(Fact)} from report_facts").fetchall())
    cross_year = evaluate_across_years([
        YearReport(doc_id, key, year, {row[1]: Fact(*row) for row in facts.get(doc_id, [])})
        for doc_id, key, year in documents])
    replace_rows(conn, "dq_cross_year_checks", frame("dq_cross_year_checks", cross_year))
    ensure_tables(conn, ["dq_checks", "dq_violations"])
    conn.execute("begin transaction")
    conn.execute("delete from dq_violations")
    conn.execute("""insert into dq_violations by name
                    select doc_id, rule_id, severity, detail from dq_checks where not passed
                    union all
                    select doc_id, rule_id, severity, detail from dq_cross_year_checks where not passed""")
    conn.execute("commit")
    replace_rows(conn, "reports", read_frame(conn, REPORTS_QUERY).select(TABLES["reports"].column_names))
    stats = StageStats()
    for status, count in conn.execute("select status, count(*) from reports group by 1").fetchall():
        stats.add(status, count)
    stats.add("violations", conn.execute("select count(*) from dq_violations").fetchone()[0])
    return stats


REPORTS_QUERY = """
with blocking as (
    select doc_id, count(*) as n, string_agg(rule_id || ': ' || detail, '; ' order by rule_id) as reasons
    from dq_violations where severity = 'blocking' group by doc_id
), warnings as (
    select doc_id, count(*) as n from dq_violations where severity = 'warning' group by doc_id
), section_counts as (
    select doc_id, count(*)::int as n from report_sections group by doc_id
), fact_counts as (
    select doc_id, count(*)::int as n from report_facts group by doc_id
)
select
    r.doc_id, r.source_path, c.title, c.agency_name, c.agency_key, c.admin_level, c.jurisdiction_level,
    c.report_year, c.publish_date, c.written_date, c.template, r.content_type,
    case
        when r.duplicate_of is not null then 'duplicate'
        when f.status is not null then f.status
        when c.doc_id is null then 'pending'
        when not c.is_annual_report then 'not_a_report'
        when b.n > 0 then 'quarantined'
        else 'scored'
    end as status,
    case
        when r.duplicate_of is not null then 'same bytes as ' || r.duplicate_of
        when f.status is not null then f.reason
        when c.doc_id is null then 'not processed yet: partition ' || r.partition_key || ' has not been materialised'
        when not c.is_annual_report then c.not_report_reason
        when b.n > 0 then 'blocking data-quality rule failed: ' || b.reasons
        else 'passed the blocking data-quality rules'
    end as status_reason,
    coalesce(s.n, 0)::int as section_count,
    coalesce(fc.n, 0)::int as fact_count,
    coalesce(w.n, 0)::int as warning_count,
    coalesce(b.n, 0)::int as blocking_count,
    r.partition_key
from raw_documents r
left join cleaned_documents c on c.doc_id = r.doc_id and r.duplicate_of is null
left join document_failures f on f.doc_id = r.doc_id and r.duplicate_of is null
left join blocking b on b.doc_id = c.doc_id
left join warnings w on w.doc_id = c.doc_id
left join section_counts s on s.doc_id = c.doc_id
left join fact_counts fc on fc.doc_id = c.doc_id
order by r.source_path
"""
