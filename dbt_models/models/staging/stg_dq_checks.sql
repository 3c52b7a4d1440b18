select
    doc_id,
    rule_id,
    severity,
    subject,
    passed,
    detail
from {{ source('pipeline', 'dq_checks') }}
