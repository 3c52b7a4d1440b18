"""Stage 1, raw_documents: find the input files, fingerprint them and decide how to read them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gov_pipeline.decoding import UndecodableError, decode
from gov_pipeline.records import RawDocument

SUFFIX_CONTENT_TYPES = {
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".txt": "text",
    ".md": "markdown",
    ".pdf": "pdf",
}


def discover(raw_dir: Path) -> list[Path]:
    """Every supported file under `raw_dir`, recursively, in a stable order."""
    return sorted(
        path
        for path in raw_dir.rglob("*")
        if path.is_file() and path.suffix.lower() in SUFFIX_CONTENT_TYPES and not path.name.startswith(".")
    )


def sniff_content_type(path: Path, head: bytes) -> str:
    """Content type from the bytes where they are unambiguous, else from the file suffix."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    by_suffix = SUFFIX_CONTENT_TYPES.get(path.suffix.lower(), "text")
    if by_suffix == "pdf":
        return "pdf"  # a .pdf without the magic bytes: let the PDF reader say why it fails
    lowered = head[:1024].lstrip().lower()
    if by_suffix == "text" and lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    return by_suffix


def read_raw(path: Path, raw_dir: Path, data: bytes | None = None) -> RawDocument:
    """Fingerprint one file and decide its encoding (PDFs are decoded by the cleaning stage)."""
    data = path.read_bytes() if data is None else data
    content_type = sniff_content_type(path, data[:1024])
    encoding: str | None = None
    read_error: str | None = None
    if content_type == "pdf":
        method = "pdf (text layer read during cleaning)"
    else:
        try:
            decoded = decode(data, is_html=content_type == "html")
            encoding, method = decoded.encoding, decoded.method
        except UndecodableError as exc:
            method, read_error = "undecodable", str(exc)
    return RawDocument(
        doc_id=hashlib.sha256(data).hexdigest(),
        source_path=path.relative_to(raw_dir).as_posix(),
        byte_size=len(data),
        content_type=content_type,
        detected_encoding=encoding,
        encoding_method=method,
        read_error=read_error,
    )
