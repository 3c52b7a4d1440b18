"""One document through every stage: the per-document chain cleaning → structure → facts → checks.

Each step is a pure function on one document that returns complete, named rows of its stage's
tables. `process_document` runs them in order in memory, each stage within the document's time
budget; the pipeline's workers (pipeline.py), `gov-pipeline extract` and the tests all call it, so a
document's chain is written down once and the warehouse never has to hand one stage's rows back to
the next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from gov_pipeline.agencies import resolution_columns, resolve_report
from gov_pipeline.budget import BudgetExceeded, time_budget
from gov_pipeline.cleaning.clean import clean_document
from gov_pipeline.domain.records import CleanedDocument, DocumentFailure, Fact, RawDocument, Section, TableCell
from gov_pipeline.domain.status import Status, report_status
from gov_pipeline.domain.template import detect_template
from gov_pipeline.facts.extract import (
    extract_prose_facts,
    extract_table_facts,
    merge_facts,
    prose_table_agreements,
)
from gov_pipeline.quality.near_duplicates import TextSketch, text_sketch
from gov_pipeline.quality.registry import severity
from gov_pipeline.quality.rules import Check, ReportContext, evaluate_report, percentage_checks
from gov_pipeline.structure.sections import split_sections, stated_reports
from gov_pipeline.structure.tables import extract_tables


class Rejected(Exception):
    """A document that cannot go through a stage, with the reason recorded in document_failures."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Cleaned:
    """A cleaned_documents row: the cleaned document and the columns derived from it."""

    document: CleanedDocument
    converted_traditional_chars: int
    template: str  # legacy | 2019 | 2021
    agency: dict[str, Any]  # agencies.resolution_columns: agency_key, division_code, levels…

    def row(self) -> dict[str, Any]:
        return vars(self.document) | {"converted_traditional_chars": self.converted_traditional_chars,
                                      **self.agency, "template": self.template}

    def context(self) -> ReportContext:
        document = self.document
        return ReportContext(document.doc_id, document.report_year, document.publish_date, self.template)


@dataclass(frozen=True)
class Structure:
    sections: list[Section]
    cells: list[TableCell]


@dataclass(frozen=True)
class Facts:
    facts: list[Fact]
    checks: list[Check]  # fact_checks: prose/table disagreements and outcome shares


def clean(raw: RawDocument, data: bytes) -> Cleaned:
    """Cleaning: bytes -> clean text and metadata, the body resolved to its agency, the template read."""
    result = clean_document(raw, data)
    if result.document is None:
        failure = result.failure
        assert failure is not None  # clean_document returns a document or a failure
        raise Rejected(failure.status, failure.reason)
    document = result.document
    return Cleaned(document, result.converted_traditional_chars, detect_template(document.text),
                   resolution_columns(resolve_report(document, raw.source_path)))


def structure(doc_id: str, text: str) -> Structure:
    """Structure: sections and statistics-table cells of a report's clean text. A page that holds the
    reports of several years is rejected for review: read as one report it would mix their figures."""
    years = stated_reports(text)
    if len(years) > 1:
        raise Rejected("needs_review", f"the page holds {len(years)} reports ({', '.join(map(str, years))}): not "
                                       "read as one report and not scored; split it into one file per report")
    return Structure(split_sections(doc_id, text), extract_tables(doc_id, text))


def template_cells(cells: Sequence[TableCell]) -> list[TableCell]:
    """The cells mapped to a template column, in table, row, column order: what facts and rules read."""
    return sorted((c for c in cells if c.col_key is not None), key=lambda c: (c.table_idx, c.row_idx, c.col_idx))


def facts(doc_id: str, report_year: int | None, sections: Sequence[Section], cells: Sequence[TableCell]) -> Facts:
    """Facts: every number the prose and the tables state (the table wins), and the checks made on the way."""
    prose = extract_prose_facts(doc_id, list(sections), report_year)
    table = extract_table_facts(doc_id, template_cells(cells))
    found, disagreements = merge_facts(doc_id, prose, table)
    checks = [Check(v.doc_id, v.rule_id, severity(v.rule_id), "prose vs table", False, v.detail) for v in disagreements]
    checks += [Check(doc_id, "prose_table_mismatch", severity("prose_table_mismatch"), "prose vs table", True, detail)
               for detail in prose_table_agreements(prose, table)]  # the passed comparisons feed X2
    return Facts(found, checks + percentage_checks(doc_id, sections))


