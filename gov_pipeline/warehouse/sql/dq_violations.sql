-- Every broken rule of every report: the single-report checks and the cross-year ones.
insert into dq_violations by name
select doc_id, rule_id, severity, detail from dq_checks where not passed
union all
select doc_id, rule_id, severity, detail from dq_cross_year_checks where not passed
