{{ config(materialized='ephemeral') }}
-- The whole text of each scored report (headings and section texts in reading order), for the
-- indicators that look for what the report states but the extractor did not read. Ephemeral: the corpus's text
-- is not stored twice; int_indicator_key_facts, its reader, is a table, so it is computed once per build.
select s.doc_id, string_agg(concat_ws(chr(10), nullif(s.heading, ''), s.text), chr(10) order by s.ordinal) as text
from {{ ref('stg_report_sections') }} s
join {{ ref('int_scored_reports') }} r using (doc_id)
group by s.doc_id
