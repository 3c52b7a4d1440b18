-- The quality gate's promise, checked on the marts: only reports with status 'scored' get a score.
select s.doc_id, s.source_path, r.status
from {{ ref('compliance_scores') }} s
join {{ ref('stg_reports') }} r using (doc_id, source_path)
where r.status <> 'scored'
