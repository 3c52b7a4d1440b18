-- One row per report with the key facts as columns (the plain key = the 总计 column for table facts).
select
    doc_id,
    max(value) filter (where fact_key = 'proactive_disclosed_total') as proactive_disclosed_total,
    max(value) filter (where fact_key = 'requests_received') as requests_received,
    max(value) filter (where fact_key = 'requests_carried_over') as requests_carried_over,
    max(value) filter (where fact_key = 'requests_completed') as requests_completed,
    max(value) filter (where fact_key = 'requests_carried_forward') as requests_carried_forward,
    max(value) filter (where fact_key = 'outcome_granted') as outcome_granted,
    max(value) filter (where fact_key = 'outcome_partially_granted') as outcome_partially_granted,
    max(value) filter (where fact_key = 'outcome_refused') as outcome_refused,
    max(value) filter (where fact_key = 'fees_collected_yuan') as fees_collected_yuan,
    max(value) filter (where fact_key = 'review_total') as review_total,
    max(value) filter (where fact_key = 'litigation_total') as litigation_total
from {{ ref('stg_report_facts') }}
group by doc_id
