-- X2: every figure the prose states for a table fact equals the table (domain.md §3.2 X-4), from the
-- prose_table_mismatch checks of the facts stage (one per prose figure the table also states, passed or
-- not). A prose figure scoped to a sub-body (var sub_body_scope) is not compared; unknown when the prose
-- states none.
with checks as (
    select doc_id, passed, detail
    from {{ ref('stg_dq_checks') }}
    where rule_id in (select rule_id from {{ ref('rule_indicators') }} where indicator = 'prose_agrees')
        and not regexp_matches(split_part(detail, ' the table ', 1), '{{ var("sub_body_scope") }}')
),

summary as (
    select doc_id, count(*) as compared, count(*) filter (where passed) as agreeing,
           string_agg(left(detail, 200), '; ') filter (where not passed) as disagreements
    from checks
    group by doc_id
)

select
    r.doc_id,
    'prose_agrees' as indicator,
    s.agreeing::double / s.compared as share,
    case
        when s.compared is null then 'not assessed: the prose states no figure that a table also states'
        when s.agreeing = s.compared then 'all ' || s.compared::varchar || ' prose figures agree with the tables'
        else s.agreeing::varchar || ' of ' || s.compared::varchar || ' prose figures agree with the tables: '
             || s.disagreements
    end as evidence,
    1.0 as assessable,
    false as lossy
from {{ ref('int_scored_reports') }} r
left join summary s using (doc_id)
