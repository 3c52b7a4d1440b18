select
    doc_id,
    fact_key,
    value,
    unit,
    section_key,
    evidence,
    method,
    approx
from {{ source('pipeline', 'report_facts') }}
