"""Where a report's numbers and findings stand: the span of each prose fact's number in the cleaned
text, the table cell of each table fact, and the cells and sentences each finding names. Pure
functions over one report's warehouse rows."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gov_pipeline.domain.identities import IDENTITIES
from gov_pipeline.domain.numbers import NUMBER_PATTERN, parse_number

Row = Mapping[str, Any]
CellKey = tuple[int, int, int]  # table_idx, row_idx, col_idx

# a cell reference as facts and findings print it: table3[received,total], statistics table[fees,year]
_CELL_REF = re.compile(r"(?P<label>[a-z][a-z0-9 ]*?)\[(?P<row>[^,\[\]\s]+),(?P<col>[^\[\]\s]+)\]")
# facts.py prints the legacy table (table_key 'other') as "statistics table"
_REF_TABLE_KEYS = {"statistics table": "other"}
_TABLE_KEY = re.compile(r"\btable\d\b")
_NUMBER = re.compile(r"(?P<num>" + NUMBER_PATTERN + r")(?P<mag>[万亿])?")
_MAGNITUDE = {"万": 1e4, "亿": 1e8}
_QUOTED = re.compile(r"[（(]([^（）()]{8,})[）)]|(?:in|evidence): (.{8,})$")
_SENTENCE_END = "。！？；\n"
_SUBJECT_COLUMN = re.compile(r"(?:^|\s)column (\w+)$")
_SUBJECT_ROW = re.compile(r"^row (\w+)")
_SUBJECT_IDENTITY = re.compile(r"^(?P<id>[A-Z]\d?-[A-Z0-9]+) (?P<axis>row|column) (?P<key>\w+)")
_WORD = re.compile(r"[a-z][a-z0-9_]+")


@dataclass
class Targets:
    """What one finding (or fact) points at: cells and sentence spans of the cleaned text."""

    cells: set[CellKey] = field(default_factory=set)
    spans: set[tuple[int, int]] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)  # metadata fields of the report (report_year, …)

    def add(self, other: Targets) -> None:
        self.cells |= other.cells
        self.spans |= other.spans
        self.fields |= other.fields


def cell_key(cell: Row) -> CellKey:
    return (int(cell["table_idx"]), int(cell["row_idx"]), int(cell["col_idx"]))


def cells_at_ref(cells: Sequence[Row], label: str, row_key: str, col_key: str) -> list[Row]:
    """The cells a printed reference names; a label that names no table of the report matches any."""
    table_key = _REF_TABLE_KEYS.get(label.strip(), label.strip())
    named = [c for c in cells if c["col_key"] == col_key and c["row_key"] == row_key]
    return [c for c in named if c["table_key"] == table_key] or named


def fact_cells(fact: Row, cells: Sequence[Row]) -> list[Row]:
    """The cell a table fact was read from: by its position when report_facts records it
    (table_key, row_idx, col_idx), else by the reference its evidence prints."""
    if fact.get("row_idx") is not None and fact.get("col_idx") is not None:
        return [c for c in cells if c["row_idx"] == fact["row_idx"] and c["col_idx"] == fact["col_idx"]
                and c["table_key"] == fact.get("table_key", c["table_key"])][:1]
    if fact["method"] != "table":
        return []
    ref = _CELL_REF.match(fact["evidence"] or "")
    return cells_at_ref(cells, ref["label"], ref["row"], ref["col"])[:1] if ref else []


def sentence_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quoted sentence (or its first characters) stands in the text, to the end of its sentence."""
    quote = quote.strip()
    start = text.find(quote) if quote else -1
    if start < 0:
        return None
    end = start + len(quote)
    while end < len(text) and text[end - 1] not in _SENTENCE_END and text[end] not in _SENTENCE_END:
        end += 1
    return start, end


def number_span(text: str, span: tuple[int, int], value: float) -> tuple[int, int] | None:
    """The numeral inside `span` whose value (with or without its 万/亿) is `value`."""
    for match in _NUMBER.finditer(text, span[0], span[1]):
        base = parse_number(match["num"])
        if base is None:
            continue
        readings = (base, base * _MAGNITUDE.get(match["mag"] or "", 1.0))
        if any(abs(reading - value) < 1e-6 for reading in readings):
            return match.start(), match.end()
    return None


def fact_targets(fact: Row, text: str, cells: Sequence[Row]) -> Targets:
    """A fact's cell (table facts) or sentence (prose facts)."""
    found = fact_cells(fact, cells)
    if found:
        return Targets(cells={cell_key(c) for c in found})
    span = sentence_span(text, fact["evidence"] or "") if fact["method"] != "table" else None
    return Targets(spans={span} if span else set())


def _identity_cells(cells: Sequence[Row], rule_id: str, subject: re.Match[str]) -> set[CellKey]:
    """The cells of the row (or column) a table identity was checked in that the identity adds up."""
    keys = {k for i in IDENTITIES if i.id == subject["id"] and i.rule_id == rule_id for k in (*i.left, *i.right)}
    along, across = ("row_key", "col_key") if subject["axis"] == "row" else ("col_key", "row_key")
    return {cell_key(c) for c in cells if c[along] == subject["key"] and c[across] in keys}


def finding_targets(finding: Row, text: str, cells: Sequence[Row], facts: Sequence[Row],
                    fields: Collection[str] = ()) -> Targets:
    """The cells and sentences a finding names: cell references and quoted sentences in its detail,
    the table row or column its subject is, the facts it names by key, or the metadata field (of
    `fields`) its subject is."""
    subject, detail = finding["subject"], finding["detail"]
    named_tables = set(_TABLE_KEY.findall(f"{finding['rule_id']} {subject} {detail}"))
    scope = [c for c in cells if c["table_key"] in named_tables] or list(cells)
    targets = Targets()
    for ref in _CELL_REF.finditer(f"{subject} {detail}"):
        targets.cells |= {cell_key(c) for c in cells_at_ref(cells, ref["label"], ref["row"], ref["col"])}
    for quote in _QUOTED.finditer(detail):
        span = sentence_span(text, quote[1] or quote[2])
        if span:
            targets.spans.add(span)
    column, row = _SUBJECT_COLUMN.search(subject), _SUBJECT_ROW.match(subject)
    if identity := _SUBJECT_IDENTITY.match(subject):  # a declared identity (identities.py) in one row or column
        targets.cells |= _identity_cells(scope, finding["rule_id"], identity)
    elif column:
        targets.cells |= {cell_key(c) for c in scope if c["col_key"] == column[1]}
    elif row:
        targets.cells |= {cell_key(c) for c in scope if c["row_key"] == row[1]}
    else:  # a block of columns (table4 'review') or a row named by its key
        targets.cells |= {cell_key(c) for c in scope if (c["col_key"] and c["col_key"].startswith(subject + "_"))
                          or c["row_key"] == subject}
    if subject in fields:
        targets.fields.add(subject)
    by_key = {f["fact_key"]: f for f in facts}
    for word in {subject, *_WORD.findall(detail)} & by_key.keys():
        targets.add(fact_targets(by_key[word], text, cells))
    return targets
