"""The dbt project as Dagster sees it. Kept import-light: `dagster-dbt project prepare-and-package`
and the Makefile's manifest step import only this module."""

from __future__ import annotations

from dagster_dbt import DbtProject

from gov_pipeline.config import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()  # runs `dbt parse` under `dagster dev` only
