"""Stage 3b, report_tables: the statistics tables as addressable cells mapped to template rows/columns.

One mechanism for every form a table reaches us in: each line of a table region becomes an observed
row (label + value tokens) whether it is a pipe row (HTML grids, markdown, PDF tables), a text row
("一、本年新收…数量 21 0 0 0 0 0 21") or a flattened digit run ("…数量640020470"). Observed rows are
then assigned to the template's rows: by label where it survived, and in template order where the
extraction separated numbers from their labels. Digit runs are split with the table's arithmetic and
accepted only when exactly one split satisfies it."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from gov_pipeline.cleaning.grids import parse_pipe_row
from gov_pipeline.cleaning.pdf_text import PAGE_BREAK
from gov_pipeline.domain.identities import RowSums, consistent, of_table, row_sums
from gov_pipeline.domain.numbers import (
    CELL_PATTERN,
    CELL_TOKEN_PATTERN,
    DIGIT_ITEM_NUMBER,
    ITEM_NUMBER,
    VALUES_CHARS,
    parse_decimal,
)
from gov_pipeline.domain.records import TableCell
from gov_pipeline.domain.template import (
    LEGACY_ANCHOR,
    LEGACY_SPECS,
    TABLE2_LAYOUTS,
    TABLE3_ANCHOR,
    TABLE3_COLUMN_ALIASES,
    TABLE3_COLUMNS,
    TABLE3_COLUMNS_WITH_SUBTOTAL,
    TABLE3_GROUP_HEADERS,
    TABLE3_GROUP_LABELS,
    TABLE3_ROWS,
    TABLE4_ANCHOR,
    TABLE4_BLOCKS,
    TABLE4_COLUMNS,
    TABLE4_OUTCOME_LABELS,
    TABLE4_OUTCOMES,
    RowSpec,
    detect_template,
)

_VALUE_TOKEN = re.compile(CELL_TOKEN_PATTERN)
_VALUE_CELL = re.compile(CELL_PATTERN)
_VALUE_RUN = re.compile(r"(?<![\d.])\d[\d \t.,，]*")
_LEAD_VALUES = re.compile(rf"^[{VALUES_CHARS}]*")
_IMPLAUSIBLE_DECIMAL = re.compile(r"\d+\.\d{5,}")  # digits of two cells run together
_NOT_DIGIT_OR_SPACE = re.compile(r"[^\d\s]")
# the rest of a wrapped label before its numbers ("期不补正、行政机关不再处理其政府信 67 3 0 0 1 0 71")
_LABEL_REMNANT = re.compile(r"^[^\d|]{1,40}?(?=\d)")
_LEADING_UNIT = re.compile(r"^\s*(?:人次|万元|条|件|个|次|元|项|篇|期|家|人)(?=\s*\d)")
_TRAILING_ITEM_NUMBER = re.compile(rf"(?<=\s){DIGIT_ITEM_NUMBER}\s*$")
MAX_RUN_DIGITS = 48
MAX_SOLVER_STEPS = 100_000  # a step is one cell tried; ~0.1 s
MAX_READINGS = 64
MAX_CELL_DIGITS = 9  # no count in these tables reaches 10^9: bounds every cell of a digit run
CUMULATIVE = RowSums(2, at_least=((1, 0),))  # legacy: 历年累计 >= 本年度
MAX_REGION_CHARS = 20000
LEGACY_MAX_LINES = 80
TABLE2_ANCHOR = re.compile(r"第二十条\s*第\s*[（(]\s*一\s*[)）]\s*项")
TABLE4_MAX_LINES = 24  # header and data rows, or three small block tables with their labels


def cell_value(token: str) -> float | None:
    """The number a cell states, or None for blanks and raw tokens ("/", "—", "无")."""
    return parse_decimal(token.strip())


# ---------------------------------------------------------------- digit runs
@dataclass(frozen=True)
class Readings:
    """The readings of a digit run that satisfy the row identities, and why the search stopped early
    (too long a run, too many steps or readings) when it did: then nothing is certain."""

    values: tuple[tuple[int, ...], ...]
    capped: str | None = None


SOLVED_RUNS = 4096
"""Digit runs whose readings are kept (split_digit_run is pure; a table's rows are read more than once:
table 2 once per row label, and reposted or rescaled copies of a report repeat the same runs)."""


@lru_cache(maxsize=SOLVED_RUNS)
def split_digit_run(text: str, rule: RowSums) -> Readings:
    """Every way to read `text` (digits; a space is a certain cell boundary) as `rule.width` x
    `rule.repeat` integers without leading zeros, of at most MAX_CELL_DIGITS digits, that satisfy the
    row identities.

    Cells are read right to left, so a total is known before its parts and each part is pruned as it
    is read: no part exceeds what its total leaves, and what the total leaves must lie between the
    least and the greatest sum the digits still unread can make. A state that led nowhere is not
    explored twice. The search is capped in steps and readings, with the reason."""
    chunks = text.split()
    if not chunks or any(not c.isdigit() for c in chunks):
        return Readings(())
    digits = "".join(chunks)
    if len(digits) > MAX_RUN_DIGITS:
        return Readings((), f"a run of {len(digits)} digits is longer than {MAX_RUN_DIGITS}: not split")
    n, width = len(digits), rule.width * rule.repeat
    breaks: set[int] = set()
    for chunk in chunks[:-1]:
        breaks.add((max(breaks) if breaks else 0) + len(chunk))

    def cells_ending_at(end: int) -> range:
        """Start positions of the cells that may end at `end` (no leading zero, no space inside)."""
        first = max(0, end - MAX_CELL_DIGITS, max((b for b in breaks if b < end), default=0))
        return range(end - 1, first - 1, -1)

    @cache
    def bounds(count: int, start: int, end: int) -> tuple[int, int] | None:
        """Least and greatest sum of digits[start:end] read as `count` cells (None: cannot be)."""
        if count == 0:
            return (0, 0) if start == end else None
        found: tuple[int, int] | None = None
        for first in cells_ending_at(end):
            if first < start + count - 1:
                break
            if end - first > 1 and digits[first] == "0":
                continue
            before = bounds(count - 1, start, first)
            if before is not None:
                value = int(digits[first:end])
                low, high = before[0] + value, before[1] + value
                found = (low, high) if found is None else (min(found[0], low), max(found[1], high))
        return found

    sums = [(total + g * rule.width, tuple(p + g * rule.width for p in parts))
            for g in range(rule.repeat) for total, parts in rule.sums]
    at_least = [(a + g * rule.width, b + g * rule.width) for g in range(rule.repeat) for a, b in rule.at_least]
    part_of = [[k for k, (_, parts) in enumerate(sums) if i in parts] for i in range(width)]
    total_of = [[k for k, (total, _) in enumerate(sums) if total == i] for i in range(width)]
    first_member = [min((total, *parts)) for total, parts in sums]
    # per cell i: the identities whose parts still unread are exactly cells 0..i, or cells 1..i
    unread_from = [[(k, lead) for k, (total, parts) in enumerate(sums) for lead in (0, 1)
                    if total > i >= lead and {p for p in parts if p <= i} == set(range(lead, i + 1))]
                   for i in range(width)]
    fixes_first = [k for k, (total, parts) in enumerate(sums) if 0 in parts and total > 0]
    remaining: list[int | None] = [None] * len(sums)  # total minus the parts read so far, once the total is read
    values = [0] * width
    found: list[tuple[int, ...]] = []
    dead: set[tuple[int, int, tuple[int | None, ...]]] = set()
    steps = 0
    capped: str | None = None

    def read(end: int, i: int) -> None:
        nonlocal steps, capped
        steps += 1
        if steps > MAX_SOLVER_STEPS or len(found) > MAX_READINGS:
            capped = capped or (f"search stopped after {MAX_SOLVER_STEPS} steps" if steps > MAX_SOLVER_STEPS
                                else f"more than {MAX_READINGS} readings")
            return
        if i < 0:
            if end == 0 and all(values[a] >= values[b] for a, b in at_least):
                found.append(tuple(values))
            return
        if bounds(i + 1, 0, end) is None:
            return
        # an identity whose only unread part is cell 0 fixes it, and so where cells 1..i begin
        first_cell = None
        for k in fixes_first:
            if remaining[k] is not None and all(p > i or p == 0 for p in sums[k][1]) and i > 0:
                first_cell = str(remaining[k])
                if not digits.startswith(first_cell, 0) or len(first_cell) > end - i:
                    return
        for k, lead in unread_from[i]:
            if remaining[k] is None or (lead == 1 and first_cell is None):
                continue
            span = bounds(i + 1 - lead, len(first_cell) if lead else 0, end)  # type: ignore[arg-type]
            if span is None or not span[0] <= remaining[k] <= span[1]:  # type: ignore[operator]
                return
        state = (end, i, tuple(remaining))
        if state in dead:
            return
        before = len(found)
        for start in cells_ending_at(end):
            if start < i or capped:
                break
            if end - start > 1 and digits[start] == "0":
                continue
            value = int(digits[start:end])
            if any(remaining[k] is not None and remaining[k] < value for k in part_of[i]):  # type: ignore[operator]
                break  # a longer cell is larger still
            assign(start, i, value)
        if len(found) == before and not capped:
            dead.add(state)

    def assign(start: int, i: int, value: int) -> None:
        saved = list(remaining)
        values[i] = value
        for k in part_of[i]:
            if remaining[k] is not None:
                remaining[k] -= value  # type: ignore[operator]
        for k in total_of[i]:
            remaining[k] = value - sum(values[p] for p in sums[k][1] if p > i)
        if all(r is None or r >= 0 for r in remaining) and all(
                remaining[k] == 0 for k in range(len(sums)) if first_member[k] == i):
            read(start, i - 1)
        remaining[:] = saved

    read(n, width - 1)
    return Readings(tuple(found), capped)


# ---------------------------------------------------------------- observed rows
@dataclass
class Observed:
    """One row as the document presents it."""

    label: str
    values: list[str]  # raw value tokens, in column order
    source: str  # grid | text_row | digit_run
    spec: RowSpec | None = None
    candidates: list[tuple[int, ...]] = field(default_factory=list)  # digit-run readings when ambiguous
    note: str | None = None


def _split_label_values(cells: list[str]) -> tuple[list[str], list[str]]:
    index = len(cells)
    while index > 0 and _VALUE_CELL.match(cells[index - 1]):
        index -= 1
    label: list[str] = []
    for cell in cells[:index]:
        if cell and (not label or label[-1] != cell):
            label.append(cell)
    return label, cells[index:]


def _read_rows(text: str, rule: RowSums) -> list[Observed]:
    """The value rows at the start of `text`, as new rows the caller may change (_rows_of is cached)."""
    return [Observed(row.label, list(row.values), row.source, row.spec, list(row.candidates), row.note)
            for row in _rows_of(text, rule)]


@lru_cache(maxsize=SOLVED_RUNS)
def _rows_of(text: str, rule: RowSums) -> list[Observed]:
    """The value rows at the start of `text` (after label remnants and a unit such as 条/件). Usually
    one row; a digit run is split with the table's row identities, and a run holding whole multiples
    of the table's width is read as that many rows (PDF extraction merges neighbouring rows:
    '31 0 0 0 0 0 311 0 0 0 0 0 1'). Cached: the rows it returns are never changed (_read_rows copies them)."""
    width = rule.width
    text = _LEADING_UNIT.sub("", _LABEL_REMNANT.sub("", text))
    lead = _TRAILING_ITEM_NUMBER.sub("", _LEAD_VALUES.match(text).group(0)).strip()  # type: ignore[union-attr]
    tokens = _VALUE_TOKEN.findall(lead)
    if not tokens:
        return []
    if any(_IMPLAUSIBLE_DECIMAL.fullmatch(token) for token in tokens):
        return [Observed("", [], "text_row", note=f"implausible amount '{lead}' (digits of two cells run together?)")]
    if len(tokens) == width or (width == 1 and len(set(tokens)) == 1):
        return [Observed("", tokens[:width], "text_row")]
    digits = _NOT_DIGIT_OR_SPACE.sub(" ", lead).strip()
    if not digits or "." in lead or not all(t.isdigit() for t in tokens):
        return [Observed("", [], "text_row",
                         note=f"{len(tokens)} values where the table has {width} columns: '{lead}'")]
    count = sum(map(len, digits.split()))
    # several rows in one run only where spaces separate cells (PDF text), never in a glued digit run
    most_rows = count // width if len(tokens) > width else 1
    for rows in range(1, most_rows + 1):
        if len(tokens) > rows * width:
            continue
        readings = split_digit_run(digits, replace(rule, repeat=rows))
        if readings.capped:
            return [Observed("", [], "digit_run", note=f"digit run '{lead[:80]}' left unknown: {readings.capped}")]
        if len(readings.values) == 1:
            values = [str(v) for v in readings.values[0]]
            return [Observed("", values[i * width:(i + 1) * width], "digit_run" if rows == 1 else "text_row")
                    for i in range(rows)]
        if rows == 1 and readings.values:
            agreed = _agreed_cells(readings.values)
            return [Observed("", agreed if any(v != UNSPLIT for v in agreed) else [], "digit_run",
                             candidates=list(readings.values),
                             note=f"digit run '{lead}' has {len(readings.values)} readings that satisfy the "
                                  "table's row identities; only the cells every reading agrees on are read")]
    return [Observed("", [], "digit_run", note=f"digit run '{lead[:80]}' has no reading that satisfies the table's "
                                                "row identities")]


UNSPLIT = "?"
"""The token of a cell of a digit run whose readings disagree on it: no number is read there."""


def _agreed_cells(readings: Sequence[tuple[int, ...]]) -> list[str]:
    """The cells on which every reading of a run agrees (the readings are all those the identities
    allow, so such a cell is certain); UNSPLIT where they differ."""
    return [str(values[0]) if len(set(values)) == 1 else UNSPLIT for values in zip(*readings, strict=True)]


@dataclass(frozen=True)
class Labels:
    """A table's row labels, compiled into one alternation (one scan per line instead of one per
    label; group s<i> names spec i). The item number the labels share is matched once, before the
    alternation: six times faster than a prefix in every branch."""

    specs: tuple[RowSpec, ...]
    combined: re.Pattern[str]

    @classmethod
    def of(cls, specs: Sequence[RowSpec]) -> Labels:
        numbered = {spec.numbered for spec in specs}
        if len(numbered) != 1:
            raise ValueError("one table's labels are either all numbered or none")
        alternatives = "|".join(f"(?P<s{i}>{spec.label})" for i, spec in enumerate(specs))
        return cls(tuple(specs), re.compile((ITEM_NUMBER if numbered.pop() else "") + f"(?:{alternatives})"))

    def spec_of(self, match: re.Match[str]) -> RowSpec:
        return self.specs[int(match.lastgroup[1:])]  # type: ignore[index]

    def last_in(self, label: str) -> RowSpec | None:
        """The spec whose label starts last in a merged label ('（三）不予公开 1.属于国家秘密')."""
        matches = list(self.combined.finditer(label))
        return self.spec_of(matches[-1]) if matches else None


TABLE3_LABELS = Labels.of(TABLE3_ROWS + TABLE3_GROUP_LABELS)
LEGACY_LABELS = Labels.of(LEGACY_SPECS)
# table 2 rows are read one label at a time: (row key, fact keys of its columns, its label)
TABLE2_LABELS = {
    version: [(key, facts, Labels.of([RowSpec(key, label.lstrip("^"), None, numbered=False, official=printed)]))
              for key, label, facts, printed, _ in layout]
    for version, layout in TABLE2_LAYOUTS.items()
}


def _has_values(rows: list[Observed]) -> bool:
    return any(row.values or row.candidates for row in rows)


def observe(lines: Sequence[str], labels: Labels, rule: RowSums) -> list[Observed]:
    """Observed rows of a table region: pipe rows split into label and value cells; text lines cut at
    every row label they contain (flattened dumps hold a whole table in one line)."""
    rows: list[Observed] = []
    width = rule.width
    for line in lines:
        cells = parse_pipe_row(line)
        if cells is not None:
            label_cells, values = _split_label_values(cells)
            while len(values) > width and values[-1].strip() == "":
                values.pop()
            while len(values) > width and values[0].strip() == "":
                values.pop(0)  # the empty cells of a label merged across columns (PDF-to-markdown)
            if width == 1 and len(set(values)) == 1:
                values = values[:1]  # a single-value row spanned over several grid columns
            label = " ".join(label_cells)
            note = None
            if values and len(values) != width:
                note = f"{len(values)} values where the table has {width} columns: {' | '.join(values)}"
                values = []
            rows.append(Observed(label, values, "grid", labels.last_in(label), note=note))
            continue
        kept = [(m.start(), m.end(), labels.spec_of(m)) for m in labels.combined.finditer(line)]
        if not kept:  # numbers whose label the extraction cut off or wrapped onto other lines
            for run in _VALUE_RUN.finditer(line):
                if _has_values(found := _read_rows(run.group(0), rule)):
                    rows += found
                    break
            continue
        if _has_values(head := _read_rows(line[:kept[0][0]], rule)):
            rows += head
        for index, (start, end, spec) in enumerate(kept):
            stop = kept[index + 1][0] if index + 1 < len(kept) else len(line)
            found = _read_rows(line[end:stop], rule) or [Observed("", [], "text_row")]
            found[0].label, found[0].spec = line[start:end], spec
            rows += found
    return rows


# ---------------------------------------------------------------- regions
def _region(text: str, start_pattern: re.Pattern[str], end_pattern: re.Pattern[str] | None,
            start_at: int = 0) -> tuple[int, int] | None:
    start = start_pattern.search(text, start_at)
    if not start:
        return None
    begin = text.rfind("\n", 0, start.start()) + 1
    stop = len(text)
    if end_pattern is not None and (end := end_pattern.search(text, start.end())):
        stop = end.start()
    return begin, min(stop, begin + MAX_REGION_CHARS)


def _cells(doc_id: str, table_idx: int, table_key: str, row_idx: int, row_key: str | None,
           observed: Observed, columns: Sequence[str | None]) -> list[TableCell]:
    cells = [TableCell(doc_id, table_idx, table_key, row_idx, 0, observed.label, row_key, None, None,
                       observed.source, observed.note)]
    for col_idx, token in enumerate(observed.values):
        col_key = columns[col_idx] if col_idx < len(columns) else None
        cells.append(TableCell(doc_id, table_idx, table_key, row_idx, col_idx + 1, token, row_key, col_key,
                               cell_value(token), observed.source))
    return cells


# ---------------------------------------------------------------- table 3
def _assign_table3(rows: list[Observed], width: int) -> dict[str, Observed]:
    """Give each observed row its template row: labelled rows by label; rows whose label the extraction
    separated from them go to the oldest labelled row still waiting for numbers, else to the next
    template row after the last one filled (PDF extraction sometimes puts numbers above their label)."""
    order = {spec.key: index for index, spec in enumerate(TABLE3_ROWS)}
    filled: dict[str, Observed] = {}
    waiting: deque[str] = deque()
    last = -1

    def fill(key: str, row: Observed) -> None:
        nonlocal last
        filled[key] = row
        last = max(last, order[key])
        if key in waiting:
            waiting.remove(key)

    started = False
    for row in rows:
        has_values = bool(row.values or row.candidates)
        key = row.spec.key if row.spec else None
        started = started or key == "received"
        if not started:
            continue  # header cells (申请人情况 … 总计) come before the first row
        if key in order:
            if key in filled:
                continue
            if has_values:
                fill(key, row)
            elif order[key] > last:
                waiting.append(key)
            continue
        if key is not None:  # a group label: with values it is a subtotal row
            if has_values:
                filled.setdefault(key, row)
            continue
        if not has_values or len(row.values) not in (0, width):
            continue
        target = waiting[0] if waiting else next(
            (spec.key for spec in TABLE3_ROWS[last + 1:] if spec.key not in filled), None)
        if target is not None:
            fill(target, row)
    if "other_group" in filled and not {"other_no_correction", "other_no_fee", "other_other"} & filled.keys():
        filled["other_other"] = filled.pop("other_group")  # the 2019 layout's single （六）其他处理 row
    return filled


def _resolve_ambiguous(filled: dict[str, Observed], columns: tuple[str, ...]) -> None:
    """Choose among the remaining digit-run readings with table 3's column identities (outcomes add
    up to （七）总计; received + carried over = total + carried forward): rows are tried one after
    another and a partial choice is dropped as soon as an identity it completes breaks. Every choice
    that satisfies them is found (up to MAX_READINGS): a row takes the cells all of them agree on, the
    whole row when there is one; the search is capped, with the reason, and then nothing is chosen."""
    ambiguous = [key for key, row in filled.items() if row.candidates]
    if not ambiguous:
        return
    identities = of_table("table3", "column")
    grid: dict[str, dict[str, float | None]] = {
        key: dict(zip(columns, map(cell_value, row.values), strict=False)) if row.values and not row.candidates
        else dict.fromkeys(columns) for key, row in filled.items()}
    solutions: list[tuple[tuple[int, ...], ...]] = []
    chosen: list[tuple[int, ...]] = []
    steps = 0

    def choose(index: int) -> None:
        nonlocal steps
        steps += 1
        if len(solutions) > MAX_READINGS or steps > MAX_SOLVER_STEPS:
            return
        if index == len(ambiguous):
            solutions.append(tuple(chosen))
            return
        key = ambiguous[index]
        for reading in filled[key].candidates:
            grid[key] = dict(zip(columns, map(float, reading), strict=True))
            if consistent(grid, identities):
                chosen.append(reading)
                choose(index + 1)
                chosen.pop()
        grid[key] = dict.fromkeys(columns)

    choose(0)
    if steps > MAX_SOLVER_STEPS or len(solutions) > MAX_READINGS:
        for key in ambiguous:
            filled[key].note = (f"{filled[key].note}; not resolved: search across rows stopped after "
                                f"{min(steps, MAX_SOLVER_STEPS)} steps and {len(solutions)} readings")
        return
    for index, key in enumerate(ambiguous):
        row = filled[key]
        readings = sorted({solution[index] for solution in solutions})
        if len(readings) == 1:
            row.values, row.candidates = [str(v) for v in readings[0]], []
            row.note = f"{row.note}; resolved by the table's column identities"
        elif readings:
            agreed = _agreed_cells(readings)
            row.values = agreed if any(v != UNSPLIT for v in agreed) else []
            row.note = (f"{row.note}; {len(readings)} readings remain with the table's column identities: "
                        "only the cells they agree on are read")


def _column_key(header: str) -> str | None:
    text = TABLE3_GROUP_HEADERS.sub("", re.sub(r"\s+", "", header))
    return next((key for key, alias in TABLE3_COLUMN_ALIASES if alias.search(text)), None)


def table3_columns(lines: Sequence[str]) -> tuple[str, ...]:
    """Keys of table 3's value columns, in order. A grid's header rows name them (real tables add a
    小计 column, leave out applicant columns or reorder): the columns from 自然人 to 总计, each named once.
    Where the header is lost or flattened, the template's order is used, with a 小计 column after 其他
    when the header mentions one."""
    header_rows: list[list[str]] = []
    header_text = []
    for line in lines:
        if anchor := TABLE3_ANCHOR.search(line):
            header_text.append(line[:anchor.start()])
            break
        header_text.append(line)
        if (cells := parse_pipe_row(line)) is not None:
            header_rows.append(cells)
    if header_rows:
        width = max(map(len, header_rows))
        keys = [_column_key("".join(row[i] for row in header_rows if i < len(row))) for i in range(width)]
        trailing: list[str] = []
        for key in reversed(keys):
            if key is None or key in trailing:
                break
            trailing.insert(0, key)
        if {"natural_person", "total"} <= set(trailing) and (
                len(trailing) >= len(TABLE3_COLUMNS) or trailing[0] == "natural_person"):
            return tuple(trailing)
    return TABLE3_COLUMNS_WITH_SUBTOTAL if "小计" in "".join(header_text) else TABLE3_COLUMNS


def _table3(doc_id: str, table_idx: int, lines: list[str]) -> list[TableCell]:
    columns = table3_columns(lines)
    rows = observe(lines, TABLE3_LABELS, row_sums("table3", columns))
    filled = _assign_table3(rows, len(columns))
    _resolve_ambiguous(filled, columns)
    cells: list[TableCell] = []
    order = [spec.key for spec in TABLE3_ROWS] + [spec.key for spec in TABLE3_GROUP_LABELS]
    for key in sorted(filled, key=order.index):
        cells += _cells(doc_id, table_idx, "table3", order.index(key), key, filled[key], columns)
    return cells


# ---------------------------------------------------------------- table 4
_TABLE4_BLOCK_LABELS = (("litigation_after_review", re.compile("复议后起诉")),
                        ("litigation_direct", re.compile("未经复议|直接起诉")),
                        ("review", re.compile("^[^诉]*行政复议[^诉]*$")))


_TABLE4_OUTCOME_WORDS = tuple((outcome, re.compile(label.replace("结果", "(?:结果)?")))
                              for outcome, label in TABLE4_OUTCOME_LABELS.items())


def _labelled_values(cells: list[str] | None) -> tuple[str, list[str]]:
    """A grid row's label and its value cells ('' and [] for a text line)."""
    if cells is None:
        return "", []
    label_cells, values = _split_label_values([c.strip() for c in cells])
    return "".join(label_cells), [v for v in values if v.strip()]


