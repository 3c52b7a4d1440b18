select r.doc_id
from {{ ref('stg_reports') }} r
left join {{ ref('compliance_scores') }} s using (doc_id)
where r.status = 'scored' and s.doc_id is null
