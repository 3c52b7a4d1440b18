"""What every stage's Dagster wiring shares (each stage's assets and checks live in its package's
defs.py): owners, the report-year partitions, table metadata and previews. Each asset is named after
the warehouse table it writes (data_contract.md). The per-document assets are partitioned by report
year (see partitions.py); a run for one or several years rewrites exactly those years' rows in one
transaction per table. The catalog and the rollups are unpartitioned."""

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from gov_pipeline.partitions import year_keys
from gov_pipeline.stage_runner import StageStats
from gov_pipeline.warehouse.store import TABLES

# backfill_policy is Beta in Dagster 1.13: the warning says nothing to a user of the pipeline
warnings.filterwarnings("ignore", category=dg.BetaWarning)

OWNERS = ["team:gov_pipeline"]
report_years = dg.StaticPartitionsDefinition(year_keys())
# one run can process any set of years at once (a full run, or a backfill of a range)
ONE_RUN = dg.BackfillPolicy.single_run()
PREVIEW_ROWS = 10


def table_metadata(conn: duckdb.DuckDBPyConnection, table: str, stats: StageStats,
                   partitions: Sequence[str] | None = None) -> dict[str, Any]:
    counted = conn.execute(f'select count(*) from "{table}"').fetchone()
    rows = counted[0] if counted else 0
    schema = dg.TableSchema(columns=[dg.TableColumn(c.name, str(c.dtype), description=c.description)
                                     for c in TABLES[table].columns])
    metadata: dict[str, Any] = {"dagster/row_count": rows, "dagster/column_schema": schema,
                                   **{f"count/{key}": value for key, value in sorted(stats.counts.items())}}
    if partitions is not None:
        metadata["partitions_written"] = ", ".join(partitions)
    if table in PREVIEWS:
        metadata["preview"] = preview(conn, table)
    return metadata


# the columns a person reads first, per table previewed in the UI (first rows, in reading order)
PREVIEWS = {
    "reports": ("source_path, agency_name, report_year, template, status, status_reason, warning_count", "source_path"),
    "report_facts": ("fact_key, value, unit, method, section_key, evidence", "doc_id, fact_key"),
    "near_duplicates": ("source_path, primary_path, sentence_containment, number_similarity", "source_path"),
    "compliance_scores": ("source_path, agency_name, report_year, rubric, score, coverage", "score desc, source_path"),
}
PREVIEW_CHARS = 80  # a preview cell longer than this is shortened (the table has the whole text)


def preview(conn: duckdb.DuckDBPyConnection, table: str) -> dg.MetadataValue:
    """The first rows of a table as markdown."""
    columns, order = PREVIEWS[table]
    cursor = conn.execute(f'select {columns} from "{table}" order by {order} limit {PREVIEW_ROWS}')
    names = [d[0] for d in cursor.description]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in cursor.fetchall():
        cells = ["" if v is None else str(v).replace("|", "/").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(c if len(c) <= PREVIEW_CHARS else c[:PREVIEW_CHARS] + "…" for c in cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def materialise_partitions(context: dg.AssetExecutionContext, warehouse: DuckDBResource, table: str,
                           build: Callable[[duckdb.DuckDBPyConnection, list[str]], StageStats],
                           ) -> dg.MaterializeResult:
    """A per-document stage asset: `build` over the run's report-year partitions, then the table's metadata."""
    partitions = partitions_of(context)
    with warehouse.get_connection() as conn:
        stats = build(conn, partitions)
        return dg.MaterializeResult(metadata=table_metadata(conn, table, stats, partitions))


def partitions_of(context: dg.AssetExecutionContext) -> list[str]:
    return list(context.partition_keys)