def _table4(doc_id: str, table_idx: int, lines: list[str]) -> list[TableCell]:
    """Table 4's 15 values, from whichever shape the page gives: the first run of >= 15 digits under
    the 行政复议/行政诉讼 header; its three blocks as rows of five, named by their label in the row or
    above it (PDF-to-markdown pieces, a table with one row per block) or else taken in template order;
    or its five outcomes as rows of three (one column per block)."""
    width = len(TABLE4_COLUMNS)
    rule = row_sums("table4", TABLE4_COLUMNS)
    blocks: dict[str, list[str]] = {}
    outcomes: dict[str, list[str]] = {}
    named: str | None = None
    unread: Observed | None = None  # a run the identities could not split: kept for its reason
    for line in lines:
        cells = parse_pipe_row(line)
        text = " ".join(c for c in cells if c) if cells is not None else line
        row_label, values = _labelled_values(cells)
        label = next((block for block, pattern in _TABLE4_BLOCK_LABELS if pattern.search(row_label or text)), None)
        if len(values) == len(TABLE4_OUTCOMES) and all(_VALUE_CELL.match(v) for v in values):
            block = label if label and row_label else named
            block = block if block and block not in blocks else next((b for b in TABLE4_BLOCKS if b not in blocks),
                                                                     None)
            if block is not None:
                blocks[block] = values
            named = None
            continue
        outcome = next((o for o, pattern in _TABLE4_OUTCOME_WORDS if pattern.fullmatch(row_label)), None)
        if outcome and len(values) == len(TABLE4_BLOCKS) and all(_VALUE_CELL.match(v) for v in values):
            outcomes.setdefault(outcome, values)
            continue
        for run in re.finditer(r"(?<![\d.])\d[\d ]*\d(?![\d.])", text):
            if len(re.sub(r"\D", "", run.group(0))) < width:
                continue
            found = _read_rows(run.group(0), rule)
            if found:
                found[0].label = "行政复议 / 行政诉讼"
                if _has_values(found):
                    return _cells(doc_id, table_idx, "table4", 0, "review_litigation", found[0], TABLE4_COLUMNS)
                unread = unread or found[0]
        if label is not None:
            named = label
    if len(blocks) == len(TABLE4_BLOCKS):
        row = Observed("行政复议 / 行政诉讼", [v for b in TABLE4_BLOCKS for v in blocks[b]], "grid",
                       note="three block rows of five")
        return _cells(doc_id, table_idx, "table4", 0, "review_litigation", row, TABLE4_COLUMNS)
    if len(outcomes) == len(TABLE4_OUTCOMES):
        by_block = [outcomes[o][b] for b in range(len(TABLE4_BLOCKS)) for o in TABLE4_OUTCOMES]
        row = Observed("行政复议 / 行政诉讼", by_block, "grid", note="five outcome rows of three blocks")
        return _cells(doc_id, table_idx, "table4", 0, "review_litigation", row, TABLE4_COLUMNS)
    return _cells(doc_id, table_idx, "table4", 0, "review_litigation", unread, TABLE4_COLUMNS) if unread else []


