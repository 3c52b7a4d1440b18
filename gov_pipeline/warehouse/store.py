"""The warehouse tables: their documented schemas, and idempotent writes into DuckDB.

Every stage table is written whole-or-not-at-all: rows for a set of documents (or a report-year
partition) are deleted and re-inserted in one transaction, so a re-run never duplicates rows and a
crash never leaves half a stage behind."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import duckdb
import polars as pl


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType | type[pl.DataType]
    description: str
    json: bool = False  # a dict in the records, stored as JSON text


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> dict[str, Any]:
        return {c.name: c.dtype for c in self.columns}

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, dtype: Any, description: str, *, json: bool = False) -> Column:
    return Column(name, dtype, description, json)


DOC_ID = _c("doc_id", pl.String, "sha256 of the file's bytes")
PARTITION_KEY = _c("partition_key", pl.String, "report-year partition the document is filed under (year or 'unknown')")
TABLES: dict[str, TableSpec] = {t.name: t for t in (
    TableSpec("raw_documents", "One row per entry found under the raw folder (files, symlinks, FIFOs, devices…).", (
        _c("doc_id", pl.String, "sha256 of the file's bytes; for an entry that was not read, of its name"),
        _c("source_path", pl.String, "path relative to the raw folder (POSIX separators); bytes of a name that "
           "are not UTF-8 written \\xNN (lossless)"),
        _c("display_path", pl.String, "the same path for people: a non-UTF-8 name read as GB18030 where it fits"),
        _c("byte_size", pl.Int64, "file size in bytes (0 when not read)"),
        _c("content_type", pl.String, "html | text | markdown | pdf | other (a type the pipeline does not read)"),
        _c("detected_encoding", pl.String, "codec the text was read with (NULL for PDF or undecodable bytes)"),
        _c("encoding_method", pl.String, "how the encoding was decided (BOM, declaration, validation, detector)"),
        _c("read_error", pl.String, "why the entry was not read (symlink out of the folder, FIFO, device, size, "
           "permission) or why its bytes are not text"),
        _c("duplicate_of", pl.String, "source_path of the first file with the same bytes, for duplicates"),
        _c("report_year_hint", pl.Int32, "report year read from the decoded head (title, first lines, a PDF's "
           "first page) by metadata.report_year, NULL when unknown"),
        PARTITION_KEY,
        _c("ingested_at", pl.Datetime("us"), "when the file was fingerprinted"),
        _c("file_mtime_ns", pl.Int64, "the file's modification time (ns since the epoch) when it was read: with "
           "byte_size, how the next catalog knows it unchanged (NULL for entries not read as text)"),
        _c("catalog_version", pl.String, "hash of the pipeline code that read the file: a row is reused only "
           "under the same code"),
    )),
    TableSpec("cleaned_documents", "One row per decodable (non-duplicate) document: clean text and metadata.", (
        DOC_ID,
        PARTITION_KEY,
        _c("title", pl.String, "report title (page meta, crawler header, or the body's own title line)"),
        _c("text", pl.String, "main content as clean Simplified Chinese; tables as markdown pipe rows"),
        _c("removed_noise", pl.String, "JSON object: kind of noise -> characters removed", json=True),
        _c("converted_traditional_chars", pl.Int32, "characters converted from Traditional to Simplified"),
        _c("is_annual_report", pl.Boolean, "whether the document is a disclosure annual report"),
        _c("not_report_reason", pl.String, "why it is not, when it is not"),
        _c("agency_name", pl.String, "publishing body"),
        _c("agency_key", pl.String, "division_code:body (e.g. '350128:平潭综合实验区'): one key for every name "
           "variant of one body; NULL when the division is unresolved"),
        _c("admin_level", pl.String, "province | city | county | township | department"),
        _c("jurisdiction_level", pl.String, "level of the government the body belongs to"),
        _c("division_code", pl.String, "registry code (行政区划代码) of the division the body belongs to; a zone or "
           "department hangs under the division that runs it; NULL when unresolved (see division_reason)"),
        _c("body_kind", pl.String, "government | government_office | department | township | special_area"),
        _c("body_type", pl.String, "the department (水务局, 税务局), special area (综合实验区) or township kind "
           "(街道, 镇, 乡)"),
        _c("division_reason", pl.String, "how the division was resolved, or why it was not"),
        _c("division_candidates", pl.String, "JSON list: full names of the divisions an ambiguous name may mean",
           json=True),
        _c("report_year", pl.Int32, "the year reported on"),
        _c("publish_date", pl.Date, "publication date from the page"),
        _c("written_date", pl.Date, "signature date at the end of the report"),
        _c("index_no", pl.String, "索引号"),
        _c("source_url", pl.String, "original URL when the page or crawler header gives it"),
        _c("page_meta", pl.String, "JSON: the crawler header block's fields, or the page's <meta> tags", json=True),
        _c("template", pl.String, "legacy | 2019 | 2021, from the table labels present"),
    )),
    TableSpec("document_failures", "Documents that could not pass a stage, with the reason.", (
        DOC_ID,
        PARTITION_KEY,
        _c("stage", pl.String, "stage that failed"),
        _c("status", pl.String, "unreadable | not_a_report | needs_review"),
        _c("reason", pl.String, "reason in words"),
    )),
    TableSpec("report_sections", "One row per section of a report, in reading order.", (
        DOC_ID,
        PARTITION_KEY,
        _c("ordinal", pl.Int32, "position in the report (0 = text before the first heading)"),
        _c("level", pl.Int32, "heading level: 1 一、 / 2 （一） / 3 1. / 4 （1）"),
        _c("parent_ordinal", pl.Int32, "ordinal of the enclosing section"),
        _c("heading", pl.String, "heading text with its numbering"),
        _c("section_key", pl.String, "canonical key (docs/data_contract.md) or preamble / unknown"),
        _c("text", pl.String, "the section's own text (without sub-sections)"),
    )),
    TableSpec("report_sketches", "What near-duplicate detection compares of each annual report "
              "(quality/near_duplicates.py): bounded hash sketches of its cleaned text, made in the "
              "per-document pass.", (
        DOC_ID,
        PARTITION_KEY,
        _c("sentence_hashes", pl.List(pl.UInt64), "the smallest hashes of its normalised sentences (at most 128), "
           "ascending"),
        _c("anchor_hashes", pl.List(pl.UInt64), "the smallest hashes of its sentences that state a number (at most "
           "4): reports sharing one are compared"),
        _c("number_hashes", pl.List(pl.UInt64), "hashes of its triples of consecutive numbers, ascending"),
    )),
    TableSpec("report_tables", "One row per statistics-table cell (spans resolved), mapped to the template.", (
        DOC_ID,
        PARTITION_KEY,
        _c("table_idx", pl.Int32, "table number in the report (2, 3, 4 for the template; 1 legacy)"),
        _c("table_key", pl.String, "table2 | table3 | table4 | other"),
        _c("row_idx", pl.Int32, "row position in the template order"),
        _c("col_idx", pl.Int32, "0 = the row label, 1.. = value columns"),
        _c("text", pl.String, "cell text as the document gives it"),
        _c("row_key", pl.String, "template row key"),
        _c("col_key", pl.String, "template column key"),
        _c("value", pl.Float64, "the number in the cell; NULL for blanks and tokens such as '/', '—', '无'"),
        _c("source", pl.String, "grid | text_row | digit_run"),
        _c("note", pl.String, "why a row stayed unknown (e.g. an ambiguous digit run)"),
        _c("page", pl.Int32, "PDF page the row is printed on (NULL for other formats)"),
    )),
    TableSpec("report_facts", "One row per (document, fact): every number with its evidence.", (
        DOC_ID,
        PARTITION_KEY,
        _c("fact_key", pl.String, "fact name (every key: docs/data_dictionary.md)"),
        _c("value", pl.Float64, "the value (counts, yuan, or 万元 as the unit says)"),
        _c("unit", pl.String, "items | requests | cases | yuan | wan_yuan | count"),
        _c("section_key", pl.String, "section the evidence sits in"),
        _c("evidence", pl.String, "the sentence, or the cell as the document labels it "
           "('表三 （七）总计 / 总计: 105')"),
        _c("method", pl.String, "prose | table"),
        _c("approx", pl.Boolean, "the report gives the figure approximately (余/多/近/约)"),
        _c("table_key", pl.String, "table facts: the table (joins report_tables); NULL for prose"),
        _c("row_idx", pl.Int32, "table facts: the cell's row (joins report_tables); NULL for prose and sums of rows"),
        _c("col_idx", pl.Int32, "table facts: the cell's column (joins report_tables); NULL for prose and sums"),
        _c("row_label", pl.String, "table facts: the row label as the document prints it"),
        _c("col_label", pl.String, "table facts: the column label in the template's words"),
        _c("page", pl.Int32, "table facts from a PDF: the page of the cell, when known"),
    )),
    TableSpec("fact_checks", "Checks made while reading facts: every prose figure compared with a table (passed "
              "or not) and outcome shares (input to dq_checks).", (
        DOC_ID,
        PARTITION_KEY,
        _c("rule_id", pl.String, "prose_table_mismatch | percentages_valid"),
        _c("severity", pl.String, "warning"),
        _c("subject", pl.String, "what was checked"),
        _c("passed", pl.Boolean, "whether the rule held"),
        _c("detail", pl.String, "the values and their evidence"),
    )),
    TableSpec("dq_checks", "One row per data-quality rule applied to one subject of a report, passed or not.", (
        DOC_ID,
        PARTITION_KEY,
        _c("rule_id", pl.String, "rule id (docs/data_contract.md)"),
        _c("severity", pl.String, "blocking | warning"),
        _c("subject", pl.String, "what was checked: a table column, row or block, a fact"),
        _c("passed", pl.Boolean, "whether the rule held"),
        _c("detail", pl.String, "what is wrong when it failed, naming the cells or sentences"),
    )),
    TableSpec("dq_cross_year_checks", "Rules between an agency's reports of consecutive years, passed or not.", (
        DOC_ID,
        _c("rule_id", pl.String, "carryover_continuity | cumulative_chain"),
        _c("severity", pl.String, "warning"),
        _c("subject", pl.String, "the fact compared"),
        _c("passed", pl.Boolean, "whether the rule held"),
        _c("detail", pl.String, "both years' values"),
    )),
    TableSpec("dq_violations", "One row per broken data-quality rule and report.", (
        DOC_ID,
        _c("rule_id", pl.String, "rule id (docs/data_contract.md)"),
        _c("severity", pl.String, "blocking | warning"),
        _c("detail", pl.String, "what is wrong, naming the cells or sentences involved"),
    )),
    TableSpec("near_duplicates", "Reports that are a copy of another one (another format, or reposted): "
              "status duplicate unless quarantined, naming the primary (see near_duplicates.py).", (
        DOC_ID,
        _c("source_path", pl.String, "the copy's path relative to the raw folder"),
        _c("primary_doc_id", pl.String, "doc_id of the report kept (scored, summarised, ranked)"),
        _c("primary_path", pl.String, "source_path of the report kept"),
        _c("sentence_containment", pl.Float64, "share of the shorter text's sentences found in the other"),
        _c("number_similarity", pl.Float64, "Jaccard of the two texts' triples of consecutive numbers"),
    )),
    TableSpec("reports", "One row per input file, always, with its status.", (
        DOC_ID,
        _c("source_path", pl.String, "path relative to the raw folder"),
        _c("title", pl.String, "report title"),
        _c("agency_name", pl.String, "publishing body"),
        _c("agency_key", pl.String, "division_code:body, one key per body (NULL when unresolved)"),
        _c("admin_level", pl.String, "province | city | county | township | department"),
        _c("jurisdiction_level", pl.String, "level of the government the body belongs to"),
        _c("division_code", pl.String, "registry code (行政区划代码) of the division the body belongs to; a zone or "
           "department hangs under the division that runs it; NULL when unresolved (see division_reason)"),
        _c("body_kind", pl.String, "government | government_office | department | township | special_area"),
        _c("body_type", pl.String, "the department (水务局, 税务局), special area (综合实验区) or township kind "
           "(街道, 镇, 乡)"),
        _c("division_reason", pl.String, "how the division was resolved, or why it was not"),
        _c("division_candidates", pl.String, "JSON list: full names of the divisions an ambiguous name may mean",
           json=True),
        _c("report_year", pl.Int32, "year reported on"),
        _c("publish_date", pl.Date, "publication date"),
        _c("written_date", pl.Date, "signature date"),
        _c("template", pl.String, "legacy | 2019 | 2021"),
        _c("content_type", pl.String, "html | text | markdown | pdf"),
        _c("status", pl.String, "scored | quarantined | needs_review | not_a_report | unreadable | duplicate "
           "| pending"),
        _c("status_reason", pl.String, "why, in words"),
        _c("section_count", pl.Int32, "sections found"),
        _c("fact_count", pl.Int32, "facts extracted"),
        _c("warning_count", pl.Int32, "warning violations"),
        _c("blocking_count", pl.Int32, "blocking violations"),
        PARTITION_KEY,
        _c("source_url", pl.String, "URL the bytes were first fetched from (fetch_log), else the one the page names"),
    )),
    TableSpec("scoring_backlog", "Report-year partitions whose documents changed since the last successful dbt "
              "build: the next build rescores their report years (scoring/rescoring.py), then empties it.", (
        PARTITION_KEY,
        _c("marked_at", pl.Datetime("us"), "when the pass (or the shard loader) rewrote the partition"),
    )),
    TableSpec("scoring_state", "The last successful dbt build: the fingerprint of what it scored with (models, "
              "macros, seeds, vars, reviewer decisions); a build under another fingerprint rescores every report.", (
        _c("fingerprint", pl.String, "sha256 over the dbt project's files and the review_decisions rows"),
        _c("built_at", pl.Datetime("us"), "when that build finished"),
        _c("rescored_years", pl.String, "JSON list: the report years it rescored, NULL when it rebuilt everything",
           json=True),
    )),
    TableSpec("fetch_log", "One row per URL attempt of `gov-pipeline fetch` (collection), appended as it happens.", (
        _c("crawl_id", pl.String, "the crawl the attempt belongs to"),
        _c("url", pl.String, "URL requested (or decided on, for skipped and disallowed links)"),
        _c("final_url", pl.String, "URL after redirects"),
        _c("found_on", pl.String, "page the link was found on (NULL for URL-list and column entries)"),
        _c("role", pl.String, "url | column | item | attachment | robots"),
        _c("title", pl.String, "link text it was found under"),
        _c("http_status", pl.Int32, "final HTTP status (NULL when no response came)"),
        _c("etag", pl.String, "ETag of the response"),
        _c("last_modified", pl.String, "Last-Modified of the response"),
        _c("content_type", pl.String, "Content-Type of the response"),
        _c("fetched_at", pl.Datetime("us", "UTC"), "when the attempt ended"),
        _c("bytes", pl.Int64, "body size as received (after transfer decoding)"),
        _c("wire_bytes", pl.Int64, "bytes read from the network (0 for a 304)"),
        _c("attempts", pl.Int32, "tries including retries"),
        _c("sha256", pl.String, "sha256 of the stored bytes = doc_id in raw_documents"),
        _c("stored_path", pl.String, "file in the raw folder holding the bytes"),
        _c("outcome", pl.String, "stored | not_modified | listing | attachment_page | shell | blocked | no_content "
                                 "| skipped | disallowed | too_large | unsupported | failed | robots"),
        _c("reason", pl.String, "why, in words"),
        _c("links", pl.String, "JSON list: links followed from the page (re-used when it answers 304)", json=True),
        _c("agency_hint", pl.String, "agency given with the URL or the registered column"),
        _c("level_hint", pl.String, "admin level given with the URL or the registered column"),
        _c("year_hint", pl.Int32, "report year given with the URL or named by the link title"),
    )),
    TableSpec("review_decisions", "Reviewer decisions (decisions.csv next to the warehouse) resolved against "
              "the findings of the current run; the last decision per fingerprint.", (
        _c("fingerprint", pl.String, "the finding's stable identity: hash of rule, report and subject"),
        _c("decision", pl.String, "confirmed | dismissed"),
        _c("reviewer", pl.String, "who decided"),
        _c("decided_on", pl.Date, "when"),
        _c("note", pl.String, "why, in words"),
        _c("fires", pl.Boolean, "whether the finding still fires in this run"),
        _c("doc_id", pl.String, "report of the finding (NULL when it no longer fires)"),
        _c("rule_id", pl.String, "rule of the finding"),
        _c("subject", pl.String, "subject of the finding"),
        _c("detail", pl.String, "detail of the finding in this run"),
    )),
)}


def frame(table: str, rows: Iterable[Any]) -> pl.DataFrame:
    """Rows (dataclasses or dicts) as a DataFrame with the table's declared schema and column order."""
    spec = TABLES[table]
    records = [r if isinstance(r, dict) else vars(r) for r in rows]
    columns: dict[str, list[Any]] = {}
    for column in spec.columns:
        values = [record.get(column.name) for record in records]
        if column.json:
            values = [None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True) for v in values]
        columns[column.name] = values
    return pl.DataFrame(columns, schema=spec.schema)


