"""Asset checks.

The blocking ones are the gate in front of scoring: they re-derive the blocking rules from the facts
of the reports marked `scored` (so a report that breaks one can never reach the dbt models, whatever
went wrong upstream), and run the Great Expectations suite over the same gated set. The others watch
each stage and warn with counts and examples. One check per data-quality rule (declared in registry.py)
lists the reports that break it - file, agency, year, the cell or sentence and the values - as a
table: ERROR for a blocking rule (those reports are quarantined), WARN for a warning."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from gov_pipeline.quality.expectations import SUITE_NAME, gated_query, validate_gated_facts
from gov_pipeline.quality.registry import BLOCKING_RULES, GATE_PARAMETERS, RULES, Rule

EXAMPLES = 5
LISTED_FAILURES = 200  # rows of a rule check's table; the query shown finds all of them
MAX_WARNING_SHARE = 0.5  # above this share of scored reports with warnings, something upstream broke


def _examples(rows: list[tuple]) -> dg.MetadataValue:
    return dg.MetadataValue.json([{"doc_id": r[0], "detail": r[1]} for r in rows[:EXAMPLES]])


def _violations(duckdb: DuckDBResource, query: str) -> list[tuple]:
    with duckdb.get_connection() as conn:
        return conn.execute(query).fetchall()


def _gate(rule: Rule) -> dg.AssetChecksDefinition:
    """A blocking rule's gate on `reports`: no scored report may break it (registry.Rule.gate, re-derived
    from the warehouse's facts)."""

    @dg.asset_check(asset="reports", name=rule.id, blocking=True, description=f"No scored report breaks it: "
                    f"{rule.description}")
    def gate(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            rows = conn.sql(f"select doc_id, source_path || ': ' || {rule.id} || ' breaking' from ({gated_query()}) "
                            f"where {rule.id} > 0 order by source_path", params=GATE_PARAMETERS).fetchall()
        return dg.AssetCheckResult(passed=not rows, metadata={"violating_scored_reports": len(rows),
                                                             "examples": _examples(rows)})

    return gate


def watch(asset: str, name: str, description: str, query: str) -> dg.AssetChecksDefinition:
    """A non-blocking stage check: warns when `query` returns rows (doc_id, detail)."""

    @dg.asset_check(asset=asset, name=name, blocking=False, description=description)
    def watch(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        rows = _violations(duckdb, query)
        return dg.AssetCheckResult(passed=not rows, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"documents": len(rows), "examples": _examples(rows)})

    return watch


@dg.asset_check(asset="reports", name="gx_reports_gate", blocking=True,
                description="Great Expectations suite over the gated facts (see expectations.py).")
def gx_reports_gate(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        result = validate_gated_facts(conn)
    return dg.AssetCheckResult(passed=result.success, metadata={
        "suite": SUITE_NAME, "rows_validated": result.rows, "expectations": len(result.results),
        "failed_expectations": len(result.failed),
        "validation_result": dg.MetadataValue.json(result.results),
    })


@dg.asset_check(asset="dq_violations", name="warning_share", blocking=False,
                description=f"At most {MAX_WARNING_SHARE:.0%} of scored reports carry warnings.")
def warning_share(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as conn:
        scored, warned = conn.execute("""
            select count(*), count(*) filter (where warning_count > 0) from reports where status = 'scored'
        """).fetchone()
        by_rule = dict(conn.execute("select rule_id, count(distinct doc_id) from dq_violations "
                                    "where severity = 'warning' group by 1 order by 2 desc").fetchall())
        rows = conn.execute("select source_path, warning_count from reports where status = 'scored' and "
                            "warning_count > 0 order by warning_count desc, source_path limit ?", [EXAMPLES]).fetchall()
    share = warned / scored if scored else 0.0
    return dg.AssetCheckResult(passed=share <= MAX_WARNING_SHARE, severity=dg.AssetCheckSeverity.WARN, metadata={
        "scored_reports": scored, "reports_with_warnings": warned, "share": share,
        "reports_by_rule": dg.MetadataValue.json(by_rule),
        "most_warned_reports": dg.MetadataValue.json([{"file": f, "warnings": n} for f, n in rows])})


# the failed checks of one rule, one row per report file (byte-identical copies are listed once)
RULE_FAILURES = """
with checks as (
    select doc_id, rule_id, subject, passed, detail from dq_checks
    union all
    select doc_id, rule_id, subject, passed, detail from dq_cross_year_checks
)
select r.source_path as file, r.agency_name as agency, r.report_year as year, r.status, c.subject, c.detail
from checks c
join raw_documents d on d.doc_id = c.doc_id and d.duplicate_of is null
join reports r on r.source_path = d.source_path
where c.rule_id = $rule and not c.passed
order by r.source_path, c.subject
"""
RULE_TOTALS = """
select count(*), count(distinct doc_id), count(distinct doc_id) filter (where not passed)
from (select doc_id, rule_id, passed from dq_checks union all select doc_id, rule_id, passed from dq_cross_year_checks)
where rule_id = $rule
"""
FAILURE_COLUMNS = {"file": "report file (relative to the raw folder)", "agency": "publishing body",
                   "year": "report year", "status": "the report's status", "subject": "what was checked",
                   "detail": "the values, and the cell or sentence they come from"}


def failures_markdown(rows: list[tuple]) -> str:
    """The failing rows as a markdown table, text whole (pipes escaped)."""
    lines = ["| " + " | ".join(FAILURE_COLUMNS) + " |", "|" + "---|" * len(FAILURE_COLUMNS)]
    lines += ["| " + " | ".join("" if v is None else str(v).replace("|", "\\|").replace("\n", " ") for v in row)
              + " |" for row in rows]
    return "\n".join(lines)


def _rule_check(rule: str, blocking: bool) -> dg.AssetChecksDefinition:
    """The reports that break `rule`, listed with the cell or sentence and the values."""
    kind = "blocking: a report that breaks it is quarantined" if blocking else "warning: lowers the consistency score"
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN

    @dg.asset_check(asset="dq_violations", name=rule, blocking=False,
                    description=f"Data-quality rule {rule} ({kind}); the failing reports with the values and the "
                                "cell or sentence they come from.")
    def rule_check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            rows = conn.execute(RULE_FAILURES, {"rule": rule}).fetchall()
            applied, reports, failing = conn.execute(RULE_TOTALS, {"rule": rule}).fetchone()
        shown = rows[:LISTED_FAILURES]
        table = dg.MetadataValue.table(
            records=[dg.TableRecord(dict(zip(FAILURE_COLUMNS, row, strict=True))) for row in shown],
            schema=dg.TableSchema(columns=[dg.TableColumn(name, "string" if name != "year" else "int", description=d)
                                           for name, d in FAILURE_COLUMNS.items()]))
        return dg.AssetCheckResult(passed=not rows, severity=severity, metadata={
            "checks_applied": applied, "reports_checked": reports, "failing_reports": failing,
            "failures": table, "failures_text": dg.MetadataValue.md(failures_markdown(shown) if rows else "none"),
            "all_failures_query": dg.MetadataValue.md(
                f"`select * from dq_violations where rule_id = '{rule}'` (listed here: {len(shown)} of {len(rows)})")})

    return rule_check


RULE_CHECKS: list[dg.AssetChecksDefinition] = [_rule_check(rule.id, rule.blocking) for rule in RULES.values()]


BLOCKING_CHECKS: list[dg.AssetChecksDefinition] = [*(_gate(rule) for rule in BLOCKING_RULES), gx_reports_gate]
QUALITY_CHECKS: list[dg.AssetChecksDefinition] = [*BLOCKING_CHECKS, *RULE_CHECKS, warning_share]
