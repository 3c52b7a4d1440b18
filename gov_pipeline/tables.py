"""Stage 3b, report_tables: the statistics tables as addressable cells mapped to template rows/columns.

One mechanism for every form a table reaches us in: each line of a table region becomes an observed
row (label + value tokens) whether it is a pipe row (HTML grids, markdown, PDF tables), a text row
("一、本年新收…数量 21 0 0 0 0 0 21") or a flattened digit run ("…数量640020470"). Observed rows are
then assigned to the template's rows: by label where it survived, and in template order where the
extraction separated numbers from their labels. Digit runs are split with the table's arithmetic and
accepted only when exactly one split satisfies it."""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gov_pipeline.grids import parse_pipe_row
from gov_pipeline.numbers import parse_decimal
from gov_pipeline.records import TableCell
from gov_pipeline.template import (
    ITEM_NUMBER,
    LEGACY_ANCHOR,
    LEGACY_SPECS,
    ORG_COLUMNS,
    TABLE2_2019,
    TABLE2_2021,
    TABLE3_ANCHOR,
    TABLE3_COLUMN_ALIASES,
    TABLE3_COLUMNS,
    TABLE3_COLUMNS_WITH_SUBTOTAL,
    TABLE3_GROUP_HEADERS,
    TABLE3_GROUP_LABELS,
    TABLE3_OUTCOME_ROWS,
    TABLE3_ROWS,
    TABLE4_ANCHOR,
    TABLE4_COLUMNS,
    RowSpec,
    detect_template,
)

RAW_TOKENS = ("/", "／", "—", "－", "-", "——", "无", "--")
_VALUE_TOKEN = re.compile(r"\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|——|--|[/／—－\-]|无")
_VALUE_CELL = re.compile(r"^\s*(?:-?\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?|——|--|[/／—－\-]|无)?\s*$")
_VALUE_RUN = re.compile(r"(?<![\d.])\d[\d \t.,，]*")
_LEAD_VALUES = re.compile(r"^[\s\d.,，/／—－\-无]*")
_IMPLAUSIBLE_DECIMAL = re.compile(r"\d+\.\d{5,}")  # digits of two cells run together
_NOT_DIGIT_OR_SPACE = re.compile(r"[^\d\s]")
# the rest of a wrapped label before its numbers ("期不补正、行政机关不再处理其政府信 67 3 0 0 1 0 71")
_LABEL_REMNANT = re.compile(r"^[^\d|]{1,40}?(?=\d)")
_LEADING_UNIT = re.compile(r"^\s*(?:人次|万元|条|件|个|次|元|项|篇|期|家|人)(?=\s*\d)")
_TRAILING_ITEM_NUMBER = re.compile(r"(?<=\s)\d{1,2}\s*[、.．]\s*$")
MAX_RUN_DIGITS = 48
MAX_SPLITS = 20000
MAX_REGION_CHARS = 20000
LEGACY_MAX_LINES = 80  # a statistics table of 2008-2018 has at most ~40 rows


def cell_value(token: str) -> float | None:
    """The number a cell states, or None for blanks and raw tokens ("/", "—", "无")."""
    return parse_decimal(token.strip())


# ---------------------------------------------------------------- digit runs
@dataclass(frozen=True)
class Arithmetic:
    """What every group of `group` consecutive values of a table row must satisfy."""

    group: int
    holds: Callable[[Sequence[int]], bool]


BLOCK_TOTALS = Arithmetic(5, lambda v: sum(v[:-1]) == v[-1])  # table 4: each block's four results = 总计
CUMULATIVE = Arithmetic(2, lambda v: v[1] >= v[0])  # legacy: 历年累计 >= 本年度


def no_arithmetic(width: int) -> Arithmetic:
    return Arithmetic(width, lambda _: True)


