{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
          pre_hook="{{ stale_rows() }}") }}
-- One row per scored report: each indicator's result and points, the score (0-100) over the weight that
-- could be assessed, the coverage of the rubric, why points were lost or left unassessed, the 0-weight
-- flags, and whether the report is its agency's primary for the year (the one ranked and summarised).
with indicators as (
    select * from {{ ref('int_indicators') }} where {{ missing_reports('doc_id') }}
),

-- the reports this build scores: all, or in an incremental build those of the report years rescored
reports as (
    select * from {{ ref('int_scored_reports') }} where {{ missing_reports('doc_id') }}
),

totals as (
    select
        doc_id,
        sum(points) as earned,
        sum(assessed_weight) as assessed_weight,
        string_agg(indicator_id || ' ' || indicator || ' '
                   || case when result = 'unknown' then '' else result || ': ' end || evidence,
                   ' | ' order by indicator_id)
            filter (where result in ('fail', 'partial', 'unknown') or assessed_weight < weight) as lost_points_because,
        bool_or(lossy) as lossy_source,
        bool_or(result = 'unknown' and indicator = 'timeliness') as timeliness_unknown
    from indicators
    group by doc_id
),

-- art. 50(4) for government reports from 2019: section 一 or 五 reports the results of all three of
-- 考核, 社会评议 and 责任追究 (a bare mention of 考核 does not count)
art50_4 as (
    select
        r.doc_id,
        r.rubric = 'template' and r.body_type = 'government'
            and regexp_matches(coalesce(string_agg(s.text, chr(10)), ''), '考核')
            and regexp_matches(coalesce(string_agg(s.text, chr(10)), ''), '社会评议')
            and regexp_matches(coalesce(string_agg(s.text, chr(10)), ''), '责任追究') as reports_art50_4
    from reports r
    left join {{ ref('stg_report_sections') }} s
        on s.doc_id = r.doc_id and s.section_key in ('overview', 'problems')
    group by r.doc_id, r.rubric, r.body_type
),

versions as (
    select r.doc_id, count(distinct other.doc_id) > 1 as multi_version
    from reports r
    left join {{ ref('stg_reports') }} other
        on other.agency_key = r.agency_key and other.report_year = r.report_year
        and other.status in ('scored', 'quarantined', 'duplicate')
    group by r.doc_id
),

scored as (
    select
        r.doc_id,
        r.source_path,
        r.report_year,
        r.agency_name,
        r.agency_key,
        r.admin_level,
        r.jurisdiction_level,
        r.rubric,
        r.template,
        {% for indicator in var('indicators') -%}
        max(i.result) filter (where i.indicator = '{{ indicator }}') as {{ indicator }}_result,
        max(i.points) filter (where i.indicator = '{{ indicator }}') as {{ indicator }}_points,
        {% endfor -%}
        round(100.0 * coalesce(t.earned, 0) / nullif(t.assessed_weight, 0), 1) as score,
        round(coalesce(t.assessed_weight, 0) / 100.0, 3) as coverage,
        coalesce(t.assessed_weight, 0) / 100.0 < {{ var('insufficient_coverage') }} as insufficient,
        t.lost_points_because,
        v.multi_version,
        t.lossy_source,
        any_value(tl.needs_confirmation) as needs_confirmation,
        any_value(o.copied_from_other_body) as copied_from_other_body,
        a.reports_art50_4 as art50_4,
        t.timeliness_unknown
    from reports r
    join indicators i using (doc_id)
    join totals t using (doc_id)
    join versions v using (doc_id)
    join art50_4 a using (doc_id)
    left join {{ ref('int_indicator_timeliness') }} tl using (doc_id)
    left join {{ ref('int_indicator_originality') }} o using (doc_id)
    group by all
)

select
    * exclude (timeliness_unknown),
    -- the report ranked and summarised for its agency and year: the best-covered, then best-scored one
    agency_key is null or report_year is null or row_number() over (
        partition by agency_key, report_year order by coverage desc, score desc nulls last, source_path
    ) = 1 as is_primary,
    not timeliness_unknown as timeliness_known,
    '{{ var("rubric_version") }}' as rubric_version
from scored
