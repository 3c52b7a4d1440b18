-- V1-V4 (template) and V1 (legacy): the share of applicable data-quality checks that hold.
with reports as (
    select doc_id, rubric from {{ ref('int_scored_reports') }}
),

indicator_rules as (
    select * from (values
        ('template', 'table3_balance', 'table3_balance'),
        ('template', 'table3_outcomes', 'outcomes_sum'),
        ('template', 'table3_row_totals', 'table3_row_totals'),
        ('template', 'table4_totals', 'review_sum'),
        ('template', 'table4_totals', 'litigation_sum'),
        ('legacy', 'internal_consistency', 'legacy_channels_sum'),   -- P-1
        ('legacy', 'internal_consistency', 'outcomes_sum'),          -- P-2
        ('legacy', 'internal_consistency', 'refusal_reasons_sum'),   -- P-3
        ('legacy', 'internal_consistency', 'completed_le_received'), -- P-4
        ('legacy', 'internal_consistency', 'percentages_valid')      -- P-5
    ) as t(rubric, indicator, rule_id)
),

indicators as (
    select distinct r.doc_id, r.rubric, i.indicator
    from reports r join indicator_rules i using (rubric)
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
        when s.checks is null then null
        when i.indicator = 'internal_consistency' and s.rules < {{ var('legacy_consistency_min_rules') }} then null
        else s.held::double / s.checks
    end as share,
    case
        when s.checks is null then 'no applicable check (table rows or figures missing)'
        when i.indicator = 'internal_consistency' and s.rules < {{ var('legacy_consistency_min_rules') }}
            then 'only ' || s.rules::varchar || ' identity applies'
        else s.held::varchar || ' of ' || s.checks::varchar || ' checks hold'
             || coalesce(': ' || left(s.failures, 300), '')
    end as evidence
from indicators i
left join summary s using (doc_id, indicator)
