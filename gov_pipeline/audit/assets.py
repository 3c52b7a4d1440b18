"""The audit's Dagster assets, thin wiring: review_decisions (the decisions file resolved against this
run's findings, read by the consistency indicator) and audit_site (the static pages)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from gov_pipeline.audit.findings import (
    build_review_decisions,
    decisions_path,
    read_decisions,
)
from gov_pipeline.audit.site import AUDIT_DIR, build_site


@dg.asset(group_name="quality", kinds={"duckdb"}, deps=["dq_violations"])
def review_decisions(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Reviewer decisions (decisions.csv next to the warehouse) on this run's findings; a dismissed
    finding stops counting against the consistency indicator."""
    path = decisions_path(Path(duckdb.database))
    with duckdb.get_connection() as conn:
        rows = build_review_decisions(conn, path)
        stale = conn.execute("select count(*) from review_decisions where not fires").fetchone()[0]
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "decisions_file": str(path),
                                          "no_longer_firing": stale})


@dg.asset(group_name="audit", kinds={"html"}, deps=["compliance_scores", review_decisions])
def audit_site(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """The audit site next to the warehouse: a page per report and an index."""
    db = Path(duckdb.database)
    with duckdb.get_connection() as conn:
        stats = build_site(conn, db.parent / AUDIT_DIR, read_decisions(decisions_path(db)))
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(db.parent / AUDIT_DIR / "index.html")),
                                          "pages": stats.pages, "findings": stats.findings,
                                          "dismissed": stats.dismissed,
                                          "decisions_no_longer_firing": len(stats.stale_decisions)})
