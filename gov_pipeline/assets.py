"""Dagster assets: thin wiring around the stage runners in pipeline.py. Each asset is named after the
warehouse table it writes (data_contract.md). The per-document assets are partitioned by report year
(see partitions.py); a run for one or several years rewrites exactly those years' rows in one
transaction per table. The catalog and the rollups are unpartitioned."""

import warnings
from collections.abc import Iterator, Sequence

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.partitions import year_keys
from gov_pipeline.warehouse.resources import RawFolder
from gov_pipeline.warehouse.store import TABLES

# backfill_policy is Beta in Dagster 1.13: the warning says nothing to a user of the pipeline
warnings.filterwarnings("ignore", category=dg.BetaWarning)

OWNERS = ["team:gov_pipeline"]
report_years = dg.StaticPartitionsDefinition(year_keys())
# one run can process any set of years at once (a full run, or a backfill of a range)
ONE_RUN = dg.BackfillPolicy.single_run()
PREVIEW_ROWS = 10


def table_metadata(conn: duckdb.DuckDBPyConnection, table: str, stats: pipeline.StageStats,
                   partitions: Sequence[str] | None = None) -> dict[str, object]:
    rows = conn.execute(f'select count(*) from "{table}"').fetchone()[0]
    schema = dg.TableSchema(columns=[dg.TableColumn(c.name, str(c.dtype), description=c.description)
                                     for c in TABLES[table].columns])
    metadata: dict[str, object] = {"dagster/row_count": rows, "dagster/column_schema": schema,
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


def _partitions(context: dg.AssetExecutionContext) -> list[str]:
    return list(context.partition_keys)


@dg.asset(group_name="ingest", kinds={"duckdb"}, owners=OWNERS, deps=["fetched_pages"])
def raw_documents(duckdb: DuckDBResource, raw_folder: RawFolder) -> dg.MaterializeResult:
    """Catalog of the raw folder: every file fingerprinted (sha256), its content type and encoding, and
    the report-year partition its first lines name."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_raw_documents(conn, raw_folder.root)
        by_year = dict(conn.execute("select partition_key, count(*) from raw_documents group by 1 order by 1").fetchall())
        return dg.MaterializeResult(metadata=table_metadata(conn, "raw_documents", stats)
                                    | {"files_by_partition": dg.MetadataValue.json(by_year)})


@dg.asset(group_name="cleaning", kinds={"duckdb"}, owners=OWNERS, deps=[raw_documents], partitions_def=report_years,
          backfill_policy=ONE_RUN)
def cleaned_documents(context: dg.AssetExecutionContext, duckdb: DuckDBResource,
                      raw_folder: RawFolder) -> dg.MaterializeResult:
    """Clean Simplified text, report metadata and a log of removed noise, per decodable document."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_cleaned_documents(conn, raw_folder.root, _partitions(context))
        return dg.MaterializeResult(metadata=table_metadata(conn, "cleaned_documents", stats, _partitions(context)))


@dg.multi_asset(
    group_name="structure",
    partitions_def=report_years,
    backfill_policy=ONE_RUN,
    specs=[
        dg.AssetSpec("report_sections", deps=[cleaned_documents], kinds={"duckdb"}, owners=OWNERS,
                     description="Sections of each report with canonical section keys."),
        dg.AssetSpec("report_tables", deps=[cleaned_documents], kinds={"duckdb"}, owners=OWNERS,
                     description="Statistics-table cells mapped to the template's rows and columns."),
    ],
)
def report_structure(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as conn:
        stats = pipeline.build_structure(conn, _partitions(context))
        for table in ("report_sections", "report_tables"):
            yield dg.MaterializeResult(asset_key=table, metadata=table_metadata(conn, table, stats, _partitions(context)))


@dg.asset(group_name="facts", kinds={"duckdb"}, owners=OWNERS, deps=["report_sections", "report_tables"],
          partitions_def=report_years, backfill_policy=ONE_RUN)
def report_facts(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every number the reports state, with evidence (sentence or table cell) and method."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_facts(conn, _partitions(context))
        return dg.MaterializeResult(metadata=table_metadata(conn, "report_facts", stats, _partitions(context)))


@dg.asset(group_name="quality", kinds={"duckdb"}, owners=OWNERS, deps=[report_facts, "report_tables"],
          partitions_def=report_years, backfill_policy=ONE_RUN)
def dq_checks(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every single-report data-quality rule applied to every subject of every report, passed or not."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_dq_checks(conn, _partitions(context))
        return dg.MaterializeResult(metadata=table_metadata(conn, "dq_checks", stats, _partitions(context)))


WORST_REPORTS = """
select r.source_path, left(r.doc_id, 12) as doc_id, r.status, r.blocking_count, r.warning_count,
       string_agg(distinct v.rule_id, ', ') as rules, left(any_value(v.detail), 100) as example
from reports r join dq_violations v using (doc_id)
group by all
order by r.blocking_count desc, r.warning_count desc, r.source_path
limit ?
"""


def _worst_reports_markdown(conn: duckdb.DuckDBPyConnection) -> str:
    """The reports with the most violations, each with the doc_id that finds all of them."""
    rows = conn.execute(WORST_REPORTS, [PREVIEW_ROWS]).fetchall()
    if not rows:
        return "no violations"
    lines = ["| file | doc_id | status | blocking | warnings | rules | example |", "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in rows]
    lines += ["", "A report's violations: `select * from dq_violations where doc_id like '<doc_id>%'`; "
              "its facts and their evidence: the same on `report_facts`."]
    return "\n".join(lines)


@dg.multi_asset(
    group_name="quality",
    specs=[
        dg.AssetSpec("dq_cross_year_checks", deps=[report_facts], kinds={"duckdb"}, owners=OWNERS,
                     description="Rules between an agency's consecutive reports, passed or not (all years)."),
        dg.AssetSpec("dq_violations", deps=[dq_checks, "dq_cross_year_checks"], kinds={"duckdb"}, owners=OWNERS,
                     description="Broken data-quality rules per report, blocking or warning (all years)."),
        dg.AssetSpec("near_duplicates", deps=[cleaned_documents, report_facts, "dq_violations"], kinds={"duckdb"},
                     owners=OWNERS, description="Reports that copy another (another format, or reposted), each "
                                                "naming the one kept; status duplicate in reports (all years)."),
        dg.AssetSpec("reports", deps=[raw_documents, cleaned_documents, dq_checks, "dq_violations", "near_duplicates"],
                     kinds={"duckdb"}, owners=OWNERS, description="One row per input file with its status and reason (all years)."),
    ],
)
def report_quality(duckdb: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as conn:
        stats = pipeline.build_reports(conn)
        worst_reports = dg.MetadataValue.md(_worst_reports_markdown(conn))
        yield dg.MaterializeResult(asset_key="dq_cross_year_checks",
                                   metadata=table_metadata(conn, "dq_cross_year_checks", stats))
        yield dg.MaterializeResult(asset_key="dq_violations", metadata=table_metadata(conn, "dq_violations", stats)
                                   | {"worst_reports": worst_reports})
        yield dg.MaterializeResult(asset_key="near_duplicates", metadata=table_metadata(conn, "near_duplicates", stats))
        by_status = dict(conn.execute("select status, count(*) from reports group by 1 order by 2 desc").fetchall())
        yield dg.MaterializeResult(asset_key="reports", metadata=table_metadata(conn, "reports", stats)
                                   | {"reports_by_status": dg.MetadataValue.json(by_status),
                                      "worst_reports": worst_reports})
