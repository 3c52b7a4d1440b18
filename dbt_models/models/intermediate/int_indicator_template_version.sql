-- V5 (template): each table's labels judged separately against the format in force for the report year
-- (60号 for 2019-2020, 30号 from 2021; table 4 is the same in both). Pass: every table matches; half:
-- tables of different versions mixed, or all of the other version; fail: free-form tables.
with judged as (
    select
        r.doc_id,
        r.report_year,
        case when r.report_year >= {{ var('first_2021_template_year') }} then '2021' else '2019' end as expected,
        list(c.table_key || ' ' || c.version order by c.table_key) filter (where c.version is not null) as tables,
        list_distinct(list(c.version) filter (where c.version is not null)) as versions
    from {{ ref('int_scored_reports') }} r
    left join {{ ref('int_table_coverage') }} c using (doc_id)
    where r.rubric = 'template'
    group by r.doc_id, r.report_year
)

select
    doc_id,
    'template_version' as indicator,
    case
        when len(coalesce(versions, [])) = 0 then 0.0
        when versions = [expected] then 1.0
        else 0.5
    end as share,
    case
        when len(coalesce(versions, [])) = 0 then 'no template tables (free-form statistics)'
        when versions = [expected] then 'every table has the ' || expected || ' labels, as required for '
             || report_year::varchar
        when len(versions) > 1 then 'tables of both formats mixed (' || array_to_string(tables, ', ')
             || ') where ' || expected || ' was in force for ' || report_year::varchar
        else versions[1] || ' labels where ' || expected || ' was in force for ' || report_year::varchar
    end as evidence,
    1.0 as assessable,
    false as lossy
from judged
