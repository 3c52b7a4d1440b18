-- The facts the cross-year rules compare (quality.rules.evaluate_across_years): the carry-over pair,
-- cumulative (历年累计) figures and the year's figure each of them accumulates.
-- $carryover_facts: rules.CARRYOVER_FACTS; $cumulative_suffix: template.CUMULATIVE_SUFFIX
select f.* exclude (partition_key)
from report_facts as f
where
    list_contains($carryover_facts, f.fact_key)
    or suffix(f.fact_key, $cumulative_suffix)
    or exists (
        select 1 from report_facts as c
        where c.doc_id = f.doc_id and c.fact_key = f.fact_key || $cumulative_suffix
    )
order by f.doc_id
