-- Q1: the problems section names concrete problems (>= problems_min_items enumerated, enough text)
-- and at least one remedy; half when only one of the two is there; boilerplate (无 / 暂无) fails.
with problems as (
    select doc_id, string_agg(text, chr(10) order by ordinal) as text
    from {{ ref('stg_report_sections') }}
    where section_key = 'problems'
    group by doc_id
),

judged as (
    select
        r.doc_id,
        coalesce(p.text, '') as text,
        length(coalesce(p.text, '')) >= {{ var('problems_min_chars') }}
            and len(regexp_extract_all(coalesce(p.text, ''),
                '[一二三四五六七八九十]是|[（(][一二三四五六七八九十][)）]|(^|\n)\s*\d+[.．、]'))
                >= {{ var('problems_min_items') }} as names_problems,
        regexp_matches(coalesce(p.text, ''), '下一步|将|改进|整改|完善|加强') as has_remedy,
        regexp_matches(trim(coalesce(p.text, '')), '^(无|暂无|没有)[。.]?$') as boilerplate
    from {{ ref('int_scored_reports') }} r
    left join problems p using (doc_id)
)

select
    doc_id,
    'concrete_problems' as indicator,
    case
        when boilerplate or text = '' then 0.0
        when names_problems and has_remedy then 1.0
        when names_problems or has_remedy then 0.5
        else 0.0
    end as share,
    case
        when text = '' then 'no problems-and-improvement section'
        when boilerplate then 'the section only says there is nothing to report'
        when names_problems and has_remedy then 'names problems and remedies'
        when names_problems then 'names problems but no remedy'
        when has_remedy then 'remedies without concrete problems'
        else 'vague: no enumerated problems and no remedy'
    end as evidence
from judged