def checks(context: ReportContext, found: Sequence[Fact], cells: Sequence[TableCell],
           today: date | None = None) -> list[Check]:
    """Per-document data-quality rules on a report's facts and template cells."""
    return evaluate_report(context, found, template_cells(cells), today)


# how a time-budget failure names each stage (document_failures.reason), in run order
STAGE_LABELS = {"cleaning": "cleaning", "structure": "sections and tables", "facts": "facts", "dq_checks": "dq_checks"}


@dataclass(frozen=True)
class DocumentResult:
    """Everything the pipeline derives from one document, as the rows of its tables."""

    raw: RawDocument
    cleaned: Cleaned | None = None
    failure: DocumentFailure | None = None
    sketch: TextSketch | None = None  # an annual report's, for near-duplicate detection
    sections: list[Section] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    fact_checks: list[Check] = field(default_factory=list)  # made while reading facts
    report_checks: list[Check] = field(default_factory=list)  # the single-report rules

    @property
    def checks(self) -> list[Check]:
        """dq_checks: the fact checks, then the report's rules."""
        return self.fact_checks + self.report_checks

    def rows(self) -> dict[str, list[Any]]:
        """The document's rows of every per-document table (document_failures included)."""
        return {"cleaned_documents": [self.cleaned.row()] if self.cleaned else [],
                "report_sketches": [self.sketch] if self.sketch else [], "report_sections": self.sections,
                "report_tables": self.cells, "report_facts": self.facts, "fact_checks": self.fact_checks,
                "dq_checks": self.checks, "document_failures": [self.failure] if self.failure else []}

    @property
    def status(self) -> Status:
        """The document's status and reason, derived as the reports table derives it (one document,
        so no byte-identical or near-duplicate copies)."""
        blocking = [c for c in self.checks if not c.passed and c.severity == "blocking"]
        document = self.cleaned.document if self.cleaned else None
        return report_status(
            failure=(self.failure.status, self.failure.reason) if self.failure else None,
            processed=document is not None or self.failure is not None,
            is_annual_report=document.is_annual_report if document else None,
            not_report_reason=document.not_report_reason if document else None,
            blocking_reasons=[f"{c.rule_id}: {c.detail}" for c in sorted(blocking, key=lambda c: c.rule_id)])


def process_document(raw: RawDocument, data: bytes, today: date | None = None, seconds: float = 0) -> DocumentResult:
    """One document through every stage in memory. With `seconds` > 0 that is the document's time
    budget for the whole chain; a stage that rejects the document or is running when the budget runs
    out records the failure under its name, and the rows of the stages before it are kept."""
    if raw.read_error:
        return DocumentResult(raw, failure=DocumentFailure(raw.doc_id, "cleaning", "unreadable", raw.read_error))
    result, stage = DocumentResult(raw), "cleaning"
    try:
        with time_budget(seconds):
            cleaned = clean(raw, data)
            result = replace(result, cleaned=cleaned)
            document = cleaned.document
            if not document.is_annual_report:
                return result
            result = replace(result, sketch=text_sketch(document.doc_id, document.text))
            stage = "structure"
            found = structure(document.doc_id, document.text)
            result = replace(result, sections=found.sections, cells=found.cells)
            stage = "facts"
            read = facts(document.doc_id, document.report_year, found.sections, found.cells)
            result = replace(result, facts=read.facts, fact_checks=read.checks)
            stage = "dq_checks"
            return replace(result, report_checks=checks(cleaned.context(), read.facts, found.cells, today))
    except Rejected as rejected:
        return replace(result, failure=DocumentFailure(raw.doc_id, stage, rejected.status, rejected.reason))
    except BudgetExceeded as exceeded:
        return replace(result, failure=DocumentFailure(raw.doc_id, stage, "unreadable",
                                                       f"{exceeded} ({STAGE_LABELS[stage]})"))
