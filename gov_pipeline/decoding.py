"""Bytes -> text without silent guessing: BOM, then valid UTF-8, then the page's own declaration,
then charset-normalizer restricted to the encodings Chinese government sites actually use.
Every decision is returned with the way it was reached, so the warehouse can show it."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# GBK and GB2312 are subsets of GB18030: reading them as GB18030 never loses a character.
_CANONICAL = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cp950": "big5hkscs",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DETECTOR_CANDIDATES = ["utf_8", "gb18030", "big5hkscs", "utf_16_le", "utf_16_be", "utf_32"]
_DECLARED_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CONTROL_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 32)) - {27}


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we accept."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    method: str


def canonical_encoding(name: str) -> str:
    """Normalise a declared or detected encoding name to the codec we decode with."""
    key = name.strip().lower().replace("_", "-")
    if key in _CANONICAL:
        return _CANONICAL[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return key


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in `<meta charset>` or `http-equiv` (first 4 KB only)."""
    match = _DECLARED_RE.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    return sum(b in _CONTROL_BYTES for b in sample) > len(sample) * 0.05


def decode(data: bytes, *, is_html: bool) -> Decoded:
    """Decode `data`, recording how the encoding was decided.

    Valid UTF-8 wins over a contrary declaration: non-ASCII bytes that happen to form valid UTF-8
    are vanishingly rare in GB18030 or Big5 text, while wrong `<meta charset>` tags are common.
    """
    if not data.strip():
        raise UndecodableError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data, encoding)
            if text is not None:
                return Decoded(text, encoding, "byte-order mark")
    declared = declared_charset(data) if is_html else None
    declared_codec = canonical_encoding(declared) if declared else None
    if not (data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:8192]):
        text = _strict(data, "utf-8")
        if text is not None:
            if declared_codec in (None, "utf-8"):
                method = "declared utf-8, bytes valid" if declared_codec else "valid utf-8"
            else:
                method = f"valid utf-8 (page declared {declared}, ignored)"
            return Decoded(text, "utf-8", method)
    if declared_codec and declared_codec != "utf-8":
        text = _strict(data, declared_codec)
        if text is not None and not _mostly_unmapped(text):
            return Decoded(text, declared_codec, f"declared {declared}")
    return _detect(data, declared)


def _mostly_unmapped(text: str) -> bool:
    """GB18030 maps almost every byte pair, so a strict decode can 'succeed' on Big5 or binary bytes;
    a text of mostly private-use or rare symbols is a wrong decode, not a document."""
    sample = text[:5000]
    odd = sum(1 for ch in sample if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    return odd > max(20, len(sample) // 50)


def _detect(data: bytes, declared: str | None) -> Decoded:
    best = from_bytes(data, cp_isolation=_DETECTOR_CANDIDATES).best()
    if best is None:
        if _looks_binary(data):
            raise UndecodableError("binary content (not text in any supported encoding)")
        raise UndecodableError("bytes are not valid in utf-8, gb18030, big5 or utf-16")
    encoding = canonical_encoding(best.encoding)
    text = _strict(data, encoding)
    if text is None:
        raise UndecodableError(f"detector proposed {encoding} but the bytes do not decode")
    if _looks_binary(data) and not encoding.startswith("utf-16"):
        raise UndecodableError("binary content (not text in any supported encoding)")
    why = f"declared {declared} did not fit the bytes; " if declared else ""
    return Decoded(text, encoding, f"{why}detected by charset-normalizer")
