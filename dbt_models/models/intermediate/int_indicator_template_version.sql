-- V5 (template): the table labels of the format in force for the report year.
select
    doc_id,
    'template_version' as indicator,
    case
        when template = 'legacy' then 0.0
        when template = expected then 1.0
        else 0.5
    end as share,
    case
        when template = 'legacy' then 'no template tables (free-form statistics)'
        when template = expected then expected || ' labels, as required for ' || report_year::varchar
        else template || ' labels where ' || expected || ' was in force for ' || report_year::varchar
    end as evidence
from (
    select
        doc_id, template, report_year,
        case when report_year >= {{ var('first_2021_template_year') }} then '2021' else '2019' end as expected
    from {{ ref('int_scored_reports') }}
    where rubric = 'template'
)
