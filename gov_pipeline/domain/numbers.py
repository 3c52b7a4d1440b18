"""The one number grammar of every stage (domain.md §6): ASCII and full-width digits, 3-digit group
separators, 万/亿 magnitudes, positional and digit-by-digit Chinese numerals, approximations (余, 多,
近, 约, 超过…) and percentages (98.5%, 百分之百). Prose rules, the DQ percentage rules and the table
cell reader take their numbers from here.

Scanning is linear: a number token starts only where no digit (or numeral) precedes it and its length
is capped, so a clause of 40 000 digits or 30 000 numerals costs one bounded attempt per character
instead of one attempt per start position and length."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex

_DIGIT_VALUES = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3,
                 "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
                 "九": 9, "玖": 9}
_UNIT_VALUES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_MAGNITUDES = {"万": 10_000, "亿": 100_000_000}
_ZERO_CHARS = "零〇○ＯO"
_LATIN_ZEROS = "ＯO"  # zero only inside a year written digit by digit (二O一九), never a count by itself
COUNT_NUMERAL_CHARS = "".join(ch for ch in _DIGIT_VALUES if ch not in _LATIN_ZEROS) + "".join(_UNIT_VALUES) + \
    "".join(_MAGNITUDES)
"""Characters of a Chinese numeral that states a count (一百零五, 两, 三万)."""
DATE_NUMERAL_CHARS = "〇零一二三四五六七八九十○ＯO"
"""Characters of a year, month or day written in Chinese numerals (二〇一九年三月二十日)."""
SMALL_NUMERALS = "一二三四五六七八九十"
"""The small numerals that number headings and items (三、 / （十二）), in order."""
SMALL_NUMERAL = f"[{SMALL_NUMERALS}]"
"""One character of SMALL_NUMERALS."""
_OPEN, _CLOSE, _ENUM_MARK = "[（(]", "[)）]", "[、.．]"
HEADING_NUMBERS: tuple[str, ...] = (
    rf"{SMALL_NUMERAL}{{1,3}}\s*{_ENUM_MARK}",  # 一、
    rf"{_OPEN}\s*{SMALL_NUMERAL}{{1,3}}\s*{_CLOSE}",  # （一）
    rf"\d{{1,2}}\s*{_ENUM_MARK}(?!\d)",  # 1. / 1、 (not a decimal 1.5)
    rf"{_OPEN}\s*\d{{1,2}}\s*{_CLOSE}",  # （1）
)
"""The numbering of headings, by level (1 = 一、 … 4 = （1）): the one heading-numeral grammar of sections
and of the line unwrapping of PDF text."""
PART_NUMBER = rf"第{SMALL_NUMERAL}{{1,3}}"
"""第三 of 第三部分 / 第三章."""
DIGIT_ITEM_NUMBER = rf"\d{{1,2}}\s*{_ENUM_MARK}"
"""A table row's digit item number (2. / 3、)."""
ITEM_NUMBER = (rf"(?:{_OPEN}?{SMALL_NUMERAL}{{1,2}}{_CLOSE}?\s*{_ENUM_MARK}?\s*|{_OPEN}\d{_CLOSE}\s*"
               rf"|\d\s*{_ENUM_MARK}\s*)?")
"""An optional item number before a label: 一、 / （三） / 2. — a digit needs its dot, so a number glued to
the previous row's digit run ("00000002.其他法律…") takes one digit only."""

MAX_INTEGER_DIGITS = 15
"""Longest digit run read as one number: a double holds 15 significant digits exactly and no count a
report states comes near 10^15; a longer run is glued cells or noise, and the cap bounds the scan."""
MAX_FRACTION_DIGITS = 6
MAX_NUMERAL_CHARS = 23
"""Longest Chinese numeral read: 九千九百九十九亿九千九百九十九万九千九百九十九 (just below 10^12)."""

