-- For every known agency and every year from its first report to the latest year in the warehouse:
-- is a report in the corpus, and was it published on time? A year without a report in the corpus is
-- a gap in the data collected, not a finding that the agency did not publish.
with agencies as (
    select agency_key, min(report_year) as first_year, any_value(agency_name) as agency_name,
           any_value(admin_level) as admin_level
    from {{ ref('stg_reports') }}
    where agency_key is not null and report_year is not null and status in ('scored', 'quarantined')
    group by agency_key
),

years as (
    select a.*, unnest(range(a.first_year, (select max(report_year) + 1 from {{ ref('stg_reports') }}))) as report_year
    from agencies a
),

published as (
    select
        r.agency_key,
        r.report_year,
        min(r.publish_date) as first_publish_date,
        {{ publication_timing('t.share') }},
        count(*) as reports
    from {{ ref('stg_reports') }} r
    left join {{ ref('int_indicator_timeliness') }} t using (doc_id)
    where r.status in ('scored', 'quarantined')
    group by r.agency_key, r.report_year
)

select
    y.agency_key,
    y.agency_name,
    y.admin_level,
    y.report_year,
    p.reports is not null as in_corpus,
    p.first_publish_date,
    {{ publication_status('p') }} as publication_status
from years y
left join published p using (agency_key, report_year)
