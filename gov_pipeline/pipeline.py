"""Batch runners, one per stage: read the previous stage's table, process documents in parallel worker
processes, write the stage's table. Dagster assets call these; so do the CLI, the benchmark and the
tests. The per-document work lives in the stage modules (ingest, cleaning, sections, tables, facts,
quality); workers take chunks of documents and hand back ready-made DataFrames, so the coordinating
process only reads the warehouse in batches and streams the workers' frames into it, one transaction
per stage."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from gov_pipeline.agencies import resolution_columns, resolve_report
from gov_pipeline.budget import BudgetExceeded, can_time, time_budget
from gov_pipeline.cleaning.catalog_year import catalog_year
from gov_pipeline.cleaning.clean import clean_document
from gov_pipeline.domain.records import DocumentFailure, Fact, RawDocument, Section, TableCell
from gov_pipeline.domain.template import CUMULATIVE_SUFFIX, detect_template
from gov_pipeline.facts.extract import (
    extract_prose_facts,
    extract_table_facts,
    merge_facts,
    prose_table_agreements,
)
from gov_pipeline.ingest.inventory import (
    Entry,
    NotReadable,
    discover,
    open_document,
    read_entry,
    read_raw,
    unread_document,
)
from gov_pipeline.partitions import partition_key, rewritten, scope
from gov_pipeline.quality.near_duplicates import find_near_duplicates, sketch
from gov_pipeline.quality.rules import (
    CARRYOVER_FACTS,
    Check,
    ReportContext,
    YearReport,
    evaluate_across_years,
    evaluate_report,
    percentage_checks,
)
from gov_pipeline.structure.sections import split_sections
from gov_pipeline.structure.tables import extract_tables
from gov_pipeline.warehouse.store import (
    TABLES,
    ensure_tables,
    frame,
    read_frame,
    replace_rows,
    replacing,
)

T = TypeVar("T")
R = TypeVar("R")
CHUNK = 32  # documents per worker task
READ_BATCH = 2000  # documents whose sections and cells are read from the warehouse at once
PARALLEL_THRESHOLD = 24  # below this many documents a worker pool costs more than it saves
IN_FLIGHT_PER_WORKER = 8  # tasks submitted ahead of the results read back
STAGES = ("cleaning", "structure", "facts", "dq_checks")  # document_failures.stage, in run order


def worker_count() -> int:
    return max(1, int(os.environ.get("GOV_PIPELINE_WORKERS") or os.cpu_count() or 1))


def chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def parallel_map(function: Callable[[T], R], tasks: Iterable[T], documents: int) -> Iterator[R]:
    """Map over tasks in worker processes (spawned: the caller may be a threaded Dagster process), in
    order; runs inline when there are few documents or one worker. One pool per call (spawning one
    costs about a second); `tasks` may be lazy: only a few tasks per worker are in flight, so the
    caller reads the next batch from the warehouse while the workers compute, in bounded memory."""
    workers = worker_count()
    if (workers == 1 or documents < PARALLEL_THRESHOLD) and can_time():  # the time budget needs the main thread
        yield from map(function, tasks)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        in_flight: deque[Future[R]] = deque()
        for task in tasks:
            in_flight.append(pool.submit(function, task))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


@dataclass(frozen=True)
class Rows:
    """The rows of one warehouse table that a stage's workers need for each document."""

    table: str
    columns: str  # doc_id first
    where: str = "true"
    order: str = ""  # within a document

    def read(self, conn: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> pl.DataFrame:
        order = f"doc_id, {self.order}" if self.order else "doc_id"
        return conn.sql(f"select {self.columns} from {self.table} where doc_id in (select unnest(?)) "
                        f"and {self.where} order by {order}", params=[doc_ids]).pl()


DocumentChunk = tuple[list[tuple[Any, ...]], list[pl.DataFrame]]


def document_chunks(conn: duckdb.DuckDBPyConnection, documents: Sequence[tuple[Any, ...]], needs: Sequence[Rows]
                    ) -> Iterator[DocumentChunk]:
    """Documents (rows with doc_id first, sorted by it) in worker-sized chunks, each with its rows of
    every table in `needs`. Reads READ_BATCH documents at a time as DataFrames and slices them, so the
    coordinator never builds Python rows: the workers do, in parallel."""
    for batch in chunks(documents, READ_BATCH):
        frames = [need.read(conn, [row[0] for row in batch]) for need in needs]
        doc_ids = [df["doc_id"].to_list() for df in frames]
        for chunk in chunks(batch):
            first, last = chunk[0][0], chunk[-1][0]
            yield list(chunk), [df.slice(start := bisect_left(ids, first), bisect_right(ids, last) - start)
                                for df, ids in zip(frames, doc_ids, strict=True)]


def grouped(rows: Iterable[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows grouped by their first column (doc_id), in order."""
    groups: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return groups


def filed(table: str, rows: Iterable[Any], partitions: dict[str, str]) -> pl.DataFrame:
    """A worker's output rows as the table's frame, each row filed under its document's partition."""
    df = frame(table, rows)
    return df.with_columns(pl.col("doc_id").replace_strict(partitions, default=None, return_dtype=pl.String)
                           .alias("partition_key"))


def _fields(record: type) -> str:
    """The select list that yields a record type's fields in order (doc_id first)."""
    return ", ".join(record.__dataclass_fields__)


def _partitions(documents: Sequence[tuple[Any, ...]]) -> dict[str, str]:
    """doc_id -> partition key of document rows selected with doc_id first and partition_key last."""
    return {row[0]: row[-1] for row in documents}


@dataclass
class StageStats:
    """Counts a stage reports (shown as Dagster metadata and in the run summary)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(amount)


# ---------------------------------------------------------------- stage 1: raw_documents
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
    return vars(raw) | {"display_path": entry.display_path, "report_year_hint": year, "partition_key": partition_key(year)}


def _catalog(task: tuple[list[Entry], str]) -> list[dict[str, Any]]:
    entries, raw_dir = task
    rows = []
    for entry in entries:
        try:
            with time_budget():
                rows.append(catalog_row(entry, Path(raw_dir)))
        except BudgetExceeded as exc:
            rows.append(_catalog_record(entry, unread_document(entry, f"{exc} (catalog)"), None))
    return rows


def build_raw_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path) -> StageStats:
    """Catalog every entry of the folder; the second and later files with the same bytes are duplicates."""
    entries = discover(raw_dir)
    stats = StageStats()
    rows: list[dict[str, Any]] = []
    primary: dict[str, str] = {}
    now = datetime.now().replace(microsecond=0)
    for found in parallel_map(_catalog, [(list(c), str(raw_dir)) for c in chunks(entries, 256)], len(entries)):
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


# ---------------------------------------------------------------- stage 2: cleaned_documents
def _clean(task: tuple[list[RawDocument], dict[str, str], str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    raws, partitions, raw_dir = task
    cleaned: list[dict[str, Any]] = []
    failures: list[DocumentFailure] = []
    for raw in raws:
        if raw.read_error:  # the catalog did not read it (or could not decode it): nothing to open
            failures.append(DocumentFailure(raw.doc_id, "cleaning", "unreadable", raw.read_error))
            continue
        try:
            data = open_document(Path(raw_dir), raw.source_path)
        except NotReadable as exc:
            failures.append(DocumentFailure(raw.doc_id, "cleaning", "unreadable", str(exc)))
            continue
        if hashlib.sha256(data).hexdigest() != raw.doc_id:
            failures.append(DocumentFailure(raw.doc_id, "cleaning", "unreadable",
                                            "the file changed after it was fingerprinted; re-run raw_documents"))
            continue
        try:
            with time_budget():
                result = clean_document(raw, data)
        except BudgetExceeded as exc:
            failures.append(DocumentFailure(raw.doc_id, "cleaning", "unreadable", f"{exc} (cleaning)"))
            continue
        if result.document is None:
            failures.append(result.failure)  # type: ignore[arg-type]
            continue
        document = result.document
        cleaned.append(vars(document) | {"converted_traditional_chars": result.converted_traditional_chars,
                                         **resolution_columns(resolve_report(document, raw.source_path)),
                                         "template": detect_template(document.text)})
    return filed("cleaned_documents", cleaned, partitions), filed("document_failures", failures, partitions)


def _raw_documents(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None
                   ) -> tuple[list[RawDocument], dict[str, str]]:
    where, params = scope(partitions)
    rows = conn.execute(f"select {_fields(RawDocument)}, partition_key from raw_documents where duplicate_of is null "
                        f"and {where} order by source_path", params).fetchall()
    return [RawDocument(*row[:-1]) for row in rows], _partitions(rows)


def build_cleaned_documents(conn: duckdb.DuckDBPyConnection, raw_dir: Path,
                            partitions: Sequence[str] | None = None) -> StageStats:
    raws, keys = _raw_documents(conn, partitions)
    tasks = [(list(chunk), {raw.doc_id: keys[raw.doc_id] for raw in chunk}, str(raw_dir)) for chunk in chunks(raws)]
    replaced, params = rewritten(partitions)
    stats = StageStats()
    with replacing(conn, {"cleaned_documents": replaced, "document_failures": f"stage = 'cleaning' and {replaced}"},
                   params) as write:
        for cleaned, failed in parallel_map(_clean, tasks, len(raws)):
            write("cleaned_documents", cleaned)
            write("document_failures", failed)
            stats.add("reports", cleaned["is_annual_report"].sum())
            stats.add("not_a_report", (~cleaned["is_annual_report"]).sum())
            for status, count in failed.group_by("status").len().iter_rows():
                stats.add(status, count)
    return stats


def _reports_in(conn: duckdb.DuckDBPyConnection, columns: str, partitions: Sequence[str] | None,
                before: str = "structure") -> list[tuple]:
    """Annual reports of the partitions (cleaned and recognised as reports) that no stage before
    `before` gave up on (e.g. past its time budget), partition key last."""
    where, params = scope(partitions)
    ensure_tables(conn, ["document_failures"])
    earlier = STAGES[:STAGES.index(before)]
    return conn.execute(f"select {columns}, partition_key from cleaned_documents c where is_annual_report and {where} "
                        "and not exists (select 1 from document_failures f where f.doc_id = c.doc_id "
                        "and f.stage in (select unnest(?))) order by doc_id", [*params, list(earlier)]).fetchall()


# ---------------------------------------------------------------- stage 3: sections and tables
TEXTS = Rows("cleaned_documents", "doc_id, text")


def _structure(task: DocumentChunk) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    documents, (texts,) = task
    sections: list[Section] = []
    cells: list[TableCell] = []
    failures: list[DocumentFailure] = []
    for doc_id, text in texts.iter_rows():
        try:
            with time_budget():
                found = split_sections(doc_id, text), extract_tables(doc_id, text)
        except BudgetExceeded as exc:
            failures.append(DocumentFailure(doc_id, "structure", "unreadable", f"{exc} (sections and tables)"))
            continue
        sections += found[0]
        cells += found[1]
    partitions = _partitions(documents)
    return (filed("report_sections", sections, partitions), filed("report_tables", cells, partitions),
            filed("document_failures", failures, partitions))


def build_structure(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None) -> StageStats:
    documents = _reports_in(conn, "doc_id", partitions)
    replaced, params = rewritten(partitions)
    stats = StageStats()
    stats.add("documents", len(documents))
    with replacing(conn, {"report_sections": replaced, "report_tables": replaced,
                          "document_failures": f"stage = 'structure' and {replaced}"}, params) as write:
        for sections, cells, failed in parallel_map(_structure, document_chunks(conn, documents, [TEXTS]),
                                                    len(documents)):
            write("report_sections", sections)
            write("report_tables", cells)
            write("document_failures", failed)
            stats.add("unreadable", failed.height)
            stats.add("documents_with_table3", cells.filter(pl.col("table_key") == "table3")["doc_id"].n_unique())
            stats.add("sections", sections.height)
            stats.add("table_cells", cells.height)
    return stats


# ---------------------------------------------------------------- stage 4: facts
SECTIONS = Rows("report_sections", _fields(Section), order="ordinal")
TEMPLATE_CELLS = Rows("report_tables", _fields(TableCell), where="col_key is not null",
                      order="table_idx, row_idx, col_idx")


def _facts(task: DocumentChunk) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    documents, (section_rows, cell_rows) = task
    sections_of, cells_of = grouped(section_rows.iter_rows()), grouped(cell_rows.iter_rows())
    facts: list[Fact] = []
    checks: list[Check] = []
    failures: list[DocumentFailure] = []
    for doc_id, year, _ in documents:
        sections = [Section(*row) for row in sections_of.get(doc_id, [])]
        cells = [TableCell(*row) for row in cells_of.get(doc_id, [])]
        try:
            with time_budget():
                prose, table = extract_prose_facts(doc_id, sections, year), extract_table_facts(doc_id, cells)
                found, disagreements = merge_facts(doc_id, prose, table)
                agreements = prose_table_agreements(prose, table)
                shares = percentage_checks(doc_id, sections)
        except BudgetExceeded as exc:
            failures.append(DocumentFailure(doc_id, "facts", "unreadable", f"{exc} (facts)"))
            continue
        facts += found
        checks += [Check(v.doc_id, v.rule_id, v.severity, "prose vs table", False, v.detail) for v in disagreements]
        checks += [Check(doc_id, "prose_table_mismatch", "warning", "prose vs table", True, d) for d in agreements]
        checks += shares
    partitions = _partitions(documents)
    return (filed("report_facts", facts, partitions), filed("fact_checks", checks, partitions),
            filed("document_failures", failures, partitions))


def build_facts(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None) -> StageStats:
    documents = _reports_in(conn, "doc_id, report_year", partitions, before="facts")
    replaced, params = rewritten(partitions)
    stats = StageStats()
    tasks = document_chunks(conn, documents, [SECTIONS, TEMPLATE_CELLS])
    with replacing(conn, {"report_facts": replaced, "fact_checks": replaced,
                          "document_failures": f"stage = 'facts' and {replaced}"}, params) as write:
        for facts, checks, failed in parallel_map(_facts, tasks, len(documents)):
            write("report_facts", facts)
            write("fact_checks", checks)
            write("document_failures", failed)
            stats.add("unreadable", failed.height)
            stats.add("facts", facts.height)
            for method, count in facts.group_by("method").len().iter_rows():
                stats.add(f"{method}_facts", count)
            stats.add("fact_warnings", checks.filter(~pl.col("passed")).height)
    return stats


# ---------------------------------------------------------------- stage 5: dq_checks (per report, per partition)
FACTS = Rows("report_facts", _fields(Fact))


def _checks(task: DocumentChunk, today: date | None) -> pl.DataFrame:
    documents, (fact_rows, cell_rows) = task
    facts_of, cells_of = grouped(fact_rows.iter_rows()), grouped(cell_rows.iter_rows())
    checks: list[Check] = []
    for row in documents:
        checks += evaluate_report(ReportContext(*row[:4]), [Fact(*f) for f in facts_of.get(row[0], [])],
                                  [TableCell(*c) for c in cells_of.get(row[0], [])], today)
    return filed("dq_checks", checks, _partitions(documents))


def build_dq_checks(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None = None,
                    today: date | None = None) -> StageStats:
    """Every single-report rule on the reports of the partitions (plus the checks made while reading
    facts)."""
    documents = _reports_in(conn, "doc_id, report_year, publish_date, template", partitions, before="dq_checks")
    where, params = scope(partitions)
    replaced, replaced_params = rewritten(partitions)
    stats = StageStats()
    tasks = document_chunks(conn, documents, [FACTS, TEMPLATE_CELLS])
    ensure_tables(conn, ["fact_checks"])
    with replacing(conn, {"dq_checks": replaced}, replaced_params) as write:
        conn.execute(f"insert into dq_checks by name select * from fact_checks where {where}", params)
        for checks in parallel_map(partial(_checks, today=today), tasks, len(documents)):
            write("dq_checks", checks)
    checks, failed = conn.execute(f"select count(*), count(*) filter (where not passed) from dq_checks "
                                  f"where {where}", params).fetchone()
    stats.add("checks", checks)
    stats.add("failed", failed)
    return stats


# ---------------------------------------------------------------- stage 6: reports and dq_violations (all years)
# only the facts the cross-year rules compare: carry-over pairs, cumulative figures and their year's figure
CROSS_YEAR_FACTS = f"""
select {_fields(Fact)} from report_facts f
where fact_key in {CARRYOVER_FACTS} or suffix(fact_key, '{CUMULATIVE_SUFFIX}')
   or exists (select 1 from report_facts c where c.doc_id = f.doc_id and c.fact_key = f.fact_key || '{CUMULATIVE_SUFFIX}')
order by doc_id
"""


def build_reports(conn: duckdb.DuckDBPyConnection) -> StageStats:
    """Rules across an agency's years, then every input file's one status."""
    documents = conn.execute("select doc_id, agency_key, report_year from cleaned_documents "
                             "where is_annual_report order by doc_id").fetchall()
    facts = grouped(conn.execute(CROSS_YEAR_FACTS).fetchall())
    cross_year = evaluate_across_years([
        YearReport(doc_id, key, year, {row[1]: Fact(*row) for row in facts.get(doc_id, [])})
        for doc_id, key, year in documents])
    replace_rows(conn, "dq_cross_year_checks", frame("dq_cross_year_checks", cross_year))
    ensure_tables(conn, ["dq_checks", "fetch_log"])
    with replacing(conn, {"dq_violations": "true"}):
        conn.execute("""insert into dq_violations by name
                        select doc_id, rule_id, severity, detail from dq_checks where not passed
                        union all
                        select doc_id, rule_id, severity, detail from dq_cross_year_checks where not passed""")
    stats = StageStats()
    stats.add("near_duplicates", build_near_duplicates(conn))
    replace_rows(conn, "reports", read_frame(conn, REPORTS_QUERY).select(TABLES["reports"].column_names))
    for status, count in conn.execute("select status, count(*) from reports group by 1").fetchall():
        stats.add(status, count)
    stats.add("violations", conn.execute("select count(*) from dq_violations").fetchone()[0])
    return stats


NEAR_DUPLICATE_CANDIDATES = """
select c.doc_id, d.source_path, c.report_year, c.agency_key, c.text, coalesce(f.n, 0), coalesce(v.n, 0)
from cleaned_documents c
join raw_documents d on d.doc_id = c.doc_id and d.duplicate_of is null
left join (select doc_id, count(*) as n from report_facts group by doc_id) f on f.doc_id = c.doc_id
left join (select doc_id, count(*) as n from dq_violations where severity = 'blocking' group by doc_id) v
       on v.doc_id = c.doc_id
where c.is_annual_report
"""


def build_near_duplicates(conn: duckdb.DuckDBPyConnection) -> int:
    """The reports that copy another (near_duplicates.py), sketched batch by batch."""
    cursor = conn.execute(NEAR_DUPLICATE_CANDIDATES)
    sketches = []
    while batch := cursor.fetchmany(READ_BATCH):
        sketches += [sketch(*row) for row in batch]
    copies = find_near_duplicates(sketches)
    replace_rows(conn, "near_duplicates", frame("near_duplicates", copies))
    return len(copies)


REPORTS_QUERY = f"""
with blocking as (
    select doc_id, count(*) as n, string_agg(rule_id || ': ' || detail, '; ' order by rule_id) as reasons
    from dq_violations where severity = 'blocking' group by doc_id
), warnings as (
    select doc_id, count(*) as n from dq_violations where severity = 'warning' group by doc_id
), section_counts as (
    select doc_id, count(*)::int as n from report_sections group by doc_id
), fact_counts as (
    select doc_id, count(*)::int as n from report_facts group by doc_id
), fetched as (
    select sha256 as doc_id, arg_min(url, fetched_at) as url from fetch_log where outcome = 'stored' group by sha256
)
select
    r.doc_id, r.source_path, c.title, c.agency_name, c.agency_key, c.admin_level, c.jurisdiction_level,
    c.division_code, c.body_kind, c.body_type, c.division_reason, c.division_candidates,
    c.report_year, c.publish_date, c.written_date, c.template, r.content_type,
    case
        when r.duplicate_of is not null then 'duplicate'
        when f.status is not null then f.status
        when c.doc_id is null then 'pending'
        when not c.is_annual_report then 'not_a_report'
        when b.n > 0 then 'quarantined'
        when nd.doc_id is not null then 'duplicate'
        else 'scored'
    end as status,
    case
        when r.duplicate_of is not null then 'same bytes as ' || r.duplicate_of
        when f.status is not null then f.reason
        when c.doc_id is null then 'not processed yet: partition ' || r.partition_key || ' has not been materialised'
        when not c.is_annual_report then c.not_report_reason
        when b.n > 0 then 'blocking data-quality rule failed: ' || b.reasons
        when nd.doc_id is not null then 'the same report as ' || nd.primary_path || ' (' ||
             round(100 * nd.sentence_containment)::int || '% of sentences and ' ||
             round(100 * nd.number_similarity)::int || '% of number sequences shared): only that one is scored'
        else 'passed the blocking data-quality rules'
    end as status_reason,
    coalesce(s.n, 0)::int as section_count,
    coalesce(fc.n, 0)::int as fact_count,
    coalesce(w.n, 0)::int as warning_count,
    coalesce(b.n, 0)::int as blocking_count,
    r.partition_key,
    coalesce(fe.url, c.source_url) as source_url
from raw_documents r
left join cleaned_documents c on c.doc_id = r.doc_id and r.duplicate_of is null
left join (select * from document_failures
           qualify row_number() over (partition by doc_id order by array_position({list(STAGES)!r}, stage)) = 1
          ) f on f.doc_id = r.doc_id and r.duplicate_of is null
left join near_duplicates nd on nd.doc_id = c.doc_id
left join blocking b on b.doc_id = c.doc_id
left join warnings w on w.doc_id = c.doc_id
left join section_counts s on s.doc_id = c.doc_id
left join fact_counts fc on fc.doc_id = c.doc_id
left join fetched fe on fe.doc_id = r.doc_id
order by r.source_path
"""
