-- Q2 (template): section 六. From the 2021 format: whether 信息处理费 were charged (an amount, 未收取, 无);
-- 2019-2020: any statement at all (无 included). The other 2021 items (建议提案, 工作要点, innovation) are
-- 0-weight flags, named in the evidence only.
with other as (
    select doc_id, trim(string_agg(text, chr(10) order by ordinal)) as text
    from {{ ref('stg_report_sections') }}
    where section_key = 'other'
    group by doc_id
),

judged as (
    select
        r.doc_id,
        r.report_year >= {{ var('first_2021_template_year') }} as fee_required,
        nullif(o.text, '') as text,
        regexp_matches(coalesce(o.text, ''),
            '信息处理费|处理费|(未|没有|无)[^。；]{0,8}(收取|收费|缴纳)|收取[^。；]{0,12}费') as states_fee,
        list_filter(['建议提案', '工作要点', 'innovation'], lambda item, i: [
            regexp_matches(coalesce(o.text, ''), '建议|提案'),
            regexp_matches(coalesce(o.text, ''), '工作要点|要点'),
            regexp_matches(coalesce(o.text, ''), '创新|特色|亮点|试点')][i]) as flags
    from {{ ref('int_scored_reports') }} r
    left join other o using (doc_id)
    where r.rubric = 'template'
)

select
    doc_id,
    'section_six' as indicator,
    case
        when text is null then 0.0
        when not fee_required or states_fee then 1.0
        else 0.0
    end as share,
    case
        when text is null then 'no statement in section 六 (其他需要报告的事项)'
        when not fee_required then 'section 六 makes a statement'
        when states_fee then 'section 六 states the 信息处理费 charged'
        else 'section 六 does not say whether 信息处理费 were charged'
    end || case when fee_required and len(flags) > 0
                then ' (also covers ' || array_to_string(flags, ', ') || ')' else '' end as evidence,
    1.0 as assessable,
    false as lossy
from judged
