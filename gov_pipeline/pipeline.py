"""Batch runners, one per stage: read the previous stage's table, process documents in parallel worker
processes, write the stage's table. Dagster assets call these; so do the CLI and the tests. The pure
per-document work lives in the stage modules (ingest, cleaning, sections, tables, facts, quality)."""

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
from gov_pipeline.quality import ReportContext, YearReport, evaluate_across_years, evaluate_report
from gov_pipeline.records import (
    CleanedDocument,
    DocumentFailure,
    Fact,
    RawDocument,
    Section,
    TableCell,
    Violation,
)
from gov_pipeline.sections import split_sections
from gov_pipeline.tables import extract_tables
from gov_pipeline.template import detect_template
from gov_pipeline.warehouse import frame, read_frame, replace_rows

T = TypeVar("T")
R = TypeVar("R")
BATCH_SIZE = 400
PARALLEL_THRESHOLD = 24  # below this many documents a worker pool costs more than it saves
_YEAR_HINT = re.compile(r"((?:19|20)\d{2})\s*年度?[^\n。]{0,30}?(?:政府信息公开|政务公开|信息公开)[^\n。]{0,12}?(?:报告|年报)")


def worker_count() -> int:
    return max(1, int(os.environ.get("GOV_PIPELINE_WORKERS") or os.cpu_count() or 1))


