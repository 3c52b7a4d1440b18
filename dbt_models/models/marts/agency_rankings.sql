-- Scored reports ranked by score within their administrative level and report year.
select
    doc_id,
    report_year,
    admin_level,
    agency_name,
    score,
    coverage,
    insufficient,
    rank() over (partition by admin_level, report_year order by score desc) as rank_in_level_year,
    count(*) over (partition by admin_level, report_year) as reports_in_level_year,
    round(percent_rank() over (partition by admin_level, report_year order by score), 3) as percentile
from {{ ref('compliance_scores') }}
where not insufficient and admin_level is not null and report_year is not null
