-- One row per input file with everything domain.status.report_status derives its status from; the
-- status itself is derived there, once (pipeline.build_reports).
-- $stages: the stages in run order (pipeline.STAGES): a document's first failure is the earliest stage's
with blocking as (
    select
        doc_id,
        count(*) as n,
        list(rule_id || ': ' || detail order by rule_id, detail) as reasons
    from dq_violations where severity = 'blocking' group by doc_id
),

warnings as (
    select doc_id, count(*) as n from dq_violations where severity = 'warning' group by doc_id
),

section_counts as (
    select doc_id, count(*)::int as n from report_sections group by doc_id
),

fact_counts as (
    select doc_id, count(*)::int as n from report_facts group by doc_id
),

fetched as (
    select sha256 as doc_id, arg_min(url, fetched_at) as url
    from fetch_log where outcome = 'stored' group by sha256
),

first_failure as (
    select * from document_failures
    qualify row_number() over (partition by doc_id order by array_position($stages, stage)) = 1
)

select
    r.doc_id,
    r.source_path,
    c.title,
    c.agency_name,
    c.agency_key,
    c.admin_level,
    c.jurisdiction_level,
    c.division_code,
    c.body_kind,
    c.body_type,
    c.division_reason,
    c.division_candidates,
    c.report_year,
    c.publish_date,
    c.written_date,
    c.template,
    r.content_type,
    r.duplicate_of,
    f.status as failure_status,
    f.reason as failure_reason,
    c.doc_id is not null as processed,
    c.is_annual_report,
    c.not_report_reason,
    coalesce(b.reasons, []) as blocking_reasons,
    nd.primary_path as near_copy_of,
    nd.sentence_containment,
    nd.number_similarity,
    coalesce(s.n, 0)::int as section_count,
    coalesce(fc.n, 0)::int as fact_count,
    coalesce(w.n, 0)::int as warning_count,
    coalesce(b.n, 0)::int as blocking_count,
    r.partition_key,
    coalesce(fe.url, c.source_url) as source_url
from raw_documents as r
left join cleaned_documents as c on c.doc_id = r.doc_id and r.duplicate_of is null
left join first_failure as f on f.doc_id = r.doc_id and r.duplicate_of is null
left join near_duplicates as nd on nd.doc_id = c.doc_id
left join blocking as b on b.doc_id = c.doc_id
left join warnings as w on w.doc_id = c.doc_id
left join section_counts as s on s.doc_id = c.doc_id
left join fact_counts as fc on fc.doc_id = c.doc_id
left join fetched as fe on fe.doc_id = r.doc_id
order by r.source_path
