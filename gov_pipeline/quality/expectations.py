"""The Great Expectations suite over the gated facts: what must hold of every report that reaches
scoring. It runs against the warehouse (a DuckDB query feeds GX's pandas datasource, the route that
needs no patching) and its result is attached to the `reports` asset as check metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from gov_pipeline.quality.rules import SIGNED_FACT_SUFFIX, implausible_sql

STATUSES = ("scored", "quarantined", "needs_review", "not_a_report", "unreadable", "duplicate", "pending")
SUITE_NAME = "reports_gate"

# One row per input file; fact columns are filled for scored reports only, so the count expectations
# look at exactly the set that scoring reads.
GATED_FACTS_QUERY = f"""
select
    r.doc_id, r.source_path, r.status,
    case when r.status = 'scored' then f.min_count end as min_count,
    case when r.status = 'scored' then f.completed end as requests_completed,
    case when r.status = 'scored' then f.received + coalesce(f.carried_over, 0) end as received_plus_carried_over,
    case when r.status = 'scored' then coalesce(f.implausible, 0) end as implausible_values
from reports r
left join (
    select doc_id,
        min(value) filter (where not suffix(fact_key, '{SIGNED_FACT_SUFFIX}')) as min_count,
        max(value) filter (where fact_key = 'requests_completed') as completed,
        max(value) filter (where fact_key = 'requests_received') as received,
        max(value) filter (where fact_key = 'requests_carried_over') as carried_over,
        count(*) filter (where {implausible_sql()}) as implausible
    from report_facts group by doc_id
) f on f.doc_id = r.doc_id
"""


@dataclass(frozen=True)
class SuiteResult:
    success: bool
    results: list[dict[str, Any]]  # one per expectation
    rows: int

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r["success"]]


def _suite():
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name=SUITE_NAME, expectations=[
        gxe.ExpectColumnValuesToNotBeNull(column="doc_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="source_path"),
        gxe.ExpectColumnValuesToNotBeNull(column="status"),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES)),
        gxe.ExpectColumnValuesToBeUnique(column="source_path"),
        gxe.ExpectColumnValuesToBeBetween(column="min_count", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="implausible_values", min_value=0, max_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="received_plus_carried_over", column_B="requests_completed", or_equal=True,
            ignore_row_if="either_value_is_missing"),
    ])


def validate_gated_facts(conn: duckdb.DuckDBPyConnection) -> SuiteResult:
    """Run the suite on the warehouse's current reports and facts."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    frame = conn.sql(GATED_FACTS_QUERY).df()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (context.data_sources.add_pandas("warehouse").add_dataframe_asset("gated_facts")
             .add_batch_definition_whole_dataframe("all_rows").get_batch(batch_parameters={"dataframe": frame}))
    outcome = batch.validate(_suite())
    results = []
    for result in outcome.results:
        config = result.expectation_config
        column = config.kwargs.get("column") or f"{config.kwargs.get('column_A')} >= {config.kwargs.get('column_B')}"
        results.append({"expectation": config.type, "column": column, "success": bool(result.success),
                        "unexpected_count": result.result.get("unexpected_count", 0),
                        "examples": [str(v) for v in (result.result.get("partial_unexpected_list") or [])[:5]]})
    results.sort(key=lambda r: (r["expectation"], r["column"]))
    return SuiteResult(success=bool(outcome.success), results=results, rows=len(frame))
