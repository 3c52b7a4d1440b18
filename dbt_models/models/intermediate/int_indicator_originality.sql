{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
          pre_hook="{{ stale_rows() }}") }}
-- Q3: section 一 (overview) and section 五 (problems), each whole, against the same section of the same
-- body's report for the year before (the candidates are found by agency key and year, never by pairs):
-- Jaccard similarity of 4-character shingles (as 64-bit hashes: sets of integers, computed once); either
-- at or above originality_max_similarity fails.
-- 0-weight flag copied_from_other_body: a section whose bottom-k MinHash sketch is held at or above that
-- share by other bodies' reports of the same year (one group-by over sketch values: linear in the corpus).
-- In an incremental build only the years rescored and the year before each are read: whole years, so the
-- cross-body counts of a rescored year are complete.
with rescored as (
    select doc_id, report_year from {{ ref('int_scored_reports') }} where {{ missing_reports('doc_id') }}
),

texts as (
    select r.doc_id, r.agency_key, r.report_year, s.section_key, string_agg(s.text, '' order by s.ordinal) as text
    from {{ ref('int_scored_reports') }} r
    join {{ ref('stg_report_sections') }} s using (doc_id)
    where s.section_key in ('overview', 'problems')
      and (r.report_year in (select report_year from rescored) or r.report_year + 1 in (select report_year from rescored)
           or r.doc_id in (select doc_id from rescored))
    group by all
),

shingles as materialized (
    select
        doc_id, agency_key, report_year, section_key, length(text) as chars,
        list_distinct(list_transform(range(1, greatest(length(text) - 2, 1)), lambda i: hash(substring(text, i, 4))))
            as grams
    from texts
),

-- how many reports one agency key holds in one year: more than originality_max_previous means the key
-- does not name one body (an unresolved name shared by many), and comparing each report with all of them
-- would grow with the square of their number
agency_years as (
    select agency_key, report_year, count(distinct doc_id) as reports
    from shingles
    group by all
),

previous_year as (
    select
        cur.doc_id,
        cur.section_key,
        max(len(list_intersect(cur.grams, prev.grams))::double
            / nullif(len(list_distinct(list_concat(cur.grams, prev.grams))), 0)) as similarity
    from shingles cur
    join agency_years y
        on y.agency_key = cur.agency_key and y.report_year = cur.report_year - 1
        and y.reports <= {{ var('originality_max_previous') }}
    join shingles prev
        on prev.agency_key = cur.agency_key and prev.report_year = cur.report_year - 1
        and prev.section_key = cur.section_key
    group by cur.doc_id, cur.section_key
),

sketches as materialized (
    select doc_id, agency_key, report_year, section_key,
           unnest(list_sort(grams)[1:{{ var('originality_sketch_size') }}])
               as minhash
    from shingles
    where chars >= {{ var('originality_min_chars') }} and agency_key is not null and report_year is not null
),

sketch_bodies as (
    -- how many bodies hold each sketch value; the report's own body is one of them
    select report_year, section_key, minhash, count(distinct agency_key) as bodies
    from sketches
    group by all
),

other_bodies as (
    select
        s.doc_id,
        s.section_key,
        count(*) filter (where b.bodies > 1)::double / count(*) as shared
    from sketches s
    join sketch_bodies b using (report_year, section_key, minhash)
    group by s.doc_id, s.section_key
),

per_report as (
    select
        r.doc_id,
        p.similarity,
        p.sections,
        y.reports as previous_reports,
        o.shared >= {{ var('originality_max_similarity') }} as copied_from_other_body
    from {{ ref('int_scored_reports') }} r
    semi join rescored using (doc_id)
    left join agency_years y on y.agency_key = r.agency_key and y.report_year = r.report_year - 1
    left join (
        select doc_id, max(similarity) as similarity,
               string_agg(section_key || ' ' || round(100 * similarity)::varchar || '%', ', ' order by section_key)
                   as sections
        from previous_year
        group by doc_id
    ) p using (doc_id)
    left join (select doc_id, max(shared) as shared from other_bodies group by doc_id) o using (doc_id)
)

select
    doc_id,
    'originality' as indicator,
    case
        when similarity is null then null
        when similarity >= {{ var('originality_max_similarity') }} then 0.0
        else 1.0
    end as share,
    case
        when similarity is null and previous_reports > {{ var('originality_max_previous') }}
            then 'not assessed: ' || previous_reports || ' reports under this agency key for the previous year '
                || '(the key names no single body)'
        when similarity is null then 'not assessed: no report of this agency for the previous year'
        when similarity >= {{ var('originality_max_similarity') }}
            then 'repeats the previous year''s report: ' || sections || ' of the text repeats'
        else 'original against the previous year''s report: ' || sections || ' of the text repeats'
    end as evidence,
    1.0 as assessable,
    false as lossy,
    coalesce(copied_from_other_body, false) as copied_from_other_body
from per_report
