"""Stage 4b, report_facts from the tables: mapped cells become facts under the template's keys.

Each fact keeps its cell (table, row and column index, the row label as printed and the column's
template label) and evidence that reads like the document ('表三 （七）总计 / 总计: 105'). Blank
cells and tokens such as '/', '—', '无' count as 0 only where a declared identity then holds, and a
blank 总计 column is derived from the applicant columns only when the table's column identities
hold in every applicant column (domain.md §3.2); otherwise they stay unknown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gov_pipeline.domain.identities import SUBTOTAL_ROW_OF_GROUP, Identity, instances, of_table
from gov_pipeline.domain.numbers import NO_VALUE_TOKENS
from gov_pipeline.domain.records import Fact, TableCell
from gov_pipeline.domain.template import (
    APPLICANT_SUFFIX,
    CUMULATIVE_SUFFIX,
    LEGACY_ROWS,
    TABLE3_APPLICANT_COLUMNS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE_NAMES,
    column_label,
    row_label,
)

BLANK_TOKENS = ("", *NO_VALUE_TOKENS)
"""A cell that states no number: empty or a no-value mark (never a digit run's unsplit cell)."""
Cells = dict[str, dict[str, TableCell]]  # row key -> column key -> cell


def _is_blank(cell: TableCell) -> bool:
    return cell.value is None and cell.text.strip() in BLANK_TOKENS


def _printed_row_labels(cells: Sequence[TableCell]) -> dict[tuple[str, str], str]:
    """(table, row key) -> the row's label as the document prints it (its label cell)."""
    return {(c.table_key, c.row_key): c.text for c in cells if c.col_idx == 0 and c.row_key and c.text.strip()}


def _blanks_as_zero(rows: Cells, identity: Identity) -> None:
    """In every row where the identity's total is a number, its parts numbers or blanks, and the
    numbers alone add up to the total: the blanks are 0."""
    for by_col in rows.values():
        total = by_col.get(identity.left[0])
        parts = [by_col.get(col) for col in identity.right]
        if total is None or total.value is None or any(p is None for p in parts):
            continue
        blanks = [p for p in parts if p is not None and _is_blank(p)]
        if blanks and all(p is not None and (p.value is not None or _is_blank(p)) for p in parts) and \
                sum(p.value or 0.0 for p in parts if p is not None) == total.value:
            for cell in blanks:
                by_col[cell.col_key] = replace(  # type: ignore[index]
                    cell, value=0.0, note=f"'{cell.text}' read as 0: {identity.wording} holds in its row")


def _derive_blank_totals(rows: Cells) -> None:
    """Table 3 rows printed with a blank 总计 (a whole blank column on some 2019-layout pages, one
    cell on others): the total is the sum of the row's applicant columns, kept only when the 总计
    column's identities (T3-A, T3-B) are then determined for every derived row and all hold. A blank
    applicant cell in such a row counts as 0 only when its column's identities then hold."""
    blank_total = [row for row, by_col in rows.items() if "total" in by_col and _is_blank(by_col["total"])]
    if not blank_total:
        return
    columns = of_table("table3", "column")
    zero_in: set[str] = set()
    for col in TABLE3_APPLICANT_COLUMNS:
        if any(col in rows[row] and _is_blank(rows[row][col]) for row in blank_total):
            read = list(instances({row: {col: by_col[col].value if col in by_col and not _is_blank(by_col[col])
                                         else (0.0 if col in by_col else None)} for row, by_col in rows.items()},
                                  columns))
            if any(i.identity.id == "T3-A" for i in read) and all(i.holds for i in read):
                zero_in.add(col)

    def value(by_col: dict[str, TableCell], col: str) -> float | None:
        cell = by_col.get(col)
        if cell is None:
            return None
        return 0.0 if cell.value is None and _is_blank(cell) and col in zero_in else cell.value

    derived = {}
    for row in blank_total:
        parts = [value(rows[row], col) for col in TABLE3_APPLICANT_COLUMNS]
        if None not in parts:
            derived[row] = sum(parts)  # type: ignore[arg-type]
    grid = {row: {"total": derived.get(row, by_col["total"].value if "total" in by_col else None)}
            for row, by_col in rows.items()}
    read = list(instances(grid, columns))
    covered = {row for i in read for row in (*i.identity.left, *i.identity.right)}
    if not derived or not all(i.holds for i in read) or not set(derived) <= covered:
        return
    for row, total in derived.items():
        by_col = rows[row]
        for col in TABLE3_APPLICANT_COLUMNS:
            if by_col[col].value is None:
                by_col[col] = replace(by_col[col], value=0.0, note=f"'{by_col[col].text}' read as 0: the column's "
                                                                    "identities (T3-A, T3-B) hold")
        by_col["total"] = replace(by_col["total"], value=total,
                                  note="总计 left blank: the sum of the applicant columns, confirmed by the 总计 "
                                       "column's identities (T3-A, T3-B)")


def read_tables(cells: Sequence[TableCell]) -> dict[str, Cells]:
    """Per table, its mapped cells by row and column, blanks read as 0 and a blank 总计 column
    derived where the declared identities allow it (each such cell says so in its note)."""
    tables: dict[str, Cells] = {}
    for cell in cells:
        if cell.row_key and cell.col_key:
            tables.setdefault(cell.table_key, {}).setdefault(cell.row_key, {})[cell.col_key] = cell
    for table_key, rows in tables.items():
        for identity in of_table(table_key, "row"):
            if identity.sums_to_total():
                _blanks_as_zero(rows, identity)
    if "table3" in tables:
        _derive_blank_totals(tables["table3"])
    return tables


def _fact(doc_id: str, key: str, value: float, unit: str, section: str, cell: TableCell | None, evidence: str,
          row_text: str | None = None, col_text: str | None = None, table_key: str | None = None) -> Fact:
    if cell is None:
        return Fact(doc_id, key, value, unit, section, evidence, "table", table_key=table_key,
                    row_label=row_text, col_label=col_text)
    return Fact(doc_id, key, value, unit, section, evidence, "table", table_key=cell.table_key,
                row_idx=cell.row_idx, col_idx=cell.col_idx, row_label=row_text, col_label=col_text, page=cell.page)


def extract_table_facts(doc_id: str, cells: Sequence[TableCell], template: str = "2021") -> list[Fact]:
    """Facts from a report's mapped table cells, each with its cell and evidence in the document's words."""
    printed = _printed_row_labels(cells)
    facts: list[Fact] = []

    def labels(cell: TableCell) -> tuple[str, str]:
        row = printed.get((cell.table_key, cell.row_key)) or row_label(cell.table_key, cell.row_key or "", template)  # type: ignore[arg-type]
        return row, column_label(cell.table_key, cell.col_key or "", template)

    def add(key: str, cell: TableCell, unit: str, section: str, why: str = "") -> None:
        row, col = labels(cell)
        note = f" ({cell.note})" if cell.note and ("read as 0" in cell.note or "left blank" in cell.note) else ""
        page = f" (p. {cell.page})" if cell.page else ""
        evidence = f"{TABLE_NAMES[cell.table_key]} {row} / {col}: {cell.text or '(blank)'}{note}{why}{page}"
        facts.append(_fact(doc_id, key, cell.value, unit, section, cell, evidence, row, col))  # type: ignore[arg-type]

    tables = read_tables(cells)
    table3, table4 = tables.get("table3", {}), tables.get("table4", {})

    row_facts = {spec.key: spec.fact for spec in TABLE3_ROWS}
    for row_key, by_col in table3.items():
        if row_key not in row_facts:
            continue
        for col_key, cell in by_col.items():
            if cell.value is not None and col_key in APPLICANT_SUFFIX:
                add(row_facts[row_key] + APPLICANT_SUFFIX[col_key], cell, "requests", "requests")  # type: ignore[operator]
    group_fact_of = {row: fact for fact, row in SUBTOTAL_ROW_OF_GROUP.items()}
    for identity in of_table("table3", "column"):  # an outcome group (T3-D): its subtotal row, or its rows' sum
        if identity.id != "T3-D":
            continue
        group_fact, subtotal = group_fact_of[identity.left[0]], table3.get(identity.left[0], {})
        present = [table3[m] for m in identity.right if m in table3]
        for col_key, suffix in APPLICANT_SUFFIX.items():
            subtotal_cell = subtotal.get(col_key)
            if subtotal_cell is not None and subtotal_cell.value is not None:
                add(group_fact + suffix, subtotal_cell, "requests", "requests", " (subtotal row)")
            elif present and all(col_key in row and row[col_key].value is not None for row in present):
                value = sum((row[col_key].value or 0.0 for row in present), 0.0)  # all present (checked above)
                group_label = row_label("table3", identity.left[0], template)
                col = column_label("table3", col_key, template)
                shown = " + ".join(f"{row[col_key].text or '0'}" for row in present)
                facts.append(_fact(doc_id, group_fact + suffix, value, "requests", "requests", None,
                                   f"表三 {group_label} / {col}: sum of its {len(present)} rows {shown} = {value:g}",
                                   group_label, col, "table3"))
    for col_key, cell in table3.get("total", {}).items():
        if cell.value is not None and col_key in APPLICANT_SUFFIX:
            add("requests_completed" + APPLICANT_SUFFIX[col_key], cell, "requests", "requests",
                " (（七）总计: requests handled)")

    for by_col in table4.values():
        for col_key, cell in by_col.items():
            if cell.value is not None:
                add(col_key, cell, "cases", "review_litigation")
        totals = [t for block in TABLE4_BLOCKS[1:] if (t := by_col.get(f"{block}_total")) and t.value is not None]
        if len(totals) == len(TABLE4_BLOCKS[1:]):
            value = sum((t.value or 0.0 for t in totals), 0.0)
            facts.append(_fact(doc_id, "litigation_total", value, "cases", "review_litigation", None,
                               f"表四 行政诉讼 / 总计: 未经复议直接起诉 {totals[0].text} + 复议后起诉 "
                               f"{totals[1].text} = {value:g}", "行政诉讼", "总计", "table4"))

    for by_col in tables.get("table2", {}).values():
        for cell in by_col.values():
            if cell.value is not None:
                add(cell.col_key, cell, "wan_yuan" if cell.col_key.endswith("wan_yuan") else "count",  # type: ignore[arg-type,union-attr]
                    "proactive")

    legacy_facts = {key: fact for key, _, fact in LEGACY_ROWS}
    for row_key, by_col in tables.get("other", {}).items():
        fact = legacy_facts.get(row_key)
        if fact is None:
            continue
        unit = "yuan" if fact.endswith("_yuan") else ("items" if fact.startswith("proactive") else "requests")
        for col_key, cell in by_col.items():
            if cell.value is not None and col_key in ("year", "cumulative"):
                add(fact + ("" if col_key == "year" else CUMULATIVE_SUFFIX), cell, unit, "statistics")
    return facts

