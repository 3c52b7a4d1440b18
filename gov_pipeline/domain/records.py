"""Row types of the stage tables. Plain frozen dataclasses: the stage functions produce them, the
warehouse turns them into DuckDB rows by field name (warehouse/store.TABLES documents the columns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RawDocument:
    """One input file as found on disk."""

    doc_id: str  # sha256 of the bytes (of the name, for an entry that was not read)
    source_path: str  # relative to the raw folder, POSIX separators
    byte_size: int
    content_type: str  # html | text | markdown | pdf
    detected_encoding: str | None  # Python codec name; None for PDF and undecodable bytes
    encoding_method: str  # how the encoding was decided, or why decoding failed
    read_error: str | None  # set when the bytes cannot become text at all


@dataclass(frozen=True)
class CleanedDocument:
    doc_id: str
    title: str | None
    text: str
    removed_noise: dict[str, int]  # kind -> characters removed
    is_annual_report: bool
    not_report_reason: str | None
    agency_name: str | None = None
    admin_level: str | None = None
    jurisdiction_level: str | None = None
    report_year: int | None = None
    publish_date: date | None = None
    written_date: date | None = None
    index_no: str | None = None
    source_url: str | None = None
    page_meta: dict[str, str] = field(default_factory=dict)  # crawler header fields / page <meta> tags


@dataclass(frozen=True)
class Section:
    doc_id: str
    ordinal: int
    level: int
    parent_ordinal: int | None
    heading: str
    section_key: str
    text: str


@dataclass(frozen=True)
class TableCell:
    doc_id: str
    table_idx: int
    table_key: str  # table2 | table3 | table4 | other
    row_idx: int
    col_idx: int
    text: str
    row_key: str | None = None  # template row the cell belongs to, when mapped
    col_key: str | None = None  # template column, when mapped
    value: float | None = None  # the number the cell states; None for blanks and tokens like "/", "—", "无"
    source: str = "grid"  # grid (HTML / markdown / PDF table) | text_row | digit_run
    note: str | None = None  # why a row's cells stayed unknown (e.g. an ambiguous digit run)
    page: int | None = None  # PDF page the row is printed on, when the text marks pages


@dataclass(frozen=True)
class Fact:
    doc_id: str
    fact_key: str
    value: float
    unit: str
    section_key: str
    evidence: str
    method: str  # prose | table
    approx: bool = False
    # the cell a table fact comes from (prose facts leave them None); a sum of cells has no row_idx
    table_key: str | None = None
    row_idx: int | None = None
    col_idx: int | None = None
    row_label: str | None = None  # the row's label as the document prints it
    col_label: str | None = None  # the column's label in the template's words
    page: int | None = None  # PDF page of the cell, when the text marks pages


@dataclass(frozen=True)
class Violation:
    doc_id: str
    rule_id: str
    severity: str  # blocking | warning
    detail: str


@dataclass(frozen=True)
class DocumentFailure:
    """A document that could not go through a stage, with a reason a person understands."""

    doc_id: str
    stage: str
    status: str  # unreadable | not_a_report | needs_review
    reason: str

