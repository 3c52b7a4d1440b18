"""Properties of the number grammar, the prose scanner and the metadata reader on arbitrary input
(issue 14): they never raise, they finish within a bound (hypothesis' per-example deadline, far above
the linear cost and far below the quadratic one: 40 000 digits took 96 s before), and a parsed count
is a non-negative number or absent."""

from __future__ import annotations

import math
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gov_pipeline.domain.metadata import extract_metadata
from gov_pipeline.domain.numbers import (
    APPROX_AFTER,
    APPROX_BEFORE,
    COUNT_NUMERAL_CHARS,
    COUNT_UNITS,
    chinese_to_int,
    iter_quantities,
    parse_number,
    parse_quantity,
)
from gov_pipeline.domain.records import Section
from gov_pipeline.facts.extract import extract_prose_facts

_PIECES = [*"0123456789０１２３４５６７８９,，.．%％万亿", *COUNT_NUMERAL_CHARS, *APPROX_BEFORE, *APPROX_AFTER,
           *COUNT_UNITS, "百分之", "收到", "申请", "行政复议", "行政诉讼", "分别为", "均为", "未发生", "、", "，", "。",
           "其中", "累计", "𪚥", "a", " "]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=200).map("".join)
_LONG_RUN = st.builds(lambda head, piece, n, tail: head + piece * n + tail, _TEXT,
                      st.sampled_from(["1", "一", "1,", "一1", "十", "1.", "零"]), st.integers(1000, 40_000), _TEXT)
BOUND = settings(deadline=timedelta(seconds=5), max_examples=60)


@BOUND
@given(st.one_of(_TEXT, _LONG_RUN, st.text(max_size=300)))
def test_quantities_are_non_negative_and_finite_or_absent(text: str) -> None:
    for start, end, quantity in iter_quantities(text):
        assert 0 <= start < end <= len(text)
        assert math.isfinite(quantity.value) and quantity.value >= 0
    first = parse_quantity(text)
    assert first is None or (math.isfinite(first.value) and first.value >= 0)


@BOUND
@given(st.one_of(st.text(alphabet=COUNT_NUMERAL_CHARS + "〇O", max_size=40), st.text(max_size=40)))
def test_chinese_numerals_are_non_negative_integers_or_absent(text: str) -> None:
    value = chinese_to_int(text)
    assert value is None or (isinstance(value, int) and value >= 0)
    number = parse_number(text)
    assert number is None or math.isfinite(number)


@BOUND
@given(st.one_of(_TEXT, _LONG_RUN))
def test_prose_scanning_is_bounded_and_its_counts_are_non_negative(text: str) -> None:
    sections = [Section("doc", 1, 1, None, "heading", key, text) for key in ("requests", "review_litigation")]
    for fact in extract_prose_facts("doc", sections, 2016):
        assert math.isfinite(fact.value) and fact.value >= 0 and fact.evidence


_PAGE = st.lists(st.sampled_from([*_PIECES, "#", "|", "我镇", "人民政府", "镇", "局", "年", "月", "日", "时间:",
                                  "发布单位:", "\n", "二〇一九", "2019", "-", "年度报告"]), max_size=300).map("".join)
_LONG_PAGE = st.builds(lambda head, piece, n, tail: head + piece * n + tail, _PAGE,
                       st.sampled_from([" ", "|", "#", "镇", "2019年,", "\n", "我"]), st.integers(1000, 40_000), _PAGE)


@BOUND
@given(st.one_of(_PAGE, _LONG_PAGE))
def test_metadata_is_bounded_and_never_a_pronoun_or_markup(text: str) -> None:
    metadata = extract_metadata(html_title=text[:200], html_heading=None, meta={}, header={}, page_text=text, body=text)
    if metadata.agency_name:
        assert metadata.agency_name[0] not in "我本#|" and metadata.agency_name[-1] not in "#| "
    assert metadata.report_year is None or 1990 <= metadata.report_year <= 2100