def parallel_map(function: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """Map over items in worker processes (spawned: the caller may be a threaded Dagster process),
    in order; small inputs run inline."""
    workers = worker_count()
    if workers == 1 or len(items) < PARALLEL_THRESHOLD:
        yield from map(function, items)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(function, items, chunksize=max(1, min(64, len(items) // (workers * 8) or 1)))


def batched(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class StageStats:
    """Counts a stage reports (shown as Dagster metadata and in the run summary)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + amount


# ---------------------------------------------------------------- stage 1: raw_documents
def _fingerprint(task: tuple[str, str]) -> tuple[RawDocument, int | None]:
    path, raw_dir = Path(task[0]), Path(task[1])
    data = path.read_bytes()
    raw = read_raw(path, raw_dir, data)
    return raw, year_hint(raw, data)


def year_hint(raw: RawDocument, data: bytes) -> int | None:
    """The report year as the file's first lines state it (cheap: no parsing), for partitioning."""
    if raw.detected_encoding is None:
        return None
    head = data[:16384].decode(raw.detected_encoding, errors="ignore")
    match = _YEAR_HINT.search(head)
    return int(match.group(1)) if match else None


def build_raw_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path) -> StageStats:
    """Fingerprint every file; the second and later files with the same bytes are duplicates."""
    paths = discover(raw_dir)
    stats = StageStats()
    rows: list[dict[str, Any]] = []
    primary: dict[str, str] = {}
    now = datetime.now().replace(microsecond=0)
    for raw, hint in parallel_map(_fingerprint, [(str(p), str(raw_dir)) for p in paths]):
        duplicate_of = primary.setdefault(raw.doc_id, raw.source_path)
        row = raw.__dict__ | {"duplicate_of": None if duplicate_of == raw.source_path else duplicate_of,
                              "report_year_hint": hint, "ingested_at": now}
        rows.append(row)
        stats.add(raw.content_type)
        stats.add("duplicates", row["duplicate_of"] is not None)
        stats.add("undecodable", raw.read_error is not None)
    stats.add("files", len(rows))
    replace_rows(conn, "raw_documents", frame("raw_documents", rows))
    return stats


# ---------------------------------------------------------------- stage 2: cleaned_documents
@dataclass(frozen=True)
class CleanTask:
    raw: RawDocument
    path: str


def _clean(task: CleanTask) -> tuple[dict[str, Any] | None, DocumentFailure | None]:
    data = Path(task.path).read_bytes()
    if hashlib.sha256(data).hexdigest() != task.raw.doc_id:
        return None, DocumentFailure(task.raw.doc_id, "cleaning", "unreadable",
                                     "the file changed after it was fingerprinted; re-run raw_documents")
    result = clean_document(task.raw, data)
    if result.document is None:
        return None, result.failure
    return cleaned_row(result.document, result.converted_traditional_chars), None


def cleaned_row(document: CleanedDocument, converted: int) -> dict[str, Any]:
    return document.__dict__ | {"converted_traditional_chars": converted,
                                "agency_key": agency_key(document.agency_name),
                                "template": detect_template(document.text)}


def _raw_documents(conn: duckdb.DuckDBPyConnection) -> list[RawDocument]:
    df = read_frame(conn, "select * from raw_documents where duplicate_of is null order by source_path")
    fields = RawDocument.__dataclass_fields__
    return [RawDocument(**{k: v for k, v in row.items() if k in fields}) for row in df.iter_rows(named=True)]


def build_cleaned_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path) -> StageStats:
    tasks = [CleanTask(raw, str(raw_dir / raw.source_path)) for raw in _raw_documents(conn)]
    stats = StageStats()
    cleaned: list[dict[str, Any]] = []
    failures: list[DocumentFailure] = []
    for document, failure in parallel_map(_clean, tasks):
        if document is not None:
            cleaned.append(document)
            stats.add("reports" if document["is_annual_report"] else "not_a_report")
        if failure is not None:
            failures.append(failure)
            stats.add(failure.status)
    replace_rows(conn, "cleaned_documents", frame("cleaned_documents", cleaned))
    replace_rows(conn, "document_failures", frame("document_failures", failures), where="stage = 'cleaning'")
    return stats


# ---------------------------------------------------------------- stage 3: sections and tables
def _structure(task: tuple[str, str]) -> tuple[list[Section], list[TableCell]]:
    doc_id, text = task
    return split_sections(doc_id, text), extract_tables(doc_id, text)


def build_structure(conn: duckdb.DuckDBPyConnection) -> StageStats:
    docs = read_frame(conn, "select doc_id, text from cleaned_documents where is_annual_report order by doc_id")
    stats = StageStats()
    sections: list[Section] = []
    cells: list[TableCell] = []
    for found_sections, found_cells in parallel_map(_structure, list(docs.iter_rows())):
        sections += found_sections
        cells += found_cells
        stats.add("documents")
        stats.add("documents_with_table3", any(c.table_key == "table3" for c in found_cells))
    stats.add("sections", len(sections))
    stats.add("table_cells", len(cells))
    replace_rows(conn, "report_sections", frame("report_sections", sections))
    replace_rows(conn, "report_tables", frame("report_tables", cells))
    return stats


# ---------------------------------------------------------------- stage 4: facts
def _records(df: pl.DataFrame, cls: type[T]) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = {}
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    for row in df.iter_rows(named=True):
        grouped.setdefault(row["doc_id"], []).append(cls(**{k: v for k, v in row.items() if k in names}))
    return grouped


def _facts(task: tuple[str, int | None, list[Section], list[TableCell]]) -> tuple[list[Fact], list[Violation]]:
    doc_id, year, sections, cells = task
    return merge_facts(doc_id, extract_prose_facts(doc_id, sections, year), extract_table_facts(doc_id, cells))


def build_facts(conn: duckdb.DuckDBPyConnection) -> StageStats:
    docs = read_frame(conn, "select doc_id, report_year from cleaned_documents where is_annual_report order by doc_id")
    stats = StageStats()
    facts: list[Fact] = []
    mismatches: list[Violation] = []
    for batch in batched(list(docs.iter_rows())):
        ids = [doc_id for doc_id, _ in batch]
        sections = _records(read_frame(conn, "select * from report_sections where doc_id in (select unnest($1)) "
                                             "order by doc_id, ordinal", [ids]), Section)
        cells = _records(read_frame(conn, "select * from report_tables where doc_id in (select unnest($1)) "
                                          "order by doc_id, table_idx, row_idx, col_idx", [ids]), TableCell)
        tasks = [(doc_id, year, sections.get(doc_id, []), cells.get(doc_id, [])) for doc_id, year in batch]
        for found, conflicts in parallel_map(_facts, tasks):
            facts += found
            mismatches += conflicts
    stats.add("facts", len(facts))
    stats.add("prose_facts", sum(f.method == "prose" for f in facts))
    stats.add("table_facts", sum(f.method == "table" for f in facts))
    stats.add("prose_table_mismatches", len(mismatches))
    replace_rows(conn, "report_facts", frame("report_facts", facts))
    replace_rows(conn, "fact_mismatches", frame("fact_mismatches", mismatches))
    return stats


# ---------------------------------------------------------------- stage 5: reports and dq_violations
def build_reports(conn: duckdb.DuckDBPyConnection, today: date | None = None) -> StageStats:
    """Evaluate the quality rules and give every input file exactly one status."""
    docs = read_frame(conn, "select doc_id, agency_key, report_year, publish_date, template "
                            "from cleaned_documents where is_annual_report order by doc_id")
    facts = _records(read_frame(conn, "select * from report_facts"), Fact)
    cells = _records(read_frame(conn, "select * from report_tables where col_key is not null"), TableCell)
    violations: list[Violation] = [Violation(**row) for row in read_frame(
        conn, "select doc_id, rule_id, severity, detail from fact_mismatches").iter_rows(named=True)]
    year_reports = []
    for row in docs.iter_rows(named=True):
        ctx = ReportContext(row["doc_id"], row["report_year"], row["publish_date"], row["template"])
        violations += evaluate_report(ctx, facts.get(row["doc_id"], []), cells.get(row["doc_id"], []), today)
        year_reports.append(YearReport(row["doc_id"], row["agency_key"], row["report_year"],
                                       {f.fact_key: f for f in facts.get(row["doc_id"], [])}))
    violations += evaluate_across_years(year_reports)
    replace_rows(conn, "dq_violations", frame("dq_violations", violations))
    replace_rows(conn, "reports", read_frame(conn, REPORTS_QUERY))
    stats = StageStats()
    for status, count in conn.execute("select status, count(*) from reports group by 1").fetchall():
        stats.add(status, count)
    stats.add("violations", len(violations))
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
        when c.doc_id is null then 'unreadable'
        when not c.is_annual_report then 'not_a_report'
        when b.n > 0 then 'quarantined'
        else 'scored'
    end as status,
    case
        when r.duplicate_of is not null then 'same bytes as ' || r.duplicate_of
        when f.status is not null then f.reason
        when c.doc_id is null then coalesce(r.read_error, 'no text could be extracted')
        when not c.is_annual_report then c.not_report_reason
        when b.n > 0 then 'blocking data-quality rule failed: ' || b.reasons
        else 'passed the blocking data-quality rules'
    end as status_reason,
    coalesce(s.n, 0)::int as section_count,
    coalesce(fc.n, 0)::int as fact_count,
    coalesce(w.n, 0)::int as warning_count,
    coalesce(b.n, 0)::int as blocking_count
from raw_documents r
left join cleaned_documents c on c.doc_id = r.doc_id and r.duplicate_of is null
left join document_failures f on f.doc_id = r.doc_id and r.duplicate_of is null
left join blocking b on b.doc_id = c.doc_id
left join warnings w on w.doc_id = c.doc_id
left join section_counts s on s.doc_id = c.doc_id
left join fact_counts fc on fc.doc_id = c.doc_id
order by r.source_path
"""


def run_all(conn: duckdb.DuckDBPyConnection, raw_dir: Path, today: date | None = None) -> dict[str, StageStats]:
    """Every stage in order without Dagster (the Dagster job calls the same runners)."""
    return {
        "raw_documents": build_raw_documents(conn, raw_dir),
        "cleaned_documents": build_cleaned_documents(conn, raw_dir),
        "report_sections": build_structure(conn),
        "report_facts": build_facts(conn),
        "reports": build_reports(conn, today),
    }