# ---------------------------------------------------------------- table 2
def _table2(doc_id: str, table_idx: int, lines: list[str], template: str) -> list[TableCell]:
    cells: list[TableCell] = []
    for row_idx, (key, facts, labels) in enumerate(TABLE2_LABELS["2019" if template == "2019" else "2021"]):
        rows = [row for row in observe(lines, labels, RowSums(len(facts))) if row.spec is not None]
        with_values = [row for row in rows if row.values or row.note]
        if with_values:
            cells += _cells(doc_id, table_idx, "table2", row_idx, key, with_values[0], facts)
    return cells


# ---------------------------------------------------------------- legacy statistics table
def _legacy(doc_id: str, table_idx: int, lines: list[str]) -> list[TableCell]:
    """指标名称 | 计量单位 | 本年度 | 历年累计: numbers follow their label, on its line or the next."""
    rows = observe(lines, LEGACY_LABELS, CUMULATIVE)
    cells: list[TableCell] = []
    waiting: Observed | None = None
    done: set[str] = set()
    for row in rows:
        if row.spec is not None and not (row.values or row.candidates or row.note):
            waiting = row
            continue
        target = row if row.spec is not None else waiting
        if target is None or target.spec is None or target.spec.key in done:
            continue
        if target is not row:
            target.values, target.source = row.values, row.source
            target.note, target.candidates = row.note, row.candidates
        done.add(target.spec.key)
        cells += _cells(doc_id, table_idx, "other", len(done) - 1, target.spec.key, target, ("year", "cumulative"))
        waiting = None
    return cells


