-- Every indicator of every scored report in long form, with its rubric weight and points.
with results as (
    select * from {{ ref('int_indicator_timeliness') }}
    union all select * from {{ ref('int_indicator_sections') }}
    union all select * from {{ ref('int_indicator_tables') }}
    union all select * from {{ ref('int_indicator_consistency') }}
    union all select * from {{ ref('int_indicator_template_version') }}
    union all select * from {{ ref('int_indicator_carryover') }}
    union all select * from {{ ref('int_indicator_problems') }}
    union all select * from {{ ref('int_indicator_section_six') }}
    union all select * from {{ ref('int_indicator_statistical_appendix') }}
    union all select * from {{ ref('int_indicator_key_facts') }}
    union all select * from {{ ref('int_indicator_originality') }}
)

select
    r.doc_id,
    r.rubric,
    w.indicator_id,
    x.indicator,
    {{ indicator_result('x.share') }} as result,
    x.share,
    w.weight,
    w.weight * x.share as points,
    x.evidence
from results x
join {{ ref('int_scored_reports') }} r using (doc_id)
join {{ ref('rubric_weights') }} w on w.rubric = r.rubric and w.indicator = x.indicator
