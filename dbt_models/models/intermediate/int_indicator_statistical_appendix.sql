-- Q2 (legacy): a statistics table with at least statistical_appendix_min_rows rows.
with rows_found as (
    select doc_id, count(distinct table_key || row_key) as table_rows
    from {{ ref('stg_report_tables') }}
    group by doc_id
)

select
    r.doc_id,
    'statistical_appendix' as indicator,
    case when coalesce(t.table_rows, 0) >= {{ var('statistical_appendix_min_rows') }} then 1.0 else 0.0 end as share,
    coalesce(t.table_rows, 0)::varchar || ' statistics-table rows read' as evidence,
    1.0 as assessable,
    false as lossy
from {{ ref('int_scored_reports') }} r
left join rows_found t using (doc_id)
where r.rubric = 'legacy'
