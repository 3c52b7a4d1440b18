"""Stage 1, raw_documents: list every entry of the input folder, fingerprint the readable ones and
decide how to read them.

The catalog is the only place that touches the folder, and it is hostile ground: an entry may be a
symlink out of the folder, a FIFO that blocks whoever opens it, a device, a 1 GiB file, a file the
process may not read, or a name that is not UTF-8 (GBK bytes from a Windows zip). Every entry gets a
row; nothing outside the folder is opened; limits are checked from `stat` before any byte is read."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from gov_pipeline.domain.records import RawDocument
from gov_pipeline.ingest.decoding import UndecodableError, decode

SUFFIX_CONTENT_TYPES = {
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".txt": "text",
    ".md": "markdown",
    ".pdf": "pdf",
}
UNSUPPORTED = "other"
MAX_BYTES = 32 * 1024 * 1024
_ESCAPED = re.compile(r"\\\\|\\x([0-9a-f]{2})")
_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


@dataclass(frozen=True)
class Entry:
    """One entry of the input folder: where it is on disk and the names the warehouse shows."""

    path: bytes  # the entry itself (not its symlink target), as the file system names it
    source_path: str  # relative name, lossless: bytes that are not UTF-8 are written \xNN, '\' as '\\'
    display_path: str  # relative name for people: non-UTF-8 bytes read as GB18030 where they fit
    listing_error: str | None = None  # set for a directory the catalog could not list


def escape_name(name: bytes) -> str:
    """A file-system name as text, losslessly: valid UTF-8 as is, other bytes as \\xNN."""
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return name.replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def unescape_name(source_path: str) -> bytes:
    """The bytes of the name `escape_name` wrote."""
    if "\\" not in source_path:
        return source_path.encode("utf-8")
    parts, start = [], 0
    for match in _ESCAPED.finditer(source_path):
        parts.append(source_path[start:match.start()].encode("utf-8"))
        parts.append(bytes([int(match.group(1), 16)]) if match.group(1) else b"\\")
        start = match.end()
    parts.append(source_path[start:].encode("utf-8"))
    return b"".join(parts)


def readable_name(name: bytes) -> str:
    """A name a person can read: UTF-8, else GB18030 (what Windows zips of Chinese sites hold)."""
    for codec in ("utf-8", "gb18030"):
        try:
            return name.decode(codec)
        except UnicodeDecodeError:
            continue
    return escape_name(name)


def discover(raw_dir: Path) -> list[Entry]:
    """Every entry under `raw_dir` (files, symlinks, FIFOs, devices, unlistable folders), recursively,
    in a stable order. Symlinks are listed, never followed while walking."""
    root = os.fsencode(raw_dir)
    entries: list[Entry] = []

    def entry(path: bytes, error: str | None = None) -> Entry:
        relative = os.path.relpath(path, root)
        return Entry(path, escape_name(relative), readable_name(relative), error)

    def unlistable(exc: OSError) -> None:
        if exc.filename is not None and os.fsencode(exc.filename) != root:
            entries.append(entry(os.fsencode(exc.filename), f"folder could not be listed: {exc.strerror}"))

    for folder, subfolders, files in os.walk(root, onerror=unlistable, followlinks=False):
        links = [name for name in subfolders if os.path.islink(os.path.join(folder, name))]
        entries += [entry(os.path.join(folder, name)) for name in [*files, *links]]
    return sorted(entries, key=lambda e: e.source_path)


def sniff_content_type(path: Path | bytes, head: bytes) -> str:
    """Content type from the bytes where they are unambiguous, else from the file suffix."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    suffix = os.path.splitext(os.fsdecode(path))[1].lower()
    by_suffix = SUFFIX_CONTENT_TYPES.get(suffix, UNSUPPORTED)
    if by_suffix == "pdf":
        return "pdf"  # a .pdf without the magic bytes: let the PDF reader say why it fails
    lowered = head[:1024].lstrip().lower()
    if by_suffix in ("text", UNSUPPORTED) and lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    return by_suffix


