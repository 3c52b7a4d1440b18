-- One row per scored report: indicator results, points, score (0-100) and coverage.
with reports as (
    select * from {{ ref('stg_reports') }} where status = 'scored'
),

timeliness as (select * from {{ ref('int_report_timeliness') }}),
sections as (select * from {{ ref('int_section_completeness') }}),

indicators as (
    select
        r.doc_id,
        r.report_year,
        r.agency_name,
        r.template,
        t.timeliness_result,
        t.deadline,
        t.days_late,
        t.deadline_assumed,
        case t.timeliness_result when 'pass' then 15.0 when 'partial' then 7.5 when 'fail' then 0.0 end
            as timeliness_points,
        15.0 as timeliness_weight,
        case when s.section_share = 1 then 'pass' when s.section_share > 0 then 'partial' else 'fail' end
            as sections_result,
        s.found_keys as sections_found,
        30.0 * s.section_share as sections_points,
        30.0 as sections_weight
    from reports r
    left join timeliness t using (doc_id)
    left join sections s using (doc_id)
),

scored as (
    select
        *,
        coalesce(timeliness_points, 0) + coalesce(sections_points, 0) as earned,
        case when timeliness_points is not null then timeliness_weight else 0 end
            + case when sections_points is not null then sections_weight else 0 end as known_weight
    from indicators
)

select
    doc_id,
    report_year,
    agency_name,
    template,
    timeliness_result,
    deadline,
    days_late,
    deadline_assumed,
    timeliness_points,
    sections_result,
    sections_found,
    sections_points,
    round(100.0 * earned / nullif(known_weight, 0), 1) as score,
    round(known_weight / 45.0, 3) as coverage,
    known_weight / 45.0 < {{ var('insufficient_coverage') }} as insufficient,
    '{{ var("rubric_version") }}' as rubric_version
from scored
