-- Single-report checks and the checks between an agency's consecutive years, in one place.
select doc_id, rule_id, severity, subject, passed, detail
from {{ source('pipeline', 'dq_checks') }}
union all
select doc_id, rule_id, severity, subject, passed, detail
from {{ source('pipeline', 'dq_cross_year_checks') }}
