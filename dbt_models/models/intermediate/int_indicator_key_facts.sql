-- D1 (legacy): the seven key figures stated as numbers (0 allowed).
with key_facts as (
    select
        r.doc_id,
        [f.proactive_disclosed_total, f.requests_received, f.requests_completed, f.outcome_refused,
         f.fees_collected_yuan, f.review_total, f.litigation_total] as stated,
        ['proactive total', 'requests received', 'requests answered', 'refused', 'fees', 'reviews', 'lawsuits']
            as names
    from {{ ref('int_scored_reports') }} r
    left join {{ ref('int_report_facts_wide') }} f using (doc_id)
    where r.rubric = 'legacy'
)

select
    doc_id,
    'key_facts' as indicator,
    len(list_filter(stated, lambda v: v is not null))::double / len(stated) as share,
    'missing: ' || coalesce(nullif(array_to_string(list_filter(names, lambda n, i: stated[i] is null), ', '), ''),
                            'nothing') as evidence
from key_facts
