select agency_key, report_year, count(*) as rows
from {{ ref('agency_year_summary') }}
group by agency_key, report_year
having count(*) > 1
