-- X1 (template): carried-over requests equal the previous report's carried-forward ones.
with checks as (
    select doc_id, bool_and(passed) as passed, string_agg(detail, '; ') as detail
    from {{ ref('stg_dq_checks') }}
    where rule_id in (select rule_id from {{ ref('rule_indicators') }} where indicator = 'carryover_continuity')
    group by doc_id
)

select
    r.doc_id,
    'carryover_continuity' as indicator,
    case when c.passed is null then null when c.passed then 1.0 else 0.0 end as share,
    case
        when c.passed is null then 'not assessed: no previous report of this agency with carried-forward requests'
        when c.passed then 'carried over = last year''s carried forward'
        else c.detail
    end as evidence,
    1.0 as assessable,
    false as lossy
from {{ ref('int_scored_reports') }} r
left join checks c using (doc_id)
where r.rubric = 'template'
