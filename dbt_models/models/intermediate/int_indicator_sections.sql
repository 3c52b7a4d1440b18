-- C1. Template: the six sections, 2 points each. Legacy: the five art. 32 items, each found as a
-- heading or as a matching fact (an explicit 未收取 / 未发生 statement is a fact with value 0).
with sections as (
    -- the distinct section keys of each scored report ([] when it has none)
    select r.doc_id, r.rubric, list_distinct(list(s.section_key)) as keys
    from {{ ref('int_scored_reports') }} r
    left join {{ ref('stg_report_sections') }} s using (doc_id)
    group by r.doc_id, r.rubric
),

items as (
    select
        s.doc_id,
        s.rubric,
        case when s.rubric = 'template' then [
            list_contains(s.keys, 'overview'),
            list_contains(s.keys, 'proactive'),
            list_contains(s.keys, 'requests'),
            list_contains(s.keys, 'review_litigation'),
            list_contains(s.keys, 'problems'),
            list_contains(s.keys, 'other')
        ] else [
            list_contains(s.keys, 'proactive') or f.proactive_disclosed_total is not null,
            list_has_any(s.keys, ['requests', 'refusals']) or f.requests_received is not null,
            list_contains(s.keys, 'fees') or f.fees_collected_yuan is not null,
            list_contains(s.keys, 'review_litigation') or f.review_total is not null
                or f.litigation_total is not null,
            list_contains(s.keys, 'problems')
        ] end as found,
        case when s.rubric = 'template'
            then ['overview', 'proactive', 'requests', 'review_litigation', 'problems', 'other']
            else ['proactive', 'requests', 'fees', 'review_litigation', 'problems']
        end as required
    from sections s
    left join {{ ref('int_report_facts_wide') }} f using (doc_id)
)

select
    doc_id,
    case when rubric = 'template' then 'sections' else 'art32_contents' end as indicator,
    len(list_filter(found, lambda x: x))::double / len(found) as share,
    case
        when list_bool_and(found) then 'all required items present'
        else 'missing: ' || array_to_string(list_filter(required, lambda k, i: not found[i]), ', ')
    end as evidence,
    1.0 as assessable,
    false as lossy
from items