def read_raw(path: Path, raw_dir: Path, data: bytes | None = None, source_path: str | None = None) -> RawDocument:
    """Fingerprint one file's bytes and decide its encoding (PDFs are decoded by the cleaning stage)."""
    data = path.read_bytes() if data is None else data
    content_type = sniff_content_type(path, data[:1024])
    encoding: str | None = None
    read_error: str | None = None
    if content_type == "pdf":
        method = "pdf (text layer read during cleaning)"
    elif content_type == UNSUPPORTED:
        method = "not read"
        read_error = (f"file type '{path.suffix or '(none)'}' is not one the pipeline reads "
                      f"({', '.join(SUFFIX_CONTENT_TYPES)})")
    else:
        try:
            decoded = decode(data, is_html=content_type == "html")
            encoding, method = decoded.encoding, decoded.method
        except UndecodableError as exc:
            method, read_error = "undecodable", str(exc)
    return RawDocument(
        doc_id=hashlib.sha256(data).hexdigest(),
        source_path=source_path or path.relative_to(raw_dir).as_posix(),
        byte_size=len(data),
        content_type=content_type,
        detected_encoding=encoding,
        encoding_method=method,
        read_error=read_error,
    )


class NotReadable(Exception):
    """An entry the catalog does not open (or could not), with the reason in words."""


def _inside(target: bytes, root: bytes) -> bool:
    return target == root or target.startswith(root.rstrip(b"/") + b"/")


def _resolved(entry_path: bytes, root: bytes) -> bytes:
    """The regular file an entry stands for: itself, or the target of its symlink chain when that
    stays inside the folder. Nothing is opened here (only lstat/stat on names inside the folder)."""
    info = os.lstat(entry_path)
    if not stat.S_ISLNK(info.st_mode):
        return entry_path
    target = os.path.realpath(entry_path)
    if not _inside(target, root):
        raise NotReadable("symlink to outside the input folder, not followed")
    try:
        os.stat(entry_path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotReadable("symlink loop: the link never reaches a file") from exc
        raise NotReadable(f"dangling symlink: its target does not exist ({exc.strerror})") from exc
    if os.path.isdir(target):
        raise NotReadable("symlink to a folder, not followed (the folder's files are listed where they are)")
    return target


def _regular(mode: int) -> None:
    for is_kind, kind in _KINDS:
        if is_kind(mode):
            raise NotReadable(f"{kind}, not a regular file: not read")


def read_entry(entry: Entry, raw_dir: Path) -> bytes:
    """The bytes of one entry, or NotReadable: a symlink leaving the folder, anything but a regular
    file, a file over MAX_BYTES (from fstat, before reading), or a permission error."""
    if entry.listing_error:
        raise NotReadable(entry.listing_error)
    root = os.path.realpath(os.fsencode(raw_dir))
    try:
        target = _resolved(entry.path, root)
        _regular(os.lstat(target).st_mode)  # a device is never opened: opening one can act on it
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except NotReadable:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the target was swapped for a symlink after it was resolved
            raise NotReadable("symlink where a file was expected, not followed") from exc
        raise NotReadable(f"could not be opened: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        _regular(info.st_mode)  # the entry was swapped after the lstat
        if info.st_size > MAX_BYTES:
            raise NotReadable(f"file of {info.st_size / 2**20:,.0f} MB ({info.st_size:,} bytes) exceeds the "
                              f"{MAX_BYTES // 2**20} MB limit: not read")
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise NotReadable(f"could not be read: {exc.strerror}") from exc
    if len(data) > MAX_BYTES:  # grew after the fstat
        raise NotReadable(f"file exceeds the {MAX_BYTES // 2**20} MB limit: not read")
    return data


def entry_kind(entry: Entry) -> str:
    """What the entry is, for the catalog's content_type when it is not read: by suffix."""
    return SUFFIX_CONTENT_TYPES.get(os.path.splitext(entry.source_path)[1].lower(), UNSUPPORTED)


def unread_document(entry: Entry, reason: str) -> RawDocument:
    """The catalog row of an entry that was not read: its id comes from its name (there are no bytes)."""
    return RawDocument(
        doc_id=hashlib.sha256(b"unread entry:" + entry.path).hexdigest(),
        source_path=entry.source_path,
        byte_size=0,
        content_type=entry_kind(entry),
        detected_encoding=None,
        encoding_method="not read",
        read_error=reason,
    )


def open_document(raw_dir: Path, source_path: str) -> bytes:
    """A catalogued document's bytes again (for the cleaning stage), through the same checks."""
    relative = unescape_name(source_path)
    return read_entry(Entry(os.path.join(os.fsencode(raw_dir), relative), source_path, source_path), raw_dir)