_D = "[0-9０-９]"
_TO_ASCII = str.maketrans("０１２３４５６７８９．，％－", "0123456789.,%-")
DIGITS_PATTERN = (
    rf"(?<![0-9０-９.．])(?:{_D}{{1,3}}(?:[,，]{_D}{{3}}){{1,4}}|{_D}{{1,{MAX_INTEGER_DIGITS}}})"
    rf"(?:[.．]{_D}{{1,{MAX_FRACTION_DIGITS}}})?(?![0-9０-９])"
)
"""A number in digits: starts where no digit precedes, at most MAX_INTEGER_DIGITS long (no backtracking)."""
NUMERALS_PATTERN = (
    rf"(?<![{COUNT_NUMERAL_CHARS}])[{COUNT_NUMERAL_CHARS}]{{1,{MAX_NUMERAL_CHARS}}}(?![{COUNT_NUMERAL_CHARS}])"
)
"""A Chinese numeral: a whole run of numeral characters, at most MAX_NUMERAL_CHARS long."""
NUMBER_PATTERN = f"(?:{DIGITS_PATTERN}|{NUMERALS_PATTERN})"
"""One numeral token, digits or Chinese (no groups)."""
UNSIGNED_DECIMAL_PATTERN = r"(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?"
"""A table cell's number without sign: digits, 3-digit groups only ('1,120', never '11,20')."""
DECIMAL_PATTERN = "-?" + UNSIGNED_DECIMAL_PATTERN
"""A table cell's number: optional sign, digits, 3-digit groups only ('1,120', never '11,20')."""
NO_VALUE_TOKENS = ("——", "--", "/", "／", "—", "－", "-", "无")
"""What a table prints in a cell that states no number (longest first: one alternation reads them)."""
NO_VALUE_PATTERN = "|".join(regex.escape(token) for token in NO_VALUE_TOKENS)
VALUES_CHARS = r"\s\d.,，" + regex.escape("".join(dict.fromkeys("".join(NO_VALUE_TOKENS))))
"""The characters of a run of table values (digits, separators, no-value marks), for a character class."""
CELL_TOKEN_PATTERN = f"{UNSIGNED_DECIMAL_PATTERN}|{NO_VALUE_PATTERN}"
"""One token of a table row's values: a number or a no-value mark."""
CELL_PATTERN = rf"^\s*(?:{DECIMAL_PATTERN}|{NO_VALUE_PATTERN})?\s*$"
"""A whole grid cell that holds a value (or nothing): a number, signed, or a no-value mark."""
MAGNITUDE_PATTERN = "[" + "".join(_MAGNITUDES) + "]"
"""万 or 亿 after a number."""

APPROX_BEFORE = ("将近", "接近", "大约", "共约", "超过", "近", "约", "逾", "超", "达")
APPROX_AFTER = ("左右", "以上", "余", "多", "许")
QUANTITY_PATTERN = (
    r"(?P<before>" + "|".join(APPROX_BEFORE) + r")?(?P<pct_word>百分之)?(?P<num>" + NUMBER_PATTERN + r")"
    r"(?P<mag>" + MAGNITUDE_PATTERN + r")?(?P<after>" + "|".join(APPROX_AFTER) + r")?(?P<pct>[ \t]*[%％])?"
)
"""A quantity with its named parts: before (approximation), pct_word (百分之), num, mag (万/亿), after
(余/多…), pct (%). Prose rules embed it; quantity_from_match reads a match of it."""
_QUANTITY = regex.compile(QUANTITY_PATTERN)

COUNT_UNITS = ("人次", "万元", "件", "条", "次", "起", "项", "个", "元")
"""Units a count or an amount in prose carries (domain.md §3.3)."""
STATES_A_NUMBER = regex.compile(rf"{_D}|{NUMERALS_PATTERN}(?:{'|'.join(COUNT_UNITS)})")
"""Whether a text states a number at all: a digit, or a Chinese numeral followed by a unit."""


@dataclass(frozen=True)
class Quantity:
    value: float  # a percentage as a ratio (98.5% = 0.985)
    approx: bool = False
    is_percent: bool = False


