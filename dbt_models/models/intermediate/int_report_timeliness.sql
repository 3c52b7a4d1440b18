-- Timeliness (rubric T1): publication date against the statutory deadline for the report year.
with reports as (
    select * from {{ ref('stg_reports') }} where status = 'scored'
),

deadlines as (
    select
        *,
        case
            when report_year is null then null
            when report_year >= {{ var('first_template_year') }} and body_type = 'department'
                then cast((report_year + 1)::varchar || '-' || '{{ var("deadline_department_md") }}' as date)
            else cast((report_year + 1)::varchar || '-' || '{{ var("deadline_government_md") }}' as date)
        end as deadline
    from reports
)

select
    doc_id,
    deadline,
    publish_date,
    body_type = 'unknown' as deadline_assumed,
    case when publish_date is not null and deadline is not null then publish_date - deadline end as days_late,
    case
        when publish_date is null or deadline is null then 'unknown'
        when publish_date <= deadline then 'pass'
        when publish_date - deadline <= {{ var('late_partial_days') }} then 'partial'
        else 'fail'
    end as timeliness_result
from deadlines
