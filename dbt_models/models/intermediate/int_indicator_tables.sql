-- C2 (template): tables 2, 3 and 4 each parsed with at least table_parsed_share of their cells.
with reports as (
    select doc_id, case when template = '2019' then '2019' else '2021' end as layout
    from {{ ref('int_scored_reports') }}
    where rubric = 'template'
),

found as (
    select doc_id, table_key, count(*) as cells
    from {{ ref('stg_report_tables') }}
    where table_key in ('table2', 'table3', 'table4')
    group by doc_id, table_key
),

per_table as (
    select
        r.doc_id,
        e.table_key,
        coalesce(f.cells, 0) as cells,
        e.expected_cells,
        coalesce(f.cells, 0) >= {{ var('table_parsed_share') }} * e.expected_cells as parsed
    from reports r
    join {{ ref('template_cells') }} e on e.template = r.layout
    left join found f on f.doc_id = r.doc_id and f.table_key = e.table_key
)

select
    doc_id,
    'tables' as indicator,
    avg(case when parsed then 1.0 else 0.0 end) as share,
    string_agg(table_key || ' ' || cells::varchar || '/' || expected_cells::varchar || ' cells', ', '
               order by table_key) as evidence
from per_table
group by doc_id
