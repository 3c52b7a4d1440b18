-- Q1: section 五 (problems and improvement) split into its problems part and its remedies part: by its
-- sub-headings when they name the parts (in either order), else the remedies part starts at the first
-- remedy marker (下一步 / 今后 / 改进措施 / 整改 / 措施如下 / 针对…问题), else at the second numbered list (a
-- numbering that restarts at 一是 / （一） / 1.). Words that also describe problems (加强, 完善, 将) are not
-- markers. Pass: >= problems_min_items enumerated problems in the problems part and
-- a remedy in the remedies part; half: only one of the two; fail: empty or boilerplate (无 / 暂无).
{%- set remedy_marker = "下一步|今后|改进措施|整改措施|整改方向|措施如下|针对(以上|上述|这些|存在的?)?[^。，；]{0,8}(问题|不足)" %}
{%- set first_item = "一是|[（(]一[)）]|(^|\n)\s*1[.．、]" %}
-- each row of section 五, classed by its own heading or else its parent's: a heading naming a remedy
-- (改进, 整改, 措施, 下一步, 打算) opens the remedies part, one naming only problems the problems part
with rows as (
    select
        s.doc_id, s.ordinal, s.level, s.parent_ordinal,
        concat_ws(chr(10), case when s.level > 1 then nullif(s.heading, '') end, s.text) as text,
        case
            when regexp_matches(s.heading, '改进|整改|措施|下一步|今后|打算|计划') and not regexp_matches(s.heading, '问题')
                then 'remedies'
            -- 问题的改进情况 (the improvement of problems) is a remedies heading; 问题及改进情况 names both parts
            when regexp_matches(s.heading, '问题的?(改进|整改)') then 'remedies'
            when regexp_matches(s.heading, '问题|不足') and not regexp_matches(s.heading, '改进|整改|措施')
                then 'problems'
        end as own_part
    from {{ ref('stg_report_sections') }} s
    join {{ ref('int_scored_reports') }} r using (doc_id)
    where s.section_key = 'problems'
),

parted as (
    select r.doc_id, r.ordinal, r.text, coalesce(r.own_part, p.own_part) as part
    from rows r
    left join rows p on p.doc_id = r.doc_id and p.ordinal = r.parent_ordinal
),

problems as (
    select
        doc_id,
        string_agg(text, chr(10) order by ordinal) as text,
        bool_or(part = 'remedies') as headed_parts,
        string_agg(text, chr(10) order by ordinal) filter (where part is distinct from 'remedies') as headed_problems,
        string_agg(text, chr(10) order by ordinal) filter (where part = 'remedies') as headed_remedies
    from parted
    group by doc_id
),

-- without headed parts, the remedies part starts at the first remedy marker, else at the second numbered list
split as (
    select
        doc_id,
        text,
        headed_parts,
        headed_problems,
        headed_remedies,
        case
            when regexp_matches(text, '{{ remedy_marker }}')
                then length(regexp_extract(text, '(?s)^(.*?)({{ remedy_marker }})', 1))
            when regexp_matches(text, '(?s)({{ first_item }}).*(一是|[（(]一[)）]|\n\s*1[.．、])')
                then length(regexp_extract(
                    text, '(?s)^(.*?({{ first_item }}).*?)(一是|[（(]一[)）]|\n\s*1[.．、])', 1))
        end as remedies_start
    from problems
),

judged as (
    select
        r.doc_id,
        coalesce(s.text, '') as text,
        case when s.headed_parts then coalesce(s.headed_problems, '')
             else coalesce(left(s.text, s.remedies_start), s.text, '') end as problems_part,
        case when s.headed_parts then s.headed_remedies
             else coalesce(substring(s.text, s.remedies_start + 1), '') end as remedies_part
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
        regexp_matches(trim(text), '^(无|暂无|没有)[。.]?$') as boilerplate
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