def _header_lines(text: str, start: int, most: int = 12) -> list[str]:
    """The header lines just above a table's first row: grid rows, or short label-only lines."""
    above = text[:start].split("\n")[:-1][-most:]
    header: list[str] = []
    for line in reversed(above):
        if not (line.startswith("|") or (len(line) <= 40 and "。" not in line)):
            break
        header.insert(0, line)
    return header


def _with_pages(cells: list[TableCell], text: str, start: int) -> list[TableCell]:
    """Each row's PDF page, where the text marks page breaks (pdf_text.PAGE_BREAK): the page its
    label is printed on, found in order from the table's start (a row without a label: the page of
    the row before it)."""
    if PAGE_BREAK not in text:
        return cells
    pages: dict[int, int] = {}
    position = start
    for cell in cells:
        if cell.col_idx == 0:
            label = cell.text.strip()[-8:]
            found = text.find(label, position) if label else -1
            position = found if found >= 0 else position
            pages[cell.row_idx] = 1 + text.count(PAGE_BREAK, 0, position)
    return [replace(cell, page=pages.get(cell.row_idx)) for cell in cells]


def extract_tables(doc_id: str, text: str) -> list[TableCell]:
    """Every statistics table the report holds, as cells mapped to template rows and columns."""
    template = detect_template(text)
    cells: list[TableCell] = []
    end_of_table3 = re.compile(rf"结转下年度继续办理[{VALUES_CHARS}|]*")
    table3 = _region(text, TABLE3_ANCHOR, None)
    if table3:
        stop = end_of_table3.search(text, table3[0])
        if stop:  # a pipe row ends at its line end; a text row where its numbers end
            line_start = text.rfind("\n", 0, stop.start()) + 1
            line_end = text.find("\n", stop.end())
            pipe_row = text.startswith("|", line_start)
            table3 = (table3[0], (line_end if line_end >= 0 else len(text)) if pipe_row else stop.end())
        header = _header_lines(text, table3[0])
        cells += _with_pages(_table3(doc_id, 3, header + text[table3[0]:table3[1]].split("\n")), text, table3[0])
        table4 = _region(text, TABLE4_ANCHOR, None, table3[1])
        if table4:
            cells += _with_pages(_table4(doc_id, 4, text[table4[0]:table4[1]].split("\n")[:TABLE4_MAX_LINES]), text,
                                 table4[0])
        table2 = _region(text, TABLE2_ANCHOR, None)
        table3_at = TABLE3_ANCHOR.search(text, table3[0])
        # a flattened dump holds tables 2 and 3 in one line: table 2 then ends where table 3's first row begins
        table2_end = table3[0] if table2 and table2[0] < table3[0] else (table3_at.start() if table3_at else 0)
        if table2 and table2[0] < table2_end:
            cells += _with_pages(_table2(doc_id, 2, text[table2[0]:table2_end].split("\n"), template), text, table2[0])
    legacy = _region(text, LEGACY_ANCHOR, None)
    if legacy and template == "legacy":
        cells += _with_pages(_legacy(doc_id, 1, text[legacy[0]:legacy[1]].split("\n")[:LEGACY_MAX_LINES]), text,
                             legacy[0])
    return cells
