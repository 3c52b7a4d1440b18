"""The cleaning stage in Dagster: cleaned_documents, and the check that no markup survives."""

import dagster as dg
import duckdb as duckdb_
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.assets import ONE_RUN, OWNERS, materialise_partitions, report_years
from gov_pipeline.quality.checks import watch
from gov_pipeline.stage_runner import StageStats
from gov_pipeline.warehouse.resources import RawFolder


@dg.asset(group_name="cleaning", kinds={"duckdb"}, owners=OWNERS, deps=["raw_documents"], partitions_def=report_years,
          backfill_policy=ONE_RUN)
def cleaned_documents(context: dg.AssetExecutionContext, duckdb: DuckDBResource,
                      raw_folder: RawFolder) -> dg.MaterializeResult:
    """Clean Simplified text, report metadata and a log of removed noise, per decodable document."""
    def build(conn: duckdb_.DuckDBPyConnection, partitions: list[str]) -> StageStats:
        return pipeline.build_cleaned_documents(conn, raw_folder.root, partitions)

    return materialise_partitions(context, duckdb, "cleaned_documents", build)



no_html_residue = watch("cleaned_documents", "no_html_residue", "Cleaned text holds no tags, comments or entities.",
                        r"""
    select doc_id, regexp_extract(text, '(<[A-Za-z/!?][^>]{0,40}>|&[a-z]{2,6};|&#[0-9]{2,6};)')
    from cleaned_documents
    where regexp_matches(text, '<[A-Za-z/!?][^>]{0,40}>|&[a-z]{2,6};|&#[0-9]{2,6};')
""")


defs = dg.Definitions(assets=[cleaned_documents], asset_checks=[no_html_residue])
