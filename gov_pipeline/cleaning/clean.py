"""Stage 2, cleaned_documents: raw bytes -> clean Simplified text, metadata, and a log of what was removed."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import regex

from gov_pipeline.cleaning.html_text import parse_html
from gov_pipeline.cleaning.noise import (
    NoiseLog,
    drop_chrome_lines,
    drop_inline_chrome,
    drop_markup_residue,
    drop_mojibake,
    drop_repeated_body,
    drop_spam,
    repair_misaligned_gbk,
    split_crawler_header,
)
from gov_pipeline.cleaning.pdf_text import pdf_to_text
from gov_pipeline.domain.charclass import NOT_HAN
from gov_pipeline.domain.metadata import Metadata, extract_metadata, is_annual_report
from gov_pipeline.domain.normalize import (
    drop_spaces_between_cjk,
    fold_fullwidth,
    restore_flattened_lines,
    strip_pinyin_glosses,
    to_simplified,
    unwrap_lines,
)
from gov_pipeline.domain.numbers import HEADING_NUMBERS, PART_NUMBER
from gov_pipeline.domain.records import CleanedDocument, DocumentFailure, RawDocument
from gov_pipeline.ingest.decoding import UndecodableError

MAX_TEXT_CHARS = 1_000_000
PAGE_META_KEYS = ("articletitle", "pubdate", "publishdate", "publishtime", "contentsource", "author", "url",
                  "columnname", "sitename", "keywords", "description")
PAGE_METADATA_CHARS = 8000  # page metadata rows (索引号, 发布日期…) sit before or just after the title
MIN_REPORT_CJK = 50
_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")
_NOT_CJK = regex.compile(rf"{NOT_HAN}+")
_BLOCK_START = re.compile(rf"^(?:\||{'|'.join(HEADING_NUMBERS)}|{PART_NUMBER}[章节部分]|附件|附表)")
"""A line that starts a block of its own (a heading, a table row, an annex): never joined to the line above."""


@dataclass(frozen=True)
class CleaningResult:
    document: CleanedDocument | None
    failure: DocumentFailure | None
    converted_traditional_chars: int = 0


def _normalise(text: str, log: NoiseLog) -> tuple[str, int]:
    """Character-level clean-up shared by the body and the page text. Mojibake is repaired first: the
    repair works on the characters exactly as they were mis-decoded."""
    text = drop_mojibake(repair_misaligned_gbk(text, log, lambda t: to_simplified(t)[0]), log)
    text, converted = to_simplified(fold_fullwidth(text))
    text, glosses = strip_pinyin_glosses(text)
    if glosses:
        log["pinyin_glosses"] += glosses
    return drop_spam(text, log), converted


@dataclass
class _Extracted:
    """A document's text before normalisation, with whatever metadata its format carries."""

    body: str
    page_text: str
    log: NoiseLog
    html_title: str | None = None
    html_heading: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)


def _extract(raw: RawDocument, data: bytes) -> _Extracted:
    if raw.content_type == "pdf":
        text = pdf_to_text(data)
        return _Extracted(text, text, NoiseLog())
    text = data.decode(raw.detected_encoding or "utf-8", errors="replace").replace("\x00", "")  # stray NULs
    if raw.content_type == "html":
        page = parse_html(text)
        return _Extracted(page.body_text, page.page_text, NoiseLog(page.removed), page.title, page.heading, page.meta)
    if _ENTITY.search(text):
        text = html.unescape(text)
    header, body = split_crawler_header(text)
    return _Extracted(body, text, NoiseLog(), header=header)


def clean_document(raw: RawDocument, data: bytes) -> CleaningResult:
    """Run one document through decoding, extraction, normalisation, noise removal and metadata."""

    def fail(status: str, reason: str) -> CleaningResult:
        return CleaningResult(None, DocumentFailure(raw.doc_id, "cleaning", status, reason))

    if raw.read_error:
        return fail("unreadable", raw.read_error)
    try:
        extracted = _extract(raw, data)
    except UndecodableError as exc:
        return fail("unreadable", str(exc))
    body, page_text, log, meta = extracted.body, extracted.page_text, extracted.log, extracted.meta
    if len(body) > MAX_TEXT_CHARS:  # a cut text would be scored without the part past the cut
        return fail("unreadable", f"extracted text of {len(body):,} characters exceeds the "
                                  f"{MAX_TEXT_CHARS:,}-character limit: not read partially")
    body, converted = _normalise(body, log)
    page_text, _ = _normalise(page_text[:PAGE_METADATA_CHARS], NoiseLog())
    body = restore_flattened_lines(drop_inline_chrome(drop_markup_residue(body, log), log))
    body = drop_chrome_lines(body, log)
    body = drop_repeated_body(body, log)
    body = drop_spaces_between_cjk(body)
    if raw.content_type in ("pdf", "markdown"):
        body = unwrap_lines(body, lambda line: bool(_BLOCK_START.match(line)))
    cjk = len(_NOT_CJK.sub("", body))  # Chinese characters (a C-speed count)
    if cjk < MIN_REPORT_CJK:
        if cjk or any(ch.isalpha() for ch in body):
            return fail("not_a_report", f"readable text but only {cjk} Chinese characters: too short for an annual "
                                        "report")
        return fail("unreadable", "no text remains after removing markup and page chrome")
    header = {key: fold_fullwidth(to_simplified(value)[0]) for key, value in extracted.header.items()}
    metadata: Metadata = extract_metadata(html_title=extracted.html_title, html_heading=extracted.html_heading,
                                          meta=meta, header=header, page_text=drop_spaces_between_cjk(page_text),
                                          body=body)
    is_report, why_not = is_annual_report(metadata.title, body)
    return CleaningResult(
        CleanedDocument(
            doc_id=raw.doc_id,
            title=metadata.title,
            text=body,
            removed_noise=dict(log),
            is_annual_report=is_report,
            not_report_reason=why_not,
            agency_name=metadata.agency_name,
            admin_level=metadata.admin_level,
            jurisdiction_level=metadata.jurisdiction_level,
            report_year=metadata.report_year,
            publish_date=metadata.publish_date,
            written_date=metadata.written_date,
            index_no=metadata.index_no,
            source_url=meta.get("url") or header.get("原文链接") or header.get("来源"),
            page_meta=header or {k: v for k, v in meta.items() if k in PAGE_META_KEYS},
        ),
        None,
        converted,
    )
