"""The whole pipeline through Dagster and dbt, in process, over the bundled sample documents plus
documents built from them that break the blocking rules (see conftest.sample_warehouse)."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from gov_pipeline.partitions import range_tags
from gov_pipeline.quality.registry import BLOCKING_RULES, RULES
from gov_pipeline_tests.conftest import definitions_on, query


def test_run_succeeds_and_checks_pass(sample_warehouse) -> None:
    _, _, _, result = sample_warehouse
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    # the per-rule checks on dq_violations list the sample's broken rules (they fail by design, WARN or ERROR)
    on_violations = [e for e in evaluations if e.asset_key.to_user_string() == "dq_violations"]
    rules = {e.check_name: e for e in on_violations if e.check_name in RULES}
    assert not rules["cumulative_chain"].passed and rules["cumulative_chain"].severity.value == "WARN"
    assert not rules["completed_le_received"].passed and rules["completed_le_received"].severity.value == "ERROR"
    checks = {e.check_name: e for e in evaluations
              if e.check_name not in rules or e.asset_key.to_user_string() != "dq_violations"}
    assert {"count_non_negative", "completed_le_received", "year_plausible", "value_plausible", "gx_reports_gate",
            "no_html_residue", "every_report_has_sections", "every_fact_has_evidence", "warning_share"} <= checks.keys()
    assert all(e.passed for e in checks.values())
    gx = checks["gx_reports_gate"].metadata
    assert gx["expectations"].value == 5 + len(BLOCKING_RULES) and gx["failed_expectations"].value == 0
    gated = {r["column"] for r in gx["validation_result"].value
             if r["expectation"] == "expect_column_values_to_be_between"}
    assert gated == {rule.id for rule in BLOCKING_RULES}  # one expectation per blocking rule's gate


def test_every_file_has_exactly_one_report_row_with_a_status(sample_warehouse) -> None:
    _, raw, db, _ = sample_warehouse
    files = sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if not p.is_dir())
    rows = dict(query(db, "select source_path, status from reports"))
    assert sorted(rows) == files
    assert all(rows[f"seeds/{name}"] == "scored" for name in ("000_990f776b87745625.txt", "001_d2b3fed2330643c7.txt",
               "002_f94757b5ee07a06a.txt", "003_c2cef3dbede2db47.txt", "004_a8ef66291314f876.txt"))
    assert rows["seeds_copy/000_again.txt"] == "duplicate"
    assert rows["corpus/2014_city_pingtan-zone_letter-not-annual-report.txt"] == "not_a_report"
    assert rows["README.md"] == "not_a_report"
    assert rows["bad/empty.html"] == "unreadable" and rows["bad/random.pdf"] == "unreadable"
    reasons = dict(query(db, "select source_path, status_reason from reports"))
    assert reasons["seeds_copy/000_again.txt"] == "same bytes as seeds/000_990f776b87745625.txt"
    assert reasons["bad/empty.html"] == "empty file"
    assert rows["corpus/manifest.csv"] == "unreadable" and "'.csv' is not one the pipeline reads" in reasons[
        "corpus/manifest.csv"]


def test_blocking_rules_quarantine_with_the_right_rule_ids(sample_warehouse) -> None:
    _, _, db, _ = sample_warehouse
    quarantined = dict(query(db, """
        select r.source_path, string_agg(distinct v.rule_id, ',')
        from reports r join dq_violations v using (doc_id)
        where r.status = 'quarantined' and v.severity = 'blocking' group by 1"""))
    assert quarantined == {
        "bad/completed_gt_received.txt": "completed_le_received",
        "bad/year_2099.txt": "year_plausible",
        "bad/negative_cell.html": "count_non_negative",
    }
    facts = query(db, "select count(*) from report_facts join reports using (doc_id) where status = 'quarantined'")
    assert facts[0][0] > 0  # kept for inspection


def test_scores_exist_for_scored_reports_only(sample_warehouse) -> None:
    _, _, db, _ = sample_warehouse
    scored = {r[0] for r in query(db, "select doc_id from reports where status = 'scored'")}
    scores = query(db, "select doc_id, score, coverage from compliance_scores")
    assert {r[0] for r in scores} == scored
    assert all(0 <= r[1] <= 100 and r[2] is not None for r in scores)
    warned = query(db, "select r.source_path, r.status from dq_violations join reports r using (doc_id) "
                       "where rule_id = 'refusal_reasons_sum' order by 1")
    assert warned == [("bad/completed_gt_received.txt", "quarantined"), ("seeds/004_a8ef66291314f876.txt", "scored")]


def test_rerun_is_idempotent(sample_warehouse) -> None:
    defs, _, db, _ = sample_warehouse
    tables = ("raw_documents", "cleaned_documents", "report_sections", "report_tables", "report_facts",
              "dq_violations", "reports", "compliance_scores")
    before = {t: query(db, f"select count(*) from {t}")[0][0] for t in tables}
    again = defs.resolve_job_def("all_assets_job").execute_in_process(instance=dg.DagsterInstance.ephemeral(),
                                                                      tags=range_tags())
    assert again.success
    assert {t: query(db, f"select count(*) from {t}")[0][0] for t in tables} == before


def test_blocking_check_stops_scoring_when_a_violating_row_reaches_the_scored_set(sample_warehouse, tmp_path) -> None:
    _, raw, db, _ = sample_warehouse
    forced = tmp_path / "forced.duckdb"
    shutil.copy(db, forced)  # a copy: the other tests keep reading the untouched sample warehouse
    with duckdb.connect(str(forced)) as conn:
        doc_id = conn.execute("select doc_id from reports where source_path = ?",
                              ["seeds/000_990f776b87745625.txt"]).fetchone()[0]
        conn.execute("insert into report_facts by name select ? as doc_id, '2016' as partition_key, "
                     "'review_total' as fact_key, -4 as value, 'cases' as unit, 'review_litigation' as section_key, "
                     "'forced for the test' as evidence, 'prose' as method, false as approx", [doc_id])
        conn.execute("drop table compliance_scores")
    job = dg.define_asset_job(
        "gate_then_score",
        selection=dg.AssetSelection.checks_for_assets("reports") | dg.AssetSelection.groups("default"),
    )
    with definitions_on(raw, forced) as location:
        result = dg.Definitions.merge(location, dg.Definitions(jobs=[job])).resolve_job_def(
            "gate_then_score").execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success
    failed = {e.check_name: e for e in result.get_asset_check_evaluations() if not e.passed}
    assert set(failed) == {"count_non_negative", "gx_reports_gate"}
    gx = failed["gx_reports_gate"].metadata["validation_result"].value
    assert [r["column"] for r in gx if not r["success"]] == ["count_non_negative"]
    assert not query(forced, "select * from information_schema.tables where table_name = 'compliance_scores'")


def test_every_format_is_filed_under_its_real_year(sample_warehouse) -> None:
    """The catalog reads the year from each format's decoded head (a PDF's first page, a markdown title,
    an HTML title, a crawler dump's first lines), so a backfill of 2024 reprocesses the 2024 PDFs."""
    _, _, db, _ = sample_warehouse
    rows = query(db, "select source_path, content_type, partition_key, report_year from reports "
                     "where source_path like 'corpus/%' and content_type <> 'other'")
    assert {content_type for _, content_type, _, _ in rows} == {"html", "text", "markdown", "pdf"}
    for path, _, key, year in rows:
        assert key == path.split("/")[-1][:4] == str(year), path