def ensure_tables(conn: duckdb.DuckDBPyConnection, names: Sequence[str] | None = None) -> None:
    """Create the tables that do not exist yet (empty, with their declared types), and add columns a
    newer version declares to tables an older version created (existing rows get NULL)."""
    for name in names or list(TABLES):
        conn.register("_empty_frame", frame(name, []).to_arrow())
        try:
            conn.execute(f'create table if not exists "{name}" as select * from _empty_frame')
            existing = {row[0] for row in conn.execute(f'describe "{name}"').fetchall()}
            for column, column_type, *_ in conn.execute("describe select * from _empty_frame").fetchall():
                if column not in existing:
                    conn.execute(f'alter table "{name}" add column "{column}" {column_type}')
        finally:
            conn.unregister("_empty_frame")


@contextmanager
def replacing(conn: duckdb.DuckDBPyConnection, deletes: Mapping[str, str | tuple[str, Sequence[Any]]],
              params: Sequence[Any] = ()) -> Iterator[Callable[[str, pl.DataFrame], None]]:
    """One transaction: delete the rows each table's condition selects (with `params`, or the condition's
    own when it comes as (condition, params)), then insert every frame given to the yielded
    `write(table, df)`; commit at the end, roll back on any error. Stages stream their output through
    it, so none holds a whole table in memory and a failed run changes nothing."""
    ensure_tables(conn, list(deletes))
    conn.execute("begin transaction")
    try:
        for table, condition in deletes.items():
            where, bound = condition if isinstance(condition, tuple) else (condition, params)
            conn.execute(f'delete from "{table}" where {where}', list(bound))
        yield partial(_insert, conn)
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


