-- One row per scored report: each indicator's result and points, the score (0-100) over the
-- indicators that could be assessed, the coverage of the rubric, and why points were lost.
with indicators as (
    select * from {{ ref('int_indicators') }}
),

reports as (
    select * from {{ ref('int_scored_reports') }}
),

totals as (
    select
        doc_id,
        sum(points) filter (where share is not null) as earned,
        sum(weight) filter (where share is not null) as assessed_weight,
        string_agg(indicator || ': ' || evidence, ' | ' order by indicator_id)
            filter (where result in ('fail', 'partial')) as lost_points_because
    from indicators
    group by doc_id
),

flags as (
    select
        r.doc_id,
        count(distinct other.doc_id) > 1 as multi_version,
        bool_or(r.body_type = 'government' and regexp_matches(coalesce(s.text, ''), '考核|社会评议|责任追究'))
            as mentions_art50_4
    from reports r
    left join {{ ref('stg_reports') }} other
        on other.agency_key = r.agency_key and other.report_year = r.report_year
        and other.status in ('scored', 'quarantined')
    left join {{ ref('stg_report_sections') }} s
        on s.doc_id = r.doc_id and s.section_key in ('overview', 'problems')
    group by r.doc_id
)

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
    f.multi_version,
    f.mentions_art50_4,
    '{{ var("rubric_version") }}' as rubric_version
from reports r
join indicators i using (doc_id)
join totals t using (doc_id)
join flags f using (doc_id)
group by all
