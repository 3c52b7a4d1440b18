"""Properties of the table-grid builder and the digit-run solver on arbitrary input (hypothesis):
they never raise, their work is bounded by construction, and what they return keeps its invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gov_pipeline.cleaning.grids import (
    MAX_CELL_CHARS,
    MAX_COLS,
    MAX_GRID_CHARS,
    MAX_ROWS,
    resolve_spans,
)
from gov_pipeline.cleaning.html_text import parse_html
from gov_pipeline.domain.identities import RowSums, row_sums
from gov_pipeline.domain.template import (
    TABLE3_COLUMNS,
    TABLE3_COLUMNS_WITH_SUBTOTAL,
    TABLE4_COLUMNS,
)
from gov_pipeline.structure.tables import MAX_READINGS, split_digit_run

SPAN = st.one_of(st.none(), st.integers(-3, 80).map(str), st.sampled_from(["", "x", " 2 ", "1e3"]))
CELL = st.tuples(st.text(max_size=30), SPAN, SPAN)
ROWS = st.lists(st.lists(CELL, max_size=8), max_size=12)
RULES = [row_sums("table3", TABLE3_COLUMNS), row_sums("table3", TABLE3_COLUMNS_WITH_SUBTOTAL),
         row_sums("table4", TABLE4_COLUMNS), RowSums(3), RowSums(2, at_least=((1, 0),))]


def _covered(rows: list[list[tuple[str, str | None, str | None]]]) -> int:
    return sum(1 for cells in rows[:MAX_ROWS] for _ in cells)


@settings(max_examples=150, deadline=None)
@given(ROWS)
def test_resolving_spans_never_raises_stays_rectangular_and_never_loses_a_cell_silently(rows) -> None:
    grid = resolve_spans(rows)
    widths = {len(row) for row in grid.rows}
    assert len(widths) <= 1 and all(w <= MAX_COLS for w in widths) and len(grid.rows) <= MAX_ROWS
    assert sum(len(text) for row in grid.rows for text in row) <= MAX_GRID_CHARS + MAX_CELL_CHARS * _covered(rows)
    if grid.capped is None:  # every source cell keeps its text somewhere in the grid
        texts = {text for row in grid.rows for text in row}
        assert all(text in texts for cells in rows for text, _, _ in cells)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 ", max_size=60), st.sampled_from(range(len(RULES))))
def test_digit_run_solver_never_raises_and_every_reading_satisfies_the_identities(text: str, which: int) -> None:
    rule = RULES[which]
    readings = split_digit_run(text, rule)
    assert len(readings.values) <= MAX_READINGS + 1
    digits = "".join(text.split())
    for values in readings.values:
        assert len(values) == rule.width and "".join(map(str, values)) == digits
        assert all(values[total] == sum(values[p] for p in parts) for total, parts in rule.sums)
        assert all(values[a] >= values[b] for a, b in rule.at_least)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10**8), min_size=6, max_size=6))
def test_a_consistent_glued_row_is_always_among_the_readings(parts: list[int]) -> None:
    row = (*parts, sum(parts))
    readings = split_digit_run("".join(map(str, row)), RULES[0])
    assert row in readings.values or readings.capped


def test_a_span_bomb_page_stays_small_and_says_what_was_cut() -> None:
    # 86 KB: one 30 000-character cell at rowspan=200 colspan=60, as a hostile page could send
    cell = "申" * 30_000
    html = ("<html><body><div id='zoom'>" + "<p>" + "政府信息公开工作年度报告" * 1500 + "</p>"
            f"<table><tr><td rowspan='200' colspan='60'>{cell}</td></tr><tr><td>1</td></tr></table>"
            "</div></body></html>")
    page = parse_html(html)
    assert page.removed["table_text_over_grid_cap"] > 0
    assert len(page.body_text) < 2 * MAX_GRID_CHARS + len(html)
    grid = resolve_spans([[(cell, "200", "60")], [("1", None, None)]])
    assert grid.capped and "cut to" in grid.capped and "left blank" in grid.capped
