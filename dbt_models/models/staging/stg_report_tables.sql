-- Mapped value cells only (label cells have no column key).
select
    doc_id,
    table_key,
    row_key,
    col_key,
    text,
    value,
    source
from {{ source('pipeline', 'report_tables') }}
where col_key is not null
