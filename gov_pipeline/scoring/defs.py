"""The dbt models (dbt_models/) as Dagster assets in the `scoring` group, built after the quality gate.
Their descriptions are the models' own docs (never their SQL); every built table reports its row count,
compliance_scores a preview of its rows (a check run after it); dbt tests, singular ones included, are asset checks.
A build rescores only the report years whose documents changed since the last one (scoring/rescoring.py)."""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    dbt_assets,
)
from dagster_duckdb import DuckDBResource

from gov_pipeline.assets import OWNERS, preview
from gov_pipeline.scoring import rescoring
from gov_pipeline.scoring.dbt_project import dbt_project
from gov_pipeline.warehouse.resources import OfflineDbtCli


class ScoringTranslator(DagsterDbtTranslator):
    """Group, owners and a short description for each dbt node."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return "scoring"

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return dbt_resource_props.get("description") or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']} (no description in its yml)")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return OWNERS


translator = ScoringTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator)
def scoring_models(context: dg.AssetExecutionContext, dbt: OfflineDbtCli, duckdb: DuckDBResource) -> Iterator[Any]:
    # Not dagster-dbt's fetch_row_counts(): with DuckDB it waits for dbt's process in a loop that never
    # sleeps (dagster._core.utils.imap), one of the machine's cores spun for the whole build. DuckDB
    # allows one writer, so the events are read to the end first, then each table counted.
    with duckdb.get_connection() as conn:
        build = rescoring.plan(conn, dbt_project.project_dir)
    context.log.info("dbt build: " + ("every report" if build.years is None else f"report years {build.years}"))
    invocation = dbt.cli(build.dbt_args(), context=context, variables=build.dbt_vars())
    events = list(invocation.stream())
    with duckdb.get_connection() as conn:
        for event in events:
            yield _with_row_count(conn, invocation, event)
        rescoring.record_build(conn, build)


def _with_row_count(conn: Any, invocation: DbtCliInvocation, event: Any) -> Any:
    """The event with the built table's row count (views are not counted: each count would run the view)."""
    if not isinstance(event, (dg.Output, dg.AssetMaterialization)) or "unique_id" not in event.metadata:
        return event
    node = invocation.manifest["nodes"].get(event.metadata["unique_id"].text)
    if node is None or node["config"].get("materialized") == "view":
        return event
    rows = conn.execute(f'select count(*) from "{node["schema"]}"."{node["alias"]}"').fetchone()[0]
    return event.with_metadata({**event.metadata, "dagster/row_count": rows})


@dg.asset_check(asset="compliance_scores", name="scores_preview", blocking=False,
                description="The first scored reports and how scores spread (always passes: a look, not a rule).")
def scores_preview(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        count, mean, low, high = conn.execute("select count(*), round(avg(score), 1), min(score), max(score) "
                                              "from compliance_scores").fetchone()
        return dg.AssetCheckResult(passed=True, metadata={
            "preview": preview(conn, "compliance_scores"), "scored_reports": count, "mean_score": mean,
            "min_score": low, "max_score": high})
