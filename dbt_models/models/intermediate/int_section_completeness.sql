-- Section completeness (rubric C1): which of the required sections the report has.
with reports as (
    select doc_id, template from {{ ref('stg_reports') }} where status = 'scored'
),

present as (
    select doc_id, list_distinct(list(section_key)) as keys
    from {{ ref('stg_report_sections') }}
    group by doc_id
),

required as (
    select doc_id, template,
        case when template = 'legacy'
            then ['proactive', 'requests', 'fees', 'review_litigation', 'problems']
            else ['overview', 'proactive', 'requests', 'review_litigation', 'problems', 'other']
        end as required_keys
    from reports
)

select
    r.doc_id,
    r.required_keys,
    list_filter(r.required_keys, lambda k: list_contains(coalesce(p.keys, []), k)) as found_keys,
    len(list_filter(r.required_keys, lambda k: list_contains(coalesce(p.keys, []), k)))::double
        / len(r.required_keys) as section_share
from required r
left join present p using (doc_id)
