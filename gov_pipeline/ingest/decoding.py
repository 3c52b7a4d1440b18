"""Bytes -> text without silent guessing: BOM, then UTF-32/UTF-16 by their NUL pattern, then valid
UTF-8, then the page's own declaration (unless it yields mojibake), then charset-normalizer restricted to
the encodings Chinese government sites actually use.
Every decision is returned with the way it was reached, so the warehouse can show it."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import regex
from charset_normalizer import from_bytes

from gov_pipeline.domain.charclass import HAN

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
_DECLARED_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_UNMAPPED = re.compile("[\ue000-\uf8ff\ufffd]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_HAN = regex.compile(HAN)
_READABLE = regex.compile(rf"[\x20-\x7e\t\n\r\u3000-\u303f\uff00-\uffef]|{HAN}")
_OTHER_BYTE_ORDER = {"utf-16-le": "utf-16-be", "utf-16-be": "utf-16-le"}
_FALLBACKS = ("gb18030", "big5hkscs")  # when the detector has no opinion, strict decodes in this order
MAX_CONTROL_SHARE = 0.05
WIDE_NUL_SHARE = 0.05  # at least this share of 2-byte units with a NUL high byte suggests UTF-16
MIN_HAN_SHARE = 0.5  # a declared decode whose non-ASCII characters are mostly not Chinese is suspect
DETECT_BYTES = 256 * 1024  # charset-normalizer reads a sample; the whole file is then decoded strictly


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


def _control_share(text: str) -> float:
    """Share of control characters (tab, newlines and form feed excepted) in the first 8192 characters.
    A stray NUL every few hundred characters is damage, not binary; a third of them is not text."""
    sample = text[:8192]
    return len(_CONTROL_CHARS.findall(sample)) / max(1, len(sample))


def _text_like(text: str) -> bool:
    return _control_share(text) <= MAX_CONTROL_SHARE and not _mostly_unmapped(text)


def _wide_without_bom(data: bytes) -> str | None:
    """UTF-32 or UTF-16 without a byte-order mark, from where the NUL bytes fall: in UTF-32 two of every
    four bytes of BMP text are 0, in UTF-16 the high byte of every ASCII character is. None when the
    pattern is not there."""
    sample = data[:8192]
    if len(data) % 4 == 0 and len(sample) >= 4:
        aligned = sample[:len(sample) // 4 * 4]
        byte = [aligned[i::4] for i in range(4)]  # the first, second… byte of every 4-byte unit
        if not byte[3].strip(b"\0") and max(byte[2]) <= 0x10:
            return "utf-32-le"
        if not byte[0].strip(b"\0") and max(byte[1]) <= 0x10:
            return "utf-32-be"
    if len(data) % 2 == 0 and len(sample) >= 2:  # one unit is evidence enough: NUL is never text
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        pairs = len(sample) // 2
        if odd >= pairs * WIDE_NUL_SHARE and even <= odd * 0.05:
            return "utf-16-le"
        if even >= pairs * WIDE_NUL_SHARE and odd <= even * 0.05:
            return "utf-16-be"
    return None


def _readable_share(text: str) -> float:
    """Share of the characters that are printable ASCII, whitespace, Chinese, or CJK / full-width punctuation."""
    sample = text[:8192]
    return len(_READABLE.findall(sample)) / max(1, len(sample))


def _han_share(text: str) -> float:
    """Share of Chinese characters among the non-ASCII ones (1.0 for ASCII-only text)."""
    sample = text[:20000]
    wide = len(_NON_ASCII.findall(sample))
    return len(_HAN.findall(sample)) / wide if wide else 1.0


def decode(data: bytes, *, is_html: bool) -> Decoded:
    """Decode `data`, recording how the encoding was decided.

    Valid UTF-8 wins over a contrary declaration: non-ASCII bytes that happen to form valid UTF-8
    are vanishingly rare in GB18030 or Big5 text, while wrong `<meta charset>` tags are common. A
    declaration that turns Chinese bytes into Latin mojibake loses to detection.
    """
    if not data.strip():
        raise UndecodableError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data, encoding)
            if text is not None:
                return Decoded(text, encoding, "byte-order mark")
    wide = _wide_without_bom(data)
    if wide:
        text = _strict(data, wide)
        other = _OTHER_BYTE_ORDER.get(wide)
        flipped = _strict(data, other) if other else None
        if other and flipped is not None and _readable_share(flipped) > _readable_share(text or ""):
            # Chinese text has no ASCII, so its NULs are the 00 bytes of characters like 开 (U+5F00): they
            # point either way, and the byte order whose characters are readable text decides
            wide, text = other, flipped
        if text is not None and _text_like(text):
            return Decoded(text, wide, f"{wide} without byte-order mark (NUL byte pattern)")
    declared = declared_charset(data) if is_html else None
    declared_codec = canonical_encoding(declared) if declared else None
    text = _strict(data, "utf-8")
    if text is not None and _text_like(text):
        if declared_codec in (None, "utf-8"):
            method = "declared utf-8, bytes valid" if declared_codec else "valid utf-8"
        else:
            method = f"valid utf-8 (page declared {declared}, ignored)"
        return Decoded(text, "utf-8", method)
    if declared_codec and declared_codec != "utf-8":
        text = _strict(data, declared_codec)
        if text is not None and _text_like(text):
            if _han_share(text) >= MIN_HAN_SHARE:
                return Decoded(text, declared_codec, f"declared {declared}")
            detected = _detect(data, None)
            if _han_share(detected.text) > _han_share(text):
                return Decoded(detected.text, detected.encoding, f"declared {declared} gave mojibake (non-ASCII "
                               f"characters not Chinese); {detected.method}")
            return Decoded(text, declared_codec, f"declared {declared}")
    return _detect(data, declared)


def _mostly_unmapped(text: str) -> bool:
    """GB18030 maps almost every byte pair, so a strict decode can 'succeed' on Big5 or binary bytes;
    a text of mostly private-use or rare symbols is a wrong decode, not a document."""
    sample = text[:5000]
    odd = len(_UNMAPPED.findall(sample))
    return odd > max(20, len(sample) // 50)


def _detect(data: bytes, declared: str | None) -> Decoded:
    best = from_bytes(data[:DETECT_BYTES], cp_isolation=_DETECTOR_CANDIDATES).best()
    encoding = canonical_encoding(best.encoding) if best is not None else None
    text = _strict(data, encoding) if encoding else None
    if text is None:
        text, encoding = next(((t, c) for c in _FALLBACKS if (t := _strict(data, c)) is not None), (None, None))
    if text is None or encoding is None or not _text_like(text):
        raise UndecodableError("binary content (not text in any supported encoding)")
    why = f"declared {declared} did not fit the bytes; " if declared else ""
    return Decoded(text, encoding, f"{why}detected by charset-normalizer")
