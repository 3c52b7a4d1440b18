-- The reports near_duplicates.sketch compares: text, facts found and blocking violations of each; a report
-- a stage gave up on (document_failures) is none: it must never be kept as the primary over a readable copy.
select
    c.doc_id,
    d.source_path,
    c.report_year,
    c.agency_key,
    c.text,
    coalesce(f.n, 0) as fact_count,
    coalesce(v.n, 0) as blocking_count
from cleaned_documents as c
inner join raw_documents as d on d.doc_id = c.doc_id and d.duplicate_of is null
left join (select doc_id, count(*) as n from report_facts group by doc_id) as f on f.doc_id = c.doc_id
left join (
    select doc_id, count(*) as n from dq_violations where severity = 'blocking' group by doc_id
) as v on v.doc_id = c.doc_id
where
    c.is_annual_report
    and not exists (select 1 from document_failures as x where x.doc_id = c.doc_id)
