"""Agencies as entities: the registry of administrative divisions and the resolver that ties every
report to its division, its kind of body and one key per body."""

from __future__ import annotations

from typing import Any

from gov_pipeline.agencies.registry import Division, division_names, division_rows, registry
from gov_pipeline.agencies.resolve import Resolution, read_name, resolve_agency
from gov_pipeline.domain.records import CleanedDocument

SIGNATURE_CHARS = 300  # the end of a report: the signing body and the date
OPENING_CHARS = 600  # the title, the page header and the first sentences
HEADER_FIELDS = ("发布机构", "发布单位", "来源", "单位", "author", "contentsource", "source")


def report_snippets(text: str, page_meta: dict[str, str]) -> list[str]:
    """The parts of a report that name its publisher, most telling first: the signature block, the page
    header's publisher fields, the opening."""
    header = [page_meta[key] for key in HEADER_FIELDS if page_meta.get(key)]
    return [text[-SIGNATURE_CHARS:], *header, text[:OPENING_CHARS]]


def resolve_report(document: CleanedDocument, source_path: str) -> Resolution:
    """The resolver on one cleaned document, with its title, signature, header and path as context."""
    return resolve_agency(document.agency_name, document.title,
                          [*report_snippets(document.text, document.page_meta), document.source_url or ""],
                          source_path)


def resolution_columns(resolution: Resolution) -> dict[str, Any]:
    """The columns a resolution adds to a cleaned_documents row."""
    return {"division_code": resolution.division_code, "body_kind": resolution.body_kind,
            "body_type": resolution.body_type, "agency_key": resolution.agency_key,
            "division_reason": resolution.reason, "division_candidates": list(resolution.candidates) or None,
            "admin_level": resolution.admin_level, "jurisdiction_level": resolution.jurisdiction_level}


__all__ = ["Division", "Resolution", "division_names", "division_rows", "read_name", "registry", "report_snippets",
           "resolution_columns", "resolve_agency", "resolve_report"]
