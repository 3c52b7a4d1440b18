-- V1-V4 (template) and V1 (legacy): the share of applicable data-quality checks that hold. A template
-- identity over a table the extractor could not read whole is unknown (lossy_source), not failed. A legacy
-- identity applies only with real inputs: on all-zero request figures it tests nothing, and P-5 counts
-- the outcome shares only.
with reports as (
    select r.doc_id, r.rubric, coalesce(f.requests_received, 0) + coalesce(f.requests_completed, 0) > 0 as has_requests
    from {{ ref('int_scored_reports') }} r
    left join {{ ref('int_report_facts_wide') }} f using (doc_id)
),

indicator_rules as (
    -- the rules each consistency indicator counts, declared in quality/registry.py (generated seed)
    select rubric, indicator, rule_id, table_key
    from {{ ref('rule_indicators') }}
    where indicator in ('table3_balance', 'table3_outcomes', 'table3_row_totals', 'table4_totals', 'internal_consistency')
),

indicators as (
    select distinct r.doc_id, r.rubric, i.indicator, i.table_key, c.read_as = 'unreadable' as lossy,
           c.unreadable_because
    from reports r
    join indicator_rules i using (rubric)
    left join {{ ref('int_table_coverage') }} c on c.doc_id = r.doc_id and c.table_key = i.table_key
),

-- a finding a reviewer dismissed (review_decisions) counts as a check that holds
checks as (
    select c.doc_id, i.indicator, c.rule_id, c.passed or d.fingerprint is not null as passed, c.detail
    from {{ ref('stg_dq_checks') }} c
    join reports r using (doc_id)
    join indicator_rules i on i.rubric = r.rubric and i.rule_id = c.rule_id
    left join {{ source('pipeline', 'review_decisions') }} d
        on d.decision = 'dismissed' and d.doc_id = c.doc_id and d.rule_id = c.rule_id
        and d.subject = c.subject and d.detail = c.detail
    where r.rubric = 'template'
        or (c.rule_id = 'percentages_valid' and c.subject = 'outcome shares')
        or (c.rule_id <> 'percentages_valid' and r.has_requests)
),

summary as (
    select
        doc_id,
        indicator,
        count(*) as checks,
        count(*) filter (where passed) as held,
        count(distinct rule_id) as rules,
        string_agg(detail, '; ') filter (where not passed) as failures
    from checks
    group by doc_id, indicator
)

select
    i.doc_id,
    i.indicator,
    case
        when i.lossy then null
        when s.checks is null then null
        when i.indicator = 'internal_consistency' and s.rules < {{ var('legacy_consistency_min_rules') }} then null
        else s.held::double / s.checks
    end as share,
    case
        when i.lossy then 'not assessed: ' || i.table_key || ' was not read whole (' || left(i.unreadable_because, 120) || ')'
        when s.checks is null and i.rubric = 'legacy' then 'not assessed: no identity applies with real (non-zero) figures'
        when s.checks is null then 'not assessed: the rows the identity needs were not found'
        when i.indicator = 'internal_consistency' and s.rules < {{ var('legacy_consistency_min_rules') }}
            then 'not assessed: only ' || s.rules::varchar || ' identity applies with real figures'
        when s.held = s.checks then 'all ' || s.checks::varchar || ' checks hold'
        else s.held::varchar || ' of ' || s.checks::varchar || ' checks hold'
             || coalesce(': ' || left(s.failures, 300), '')
    end as evidence,
    1.0 as assessable,
    coalesce(i.lossy, false) as lossy
from indicators i
left join summary s using (doc_id, indicator)
