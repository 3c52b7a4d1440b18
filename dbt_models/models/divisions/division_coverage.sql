{{ config(materialized='table') }}
-- Coverage against the registry: for every division government within the scope (var coverage_scope,
-- a province, city or county code; levels down to var coverage_max_level) and every report year of the
-- corpus, whether the government published (on time, late) or the corpus holds no report of it; the
-- other bodies the corpus holds under those divisions (zones, offices, departments, townships) are
-- listed too, from their first report on.
with scope_divisions as (
    select *
    from {{ ref('divisions') }}
    where '{{ var("coverage_scope") }}' in (code, province_code, city_code, county_code)
),

reports as (
    select r.*, d.level_no
    from {{ ref('stg_report_divisions') }} r
    join scope_divisions d on d.code = r.division_code
    where r.agency_key is not null and r.report_year is not null
),

corpus_years as (  -- the years the scored reports span (a quarantined report may state 2099)
    select unnest(range(min(report_year), max(report_year) + 1)) as report_year
    from {{ ref('stg_report_divisions') }}
    where status = 'scored'
),

bodies as (
    select code as division_code, code || ':人民政府' as agency_key, full_name || '人民政府' as agency_name,
           'government' as body_kind, null as body_type, true as registry_government,
           (select min(report_year) from corpus_years) as first_year
    from scope_divisions
    where level_no <= {{ var('coverage_max_level') }}
    union all
    select any_value(division_code), agency_key, any_value(agency_name), any_value(body_kind), any_value(body_type),
           false, min(report_year)
    from reports
    where agency_key not in (select code || ':人民政府' from scope_divisions where level_no <= {{ var('coverage_max_level') }})
    group by agency_key
),

published as (
    select
        agency_key,
        report_year,
        count(*) as reports,
        min(publish_date) as first_publish_date,
        {{ publication_timing('timeliness_share') }}
    from reports
    group by agency_key, report_year
)

select
    '{{ var("coverage_scope") }}' as scope_code,
    b.division_code,
    d.name as division_name,
    d.full_name as division_full_name,
    d.level as division_level,
    d.province_code,
    d.province_name,
    d.city_code,
    d.city_name,
    d.county_code,
    d.county_name,
    b.agency_key,
    b.agency_name,
    b.body_kind,
    b.body_type,
    b.registry_government,
    y.report_year,
    coalesce(p.reports, 0) as reports,
    p.first_publish_date,
    {{ publication_status('p') }} as publication_status
from bodies b
join scope_divisions d on d.code = b.division_code
join corpus_years y on y.report_year >= b.first_year
left join published p on p.agency_key = b.agency_key and p.report_year = y.report_year
order by b.division_code, b.agency_key, y.report_year
