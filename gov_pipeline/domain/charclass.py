"""Character classes every stage shares, written once with Unicode properties.

Patterns that use these fragments are compiled with the `regex` module (which knows `\\p{Han}`), so
every CJK block is covered — Extension B and beyond (GB18030 four-byte characters such as 𪚥) included —
instead of a hand-written U+4E00–U+9FFF range that cuts names short.
"""

from __future__ import annotations

HAN = r"\p{Han}"
"""One Chinese character of any CJK block (ideographs, extensions, compatibility ideographs)."""

NOT_HAN = r"\P{Han}"
"""Anything but a Chinese character."""
