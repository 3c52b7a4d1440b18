{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
          pre_hook="{{ stale_rows() }}") }}
-- Every indicator of every scored report in long form, with its rubric weight, the part of the weight
-- that could be assessed (an indicator whose items were partly unreadable keeps only the readable part in
-- the denominator), its points, and whether it was left unknown because the source copy is lossy.
{%- set indicator_models = ['int_indicator_timeliness', 'int_indicator_sections', 'int_indicator_tables',
    'int_indicator_consistency', 'int_indicator_template_version', 'int_indicator_carryover',
    'int_indicator_prose_agrees', 'int_indicator_problems', 'int_indicator_section_six',
    'int_indicator_statistical_appendix', 'int_indicator_key_facts', 'int_indicator_originality'] %}
with results as (
    {% for model in indicator_models -%}
    {% if not loop.first %}union all {% endif %}select doc_id, indicator, share, evidence, assessable, lossy
    from {{ ref(model) }}
    {% endfor %}
)

select
    r.doc_id,
    r.rubric,
    w.indicator_id,
    x.indicator,
    {{ indicator_result('x.share') }} as result,
    x.share,
    w.weight,
    case when x.share is null then 0.0 else w.weight * x.assessable end as assessed_weight,
    w.weight * x.assessable * x.share as points,
    x.lossy,
    x.evidence
from results x
join {{ ref('int_scored_reports') }} r using (doc_id)
join {{ ref('rubric_weights') }} w on w.rubric = r.rubric and w.indicator = x.indicator
where {{ missing_reports('r.doc_id') }}
