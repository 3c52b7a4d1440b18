"""The identities between the cells of the statistics tables (domain.md §3.1, P-1), declared once.

Every consumer derives from these declarations: the digit-run solver (row identities, as index
constraints), the mapper choosing between readings of ambiguous rows (column identities), the rule
that reads blank cells as 0, and the data-quality rules (each identity names its rule id)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from gov_pipeline.domain.template import (
    LEGACY_CHANNEL_ROWS,
    ORG_COLUMNS,
    TABLE3_APPLICANT_COLUMNS,
    TABLE3_COLUMNS,
    TABLE3_GROUP_LABELS,
    TABLE3_GROUPS,
    TABLE3_OUTCOME_ROWS,
    TABLE3_ROWS,
    TABLE4_BLOCKS,
    TABLE4_OUTCOMES,
)

Grid = Mapping[str, Mapping[str, "float | None"]]  # row key -> column key -> value (None: not read)


@dataclass(frozen=True)
class Identity:
    """sum(left) == sum(right), holding in every row (axis 'row': the keys are columns) or in every
    column (axis 'column': the keys are rows) of one table."""

    id: str  # domain.md's name: T3-A, T3-B, T3-C, T3-D, T4-A, P-1
    rule_id: str  # the DQ rule that reports a break
    table_key: str
    axis: str  # row | column
    left: tuple[str, ...]
    right: tuple[str, ...]
    # right-hand keys absent from the layout are dropped (2019 has one （六） row, 2021 three; a
    # subtotal row lists the members present); at least one must be present
    optional_right: bool = False
    along: tuple[str, ...] | None = None  # the rows (or columns) it holds in; None: every one present
    wording: str = ""

    def sums_to_total(self) -> bool:
        """left is one total cell and right its parts: the form the digit-run solver prunes with."""
        return len(self.left) == 1 and not self.optional_right


@dataclass(frozen=True)
class Instance:
    """One identity applied to one row or column of one table: the values it compared."""

    identity: Identity
    subject: str  # the row or column key it holds in
    left: float
    right: float

    @property
    def holds(self) -> bool:
        return abs(self.left - self.right) < 1e-6


_T3_ROW_KEYS = tuple(spec.key for spec in TABLE3_ROWS) + tuple(spec.key for spec in TABLE3_GROUP_LABELS)
SUBTOTAL_ROW_OF_GROUP = {"outcome_refused": "refused_subtotal", "outcome_unable_to_provide": "unable_subtotal",
                         "outcome_not_processed": "not_processed_subtotal", "outcome_other": "other_group"}

IDENTITIES: tuple[Identity, ...] = (
    Identity("T3-A", "table3_balance", "table3", "column", ("received", "carried_over"), ("total", "carried_forward"),
             along=TABLE3_COLUMNS, wording="received + carried over = handled (七)总计 + carried forward"),
    Identity("T3-B", "outcomes_sum", "table3", "column", ("total",), TABLE3_OUTCOME_ROWS, optional_right=True,
             along=TABLE3_COLUMNS, wording="(七)总计 = outcome rows (一)..(六)"),
    *(Identity("T3-D", "refusal_reasons_sum" if group == "outcome_refused" else "outcomes_sum", "table3", "column",
               (SUBTOTAL_ROW_OF_GROUP[group],), members, optional_right=True, along=TABLE3_COLUMNS,
               wording=f"subtotal row of {group} = its rows")
      for group, members in TABLE3_GROUPS),
    Identity("T3-C", "table3_row_totals", "table3", "row", ("total",), TABLE3_APPLICANT_COLUMNS,
             along=_T3_ROW_KEYS, wording="总计 = 自然人 + the five organisation columns"),
    Identity("T3-D", "table3_row_totals", "table3", "row", ("org_subtotal",), ORG_COLUMNS,
             along=_T3_ROW_KEYS, wording="法人或其他组织小计 = the five organisation columns"),
    *(Identity("T4-A", "review_sum" if block == "review" else "litigation_sum", "table4", "row",
               (f"{block}_total",), tuple(f"{block}_{o}" for o in TABLE4_OUTCOMES[:-1]),
               wording=f"{block}: 总计 = 维持 + 纠正 + 其他 + 尚未审结")
      for block in TABLE4_BLOCKS),
    Identity("P-1", "legacy_channels_sum", "other", "column", ("requests_total",), LEGACY_CHANNEL_ROWS,
             optional_right=True, along=("year",), wording="申请总数 = the request channels"),
)


@cache  # a handful of (table, axis) pairs, asked for every table read and every solver step
def of_table(table_key: str, axis: str | None = None) -> tuple[Identity, ...]:
    return tuple(i for i in IDENTITIES if i.table_key == table_key and (axis is None or i.axis == axis))


def _value(grid: Grid, identity: Identity, subject: str, key: str) -> tuple[bool, float | None]:
    """(present in the layout, value) of one member key of an identity in one row/column."""
    row, col = (subject, key) if identity.axis == "row" else (key, subject)
    if row not in grid:
        return False, None
    values = grid[row]
    if identity.axis == "row" and col not in values:
        return False, None
    return True, values.get(col)


def _subjects(grid: Grid, identity: Identity) -> Sequence[str]:
    if identity.axis == "row":
        return [row for row in grid if identity.along is None or row in identity.along]
    columns = dict.fromkeys(col for values in grid.values() for col in values)
    return [col for col in columns if identity.along is None or col in identity.along]


def instances(grid: Grid, identities: Sequence[Identity]) -> Iterator[Instance]:
    """Every identity instance whose cells were all read (a cell the layout lacks, or one not read,
    leaves the instance undetermined and it is skipped)."""
    for identity in identities:
        for subject in _subjects(grid, identity):
            sides: list[float] = []
            for keys, optional in ((identity.left, False), (identity.right, identity.optional_right)):
                read = [_value(grid, identity, subject, key) for key in keys]
                if optional:
                    read = [r for r in read if r[0]]
                if not read or any(value is None for _, value in read):
                    break
                sides.append(sum(value for _, value in read))  # type: ignore[misc]
            else:
                yield Instance(identity, subject, sides[0], sides[1])


def consistent(grid: Grid, identities: Sequence[Identity]) -> bool:
    """No determined instance of the identities is broken."""
    return all(instance.holds for instance in instances(grid, identities))


@dataclass(frozen=True)
class RowSums:
    """A table row's identities as column positions: value[total] == sum(value[parts])."""

    width: int
    sums: tuple[tuple[int, tuple[int, ...]], ...] = ()
    at_least: tuple[tuple[int, int], ...] = ()  # value[a] >= value[b] (legacy 历年累计 >= 本年度)
    repeat: int = 1  # the sums hold in each of `repeat` consecutive groups of `width` values


def row_sums(table_key: str, columns: Sequence[str]) -> RowSums:
    """The row identities of a table laid out with these columns, as positions for the solver."""
    index = {key: i for i, key in enumerate(columns)}
    sums = [(index[i.left[0]], tuple(index[k] for k in i.right))
            for i in of_table(table_key, "row")
            if i.sums_to_total() and i.left[0] in index and all(k in index for k in i.right)]
    # a sum nested in another gives a third: 总计 = 自然人 + 小计 (the solver learns 自然人 early)
    nested = [(outer, tuple(sorted(set(outer_parts) - set(inner_parts) | {inner})))
              for outer, outer_parts in sums for inner, inner_parts in sums
              if inner != outer and set(inner_parts) < set(outer_parts)]
    return RowSums(len(columns), tuple(sums + nested))
