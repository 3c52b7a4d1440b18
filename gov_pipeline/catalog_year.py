"""The report year the catalog files a document under, read from its decoded head in every format
(HTML title and first text, the crawler header or first lines of text and markdown, the first page
of a PDF) with the one year reader, metadata.report_year. Cheap by design: a bounded head, no full
parse, so the catalog stays fast on a large folder."""

from __future__ import annotations

import logging
import re

from selectolax.lexbor import LexborHTMLParser

from gov_pipeline.metadata import report_year, title_from_body
from gov_pipeline.noise import split_crawler_header
from gov_pipeline.normalize import fold_fullwidth, to_simplified

HEAD_BYTES = 65536  # the title, page meta and opening paragraphs sit well inside this
HEAD_CHARS = 4000
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


def head_text(content_type: str, data: bytes, encoding: str | None) -> tuple[str | None, str]:
    """(title, opening text) of a document, decoded, Simplified, bounded."""
    if content_type == "pdf":
        return None, _simplified(_pdf_first_page(data))
    if encoding is None:
        return None, ""
    text = data[:HEAD_BYTES].decode(encoding, errors="ignore")
    if content_type == "html":
        page_title = _TITLE.search(text)
        page_body = LexborHTMLParser(text).body
        opening = page_body.text(separator="\n") if page_body is not None else ""
        opening = "\n".join(line.strip() for line in opening.splitlines() if line.strip())
        return (_simplified(page_title.group(1)).strip() if page_title else None), _simplified(opening)
    header, body = split_crawler_header(text)
    if content_type == "markdown":
        body = _MARKDOWN_MARKS.sub("", body)
    body = _simplified("\n".join(line.strip() for line in body.splitlines() if line.strip()))
    title = header.get("标题") or header.get("title")
    return (_simplified(title) if title else None), body


def catalog_year(content_type: str, data: bytes, encoding: str | None) -> int | None:
    """The report year the document's head names, or None."""
    title, body = head_text(content_type, data, encoding)
    for candidate in (title, title_from_body(body)):
        year = report_year(candidate, body) if candidate else None
        if year is not None:
            return year
    return report_year(None, body)
