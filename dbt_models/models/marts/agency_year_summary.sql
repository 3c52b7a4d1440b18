-- One row per agency and report year: the year's key counts and rates from its primary report (the one
-- agency_rankings ranks: compliance_scores.is_primary; a quarantined report only when none was scored).
-- A rate is NULL when the identity over its inputs fails in that report (T3-B / P-2 for the grant and
-- refusal rates, T4-A for reviews and lawsuits, T3-A for the requests they are divided by).
-- The refusal rate is split by template: the legacy 不予公开 count includes requests for information
-- that is not government information, which the 2019/2021 templates count apart (无法提供), so the two
-- rates are not comparable and never share a column.
with candidates as (
    select
        r.agency_key,
        r.report_year,
        r.doc_id,
        r.agency_name,
        r.admin_level,
        r.jurisdiction_level,
        r.status,
        r.template,
        r.rubric,
        s.score,
        row_number() over (
            partition by r.agency_key, r.report_year
            order by coalesce(s.is_primary, false) desc, (r.status = 'scored') desc, s.coverage desc nulls last,
                     s.score desc nulls last, r.source_path
        ) as pick,
        count(*) over (partition by r.agency_key, r.report_year) as versions
    from {{ ref('stg_reports') }} r
    left join {{ ref('compliance_scores') }} s using (doc_id)
    where r.status in ('scored', 'quarantined') and r.agency_key is not null and r.report_year is not null
),

-- the identities each rate rests on, per report: NULL when not checked, false when one check failed
identities as (
    select
        doc_id,
        bool_and(passed) filter (where rule_id = 'outcomes_sum') as outcomes_hold,
        bool_and(passed) filter (where rule_id = 'review_sum') as reviews_hold,
        bool_and(passed) filter (where rule_id = 'litigation_sum') as lawsuits_hold,
        bool_and(passed) filter (where rule_id in ('table3_balance', 'completed_le_received')) as requests_hold
    from {{ ref('stg_dq_checks') }}
    group by doc_id
)

select
    c.agency_key,
    c.report_year,
    c.agency_name,
    c.admin_level,
    c.jurisdiction_level,
    c.doc_id,
    c.status,
    c.template,
    c.rubric,
    c.versions::integer as versions,
    f.requests_received,
    f.requests_completed,
    f.outcome_granted,
    f.outcome_refused,
    f.review_total,
    f.litigation_total,
    case when i.outcomes_hold is not false then round(f.outcome_granted / nullif(f.requests_completed, 0), 4) end
        as grant_rate,
    case when c.template = 'legacy' and i.outcomes_hold is not false
        then round(f.outcome_refused / nullif(f.requests_completed, 0), 4) end as refusal_rate_legacy,
    case when c.template in ('2019', '2021') and i.outcomes_hold is not false
        then round(f.outcome_refused / nullif(f.requests_completed, 0), 4) end as refusal_rate_template,
    case when i.reviews_hold is not false and i.requests_hold is not false
        then round(100.0 * f.review_total / nullif(f.requests_received, 0), 2) end as reviews_per_100_requests,
    case when i.lawsuits_hold is not false and i.requests_hold is not false
        then round(100.0 * f.litigation_total / nullif(f.requests_received, 0), 2) end as lawsuits_per_100_requests,
    c.score
from candidates c
left join {{ ref('int_report_facts_wide') }} f using (doc_id)
left join identities i using (doc_id)
where c.pick = 1
