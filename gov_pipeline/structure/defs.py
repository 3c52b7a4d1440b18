"""The structure stage in Dagster: report_sections and report_tables, and the check that every report has sections."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.assets import ONE_RUN, OWNERS, partitions_of, report_years, table_metadata
from gov_pipeline.quality.checks import watch


@dg.multi_asset(
    group_name="structure",
    partitions_def=report_years,
    backfill_policy=ONE_RUN,
    specs=[
        dg.AssetSpec("report_sections", deps=["cleaned_documents"], kinds={"duckdb"}, owners=OWNERS,
                     description="Sections of each report with canonical section keys."),
        dg.AssetSpec("report_tables", deps=["cleaned_documents"], kinds={"duckdb"}, owners=OWNERS,
                     description="Statistics-table cells mapped to the template's rows and columns."),
    ],
)
def report_structure(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as conn:
        stats = pipeline.build_structure(conn, partitions_of(context))
        for table in ("report_sections", "report_tables"):
            yield dg.MaterializeResult(asset_key=table,
                                       metadata=table_metadata(conn, table, stats, partitions_of(context)))



every_report_has_sections = watch("report_sections", "every_report_has_sections",
                                   "Every annual report is split into at least one headed section.", """
    select c.doc_id, 'no headed section in ' || coalesce(c.title, '?')
    from cleaned_documents c
    where c.is_annual_report
      and not exists (select 1 from report_sections s where s.doc_id = c.doc_id and s.ordinal > 0)
""")


defs = dg.Definitions(assets=[report_structure], asset_checks=[every_report_has_sections])
