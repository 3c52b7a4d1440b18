"""The cleaning stage in Dagster: the check that no markup survives in cleaned_documents (the asset is
written by the per-document pass, document_defs.py)."""

import dagster as dg

from gov_pipeline.quality.checks import watch

no_html_residue = watch("cleaned_documents", "no_html_residue", "Cleaned text holds no tags, comments or entities.",
                        r"""
    select doc_id, regexp_extract(text, '(<[A-Za-z/!?][^>]{0,40}>|&[a-z]{2,6};|&#[0-9]{2,6};)')
    from cleaned_documents
    where regexp_matches(text, '<[A-Za-z/!?][^>]{0,40}>|&[a-z]{2,6};|&#[0-9]{2,6};')
""")


defs = dg.Definitions(asset_checks=[no_html_residue])
