"""Dagster assets: thin wiring around the stage runners in pipeline.py. Each asset is named after the
warehouse table it writes (data_contract.md) and reports row counts and stage counts as metadata."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.resources import RawFolder
from gov_pipeline.warehouse import TABLES


def table_metadata(conn: duckdb.DuckDBPyConnection, table: str, stats: pipeline.StageStats) -> dict[str, object]:
    rows = conn.execute(f'select count(*) from "{table}"').fetchone()[0]
    schema = dg.TableSchema(columns=[dg.TableColumn(c.name, str(c.dtype), description=c.description)
                                     for c in TABLES[table].columns])
    return {"dagster/row_count": rows, "dagster/column_schema": schema,
            **{f"count/{key}": value for key, value in sorted(stats.counts.items())}}


@dg.asset(group_name="ingest", kinds={"duckdb"})
def raw_documents(duckdb: DuckDBResource, raw_folder: RawFolder) -> dg.MaterializeResult:
    """Every file of the raw folder, fingerprinted (sha256) with its content type and encoding decision."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_raw_documents(conn, raw_folder.root)
        return dg.MaterializeResult(metadata=table_metadata(conn, "raw_documents", stats))


@dg.asset(group_name="cleaning", kinds={"duckdb"}, deps=[raw_documents])
def cleaned_documents(duckdb: DuckDBResource, raw_folder: RawFolder) -> dg.MaterializeResult:
    """Clean Simplified text, report metadata and a log of removed noise, per decodable document."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_cleaned_documents(conn, raw_folder.root)
        return dg.MaterializeResult(metadata=table_metadata(conn, "cleaned_documents", stats))


@dg.multi_asset(
    group_name="structure",
    specs=[
        dg.AssetSpec("report_sections", deps=[cleaned_documents], kinds={"duckdb"},
                     description="Sections of each report with canonical section keys."),
        dg.AssetSpec("report_tables", deps=[cleaned_documents], kinds={"duckdb"},
                     description="Statistics-table cells mapped to the template's rows and columns."),
    ],
)
def report_structure(duckdb: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as conn:
        stats = pipeline.build_structure(conn)
        yield dg.MaterializeResult(asset_key="report_sections", metadata=table_metadata(conn, "report_sections", stats))
        yield dg.MaterializeResult(asset_key="report_tables", metadata=table_metadata(conn, "report_tables", stats))


@dg.asset(group_name="facts", kinds={"duckdb"}, deps=["report_sections", "report_tables"])
def report_facts(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every number the reports state, with evidence (sentence or table cell) and method."""
    with duckdb.get_connection() as conn:
        stats = pipeline.build_facts(conn)
        return dg.MaterializeResult(metadata=table_metadata(conn, "report_facts", stats))


@dg.multi_asset(
    group_name="quality",
    specs=[
        dg.AssetSpec("dq_checks", deps=[report_facts, "report_tables", "report_sections"], kinds={"duckdb"},
                     description="Every data-quality rule applied to every subject of every report, passed or not."),
        dg.AssetSpec("dq_violations", deps=[report_facts, "report_tables", "report_sections"], kinds={"duckdb"},
                     description="Broken data-quality rules per report, blocking or warning."),
        dg.AssetSpec("reports", deps=[raw_documents, cleaned_documents, report_facts, "report_sections"],
                     kinds={"duckdb"}, description="One row per input file with its status and reason."),
    ],
)
def report_quality(duckdb: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as conn:
        stats = pipeline.build_reports(conn)
        yield dg.MaterializeResult(asset_key="dq_checks", metadata=table_metadata(conn, "dq_checks", stats))
        yield dg.MaterializeResult(asset_key="dq_violations", metadata=table_metadata(conn, "dq_violations", stats))
        yield dg.MaterializeResult(asset_key="reports", metadata=table_metadata(conn, "reports", stats))
