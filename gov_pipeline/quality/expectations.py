"""The Great Expectations suite over the gated facts: what must hold of every report that reaches
scoring. It runs against the warehouse (a DuckDB query feeds GX's pandas datasource, the route that
needs no patching) and its result is attached to the `reports` asset as check metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from gov_pipeline.domain.status import STATUSES
from gov_pipeline.quality.registry import BLOCKING_RULES, GATE_PARAMETERS

SUITE_NAME = "reports_gate"


def gated_query() -> str:
    """One row per input file and one column per blocking rule (registry.Rule.gate): for a scored
    report, how many of its facts break the rule; NULL for the others, so the suite looks at exactly
    the set that scoring reads."""
    columns = ",\n    ".join(f"case when r.status = 'scored' then {rule.gate} end as {rule.id}"
                              for rule in BLOCKING_RULES)
    return f"""
select r.doc_id, r.source_path, r.status,
    {columns}
from reports r
left join report_facts f on f.doc_id = r.doc_id
group by r.doc_id, r.source_path, r.status, r.report_year, r.publish_date
"""


@dataclass(frozen=True)
class SuiteResult:
    success: bool
    results: list[dict[str, Any]]  # one per expectation
    rows: int

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r["success"]]


def _suite() -> Any:
    """The table's contract (every file once, with a known status), then each blocking rule's gate at 0."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name=SUITE_NAME, expectations=[
        gxe.ExpectColumnValuesToNotBeNull(column="doc_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="source_path"),
        gxe.ExpectColumnValuesToNotBeNull(column="status"),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES)),
        gxe.ExpectColumnValuesToBeUnique(column="source_path"),
        *(gxe.ExpectColumnValuesToBeBetween(column=rule.id, min_value=0, max_value=0) for rule in BLOCKING_RULES),
    ])


def gated_frame(conn: duckdb.DuckDBPyConnection) -> Any:
    """The gated set (gated_query) as a pandas DataFrame, GX's datasource."""
    return conn.sql(gated_query(), params=GATE_PARAMETERS).df()


def validate_gated_facts(conn: duckdb.DuckDBPyConnection) -> SuiteResult:
    """Run the suite on the warehouse's current reports and facts."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    frame = gated_frame(conn)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (context.data_sources.add_pandas("warehouse").add_dataframe_asset("gated_facts")
             .add_batch_definition_whole_dataframe("all_rows").get_batch(batch_parameters={"dataframe": frame}))
    outcome = batch.validate(_suite())
    results = []
    for result in outcome.results:
        config = result.expectation_config
        column = config.kwargs.get("column")
        results.append({"expectation": config.type, "column": column, "success": bool(result.success),
                        "unexpected_count": result.result.get("unexpected_count", 0),
                        "examples": [str(v) for v in (result.result.get("partial_unexpected_list") or [])[:5]]})
    results.sort(key=lambda r: (r["expectation"], r["column"]))
    return SuiteResult(success=bool(outcome.success), results=results, rows=len(frame))