def chinese_to_int(text: str) -> int | None:
    """Positional Chinese numerals (一百零五 = 105, 两 = 2, 十二 = 12, 一万零五百 = 10500) and digit-by-digit
    numbers of three or more characters (二〇一八 = 2018). Two digits side by side without a unit (三五, 两三)
    are a range, not a number; units out of order (十百) are no numeral: both give None."""
    if not text or len(text) > MAX_NUMERAL_CHARS or any(
            ch not in _DIGIT_VALUES and ch not in _UNIT_VALUES and ch not in _MAGNITUDES for ch in text):
        return None
    if all(ch in _DIGIT_VALUES for ch in text):
        if len(text) == 1:
            return _DIGIT_VALUES[text] if text not in _LATIN_ZEROS else None
        if len(text) >= 3 or any(ch in _ZERO_CHARS for ch in text):
            return int("".join(str(_DIGIT_VALUES[ch]) for ch in text))
        return None
    total, section, number = 0, 0, None
    last_unit, last_magnitude = 10_000, 10**9
    for ch in text:
        if ch in _DIGIT_VALUES:
            if number is not None and _DIGIT_VALUES[ch] and number:
                return None  # two digits without a unit between them
            number = _DIGIT_VALUES[ch]
        elif ch in _UNIT_VALUES:
            if _UNIT_VALUES[ch] >= last_unit:
                return None
            section += (number if number is not None else 1) * _UNIT_VALUES[ch]
            last_unit, number = _UNIT_VALUES[ch], None
        else:
            if _MAGNITUDES[ch] >= last_magnitude or (section == 0 and not number):
                return None
            total += (section + (number or 0)) * _MAGNITUDES[ch]
            section, number, last_unit, last_magnitude = 0, None, 10_000, _MAGNITUDES[ch]
    return total + section + (number or 0)


_PLAIN_DECIMAL = regex.compile(r"-?\d+(?:\.\d+)?")
_GROUPED_DECIMAL = regex.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_decimal(token: str) -> float | None:
    """Digits (ASCII or full-width) with an optional sign and decimals; thousands separators only between
    3-digit groups ('1,120', never '11,20')."""
    token = token.translate(_TO_ASCII).replace("，", ",")
    if not token.isascii():
        return None  # other scripts' digits are no number a report prints
    if _PLAIN_DECIMAL.fullmatch(token):
        return float(token)
    if _GROUPED_DECIMAL.fullmatch(token):
        return float(token.replace(",", ""))
    return None


@lru_cache(maxsize=4096)
def parse_number(token: str) -> float | None:
    """One numeral token (no unit), Arabic or Chinese -> its value (cached: reports repeat their figures)."""
    token = token.strip()
    if not token:
        return None
    value = parse_decimal(token)
    if value is not None:
        return value
    count = chinese_to_int(token)
    return float(count) if count is not None else None


def quantity_from_match(match: regex.Match[str]) -> Quantity | None:
    """The quantity a match of QUANTITY_PATTERN states, or None when its numeral is no number."""
    base = parse_number(match.group("num"))
    if base is None:
        return None
    if match.group("mag"):
        base *= _MAGNITUDES[match.group("mag")]
    approx = bool(match.group("before") or match.group("after"))
    if match.group("pct") or match.group("pct_word"):
        return Quantity(base / 100.0, approx=approx, is_percent=True)
    return Quantity(base, approx=approx)


def iter_quantities(text: str) -> Iterator[tuple[int, int, Quantity]]:
    """Every quantity in `text` with its span, left to right, in one linear scan."""
    for match in _QUANTITY.finditer(text):
        quantity = quantity_from_match(match)
        if quantity is not None:
            yield match.start(), match.end(), quantity


@lru_cache(maxsize=1024)
def quantities(text: str) -> tuple[tuple[int, int, Quantity], ...]:
    """iter_quantities as a tuple, cached: the prose reader asks it of one clause for every fact it tries."""
    return tuple(iter_quantities(text))


def parse_quantity(text: str) -> Quantity | None:
    """The first quantity in `text`: '2.8万' = 28000, '1万余' = 10000 (approx), '三' = 3, '98.5%' = 0.985."""
    return next((quantity for _, _, quantity in iter_quantities(text)), None)
