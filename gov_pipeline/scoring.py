"""The dbt models (dbt_models/) as Dagster assets, built after the quality gate; dbt tests become
asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from gov_pipeline.dbt_project import dbt_project


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project)
def scoring_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()
