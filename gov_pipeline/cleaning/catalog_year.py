"""The report year the catalog files a document under, read from its decoded head in every format
(HTML title and first text, the crawler header or first lines of text and markdown, the first page
of a PDF) with the one year reader, metadata.report_year. Cheap by design: a bounded head, no full
parse, so the catalog stays fast on a large folder."""

from __future__ import annotations

import logging
import re

from selectolax.lexbor import LexborHTMLParser

from gov_pipeline.cleaning.noise import split_crawler_header
from gov_pipeline.domain.metadata import report_year, title_from_body
from gov_pipeline.domain.normalize import fold_fullwidth, to_simplified

HEAD_BYTES = 65536  # the title, page meta and opening paragraphs sit well inside this
HEAD_CHARS = 3000  # metadata.report_year reads at most this much of the body
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_MARKDOWN_MARKS = re.compile(r"^[#>*\s]+", re.MULTILINE)

logging.getLogger("pypdfium2").setLevel(logging.ERROR)


def _simplified(text: str) -> str:
    return fold_fullwidth(to_simplified(text[:HEAD_CHARS])[0])


def _pdf_first_page(data: bytes) -> str:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return ""
    try:
        if len(pdf) == 0:
            return ""
        page = pdf[0]
        text = page.get_textpage().get_text_range()
        return text.replace("\r\n", "\n")
    finally:
        pdf.close()


def _opening(text: str) -> str:
    """The first HEAD_CHARS characters of non-blank lines, stripped."""
    lines, size = [], 0
    for line in text[:HEAD_CHARS * 8].splitlines():
        if stripped := line.strip():
            lines.append(stripped)
            size += len(stripped) + 1
            if size >= HEAD_CHARS:
                break
    return "\n".join(lines)


def _year_of(title: str | None, body: str) -> int | None:
    for candidate in (title, title_from_body(body)):
        year = report_year(candidate, body) if candidate else None
        if year is not None:
            return year
    return report_year(None, body)


def catalog_year(content_type: str, data: bytes, encoding: str | None) -> int | None:
    """The report year the document's head names, or None. An HTML page's <title> is tried on its own
    first: it names the report on most pages, and then the page need not be parsed."""
    if content_type == "pdf":
        return _year_of(None, _simplified(_pdf_first_page(data)))
    if encoding is None:
        return None
    text = data[:HEAD_BYTES].decode(encoding, errors="ignore")
    if content_type == "html":
        found = _TITLE.search(text)
        title = _simplified(found.group(1)).strip() if found else None
        year = report_year(title, "") if title else None
        if year is not None:
            return year
        page_body = LexborHTMLParser(text).body
        return _year_of(title, _simplified(_opening(page_body.text(separator="\n") if page_body is not None else "")))
    header, body = split_crawler_header(text)
    if content_type == "markdown":
        body = _MARKDOWN_MARKS.sub("", body)
    title = header.get("标题") or header.get("title")
    return _year_of(_simplified(title) if title else None, _simplified(_opening(body)))
