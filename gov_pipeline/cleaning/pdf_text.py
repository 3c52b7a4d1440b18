"""PDF -> text through pdfplumber's text layer. Scanned PDFs have none: we say so instead of guessing."""

from __future__ import annotations

import io
import logging
import re

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError

from gov_pipeline.ingest.decoding import UndecodableError

MAX_PAGES = 300
MIN_TEXT_CHARS = 20
PAGE_BREAK = "\u2063"  # a line of its own between two pages (INVISIBLE SEPARATOR, which no text layer holds)
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")

logging.getLogger("pdfminer").setLevel(logging.ERROR)


def pdf_to_text(data: bytes) -> str:
    """The text layer of every page (page-number lines dropped, a PAGE_BREAK line between pages), or
    UndecodableError with the reason."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages[:MAX_PAGES]]
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UndecodableError(f"not a readable PDF ({type(exc).__name__})") from exc
    except Exception as exc:  # pdfminer raises many private error types on damaged files
        raise UndecodableError(f"damaged PDF ({type(exc).__name__}: {str(exc)[:80]})") from exc
    lines = [line for index, page in enumerate(pages)
             for line in ([PAGE_BREAK] if index else []) + page.split("\n") if not _PAGE_NUMBER.match(line)]
    text = "\n".join(lines)
    if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
        raise UndecodableError("no text layer (OCR not supported)")
    return text
