-- The reports with the division, body and key the agencies resolver gave them, and whether each was
-- published on time (T1 of the rubric) when it was scored.
select
    r.doc_id,
    r.source_path,
    r.agency_name,
    r.agency_key,
    r.division_code,
    r.body_kind,
    r.body_type,
    r.division_reason,
    r.report_year,
    r.publish_date,
    r.status,
    t.share as timeliness_share
from {{ source('pipeline', 'reports') }} r
left join {{ ref('int_indicator_timeliness') }} t using (doc_id)
where r.status in ('scored', 'quarantined')
