"""Asset checks. The blocking ones are the gate in front of scoring: they re-derive the blocking
rules from the facts of the reports marked `scored`, so a report that breaks one can never reach
the dbt scoring models, whatever went wrong upstream."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

EXAMPLES = 5


def _gate(duckdb: DuckDBResource, query: str, what: str) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        rows = conn.execute(query).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        metadata={"violating_scored_reports": len(rows), "examples": dg.MetadataValue.json(
            [{"doc_id": r[0], "detail": r[1]} for r in rows[:EXAMPLES]]), "rule": what},
    )


@dg.asset_check(asset="reports", blocking=True)
def count_non_negative(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """No scored report states a negative count (2019 本年增/减 columns excepted)."""
    return _gate(duckdb, """
        select f.doc_id, f.fact_key || ' = ' || f.value
        from report_facts f join reports r on r.doc_id = f.doc_id and r.status = 'scored'
        where f.value < 0 and f.fact_key not like '%\\_change' escape '\\'
    """, "count_non_negative")


@dg.asset_check(asset="reports", blocking=True)
def completed_le_received(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """No scored report answered more requests than it received plus carried over."""
    return _gate(duckdb, """
        with f as (
            select doc_id,
                max(value) filter (where fact_key = 'requests_completed') as completed,
                max(value) filter (where fact_key = 'requests_received') as received,
                coalesce(max(value) filter (where fact_key = 'requests_carried_over'), 0) as carried
            from report_facts group by doc_id
        )
        select f.doc_id, 'completed ' || completed || ' > received ' || received || ' + carried over ' || carried
        from f join reports r on r.doc_id = f.doc_id and r.status = 'scored'
        where completed > received + carried
    """, "completed_le_received")


@dg.asset_check(asset="reports", blocking=True)
def year_plausible(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """No scored report claims a year before 2008, after this year, or after its own publication."""
    return _gate(duckdb, """
        select doc_id, 'report year ' || report_year || ', published ' || coalesce(publish_date::varchar, '?')
        from reports
        where status = 'scored' and (report_year < 2008 or report_year > year(current_date)
              or report_year > year(publish_date))
    """, "year_plausible")


BLOCKING_CHECKS = [count_non_negative, completed_le_received, year_plausible]
