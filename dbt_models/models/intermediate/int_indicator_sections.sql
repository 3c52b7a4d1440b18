-- C1. Template: the six sections, 2 points each. Legacy: the five art. 32 items, each found as a
-- heading or as a matching fact (an explicit 未收取 / 未发生 statement is a fact with value 0).
with reports as (
    select doc_id, rubric from {{ ref('int_scored_reports') }}
),

sections as (
    select doc_id, list_distinct(list(section_key)) as keys
    from {{ ref('stg_report_sections') }}
    group by doc_id
),

facts as (
    select * from {{ ref('int_report_facts_wide') }}
),

items as (
    select
        r.doc_id,
        r.rubric,
        coalesce(s.keys, []) as keys,
        case when r.rubric = 'template' then [
            list_contains(coalesce(s.keys, []), 'overview'),
            list_contains(coalesce(s.keys, []), 'proactive'),
            list_contains(coalesce(s.keys, []), 'requests'),
            list_contains(coalesce(s.keys, []), 'review_litigation'),
            list_contains(coalesce(s.keys, []), 'problems'),
            list_contains(coalesce(s.keys, []), 'other')
        ] else [
            list_contains(coalesce(s.keys, []), 'proactive') or f.proactive_disclosed_total is not null,
            list_has_any(coalesce(s.keys, []), ['requests', 'refusals']) or f.requests_received is not null,
            list_contains(coalesce(s.keys, []), 'fees') or f.fees_collected_yuan is not null,
            list_contains(coalesce(s.keys, []), 'review_litigation') or f.review_total is not null
                or f.litigation_total is not null,
            list_contains(coalesce(s.keys, []), 'problems')
        ] end as found,
        case when r.rubric = 'template'
            then ['overview', 'proactive', 'requests', 'review_litigation', 'problems', 'other']
            else ['proactive', 'requests', 'fees', 'review_litigation', 'problems']
        end as required
    from reports r
    left join sections s using (doc_id)
    left join facts f using (doc_id)
)

select
    doc_id,
    case when rubric = 'template' then 'sections' else 'art32_contents' end as indicator,
    len(list_filter(found, lambda x: x))::double / len(found) as share,
    case
        when list_bool_and(found) then 'all required items present'
        else 'missing: ' || array_to_string(list_filter(required, lambda k, i: not found[i]), ', ')
    end as evidence
from items
