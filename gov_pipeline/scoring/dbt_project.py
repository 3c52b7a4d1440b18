"""The dbt project as Dagster sees it. Kept import-light: the Makefile's manifest step and
`dagster-dbt project prepare-and-package` need only this module.

The manifest is prepared by `make setup` (dbt parse, re-run whenever a model changes), not by
`prepare_if_dev()`: that call runs a bare `dbt` from PATH, which fails when the venv is not activated."""

from __future__ import annotations

from dagster_dbt import DbtProject

from gov_pipeline.config import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
