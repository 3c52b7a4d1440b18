"""The code location: each stage's assets and checks (gov_pipeline/<stage>/defs.py) collected, with
collection, scoring, the audit, the automation and the resources. DuckDB allows one writer, so a run
executes in one process, one step at a time, and runs queue behind each other (dagster_home/dagster.yaml)."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg

from gov_pipeline import document_defs
from gov_pipeline.audit.assets import audit_site, review_decisions
from gov_pipeline.automation import build_automation
from gov_pipeline.cleaning import defs as cleaning
from gov_pipeline.collect.asset import Collection, collect_job, collect_season_weekly, fetched_pages
from gov_pipeline.config import Settings, settings
from gov_pipeline.facts import defs as facts
from gov_pipeline.ingest import defs as ingest
from gov_pipeline.quality import defs as quality
from gov_pipeline.scoring.dbt_project import dbt_project
from gov_pipeline.scoring.defs import scores_preview, scoring_models
from gov_pipeline.structure import defs as structure
from gov_pipeline.warehouse.resources import OfflineDbtCli, RawFolder, Warehouse

# Runs are for one report year (sensor, schedules, a backfill of one year) or a range of years (a
# full run, a backfill of several) - the catalog and the all-years rollups run with them either way.
# Collection reaches outside (government sites): it runs in its own job, never as part of a pipeline run.
# The audit pages are rendered on demand (`gov-pipeline audit`, or materialise audit_site): at corpus
# scale they would cost more than the run itself.
all_assets_job = dg.define_asset_job("all_assets_job", selection=dg.AssetSelection.all() - dg.AssetSelection.assets(
    fetched_pages, audit_site))
sensors, schedules = build_automation(all_assets_job.name)


def build_definitions(config: Settings) -> dg.Definitions:
    stages = dg.Definitions.merge(ingest.defs, document_defs.defs, cleaning.defs, structure.defs, facts.defs,
                                  quality.defs)
    return dg.Definitions.merge(stages, dg.Definitions(
        assets=[fetched_pages, scoring_models, review_decisions, audit_site],
        asset_checks=[scores_preview],
        jobs=[all_assets_job, collect_job],
        sensors=sensors,
        schedules=[*schedules, collect_season_weekly],
        executor=dg.in_process_executor,
        resources={
            "duckdb": Warehouse(database=str(config.duckdb_path), lock_wait_seconds=config.lock_wait_seconds),
            "raw_folder": RawFolder(path=str(config.raw_dir)),
            "collection": Collection(),
            # DbtCliResource's validator takes a DbtProject (its state and target paths) though the field says str
            "dbt": OfflineDbtCli(project_dir=dbt_project,  # type: ignore[arg-type]
                                 dbt_executable=str(Path(sys.executable).parent / "dbt"),
                                 duckdb_path=str(config.duckdb_path)),
        },
    ))


defs = build_definitions(settings())
