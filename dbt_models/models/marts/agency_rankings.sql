-- One primary report per agency and year (compliance_scores.is_primary; near-duplicate copies have status
-- 'duplicate' and are never scored) ranked by score within its administrative level and report year,
-- among reports whose timeliness (T1) is known, so that a score out of 100 is never ranked against one
-- out of 85. percentile: the share of the group scoring at or below this report (cume_dist): 1.0 is the
-- best, a report alone in its group is 1.0, ties share one value and one rank.
select
    doc_id,
    agency_key,
    report_year,
    admin_level,
    agency_name,
    score,
    coverage,
    insufficient,
    rank() over (partition by admin_level, report_year order by score desc) as rank_in_level_year,
    count(*) over (partition by admin_level, report_year) as reports_in_level_year,
    round(cume_dist() over (partition by admin_level, report_year order by score), 3) as percentile
from {{ ref('compliance_scores') }}
where is_primary and timeliness_known and not insufficient and admin_level is not null and report_year is not null
