"""The facts stage in Dagster: report_facts, and the check that every fact has its evidence."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.assets import ONE_RUN, OWNERS, materialise_partitions, report_years
from gov_pipeline.quality.checks import watch


@dg.asset(group_name="facts", kinds={"duckdb"}, owners=OWNERS, deps=["report_sections", "report_tables"],
          partitions_def=report_years, backfill_policy=ONE_RUN)
def report_facts(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every number the reports state, with evidence (sentence or table cell) and method."""
    return materialise_partitions(context, duckdb, "report_facts", pipeline.build_facts)



every_fact_has_evidence = watch("report_facts", "every_fact_has_evidence",
                                 "Every fact names the sentence or cell it came from and how it was read.", """
    select doc_id, fact_key from report_facts
    where evidence is null or trim(evidence) = '' or method not in ('prose', 'table')
""")


defs = dg.Definitions(assets=[report_facts], asset_checks=[every_fact_has_evidence])
