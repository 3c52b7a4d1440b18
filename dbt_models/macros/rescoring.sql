{#- Incremental scoring by report year (gov_pipeline/scoring/rescoring.py decides the years). An incremental
    model is configured
        config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
          pre_hook="{{ stale_rows() }}")
    and reads its scored reports where missing_reports(doc_id): before it is built, stale_rows() deletes the
    rows of the reports no longer scored and of the scored reports of the years in var rescore_years (every
    row when the var is absent, as in a hand-run `dbt build`); the model then computes the scored reports it
    does not hold, so whole report years are recomputed and same-year rankings stay exact. -#}

{% macro stale_rows() -%}
    {%- if not is_incremental() -%}
    {%- elif var('rescore_years', none) is none -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }} where doc_id not in (
            select doc_id from {{ ref('int_scored_reports') }}
            where report_year is not null
              and report_year not in (select unnest({{ var('rescore_years') | list | tojson }}::integer[])))
    {%- endif -%}
{%- endmacro %}

{#- A condition on a doc_id column: true for the scored reports this incremental build computes. -#}
{% macro missing_reports(doc_id) -%}
    {%- if is_incremental() -%}
        {{ doc_id }} not in (select doc_id from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
