"""Property-based tests (hypothesis) over the heading grammar and decoding: on arbitrary input they
never raise (but the documented error), they finish (hypothesis's deadline bounds every example), and
their invariants hold."""

from __future__ import annotations

import codecs
from collections import Counter
from datetime import timedelta
from itertools import pairwise

import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gov_pipeline.domain.charclass import HAN
from gov_pipeline.ingest.decoding import UndecodableError, decode
from gov_pipeline.structure.sections import (
    SECTION_KEYWORDS,
    parse_heading,
    split_sections,
    stated_reports,
)
from gov_pipeline_tests.conftest import SEEDS

BOUNDED = settings(deadline=timedelta(seconds=10), max_examples=150,
                   suppress_health_check=[HealthCheck.too_slow])
_HAN = regex.compile(HAN)
SEED_LINES = [line for line in (SEEDS / "004_a8ef66291314f876.txt").read_text(encoding="utf-8").splitlines() if line]
# the grammar's own alphabet, so the examples hit headings, numerals, glued headings and table rows
HEADING_PIECES = st.sampled_from([
    "一、", "二、", "十一、", "（一）", "(二)", "1.", "2、", "（3）", "第一部分", "总体情况", "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况", "存在的主要问题及改进情况", "年度报告", "2019年政府信息公开工作年度报告",
    "2020年政府信息公开工作年度报告", "。", "：", "，", "\n", " ", "|", "| 1 | 2 |", "12", "9" * 60, "𪚥", "情况",
])
GRAMMAR_TEXT = st.lists(st.one_of(HEADING_PIECES, st.sampled_from(SEED_LINES), st.text(max_size=30)),
                        max_size=80).map("".join)
KEYS = {key for key, _ in SECTION_KEYWORDS} | {"preamble", "unknown"}


def _han(text: str) -> Counter[str]:
    return Counter(_HAN.findall(text))


@BOUNDED
@given(GRAMMAR_TEXT)
def test_sections_keep_every_chinese_character_in_a_well_formed_tree(text: str) -> None:
    sections = split_sections("doc", text)
    assert [s.ordinal for s in sections] == sorted({s.ordinal for s in sections})
    ordinals = {s.ordinal for s in sections}
    for section in sections:
        assert 0 <= section.level <= 4 and section.section_key in KEYS
        assert section.parent_ordinal is None or (section.parent_ordinal < section.ordinal
                                                  and section.parent_ordinal in ordinals)
    assert _han("".join(s.heading + s.text for s in sections)) == _han(text)


@BOUNDED
@given(st.text(max_size=300))
def test_a_heading_is_a_prefix_of_its_line(line: str) -> None:
    heading = parse_heading(line)
    if heading is not None:
        assert 1 <= heading.level <= 4
        assert line.strip().startswith(heading.text)


@BOUNDED
@given(GRAMMAR_TEXT)
def test_stated_reports_are_distinct_neighbouring_years(text: str) -> None:
    years = stated_reports(text)
    assert all(1900 <= y <= 2099 for y in years)
    assert all(a != b for a, b in pairwise(years))


@BOUNDED
@given(st.binary(max_size=4000), st.booleans())
def test_decode_never_raises_anything_else_and_is_a_strict_decode(data: bytes, is_html: bool) -> None:
    try:
        decoded = decode(data, is_html=is_html)
    except UndecodableError:
        return
    assert codecs.decode(data, decoded.encoding) == decoded.text  # nothing replaced, nothing lost


@BOUNDED
@given(st.lists(st.sampled_from(SEED_LINES), min_size=1, max_size=6).map("\n".join),
       st.sampled_from(["utf-8", "gb18030", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-16", "utf-8-sig"]))
@example("?", "utf-16-le")  # a seed line of one character: two bytes, one UTF-16 unit (found by hypothesis)
def test_real_text_comes_back_in_every_encoding(text: str, codec: str) -> None:
    decoded = decode(text.encode(codec), is_html=False)
    assert decoded.text.lstrip("\ufeff") == text
