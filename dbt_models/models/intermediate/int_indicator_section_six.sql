-- Q2 (template): section 六. From the 2021 format: fee statement, 建议提案, 工作要点, innovation, a
-- quarter each; 2019-2020: any statement at all (无 included).
with other as (
    select doc_id, string_agg(text, chr(10) order by ordinal) as text
    from {{ ref('stg_report_sections') }}
    where section_key = 'other'
    group by doc_id
),

judged as (
    select
        r.doc_id,
        r.report_year >= {{ var('first_2021_template_year') }} as four_items,
        o.text,
        [regexp_matches(coalesce(o.text, ''), '信息处理费|收费|收取|费用'),
         regexp_matches(coalesce(o.text, ''), '建议|提案'),
         regexp_matches(coalesce(o.text, ''), '工作要点|要点'),
         regexp_matches(coalesce(o.text, ''), '创新|特色|亮点|试点')] as items
    from {{ ref('int_scored_reports') }} r
    left join other o using (doc_id)
    where r.rubric = 'template'
)

select
    doc_id,
    'section_six' as indicator,
    case
        when text is null then 0.0
        when not four_items then 1.0
        else len(list_filter(items, lambda x: x))::double / 4
    end as share,
    case
        when text is null then 'no section 六 (其他需要报告的事项)'
        when not four_items then 'section 六 present'
        else 'section 六 covers ' || len(list_filter(items, lambda x: x))::varchar
             || ' of 4 items (fees, 建议提案, 工作要点, innovation)'
    end as evidence
from judged
