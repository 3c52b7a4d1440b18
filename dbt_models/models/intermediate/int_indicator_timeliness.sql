-- T1: publication date against the statutory deadline for the report year and body type. From 2019 an
-- unknown body type leaves the deadline unknown (never defaulted). A page date more than reposting_days
-- past the deadline with no signature date to confirm it may be a re-posting: unknown, needs_confirmation.
with reports as (
    select
        *,
        case
            when report_year is null then null
            when rubric = 'template' and body_type = 'unknown' then null
            when rubric = 'template' and body_type = 'department'
                then strptime((report_year + 1)::varchar || '-' || '{{ var("deadline_department_md") }}', '%Y-%m-%d')::date
            else strptime((report_year + 1)::varchar || '-' || '{{ var("deadline_government_md") }}', '%Y-%m-%d')::date
        end as deadline
    from {{ ref('int_scored_reports') }}
),

judged as (
    select
        doc_id,
        report_year,
        body_type,
        deadline,
        publish_date,
        publish_date - deadline as days_late,
        publish_date - deadline > {{ var('reposting_days') }} and written_date is null as needs_confirmation
    from reports
)

select
    doc_id,
    'timeliness' as indicator,
    case
        when publish_date is null or deadline is null or needs_confirmation then null
        when days_late <= 0 then 1.0
        when days_late <= {{ var('late_partial_days') }} then 0.5
        else 0.0
    end as share,
    case
        when report_year is null then 'not assessed: report year unknown'
        when deadline is null then 'not assessed: body type unknown, so the deadline (31 January or 31 March) is unknown'
        when publish_date is null then 'not assessed: no publication date on the page'
        when needs_confirmation then 'not assessed: the page date ' || publish_date::varchar || ' is ' || days_late::varchar
             || ' days after the deadline ' || deadline::varchar || ' and no signature date confirms it (re-posting?)'
        when days_late <= 0 then 'published ' || (-days_late)::varchar || ' days before the deadline ' || deadline::varchar
        else 'published ' || days_late::varchar || ' days after the deadline ' || deadline::varchar
    end as evidence,
    1.0 as assessable,
    false as lossy,
    coalesce(needs_confirmation, false) as needs_confirmation
from judged