STAGING_SCHEMA = "incoming"  # where replacing_in_batches holds a stage's rows until they replace the old ones


@contextmanager
def replacing_in_batches(conn: duckdb.DuckDBPyConnection, deletes: Mapping[str, str],
                         params: Sequence[Any] = ()) -> Iterator[Callable[[str, pl.DataFrame], None]]:
    """`replacing` for output larger than memory. DuckDB keeps an open transaction's rows in memory
    beyond its buffer pool (one transaction over 100 000 documents grew the process by ~60 KB per
    document), so each frame given to `write` is committed at once into a staging table (schema
    `incoming`), and one short `replacing` transaction at the end moves them all into the tables
    (insert-select is written to disk as it goes). Readers see the old rows until then; a failure, or a
    killed process whose staging the next call replaces, changes nothing."""
    ensure_tables(conn, list(deletes))
    conn.execute(f"create schema if not exists {STAGING_SCHEMA}")
    for table in deletes:
        conn.execute(f'create or replace table {STAGING_SCHEMA}."{table}" as select * from "{table}" limit 0')
    try:
        yield partial(_insert, conn, schema=STAGING_SCHEMA)
        with replacing(conn, deletes, params):
            for table in deletes:
                conn.execute(f'insert into "{table}" by name select * from {STAGING_SCHEMA}."{table}"')
    finally:
        for table in deletes:
            conn.execute(f'drop table if exists {STAGING_SCHEMA}."{table}"')


def _insert(conn: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame, schema: str = "main") -> None:
    if df.is_empty():
        return
    conn.register("_incoming_frame", df.select(TABLES[table].column_names).to_arrow())
    # no unregister after a failure: DuckDB refuses every statement until the rollback, and the next
    # register() replaces the view anyway
    conn.execute(f'insert into {schema}."{table}" by name select * from _incoming_frame')
    conn.unregister("_incoming_frame")


def replace_rows(conn: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame, *,
                 where: str = "true", params: Sequence[Any] = ()) -> int:
    """Atomically delete the rows `where` selects (all rows by default) and insert `df`."""
    with replacing(conn, {table: where}, params) as write:
        write(table, df)
    return df.height


def read_frame(conn: duckdb.DuckDBPyConnection, query: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """A query's result as polars (positional parameters written $1, $2, …)."""
    return conn.sql(query, params=list(params) or None).pl()
