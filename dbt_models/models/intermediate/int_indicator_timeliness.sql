-- T1: publication date against the statutory deadline for the report year and body type.
with reports as (
    select
        *,
        case
            when report_year is null then null
            when rubric = 'template' and body_type = 'department'
                then strptime((report_year + 1)::varchar || '-' || '{{ var("deadline_department_md") }}', '%Y-%m-%d')::date
            else strptime((report_year + 1)::varchar || '-' || '{{ var("deadline_government_md") }}', '%Y-%m-%d')::date
        end as deadline
    from {{ ref('int_scored_reports') }}
),

judged as (
    select
        doc_id,
        deadline,
        publish_date - deadline as days_late,
        case
            when publish_date is null or deadline is null then null
            when publish_date <= deadline then 1.0
            when publish_date - deadline <= {{ var('late_partial_days') }} then 0.5
            else 0.0
        end as share,
        body_type = 'unknown' as deadline_assumed
    from reports
)

select
    doc_id,
    'timeliness' as indicator,
    share,
    case
        when deadline is null then 'report year unknown'
        when share is null then 'no publication date on the page'
        when share = 1 then 'published ' || (-days_late)::varchar || ' days before the deadline ' || deadline::varchar
        else 'published ' || days_late::varchar || ' days after the deadline ' || deadline::varchar
    end || case when deadline_assumed then ' (body type unknown: 31 March rule assumed)' else '' end as evidence
from judged
