"""The per-document pass in Dagster: one step reads every file of the run's report years once and
writes cleaned_documents, report_sections, report_tables, report_facts and dq_checks (each asset
kept in its stage's group, so the lineage reads as before), with fact_checks and document_failures
beside them. One pass instead of one step per stage: no stage's rows are written to the warehouse
only to be read back by the next (pipeline.build_documents)."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.assets import ONE_RUN, OWNERS, partitions_of, report_years, table_metadata
from gov_pipeline.warehouse.resources import RawFolder
from gov_pipeline.workers import release_workers


def _spec(table: str, group: str, deps: list[str], description: str) -> dg.AssetSpec:
    return dg.AssetSpec(table, group_name=group, deps=deps, kinds={"duckdb"}, owners=OWNERS, description=description)


DOCUMENT_ASSETS = [
    _spec("cleaned_documents", "cleaning", ["raw_documents"],
          "Clean Simplified text, report metadata and a log of removed noise, per decodable document."),
    _spec("report_sections", "structure", ["cleaned_documents"],
          "Sections of each report with canonical section keys."),
    _spec("report_tables", "structure", ["cleaned_documents"],
          "Statistics-table cells mapped to the template's rows and columns."),
    _spec("report_facts", "facts", ["report_sections", "report_tables"],
          "Every number the reports state, with evidence (sentence or table cell) and method."),
    _spec("dq_checks", "quality", ["report_facts", "report_tables"],
          "Every single-report data-quality rule applied to every subject of every report, passed or not."),
]


@dg.multi_asset(specs=DOCUMENT_ASSETS, partitions_def=report_years, backfill_policy=ONE_RUN)
def report_documents(context: dg.AssetExecutionContext, duckdb: DuckDBResource,
                     raw_folder: RawFolder) -> Iterator[dg.MaterializeResult]:
    partitions = partitions_of(context)
    with duckdb.get_connection() as conn:
        stats = pipeline.build_documents(conn, raw_folder.root, partitions)
        release_workers()  # the run's last per-document step: the workers' memory goes to dbt
        for spec in DOCUMENT_ASSETS:
            table = spec.key.to_user_string()
            yield dg.MaterializeResult(asset_key=spec.key, metadata=table_metadata(conn, table, stats, partitions))


defs = dg.Definitions(assets=[report_documents])
