"""The code location: every asset from raw files to compliance scores, the gate in front of scoring,
the automation, and the resources. DuckDB allows one writer, so a run executes in one process, one
step at a time, and runs queue behind each other (dagster_home/dagster.yaml)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from gov_pipeline.assets import (
    cleaned_documents,
    dq_checks,
    raw_documents,
    report_facts,
    report_quality,
    report_structure,
)
from gov_pipeline.automation import build_automation
from gov_pipeline.checks import BLOCKING_CHECKS, RULE_CHECKS, STAGE_CHECKS
from gov_pipeline.config import DUCKDB_PATH_ENV, Settings, settings
from gov_pipeline.dbt_project import dbt_project
from gov_pipeline.resources import RawFolder
from gov_pipeline.scoring import scores_preview, scoring_models

# Runs are for one report year (sensor, schedules, a backfill of one year) or a range of years (a
# full run, a backfill of several) - the catalog and the all-years rollups run with them either way.
all_assets_job = dg.define_asset_job("all_assets_job", selection=dg.AssetSelection.all())
sensors, schedules = build_automation(all_assets_job.name)


def build_definitions(config: Settings) -> dg.Definitions:
    # dbt (profiles.yml) reads the warehouse path from the environment: pin it to the file Dagster writes.
    os.environ[DUCKDB_PATH_ENV] = str(config.duckdb_path)
    return dg.Definitions(
        assets=[raw_documents, cleaned_documents, report_structure, report_facts, dq_checks, report_quality,
                scoring_models],
        asset_checks=[*BLOCKING_CHECKS, *STAGE_CHECKS, *RULE_CHECKS, scores_preview],
        jobs=[all_assets_job],
        sensors=sensors,
        schedules=schedules,
        executor=dg.in_process_executor,
        resources={
            "duckdb": DuckDBResource(database=str(config.duckdb_path)),
            "raw_folder": RawFolder(path=str(config.raw_dir)),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(sys.executable).parent / "dbt")),
        },
    )


defs = build_definitions(settings())
