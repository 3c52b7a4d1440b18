{{ config(materialized='table') }}
-- How well each statistics table of a scored report was read, from report_tables: the template cells
-- mapped, the rows the extractor could not map (a note says why: an unsplittable digit run, a row with
-- the wrong number of values, an implausible amount), and the template version its labels belong to
-- (table 2: the 2019 or 2021 columns and rows; table 3: one （六） row in 2019, three in 2021).
-- read_as: mapped (every template cell), partial (some cells missing, nothing unreadable) or unreadable
-- (some rows could not be read: the table is lossy and what it would feed is unknown).
with cells as (
    select t.*
    from {{ source('pipeline', 'report_tables') }} t
    join {{ ref('int_scored_reports') }} r using (doc_id)
    where t.table_key in ('table2', 'table3', 'table4')
),

per_table as (
    select
        doc_id,
        table_key,
        count(*) filter (where col_key is not null) as cells,
        count(*) filter (where col_key is null and note is not null) as unreadable_rows,
        string_agg(distinct note, '; ' order by note) filter (where col_key is null and note is not null) as unreadable_because,
        case
            when table_key = 'table2' and bool_or(row_key in ('other_services', 'procurement')
                    or regexp_matches(coalesce(col_key, ''), '_(made|published|public_total|items_prev|items_change)$'))
                then '2019'
            when table_key = 'table2' and bool_or(regexp_matches(coalesce(col_key, ''), '_(issued|repealed|in_force|wan_yuan)$'))
                then '2021'
            when table_key = 'table3' and bool_or(row_key in ('other_no_correction', 'other_no_fee')) then '2021'
            when table_key = 'table3' and bool_or(row_key = 'other_other') then '2019'
        end as version
    from cells
    group by doc_id, table_key
)

select
    r.doc_id,
    k.table_key,
    p.version,
    coalesce(p.cells, 0) as cells,
    e.expected_cells,
    coalesce(p.unreadable_rows, 0) as unreadable_rows,
    p.unreadable_because,
    case
        when coalesce(p.unreadable_rows, 0) > 0 and coalesce(p.cells, 0) < e.expected_cells then 'unreadable'
        when coalesce(p.cells, 0) >= e.expected_cells then 'mapped'
        else 'partial'
    end as read_as
from {{ ref('int_scored_reports') }} r
cross join (values ('table2'), ('table3'), ('table4')) as k(table_key)
left join per_table p on p.doc_id = r.doc_id and p.table_key = k.table_key
join {{ ref('template_cells') }} e
    on e.table_key = k.table_key
    and e.template = coalesce(p.version, case when r.template = '2019' then '2019' else '2021' end)
where r.rubric = 'template'
