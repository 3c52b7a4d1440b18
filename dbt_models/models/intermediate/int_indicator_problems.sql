-- Q1: section 五 (problems and improvement) split into its problems part and its remedies part. The
-- remedies part starts at the first remedy marker (下一步 / 今后 / 改进措施 / 整改 / 措施如下), else at the
-- second numbered list (a numbering that restarts at 一是 / （一） / 1.). Words that also describe problems
-- (加强, 完善, 将) are not markers. Pass: >= problems_min_items enumerated problems in the problems part and
-- a remedy in the remedies part; half: only one of the two; fail: empty or boilerplate (无 / 暂无).
with problems as (
    select doc_id,
           string_agg(concat_ws(chr(10), nullif(heading, ''), text), chr(10) order by ordinal) as text
    from {{ ref('stg_report_sections') }}
    where section_key = 'problems'
    group by doc_id
),

split as (
    select
        doc_id,
        text,
        case
            when regexp_matches(text, '下一步|今后|改进措施|整改措施|整改方向|措施如下')
                then length(regexp_extract(text, '(?s)^(.*?)(下一步|今后|改进措施|整改措施|整改方向|措施如下)', 1))
            when regexp_matches(text, '(?s)(一是|[（(]一[)）]|(^|\n)\s*1[.．、]).*(一是|[（(]一[)）]|\n\s*1[.．、])')
                then length(regexp_extract(
                    text, '(?s)^(.*?(一是|[（(]一[)）]|(^|\n)\s*1[.．、]).*?)(一是|[（(]一[)）]|\n\s*1[.．、])', 1))
        end as remedies_start
    from problems
),

judged as (
    select
        r.doc_id,
        coalesce(s.text, '') as text,
        coalesce(left(s.text, s.remedies_start), s.text, '') as problems_part,
        coalesce(substring(s.text, s.remedies_start + 1), '') as remedies_part
    from {{ ref('int_scored_reports') }} r
    left join split s using (doc_id)
),

counted as (
    select
        doc_id,
        text,
        len(regexp_extract_all(problems_part,
            '[一二三四五六七八九十]是|[（(][一二三四五六七八九十][)）]|(^|\n)\s*\d+[.．、]')) as problems_named,
        length(regexp_replace(remedies_part, '\s', '', 'g')) >= {{ var('remedy_min_chars') }} as has_remedy,
        regexp_matches(trim(regexp_replace(text, '^[^\n]*问题[^\n]*\n', '')), '^(无|暂无|没有)[。.]?$') as boilerplate
    from judged
)

select
    doc_id,
    'concrete_problems' as indicator,
    case
        when boilerplate or text = '' then 0.0
        when problems_named >= {{ var('problems_min_items') }} and has_remedy then 1.0
        when problems_named >= {{ var('problems_min_items') }} or has_remedy then 0.5
        else 0.0
    end as share,
    case
        when text = '' then 'no problems-and-improvement section'
        when boilerplate then 'the section only says there is nothing to report'
        else problems_named::varchar || ' enumerated problem(s) in the problems part, '
             || case when has_remedy then 'remedies in the remedies part' else 'no remedies part' end
    end as evidence,
    1.0 as assessable,
    false as lossy
from counted
