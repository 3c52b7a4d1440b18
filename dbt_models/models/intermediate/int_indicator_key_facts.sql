-- D1 (legacy): the seven key figures stated as numbers (0 allowed).
select
    r.doc_id,
    'key_facts' as indicator,
    (  (f.proactive_disclosed_total is not null)::int + (f.requests_received is not null)::int
     + (f.requests_completed is not null)::int + (f.outcome_refused is not null)::int
     + (f.fees_collected_yuan is not null)::int + (f.review_total is not null)::int
     + (f.litigation_total is not null)::int)::double / 7 as share,
    'missing: ' || coalesce(nullif(concat_ws(', ',
        case when f.proactive_disclosed_total is null then 'proactive total' end,
        case when f.requests_received is null then 'requests received' end,
        case when f.requests_completed is null then 'requests answered' end,
        case when f.outcome_refused is null then 'refused' end,
        case when f.fees_collected_yuan is null then 'fees' end,
        case when f.review_total is null then 'reviews' end,
        case when f.litigation_total is null then 'lawsuits' end), ''), 'nothing') as evidence
from {{ ref('int_scored_reports') }} r
left join {{ ref('int_report_facts_wide') }} f using (doc_id)
where r.rubric = 'legacy'
