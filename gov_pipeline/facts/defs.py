"""The facts stage in Dagster: the check that every fact has its evidence (report_facts is written by
the per-document pass, document_defs.py)."""

import dagster as dg

from gov_pipeline.quality.checks import watch

every_fact_has_evidence = watch("report_facts", "every_fact_has_evidence",
                                 "Every fact names the sentence or cell it came from and how it was read.", """
    select doc_id, fact_key from report_facts
    where evidence is null or trim(evidence) = '' or method not in ('prose', 'table')
""")


defs = dg.Definitions(asset_checks=[every_fact_has_evidence])
