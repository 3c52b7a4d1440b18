"""The ingest stage in Dagster: the raw_documents catalog."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.assets import OWNERS, table_metadata
from gov_pipeline.warehouse.resources import RawFolder


@dg.asset(group_name="ingest", kinds={"duckdb"}, owners=OWNERS, deps=["fetched_pages"])
def raw_documents(duckdb: DuckDBResource, raw_folder: RawFolder) -> dg.MaterializeResult:
    """Catalog of the raw folder: every file fingerprinted (sha256), its content type and encoding, and
    the report-year partition its first lines name."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_raw_documents(conn, raw_folder.root)
        by_year = dict(conn.execute("select partition_key, count(*) from raw_documents group by 1 order by 1"
                                    ).fetchall())
        return dg.MaterializeResult(metadata=table_metadata(conn, "raw_documents", stats)
                                    | {"files_by_partition": dg.MetadataValue.json(by_year)})


defs = dg.Definitions(assets=[raw_documents], asset_checks=[])
