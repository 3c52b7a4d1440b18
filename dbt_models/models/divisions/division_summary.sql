{{ config(materialized='table') }}
-- Summaries and rankings by province, city and county: for each such division that holds a report in
-- the corpus and each report year, how many of the division governments under it (itself included,
-- down to var coverage_max_level) published, on time or late, how many reports every body under it
-- published, their mean compliance score, and the division's rank among its siblings by that score.
with reports as (
    select r.doc_id, r.report_year, r.agency_key, r.body_kind, r.division_code, r.timeliness_share,
           d.province_code, d.city_code, d.county_code, s.score
    from {{ ref('stg_report_divisions') }} r
    join {{ ref('divisions') }} d on d.code = r.division_code
    left join {{ ref('compliance_scores') }} s on s.doc_id = r.doc_id and not s.insufficient
    where r.report_year is not null
),

units as (
    select distinct 'province' as unit_level, province_code as unit_code from reports where province_code is not null
    union select distinct 'city', city_code from reports where city_code is not null
    union select distinct 'county', county_code from reports where county_code is not null
),

corpus_years as (  -- the years the scored reports span (a quarantined report may state 2099)
    select unnest(range(min(report_year), max(report_year) + 1)) as report_year
    from {{ ref('stg_report_divisions') }}
    where status = 'scored'
),

unit_governments as (
    select u.unit_level, u.unit_code, d.code as division_code
    from units u
    join {{ ref('divisions') }} d
        on d.level_no <= {{ var('coverage_max_level') }}
        and u.unit_code in (d.code, d.province_code, d.city_code, d.county_code)
),

government_years as (
    select
        g.unit_level, g.unit_code, y.report_year,
        count(*) as governments,
        count(*) filter (where p.division_code is not null) as governments_published,
        count(*) filter (where p.on_time) as governments_on_time,
        count(*) filter (where p.division_code is not null and p.timing_known and not p.on_time) as governments_late
    from unit_governments g
    cross join corpus_years y
    left join (
        select division_code, report_year, {{ publication_timing('timeliness_share') }}
        from reports
        where body_kind = 'government'
        group by all
    ) p on p.division_code = g.division_code and p.report_year = y.report_year
    group by all
),

body_years as (
    select u.unit_level, u.unit_code, r.report_year,
           count(*) as reports, count(distinct r.agency_key) as bodies_reporting, round(avg(r.score), 1) as mean_score
    from units u
    join reports r on u.unit_code in (r.province_code, r.city_code, r.county_code)
    group by all
),

summary as (
    select
        g.unit_level,
        g.unit_code,
        d.name as unit_name,
        d.province_code, d.province_name, d.city_code, d.city_name, d.county_code, d.county_name,
        d.parent_code,
        g.report_year,
        g.governments,
        g.governments_published,
        g.governments_on_time,
        g.governments_late,
        g.governments - g.governments_published as governments_without_report,
        coalesce(b.reports, 0) as reports,
        coalesce(b.bodies_reporting, 0) as bodies_reporting,
        b.mean_score
    from government_years g
    join {{ ref('divisions') }} d on d.code = g.unit_code
    left join body_years b using (unit_level, unit_code, report_year)
)

select
    *,
    case when mean_score is not null then
        rank() over (partition by unit_level, parent_code, report_year, mean_score is null order by mean_score desc)
    end as rank_among_siblings
from summary
order by unit_code, report_year