def split_digit_run(text: str, width: int, rule: Arithmetic) -> list[tuple[int, ...]]:
    """Every way to read `text` (digits; a space is a certain cell boundary) as `width` integers without
    leading zeros whose groups all satisfy `rule`. Groups are checked as soon as they are complete, so
    impossible readings are abandoned early."""
    chunks = text.split()
    if not chunks or any(not c.isdigit() for c in chunks) or sum(map(len, chunks)) > MAX_RUN_DIGITS:
        return []
    digits = "".join(chunks)
    ends: list[int] = []
    for chunk in chunks:
        ends.append((ends[-1] if ends else 0) + len(chunk))
    found: list[tuple[int, ...]] = []
    values: list[int] = []

    def extend(position: int) -> None:
        if len(found) > MAX_SPLITS:
            return
        if len(values) == width:
            if position == len(digits):
                found.append(tuple(values))
            return
        if len(digits) - position < width - len(values):
            return
        limit = next(end for end in ends if end > position)  # a cell never crosses a space
        for stop in range(position + 1, limit + 1):
            if stop - position > 1 and digits[position] == "0":
                break
            values.append(int(digits[position:stop]))
            if len(values) % rule.group or rule.holds(values[-rule.group:]):
                extend(stop)
            values.pop()

    extend(0)
    return found


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
    label = []
    for cell in cells[:index]:
        if cell and (not label or label[-1] != cell):
            label.append(cell)
    return label, cells[index:]


def _read_rows(text: str, width: int, rule: Arithmetic) -> list[Observed]:
    """The value rows at the start of `text` (after label remnants and a unit such as 条/件). Usually
    one row; a digit run is split with the table's arithmetic, and a run holding whole multiples of the
    table's width is read as that many rows (PDF extraction merges neighbouring rows:
    '31 0 0 0 0 0 311 0 0 0 0 0 1')."""
    text = _LEADING_UNIT.sub("", _LABEL_REMNANT.sub("", text))
    lead = _TRAILING_ITEM_NUMBER.sub("", _LEAD_VALUES.match(text).group(0)).strip()
    tokens = _VALUE_TOKEN.findall(lead)
    if not tokens:
        return []
    if any(_IMPLAUSIBLE_DECIMAL.fullmatch(token) for token in tokens):
        return [Observed("", [], "text_row", note=f"implausible amount '{lead}' (digits of two cells run together?)")]
    if len(tokens) == width or width == 1 and len(set(tokens)) == 1:
        return [Observed("", tokens[:width], "text_row")]
    digits = _NOT_DIGIT_OR_SPACE.sub(" ", lead).strip()
    if not digits or "." in lead or not all(t.isdigit() for t in tokens):
        return [Observed("", [], "text_row", note=f"{len(tokens)} values where the table has {width} columns: '{lead}'")]
    count = sum(map(len, digits.split()))
    # several rows in one run only where spaces separate cells (PDF text), never in a glued digit run
    most_rows = count // width if len(tokens) > width else 1
    for rows in range(1, most_rows + 1):
        if len(tokens) > rows * width:
            continue
        readings = split_digit_run(digits, width * rows, rule)
        if len(readings) == 1:
            values = [str(v) for v in readings[0]]
            return [Observed("", values[i * width:(i + 1) * width], "digit_run" if rows == 1 else "text_row")
                    for i in range(rows)]
        if rows == 1 and readings:
            return [Observed("", [], "digit_run", candidates=readings,
                             note=f"digit run '{lead}' has {len(readings)} readings that satisfy the table's arithmetic")]
    return [Observed("", [], "digit_run", note=f"digit run '{lead}' has no reading that satisfies the table's arithmetic")]


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
    version: [(key, facts, Labels.of([RowSpec(key, label.lstrip("^"), None, numbered=False)]))
              for key, label, facts in layout]
    for version, layout in (("2019", TABLE2_2019), ("2021", TABLE2_2021))
}


def _has_values(rows: list[Observed]) -> bool:
    return any(row.values or row.candidates for row in rows)


