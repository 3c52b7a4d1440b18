"""Stage 3a, report_sections: one heading grammar for 一、/（一）/(一)/1./1、/(1) (full and half width),
headings glued inside flattened lines, numeral-less sub-headings, and canonical section keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from gov_pipeline.cleaning.grids import is_pipe_row
from gov_pipeline.domain.charclass import HAN
from gov_pipeline.domain.metadata import report_year
from gov_pipeline.domain.numbers import HEADING_NUMBERS, PART_NUMBER, SMALL_NUMERAL, SMALL_NUMERALS, VALUES_CHARS
from gov_pipeline.domain.records import Section
from gov_pipeline.domain.template import SECTIONS, STATISTICS_TABLE_HEADING

_MARKERS = tuple((level, re.compile(pattern)) for level, pattern in enumerate(HEADING_NUMBERS, start=1))
_PART = re.compile(rf"{PART_NUMBER}(?:部分|章)")
_HEADING_END = re.compile(
    r"[。；;！？!?]|：(?=.)|:(?=.)|(?<=情况|措施|形式|类别|数量|事项|概述|内容|做法|问题)(?=\d)"
    rf"|(?={HEADING_NUMBERS[1]})"
)
MAX_HEADING_CHARS = 40
_LAST_TAIL = re.compile(r"^.{2,36}(?:情况|措施|事项|统计表|问题|概述)")
_CJK = regex.compile(HAN)
MAX_TITLE_CHARS = 60
_SENTENCE_PUNCTUATION = re.compile(r"[。，；！？,;]")
_SENTENCE_MARK = re.compile(r"[，。；：,;:！？\d|]")
_BARE_HEADING_END = re.compile(r"(?:情况|类别|形式|数量|措施|问题|做法|成效|事项)$")
_TABLE_ROW_REST = re.compile(rf"^\s*\d[{VALUES_CHARS}]*$")
_TABLE_ROW_END = re.compile(r"\d+(?:\s+\d+)+\s*$")

SECTION_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (spec.key, re.compile(spec.words)) for spec in SECTIONS)
"""Canonical keys (data_contract.md) by the topic words of a heading, in the vocabulary's order."""
_DECLARED_HEADINGS = tuple((spec.key, re.compile(f"(?:{'|'.join(h for h in spec.headings if h)})"))
                           for spec in SECTIONS if any(spec.headings))
_HEADING_NOISE = re.compile(r"[\s“”\"：:。]")
# Containers whose sub-sections keep their own topic (（二）主动公开… under 一、总体情况); under any other
# section a sub-section belongs to its parent (（一）扩大主动公开范围 under 五、问题及改进 is an improvement).
GENERIC_KEYS = ("overview", "unknown", "preamble")
# …except sub-headings that name one of these topics outright (（一）主要问题 belongs to problems wherever
# a lost top-level heading left it).
OWN_TOPIC_KEYS = ("problems", "fees", "review_litigation", "other")
# Known top-level headings, so a heading glued to its first sentence ("一、总体情况2019年，…") is cut right.
KNOWN_HEADINGS = re.compile("(?:" + "|".join([STATISTICS_TABLE_HEADING] + [
    h for spec in SECTIONS for h in spec.headings if h]) + ")")
_HEADING_TAIL = r"(?:情况|措施|事项|统计表|概述|问题|总体情况)"
# A top-level heading glued into running text: a known heading after any character, or 一、…情况 right
# after a sentence ends.
# (The character before the numeral is checked in code: a pattern that starts with a look-behind is
# tried at every position of the text, one that starts with the numerals skips ahead to them.)
_GLUED_L1 = re.compile(
    rf"({SMALL_NUMERAL}{{1,2}})、\s*(?:(?P<known>(?={KNOWN_HEADINGS.pattern}))"
    rf"|(?=[^。，；：\n]{{2,30}}?{_HEADING_TAIL}))"
)
_NOT_BEFORE_KNOWN = frozenset("第" + SMALL_NUMERALS)
_SENTENCE_END = frozenset("。；！？”」）)")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # with its numbering marker
    rest: str  # the remainder of the line after the heading (its first sentence, if glued)


@lru_cache(maxsize=4096)  # reports share their headings
def section_key(heading: str) -> str:
    """The section a heading names: a heading of the vocabulary (spacing, 的, quotes, a leading year
    ignored) by its key, else the first key whose topic words it contains, else 'unknown'."""
    marker = next((m for _, pattern in _MARKERS if (m := pattern.match(heading))), None) or _PART.match(heading)
    body = _HEADING_NOISE.sub("", heading[marker.end():] if marker else heading)
    for key, declared in _DECLARED_HEADINGS:
        if declared.fullmatch(body):
            return key
    for key, pattern in SECTION_KEYWORDS:
        if pattern.search(heading):
            return key
    return "unknown"


def split_glued_headings(text: str) -> str:
    """Put top-level headings that crawler dumps glued into running text on their own lines: a known
    heading after any character but a numeral or 第, or 一、…情况 right after a sentence ends."""
    return _GLUED_L1.sub(_glued_heading, text)


