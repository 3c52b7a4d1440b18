"""The structure stage in Dagster: the check that every report has sections (report_sections and
report_tables are written by the per-document pass, document_defs.py)."""


import dagster as dg

from gov_pipeline.quality.checks import watch

every_report_has_sections = watch("report_sections", "every_report_has_sections",
                                   "Every annual report is split into at least one headed section.", """
    select c.doc_id, 'no headed section in ' || coalesce(c.title, '?')
    from cleaned_documents c
    where c.is_annual_report
      and not exists (select 1 from report_sections s where s.doc_id = c.doc_id and s.ordinal > 0)
""")


defs = dg.Definitions(asset_checks=[every_report_has_sections])
