{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
          pre_hook="{{ stale_rows() }}") }}
-- D1 (legacy): the seven key figures stated as numbers (0 allowed, zero phrases included). An item with no
-- extracted fact whose wording the text still carries (its keyword next to a counted number or a zero
-- phrase) is stated but not read: unknown, its seventh of the weight out of the denominator. An item the text does not state at all is missing.
{%- set number = "[0-9０-９]+(\\.[0-9]+)?\\s*(件|起|次|人次|条|项|个|元|万元)" %}
-- Each heading and section text of a legacy report is matched on its own and the matches or-ed per report
-- (the patterns' gaps exclude line breaks, which join them in the text), so no report's whole text is held.
with pieces as (
    select s.doc_id, concat_ws(chr(10), nullif(s.heading, ''), s.text) as text
    from {{ ref('stg_report_sections') }} s
    semi join (select doc_id from {{ ref('int_scored_reports') }}
               where rubric = 'legacy' and {{ missing_reports('doc_id') }}) r using (doc_id)
),

stated as (
    select
        doc_id,
        bool_or(regexp_matches(text, '主动公开[^。；\n]{0,20}({{ number }}|无|没有)')) as proactive,
        bool_or(regexp_matches(text, '(收到|受理|接到)[^。；\n]{0,15}申请[^。；\n]{0,10}{{ number }}|(未|没有)(收到|受理|发生)[^。；\n]{0,15}申请')) as received,
        bool_or(regexp_matches(text, '(办结|答复)[^。；\n]{0,10}{{ number }}|全部[^。；\n]{0,6}(办结|答复)|不存在[^。；\n]{0,20}(答复|处理)')) as answered,
        bool_or(regexp_matches(text, '不予公开[^。；\n]{0,15}({{ number }}|无|没有)|(无|没有)[^。；\n]{0,6}不予公开')) as refused,
        bool_or(regexp_matches(text, '(未|没有|无)[^。；\n]{0,8}(收取|收费)|收取[^。；\n]{0,12}费[^。；\n]{0,10}{{ number }}')) as fees,
        bool_or(regexp_matches(text, '行政复议[^。；\n]{0,15}({{ number }}|无|没有)|(未|没有|无)[^。；\n]{0,15}行政复议')) as reviews,
        bool_or(regexp_matches(text, '行政诉讼[^。；\n]{0,15}({{ number }}|无|没有)|(未|没有|无)[^。；\n]{0,15}行政诉讼')) as lawsuits
    from pieces
    group by doc_id
),

key_facts as (
    select
        r.doc_id,
        [f.proactive_disclosed_total, f.requests_received, f.requests_completed, f.outcome_refused,
         f.fees_collected_yuan, f.review_total, f.litigation_total] as read,
        [coalesce(s.proactive, false), coalesce(s.received, false), coalesce(s.answered, false),
         coalesce(s.refused, false), coalesce(s.fees, false), coalesce(s.reviews, false),
         coalesce(s.lawsuits, false)] as stated,
        ['proactive total', 'requests received', 'requests answered', 'refused', 'fees', 'reviews', 'lawsuits']
            as names
    from {{ ref('int_scored_reports') }} r
    left join {{ ref('int_report_facts_wide') }} f using (doc_id)
    left join stated s using (doc_id)
    where r.rubric = 'legacy' and {{ missing_reports('r.doc_id') }}
),

items as (
    select
        doc_id,
        len(read) as items,
        len(list_filter(read, lambda v: v is not null)) as found,
        list_filter(names, lambda n, i: read[i] is null and stated[i]) as unread,
        list_filter(names, lambda n, i: read[i] is null and not stated[i]) as missing
    from key_facts
)

select
    doc_id,
    'key_facts' as indicator,
    found::double / nullif(items - len(unread), 0) as share,
    concat_ws('; ',
        found::varchar || ' of ' || (items - len(unread))::varchar || ' assessable figures read',
        'missing: ' || nullif(array_to_string(missing, ', '), ''),
        'not assessed (stated but not read): ' || nullif(array_to_string(unread, ', '), '')) as evidence,
    (items - len(unread))::double / items as assessable,
    false as lossy  -- the copy is clean: the extractor missed the figure (stated but not read), not the source
from items
