"""Table grids: resolve rowspan/colspan into a rectangle, and carry grids through the cleaned text as
markdown pipe rows, so HTML tables, PDF tables and markdown tables reach the structure stage in one form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

MAX_SPAN = 200
MAX_ROWS = 2000
MAX_COLS = 60
MAX_CELL_CHARS = 2000  # a statistics-table cell holds a label or a number, never a page
MAX_GRID_CHARS = 200_000  # characters over a whole resolved grid, spanned copies included
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(value.strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


@dataclass(frozen=True)
class ResolvedGrid:
    """A rectangular grid of cell texts, and what the caps cut, in words (None: nothing)."""

    rows: list[list[str]]
    capped: str | None = None
    cut_chars: int = 0  # characters the caps kept out of the grid (spanned copies included)


def resolve_spans(rows: Iterable[Sequence[tuple[str, str | None, str | None]]]) -> ResolvedGrid:
    """Build a rectangular grid from rows of (text, rowspan, colspan) cells.

    A spanned cell's text is repeated in every position it covers, as a reader sees it. The work is
    bounded before anything is copied: at most MAX_ROWS x MAX_COLS positions, no cell text longer
    than MAX_CELL_CHARS, and at most MAX_GRID_CHARS characters over the whole grid (a spanned copy
    past that budget stays blank). What was cut is said in `capped`."""
    grid: dict[tuple[int, int], str] = {}
    width = 0
    row_count = 0
    budget = MAX_GRID_CHARS
    cut: list[str] = []
    cut_chars = 0
    for r, cells in enumerate(rows):
        if r >= MAX_ROWS:
            cut.append(f"rows past {MAX_ROWS} dropped")
            break
        row_count = r + 1
        c = 0
        for index, (text, rowspan, colspan) in enumerate(cells):
            while (r, c) in grid:
                c += 1
            if c >= MAX_COLS:
                cut.append(f"cells past column {MAX_COLS} dropped")
                cut_chars += sum(len(t) for t, _, _ in cells[index:])
                break
            if len(text) > MAX_CELL_CHARS:
                cut.append(f"a cell of {len(text)} characters cut to {MAX_CELL_CHARS}")
                cut_chars += len(text) - MAX_CELL_CHARS
                text = text[:MAX_CELL_CHARS]
            # a span never pushes the row's later cells out of the grid
            down, across = _span(rowspan), max(1, min(_span(colspan), MAX_COLS - c - (len(cells) - index - 1)))
            for dr in range(min(down, MAX_ROWS - r)):
                for dc in range(min(across, MAX_COLS - c)):
                    if (r + dr, c + dc) in grid:
                        continue
                    copy = text if dr == dc == 0 or len(text) <= budget else ""
                    if copy is not text:
                        cut.append(f"spanned copies past {MAX_GRID_CHARS} characters left blank")
                        cut_chars += len(text)
                    budget -= len(copy)
                    grid[(r + dr, c + dc)] = copy
            c += across
            width = min(MAX_COLS, max(width, c))
    height = max([row_count] + [r + 1 for r, _ in grid])
    resolved = [[grid.get((r, c), "") for c in range(width)] for r in range(min(height, MAX_ROWS))]
    return ResolvedGrid(resolved, "; ".join(dict.fromkeys(cut)) or None, cut_chars)


def render_pipe_rows(grid: Sequence[Sequence[str]]) -> str:
    """A grid as markdown pipe rows (no header separator: every row is data to the parser)."""
    return "\n".join("| " + " | ".join(cell.replace("|", "｜") for cell in row) + " |" for row in grid)


def parse_pipe_row(line: str) -> list[str] | None:
    """Cells of one markdown pipe row, or None when the line is not a row (separator rows included)."""
    if "|" not in line:
        return None
    cells = _pipe_cells(line)
    return None if cells is None else list(cells)


@lru_cache(maxsize=8192)
def _pipe_cells(line: str) -> tuple[str, ...] | None:
    """parse_pipe_row's cells, cached (the structure stage reads a table's lines once per table and
    table 2's once per row label)."""
    match = _PIPE_ROW.match(line)
    if not match:
        return None
    cells = tuple(cell.strip() for cell in match.group(1).split("|"))
    if all(_SEPARATOR_CELL.match(cell) or not cell for cell in cells):
        return None if any(cells) else cells
    return cells


def is_pipe_row(line: str) -> bool:
    return _PIPE_ROW.match(line) is not None
