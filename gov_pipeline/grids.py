"""Table grids: resolve rowspan/colspan into a rectangle, and carry grids through the cleaned text as
markdown pipe rows, so HTML tables, PDF tables and markdown tables reach the structure stage in one form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

MAX_SPAN = 200
MAX_ROWS = 2000
MAX_COLS = 60
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(value.strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def resolve_spans(rows: Iterable[Sequence[tuple[str, str | None, str | None]]]) -> list[list[str]]:
    """Build a rectangular grid from rows of (text, rowspan, colspan) cells.

    A spanned cell's text is repeated in every position it covers, as a reader sees it; the grid is
    capped at MAX_ROWS x MAX_COLS so a hostile page cannot make it explode."""
    grid: dict[tuple[int, int], str] = {}
    width = 0
    row_count = 0
    for r, cells in enumerate(rows):
        if r >= MAX_ROWS:
            break
        row_count = r + 1
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in grid:
                c += 1
            down, across = _span(rowspan), _span(colspan)
            for dr in range(min(down, MAX_ROWS - r)):
                for dc in range(min(across, MAX_COLS - c)):
                    grid.setdefault((r + dr, c + dc), text)
            c += across
            width = min(MAX_COLS, max(width, c))
    height = max([row_count] + [r + 1 for r, _ in grid])
    return [[grid.get((r, c), "") for c in range(width)] for r in range(min(height, MAX_ROWS))]


def render_pipe_rows(grid: Sequence[Sequence[str]]) -> str:
    """A grid as markdown pipe rows (no header separator: every row is data to the parser)."""
    return "\n".join("| " + " | ".join(cell.replace("|", "｜") for cell in row) + " |" for row in grid)


def parse_pipe_row(line: str) -> list[str] | None:
    """Cells of one markdown pipe row, or None when the line is not a row (separator rows included)."""
    match = _PIPE_ROW.match(line)
    if not match:
        return None
    cells = [cell.strip() for cell in match.group(1).split("|")]
    if all(_SEPARATOR_CELL.match(cell) or not cell for cell in cells):
        return None if any(cells) else cells
    return cells


def is_pipe_row(line: str) -> bool:
    return _PIPE_ROW.match(line) is not None
