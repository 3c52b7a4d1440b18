"""One order-independent checksum per warehouse table, to show a refactoring left the rows alone.

    .venv/bin/python benchmarks/table_checksums.py WAREHOUSE.duckdb            # table, rows, checksum
    .venv/bin/python benchmarks/table_checksums.py BEFORE.duckdb AFTER.duckdb  # tables that differ, rows

A table's checksum is the sum of the hashes of its rows (so row order does not matter), taken over
every column except the volatile ones listed in VOLATILE (wall-clock times of a run). With two
warehouses it prints, for each table whose checksum differs, the rows only one side has."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

# columns whose value depends on when the run happened, not on the input
VOLATILE: dict[str, frozenset[str]] = {
    "raw_documents": frozenset({"ingested_at"}),
    "fetch_log": frozenset({"fetched_at"}),
}
SHOW_ROWS = 12  # differing rows printed per table and side


def tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by 1").fetchall()]


def stable_columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    columns = [name for (name,) in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
        "order by ordinal_position", [table]).fetchall()]
    return [c for c in columns if c not in VOLATILE.get(table, frozenset())]


def select_list(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def checksum(conn: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """(row count, sum of row hashes modulo 2**64) over the table's stable columns."""
    row = conn.execute(f'select count(*), coalesce(sum(hash({select_list(stable_columns(conn, table))})::hugeint) '
                       f'% 18446744073709551616, 0) from "{table}"').fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return {table: checksum(conn, table) for table in tables(conn)}


def differing_rows(before: Path, after: Path, table: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Rows only the before warehouse has, and rows only the after one has (stable columns)."""
    with duckdb.connect(":memory:") as conn:
        conn.execute(f"attach '{before}' as b (read_only)")
        conn.execute(f"attach '{after}' as a (read_only)")
        conn.execute("use b")
        columns = select_list(stable_columns(conn, table))
        only_before = conn.execute(f'select {columns} from b."{table}" except all select {columns} from a."{table}"'
                                   ).fetchall()
        only_after = conn.execute(f'select {columns} from a."{table}" except all select {columns} from b."{table}"'
                                  ).fetchall()
    return only_before, only_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("other", type=Path, nargs="?", help="a second warehouse to compare with")
    args = parser.parse_args()
    first = checksums(args.warehouse)
    if args.other is None:
        for table, (rows, total) in first.items():
            print(f"{table:32} {rows:8} {total:020d}")
        return
    second = checksums(args.other)
    for table in sorted(first.keys() | second.keys()):
        if table not in first or table not in second:
            print(f"{table}: only in {'before' if table in first else 'after'}")
        elif first[table] == second[table]:
            print(f"{table:32} same ({first[table][0]} rows)")
        else:
            only_before, only_after = differing_rows(args.warehouse, args.other, table)
            print(f"{table:32} DIFFERS: {len(only_before)} rows only before, {len(only_after)} only after")
            for side, rows in (("-", only_before), ("+", only_after)):
                for row in rows[:SHOW_ROWS]:
                    print(f"  {side} {str(row)[:240]}")


if __name__ == "__main__":
    main()
