"""Stage 6, compliance scores: the dbt project as Dagster assets."""
