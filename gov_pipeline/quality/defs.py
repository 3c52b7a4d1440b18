"""The quality stage in Dagster: the all-years rollups (dq_cross_year_checks, dq_violations,
near_duplicates, reports), the gate in front of scoring and one check per data-quality rule (dq_checks
is written by the per-document pass, document_defs.py)."""

from collections.abc import Iterator

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.assets import OWNERS, PREVIEW_ROWS, table_metadata
from gov_pipeline.quality.checks import QUALITY_CHECKS

WORST_REPORTS = """
select r.source_path, left(r.doc_id, 12) as doc_id, r.status, r.blocking_count, r.warning_count,
       string_agg(distinct v.rule_id, ', ') as rules, left(any_value(v.detail), 100) as example
from reports r join dq_violations v using (doc_id)
group by all
order by r.blocking_count desc, r.warning_count desc, r.source_path
limit ?
"""


def _worst_reports_markdown(conn: duckdb.DuckDBPyConnection) -> str:
    """The reports with the most violations, each with the doc_id that finds all of them."""
    rows = conn.execute(WORST_REPORTS, [PREVIEW_ROWS]).fetchall()
    if not rows:
        return "no violations"
    lines = ["| file | doc_id | status | blocking | warnings | rules | example |", "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in rows]
    lines += ["", "A report's violations: `select * from dq_violations where doc_id like '<doc_id>%'`; "
              "its facts and their evidence: the same on `report_facts`."]
    return "\n".join(lines)


@dg.multi_asset(
    group_name="quality",
    specs=[
        dg.AssetSpec("dq_cross_year_checks", deps=["report_facts"], kinds={"duckdb"}, owners=OWNERS,
                     description="Rules between an agency's consecutive reports, passed or not (all years)."),
        dg.AssetSpec("dq_violations", deps=["dq_checks", "dq_cross_year_checks"], kinds={"duckdb"}, owners=OWNERS,
                     description="Broken data-quality rules per report, blocking or warning (all years)."),
        dg.AssetSpec("near_duplicates", deps=["cleaned_documents", "report_facts", "dq_violations"], kinds={"duckdb"},
                     owners=OWNERS, description="Reports that copy another (another format, or reposted), each "
                                                "naming the one kept; status duplicate in reports (all years)."),
        dg.AssetSpec("reports",
                     deps=["raw_documents", "cleaned_documents", "dq_checks", "dq_violations", "near_duplicates"],
                     kinds={"duckdb"}, owners=OWNERS,
                     description="One row per input file with its status and reason (all years)."),
    ],
)
def report_quality(duckdb: DuckDBResource) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as conn:
        stats = pipeline.build_reports(conn)
        worst_reports = dg.MetadataValue.md(_worst_reports_markdown(conn))
        yield dg.MaterializeResult(asset_key="dq_cross_year_checks",
                                   metadata=table_metadata(conn, "dq_cross_year_checks", stats))
        yield dg.MaterializeResult(asset_key="dq_violations", metadata=table_metadata(conn, "dq_violations", stats)
                                   | {"worst_reports": worst_reports})
        yield dg.MaterializeResult(asset_key="near_duplicates", metadata=table_metadata(conn, "near_duplicates", stats))
        by_status = dict(conn.execute("select status, count(*) from reports group by 1 order by 2 desc").fetchall())
        yield dg.MaterializeResult(asset_key="reports", metadata=table_metadata(conn, "reports", stats)
                                   | {"reports_by_status": dg.MetadataValue.json(by_status),
                                      "worst_reports": worst_reports})


defs = dg.Definitions(assets=[report_quality], asset_checks=[*QUALITY_CHECKS])