def observe(lines: Sequence[str], labels: Labels, width: int, rule: Arithmetic) -> list[Observed]:
    """Observed rows of a table region: pipe rows split into label and value cells; text lines cut at
    every row label they contain (flattened dumps hold a whole table in one line)."""
    rows: list[Observed] = []
    for line in lines:
        cells = parse_pipe_row(line)
        if cells is not None:
            label_cells, values = _split_label_values(cells)
            while len(values) > width and values[-1].strip() == "":
                values.pop()
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
                if _has_values(found := _read_rows(run.group(0), width, rule)):
                    rows += found
                    break
            continue
        if _has_values(head := _read_rows(line[:kept[0][0]], width, rule)):
            rows += head
        for index, (start, end, spec) in enumerate(kept):
            stop = kept[index + 1][0] if index + 1 < len(kept) else len(line)
            found = _read_rows(line[end:stop], width, rule) or [Observed("", [], "text_row")]
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
    """Try every combination of the remaining digit-run readings against table 3's identities
    (outcomes add up to （七）总计; received + carried over = total + carried forward); keep a
    combination only when it is the single one that satisfies them."""
    ambiguous = [key for key, row in filled.items() if row.candidates and not row.values]
    if not ambiguous or len(ambiguous) > 4:
        return
    known = {key: dict(zip(columns, map(cell_value, row.values))) for key, row in filled.items() if row.values}
    solutions = []
    for combo in itertools.product(*(filled[key].candidates for key in ambiguous)):
        grid = known | {key: dict(zip(columns, map(float, reading))) for key, reading in zip(ambiguous, combo, strict=True)}
        if _table3_consistent(grid, columns):
            solutions.append(combo)
            if len(solutions) > 1:
                return
    if len(solutions) == 1:
        for key, reading in zip(ambiguous, solutions[0], strict=True):
            row = filled[key]
            row.values = [str(v) for v in reading]
            row.note = f"{row.note}; resolved by the table's row and column identities"
            row.candidates = []


def _table3_consistent(grid: dict[str, dict[str, float | None]], columns: tuple[str, ...]) -> bool:
    for column in columns:
        outcomes = [grid[k].get(column) for k in TABLE3_OUTCOME_ROWS if k in grid]
        total = grid.get("total", {}).get(column)
        if total is not None and outcomes and None not in outcomes and sum(outcomes) != total:  # type: ignore[arg-type]
            return False
        flow = [grid.get(k, {}).get(column) for k in ("received", "carried_over", "total", "carried_forward")]
        if None not in flow and flow[0] + flow[1] != flow[2] + flow[3]:  # type: ignore[operator]
            return False
    return True


def _column_key(header: str) -> str | None:
    text = TABLE3_GROUP_HEADERS.sub("", re.sub(r"\s+", "", header))
    return next((key for key, alias in TABLE3_COLUMN_ALIASES if alias.search(text)), None)


def table3_columns(lines: Sequence[str]) -> tuple[str, ...]:
    """Keys of table 3's value columns, in order. A grid's header rows name them (real tables add a
    小计 column or reorder); where the header is lost or flattened, the template's order is used, with
    a 小计 column after 其他 when the header mentions one."""
    header_rows: list[list[str]] = []
    header_text = []
    for line in lines:
        if TABLE3_ANCHOR.search(line):
            header_text.append(line[:TABLE3_ANCHOR.search(line).start()])
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
        if len(trailing) >= len(TABLE3_COLUMNS) and {"natural_person", "total"} <= set(trailing):
            return tuple(trailing)
    return TABLE3_COLUMNS_WITH_SUBTOTAL if "小计" in "".join(header_text) else TABLE3_COLUMNS


def table3_arithmetic(columns: tuple[str, ...]) -> Arithmetic:
    """Applicant columns add up to 总计 (and organisation columns to 小计, when there is one)."""
    index = {key: i for i, key in enumerate(columns)}
    applicant = [index[k] for k in TABLE3_COLUMNS[:-1] if k in index]
    organisations = [index[k] for k in ORG_COLUMNS if k in index]
    subtotal = index.get("org_subtotal")

    def holds(values: Sequence[int]) -> bool:
        return sum(values[i] for i in applicant) == values[index["total"]] and (
            subtotal is None or sum(values[i] for i in organisations) == values[subtotal])

    return Arithmetic(len(columns), holds)


def _table3(doc_id: str, table_idx: int, lines: list[str]) -> list[TableCell]:
    columns = table3_columns(lines)
    rows = observe(lines, TABLE3_LABELS, len(columns), table3_arithmetic(columns))
    filled = _assign_table3(rows, len(columns))
    _resolve_ambiguous(filled, columns)
    cells: list[TableCell] = []
    order = [spec.key for spec in TABLE3_ROWS] + [spec.key for spec in TABLE3_GROUP_LABELS]
    for key in sorted(filled, key=order.index):
        cells += _cells(doc_id, table_idx, "table3", order.index(key), key, filled[key], columns)
    return cells


