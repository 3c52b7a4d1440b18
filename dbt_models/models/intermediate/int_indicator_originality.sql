-- Q3: sections 一 (overview) and 五 (problems) against the same agency's report for the year before:
-- Jaccard similarity of 4-character shingles; at or above originality_max_similarity fails.
with texts as (
    select
        r.doc_id,
        r.agency_key,
        r.report_year,
        left(string_agg(s.text, '' order by s.ordinal), {{ var('originality_text_chars') }}) as text
    from {{ ref('stg_reports') }} r
    join {{ ref('stg_report_sections') }} s using (doc_id)
    where r.status in ('scored', 'quarantined') and s.section_key in ('overview', 'problems')
    group by r.doc_id, r.agency_key, r.report_year
),

shingles as (
    select
        doc_id, agency_key, report_year,
        list_distinct(list_transform(range(1, greatest(length(text) - 2, 1)), lambda i: substring(text, i, 4)))
            as grams
    from texts
),

pairs as (
    select
        cur.doc_id,
        max(len(list_intersect(cur.grams, prev.grams))::double
            / nullif(len(list_distinct(list_concat(cur.grams, prev.grams))), 0)) as similarity
    from shingles cur
    join shingles prev on prev.agency_key = cur.agency_key and prev.report_year = cur.report_year - 1
    group by cur.doc_id
)

select
    r.doc_id,
    'originality' as indicator,
    case
        when p.similarity is null then null
        when p.similarity >= {{ var('originality_max_similarity') }} then 0.0
        else 1.0
    end as share,
    case
        when p.similarity is null then 'no report of this agency for the previous year'
        else round(100 * p.similarity)::varchar || '% of the text repeats the previous year''s report'
    end as evidence
from {{ ref('int_scored_reports') }} r
left join pairs p using (doc_id)
