-- agency_rankings and agency_year_summary describe the same report for an agency and year: the ranked one
-- is the summarised one (both take compliance_scores.is_primary).
select a.agency_key, a.report_year, a.doc_id as ranked, y.doc_id as summarised
from {{ ref('agency_rankings') }} a
join {{ ref('agency_year_summary') }} y using (agency_key, report_year)
where a.doc_id <> y.doc_id
