select
    doc_id,
    ordinal,
    level,
    parent_ordinal,
    heading,
    section_key,
    text,
    length(text) as text_chars
from {{ source('pipeline', 'report_sections') }}