def _glued_heading(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1] if match.start() else ""
    if match.group("known") is not None:
        glued = before not in _NOT_BEFORE_KNOWN
    else:
        glued = before in _SENTENCE_END or before.isspace()
    return "\n" + match.group(1) + "、" if glued else match.group(0)


@lru_cache(maxsize=8192)
def parse_heading(line: str) -> Heading | None:
    """The heading a line starts with, if any: numbered (any level), 第X部分, or a known title.
    Cached: sections and stated_reports both read every line of a report."""
    stripped = line.strip()
    if not stripped or is_pipe_row(stripped):
        return None
    for level, marker in _MARKERS:
        match = marker.match(stripped)
        if match:
            return _cut(level, stripped, match.end())
    part = _PART.match(stripped)
    if part:
        return _cut(1, stripped, part.end())
    return None


def _cut(level: int, line: str, body_start: int) -> Heading | None:
    body = line[body_start:]
    known = KNOWN_HEADINGS.match(body.strip())
    if known and level == 1:
        cut = body.index(known.group(0)) + len(known.group(0))
    else:
        end = _HEADING_END.search(body)
        cut = end.start() if end else len(body)
        if cut > MAX_HEADING_CHARS:  # glued to its first sentence: end after the last heading word
            tail = _LAST_TAIL.match(body)
            if tail is None:
                return None  # a long numbered paragraph, not a heading
            cut = tail.end()
    text = line[:body_start] + body[:cut]
    if len(body[:cut].strip()) > MAX_HEADING_CHARS or not _CJK.search(body[:cut]):
        return None
    if _TABLE_ROW_REST.match(body[cut:]) or _TABLE_ROW_END.search(body[:cut]):
        return None  # a statistics-table row label followed by its numbers
    return Heading(level, text.strip(), body[cut:].lstrip("。：: "))


def _is_bare_heading(line: str, next_line: str | None) -> bool:
    """A short line with no sentence punctuation that introduces a longer paragraph: a sub-heading whose
    numeral was lost (e.g. to mojibake), like '申请情况' or '政府信息的数量及类别'."""
    return (4 <= len(line) <= 20 and not _SENTENCE_MARK.search(line)
            and _BARE_HEADING_END.search(line) is not None
            and next_line is not None and len(next_line) > len(line) * 2)


def split_sections(doc_id: str, text: str) -> list[Section]:
    """Sections in reading order, each with its level and parent; text before the first heading is
    the 'preamble'. Sub-sections take their parent's key unless the parent is a generic container."""
    lines = [line.strip() for line in split_glued_headings(text).split("\n") if line.strip()]
    sections: list[Section] = []
    stack: list[Section] = []  # open sections by level
    body: list[str] = []
    current = Section(doc_id, 0, 0, None, "", "preamble", "")
    top_numbers: list[str] = []

    def close() -> None:
        nonlocal current
        sections.append(Section(current.doc_id, current.ordinal, current.level, current.parent_ordinal,
                                current.heading, current.section_key, "\n".join(body)))
        body.clear()

    for index, line in enumerate(lines):
        heading = parse_heading(line)
        if heading and heading.level == 1 and not _plausible_top(heading.text, top_numbers):
            heading = None
        if heading is None and stack and _is_bare_heading(line, lines[index + 1] if index + 1 < len(lines) else None):
            heading = Heading(min(stack[-1].level + 1, 4) if stack[-1].level < 2 else stack[-1].level, line, "")
        if heading is None:
            body.append(line)
            continue
        close()
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        parent = stack[-1] if stack else None
        key = section_key(heading.text)
        if parent is not None and (key == "unknown" or (parent.section_key not in GENERIC_KEYS
                                   and key not in OWN_TOPIC_KEYS)):
            key = parent.section_key
        current = Section(doc_id, len(sections), heading.level, parent.ordinal if parent else None,
                          heading.text, key, "")
        stack.append(current)
        if heading.rest:
            body.append(heading.rest)
    close()
    return [s for s in sections if s.ordinal > 0 or s.text]


def stated_reports(text: str) -> list[int]:
    """The report years of the reports a text holds, in order: a title line naming a year's report
    ('2019年政府信息公开工作年度报告') that a top-level 一、 heading follows starts one. A page with two
    of them for different years holds two reports, which must not be read as one."""
    starts: list[tuple[int, int]] = []  # (line index, year)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for index, line in enumerate(lines):
        if len(line) <= MAX_TITLE_CHARS and not _SENTENCE_PUNCTUATION.search(line):
            year = report_year(line, "")
            if year is not None and (not starts or starts[-1][1] != year):
                starts.append((index, year))
    bounds = [index for index, _ in starts] + [len(lines)]
    return [year for (start, year), end in zip(starts, bounds[1:], strict=True)
            if any((h := parse_heading(line)) is not None and h.level == 1 and h.text.startswith("一")
                   for line in lines[start + 1:end])]


def _plausible_top(heading: str, seen: list[str]) -> bool:
    """Top-level numerals run 一、二、三…: a repeated or backwards numeral is a list item in prose."""
    numeral = heading[0]
    order = SMALL_NUMERALS.find(numeral)
    if seen and order <= SMALL_NUMERALS.find(seen[-1]) and numeral != "一":
        return False
    seen.append(numeral)
    return True
