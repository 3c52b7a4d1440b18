"""PDF -> text: pdfium's character boxes (pypdfium2) laid out into lines and words the way pdfplumber
does it (same tolerances, same clustering), about 20x faster than pdfplumber's pdfminer parse; pdfplumber
stays the fallback for a file pdfium cannot open. Scanned PDFs have no text layer: we say so instead of
guessing."""

from __future__ import annotations

import ctypes
import io
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfparser import PDFSyntaxError

from gov_pipeline.ingest.decoding import UndecodableError

MAX_PAGES = 300
MIN_TEXT_CHARS = 20
PAGE_BREAK = "\u2063"  # a line of its own between two pages (INVISIBLE SEPARATOR, which no text layer holds)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")
# pdfplumber's defaults (utils.text.DEFAULT_X_TOLERANCE / DEFAULT_Y_TOLERANCE), so both readers agree
X_TOLERANCE = 3.0  # a gap wider than this between two characters of a line starts a new word
Y_TOLERANCE = 3.0  # characters whose tops differ by at most this (chained) are one line

logging.getLogger("pdfminer").setLevel(logging.ERROR)


class Char(NamedTuple):
    """One glyph of a page: its text and box (top-left origin, as pdfminer measures it)."""

    text: str
    x0: float
    x1: float
    top: float


def _bare(function: Any, restype: Any) -> Any:
    """The same pdfium function without ctypes' per-call argument conversion (its argtypes checks cost
    half of each call in the glyph loop); callers pass exactly the C types: the handle, an int, a pointer."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    assert address is not None  # a symbol the library exports
    return ctypes.CFUNCTYPE(restype)(address)


_IS_GENERATED = _bare(pdfium_c.FPDFText_IsGenerated, ctypes.c_int)
_UNICODE = _bare(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
_LOOSE_BOX = _bare(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int)
_MATRIX = _bare(pdfium_c.FPDFText_GetMatrix, ctypes.c_int)
_FONT_SIZE = _bare(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)


def page_chars(pdf: pdfium.PdfDocument, index: int) -> list[Char]:
    """The glyphs of page `index` in content order (pdfium's generated spaces and line breaks left out).
    The box is pdfminer's: left/right/bottom of pdfium's loose box, top = bottom - the font size as drawn.
    Hot loop (five pdfium calls per glyph): raw page and text-page handles (no helper objects and their
    finalizers), prebuilt pointers, unconverted calls. PdfiumError when pdfium cannot load the page."""
    page = pdfium_c.FPDF_LoadPage(pdf.raw, index)
    if not page:
        raise pdfium.PdfiumError("Failed to load page.")
    try:
        handle = pdfium_c.FPDFText_LoadPage(page)
        if not handle:
            raise pdfium.PdfiumError("Failed to load text page.")
        try:
            return _glyphs(handle, pdfium_c.FPDF_GetPageHeightF(page))
        finally:
            pdfium_c.FPDFText_ClosePage(handle)
    finally:
        pdfium_c.FPDF_ClosePage(page)


def _glyphs(handle: Any, height: float) -> list[Char]:
    box, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    box_ref, matrix_ref = ctypes.byref(box), ctypes.byref(matrix)
    is_generated, unicode_of, loose_box, matrix_of, font_size = _IS_GENERATED, _UNICODE, _LOOSE_BOX, _MATRIX, _FONT_SIZE
    chars = []
    for index in range(pdfium_c.FPDFText_CountChars(handle)):
        if is_generated(handle, index) == 1:
            continue
        text = chr(unicode_of(handle, index))
        if text in "\r\n":
            continue
        loose_box(handle, index, box_ref)
        matrix_of(handle, index, matrix_ref)
        size = font_size(handle, index) * (matrix.c ** 2 + matrix.d ** 2) ** 0.5
        chars.append(Char(text, box.left, box.right, height - box.bottom - size))
    return chars


def _clusters(items: Sequence[Char], tolerance: float) -> list[list[Char]]:
    """Items grouped by top: distinct tops sorted, a new group where one exceeds the last by more than
    the tolerance; items keep their order within a group (pdfplumber's cluster_objects)."""
    tops = sorted({item.top for item in items})
    group_of: dict[float, int] = {}
    group, last = 0, None
    for top in tops:
        if last is not None and top > last + tolerance:
            group += 1
        group_of[top], last = group, top
    groups: list[list[Char]] = [[] for _ in range(group + 1)] if tops else []
    for item in items:
        groups[group_of[item.top]].append(item)
    return groups


def _words(line: Sequence[Char]) -> Iterator[Char]:
    """A line's words (as Chars: text joined, first char's box start, last's end): a blank ends a word;
    so does a character left of the previous one's start, beyond its end plus X_TOLERANCE, or on
    another line (pdfplumber's WordExtractor)."""
    current: list[Char] = []
    for char in line:
        if char.text.isspace():
            if current:
                yield _merge(current)
            current = []
            continue
        if current:
            prev = current[-1]
            if char.x0 < prev.x0 or char.x0 > prev.x1 + X_TOLERANCE or abs(char.top - prev.top) > Y_TOLERANCE:
                yield _merge(current)
                current = []
        current.append(char)
    if current:
        yield _merge(current)


def _merge(chars: Sequence[Char]) -> Char:
    return Char("".join(c.text for c in chars), min(c.x0 for c in chars), max(c.x1 for c in chars),
                min(c.top for c in chars))


def layout_text(chars: Sequence[Char]) -> str:
    """The page as lines of words: characters clustered into lines by top and sorted left to right,
    split into words, the words clustered into lines again and joined by single spaces."""
    words = [word for line in _clusters(chars, Y_TOLERANCE)
             for word in _words(sorted(line, key=lambda c: c.x0))]
    return "\n".join(" ".join(word.text for word in line) for line in _clusters(words, Y_TOLERANCE))


def pages_pdfium(data: bytes) -> list[str]:
    """Each page's text through pdfium's character boxes and our layout (PdfiumError if it cannot open)."""
    pdf = pdfium.PdfDocument(data)
    try:
        return [layout_text(page_chars(pdf, index)) for index in range(min(len(pdf), MAX_PAGES))]
    finally:
        pdf.close()


def pages_pdfplumber(data: bytes) -> list[str]:
    """The fallback for a file pdfium refuses (pdfminer is more lenient with some damaged files)."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [page.extract_text() or "" for page in pdf.pages[:MAX_PAGES]]
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UndecodableError(f"not a readable PDF ({type(exc).__name__})") from exc
    except Exception as exc:  # pdfminer raises many private error types on damaged files
        raise UndecodableError(f"damaged PDF ({type(exc).__name__}: {str(exc)[:80]})") from exc


def pdf_to_text(data: bytes) -> str:
    """The text layer of every page (page-number lines dropped, a PAGE_BREAK line between pages), or
    UndecodableError with the reason."""
    try:
        pages = pages_pdfium(data)
    except pdfium.PdfiumError:
        pages = pages_pdfplumber(data)
    return join_pages(pages)


def join_pages(pages: Sequence[str]) -> str:
    """The pages as one text (page-number lines dropped, PAGE_BREAK between pages), or UndecodableError
    when there is next to no text."""
    lines = [line for index, page in enumerate(pages)
             for line in ([PAGE_BREAK] if index else []) + page.split("\n") if not _PAGE_NUMBER.match(line)]
    text = "\n".join(lines)
    if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
        raise UndecodableError("no text layer (OCR not supported)")
    return text
