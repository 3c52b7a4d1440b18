-- The reports scoring reads: status 'scored' only (the quality gate decides who gets here).
select
    doc_id,
    source_path,
    title,
    agency_name,
    agency_key,
    admin_level,
    jurisdiction_level,
    report_year,
    publish_date,
    written_date,
    template,
    body_type,
    rubric
from {{ ref('stg_reports') }}
where status = 'scored'
