select agency_key, report_year, count(*) filter (where is_primary) as primaries
from {{ ref('compliance_scores') }}
where agency_key is not null and report_year is not null
group by agency_key, report_year
having count(*) filter (where is_primary) <> 1
