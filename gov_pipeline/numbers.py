"""One number parser for every stage: ASCII and Chinese numerals, thousands separators, 万/亿
magnitudes, approximations and percentages (domain.md §6)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_MAGNITUDES = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS) + "".join(_MAGNITUDES)

APPROX_BEFORE = ("近", "约", "逾", "超过", "超", "大约", "将近", "接近", "达", "共约")
APPROX_AFTER = ("余", "多", "左右", "以上", "许")

# A quantity: digits with optional 3-digit groups and decimals, or a Chinese numeral, then 万/亿.
NUMBER_PATTERN = (
    r"(?:\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[" + CHINESE_NUMERAL_CHARS + r"]+)"
)
_QUANTITY = re.compile(
    r"(?P<before>" + "|".join(APPROX_BEFORE) + r")?(?P<num>" + NUMBER_PATTERN + r")"
    r"(?P<mag>[万亿])?(?P<after>" + "|".join(APPROX_AFTER) + r")?(?P<pct>%|％)?"
)


@dataclass(frozen=True)
class Quantity:
    value: float
    approx: bool = False
    is_percent: bool = False


def chinese_to_int(text: str) -> int | None:
    """Positional Chinese numerals (一百零五 = 105, 两 = 2, 十二 = 12) and digit strings (二〇一八 = 2018)."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS and ch not in _MAGNITUDES for ch in text):
        return None
    if all(ch in _DIGITS for ch in text) and len(text) > 1:  # read digit by digit, as years are
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, section, number = 0, 0, 0
    for ch in text:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _UNITS:
            section += (number or 1) * _UNITS[ch]
            number = 0
        else:
            total += (section + number) * _MAGNITUDES[ch]
            section, number = 0, 0
    return total + section + number


_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")
_GROUPED_DECIMAL = re.compile(r"-?\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?")


def parse_decimal(token: str) -> float | None:
    """Arabic digits with an optional sign and decimals; thousands separators only between 3-digit
    groups ('1,120', never '11,20')."""
    if _PLAIN_DECIMAL.fullmatch(token):
        return float(token)
    if _GROUPED_DECIMAL.fullmatch(token):
        return float(token.replace(",", "").replace("，", ""))
    return None


def parse_number(token: str) -> float | None:
    """One numeral token (no unit), Arabic or Chinese -> its value."""
    token = token.strip()
    if not token:
        return None
    value = parse_decimal(token)
    if value is not None:
        return value
    count = chinese_to_int(token)
    return float(count) if count is not None else None


def parse_quantity(text: str) -> Quantity | None:
    """The first quantity in `text`: '2.8万' = 28000, '1万余' = 10000 (approx), '三' = 3, '98.5%' = 0.985."""
    match = _QUANTITY.search(text)
    if not match:
        return None
    return quantity_from_match(match)


def quantity_from_match(match: re.Match[str]) -> Quantity | None:
    base = parse_number(match.group("num"))
    if base is None:
        return None
    if match.group("mag"):
        base *= _MAGNITUDES[match.group("mag")]
    if match.group("pct"):
        return Quantity(base / 100.0, approx=bool(match.group("before") or match.group("after")), is_percent=True)
    return Quantity(base, approx=bool(match.group("before") or match.group("after")))