# ---------------------------------------------------------------- table 4
def _table4(doc_id: str, table_idx: int, lines: list[str]) -> list[TableCell]:
    """The one data row of table 4: the first run of >= 15 digits under the 行政复议/行政诉讼 header."""
    width = len(TABLE4_COLUMNS)
    for line in lines:
        cells = parse_pipe_row(line)
        text = " ".join(c for c in cells if c) if cells is not None else line
        for run in re.finditer(r"(?<![\d.])\d[\d ]*\d(?![\d.])", text):
            if len(re.sub(r"\D", "", run.group(0))) < width:
                continue
            found = _read_rows(run.group(0), width, BLOCK_TOTALS)
            if _has_values(found):
                found[0].label = "行政复议 / 行政诉讼"
                return _cells(doc_id, table_idx, "table4", 0, "review_litigation", found[0], TABLE4_COLUMNS)
    return []


# ---------------------------------------------------------------- table 2
def _table2(doc_id: str, table_idx: int, lines: list[str], template: str) -> list[TableCell]:
    cells: list[TableCell] = []
    for row_idx, (key, facts, labels) in enumerate(TABLE2_LABELS["2019" if template == "2019" else "2021"]):
        rows = [row for row in observe(lines, labels, len(facts), no_arithmetic(len(facts))) if row.spec is not None]
        with_values = [row for row in rows if row.values or row.note]
        if with_values:
            cells += _cells(doc_id, table_idx, "table2", row_idx, key, with_values[0], facts)
    return cells


# ---------------------------------------------------------------- legacy statistics table
def _legacy(doc_id: str, table_idx: int, lines: list[str]) -> list[TableCell]:
    """指标名称 | 计量单位 | 本年度 | 历年累计: numbers follow their label, on its line or the next."""
    rows = observe(lines, LEGACY_LABELS, 2, CUMULATIVE)
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
            target.values, target.source, target.note, target.candidates = row.values, row.source, row.note, row.candidates
        done.add(target.spec.key)
        cells += _cells(doc_id, table_idx, "other", len(done) - 1, target.spec.key, target, ("year", "cumulative"))
        waiting = None
    return cells


def _header_lines(text: str, start: int, most: int = 12) -> list[str]:
    """The header lines just above a table's first row: grid rows, or short label-only lines."""
    above = text[:start].split("\n")[:-1][-most:]
    header: list[str] = []
    for line in reversed(above):
        if not (line.startswith("|") or len(line) <= 40 and "。" not in line):
            break
        header.insert(0, line)
    return header


def extract_tables(doc_id: str, text: str) -> list[TableCell]:
    """Every statistics table the report holds, as cells mapped to template rows and columns."""
    template = detect_template(text)
    cells: list[TableCell] = []
    end_of_table3 = re.compile(r"结转下年度继续办理[\s\d|/／—－\-无]*")
    table3 = _region(text, TABLE3_ANCHOR, None)
    if table3:
        stop = end_of_table3.search(text, table3[0])
        if stop:  # a pipe row ends at its line end; a text row where its numbers end
            line_start = text.rfind("\n", 0, stop.start()) + 1
            line_end = text.find("\n", stop.end())
            pipe_row = text.startswith("|", line_start)
            table3 = (table3[0], (line_end if line_end >= 0 else len(text)) if pipe_row else stop.end())
        header = _header_lines(text, table3[0])
        cells += _table3(doc_id, 3, header + text[table3[0]:table3[1]].split("\n"))
        table4 = _region(text, TABLE4_ANCHOR, None, table3[1])
        if table4:
            cells += _table4(doc_id, 4, text[table4[0]:table4[1]].split("\n")[:12])
        table2 = _region(text, re.compile(r"第二十条\s*第\s*[（(]\s*一\s*[)）]\s*项"), None)
        if table2 and table2[0] < table3[0]:
            cells += _table2(doc_id, 2, text[table2[0]:table3[0]].split("\n"), template)
    legacy = _region(text, LEGACY_ANCHOR, None)
    if legacy and template == "legacy":
        cells += _legacy(doc_id, 1, text[legacy[0]:legacy[1]].split("\n")[:LEGACY_MAX_LINES])
    return cells
