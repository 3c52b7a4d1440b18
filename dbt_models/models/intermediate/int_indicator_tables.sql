-- C2 (template): tables 2, 3 and 4, each the share of its template cells whose values were parsed (pro
-- rata); a table present but unreadable (rows the extractor could not map) is unknown, not missing, and
-- leaves its third of the weight out of the denominator (lossy_source).
select
    doc_id,
    'tables' as indicator,
    avg(least(cells::double / expected_cells, 1.0)) filter (where read_as <> 'unreadable') as share,
    string_agg(table_key || ' ' || case
                   when read_as = 'unreadable' then 'not assessed: ' || cells::varchar || '/' || expected_cells::varchar
                        || ' cells read, rows unreadable (' || left(unreadable_because, 120) || ')'
                   else cells::varchar || '/' || expected_cells::varchar || ' cells' end,
               ', ' order by table_key) as evidence,
    count(*) filter (where read_as <> 'unreadable')::double / count(*) as assessable,
    bool_or(read_as = 'unreadable') as lossy
from {{ ref('int_table_coverage') }}
group by doc_id
