"""The whole pipeline through Dagster and dbt, in process, over a small folder of real documents
(and documents built from them that break the blocking rules) into a temporary DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from gov_pipeline.config import DUCKDB_PATH_ENV, Settings
from gov_pipeline.definitions import build_definitions
from gov_pipeline_tests.conftest import CORPUS, SEEDS, SHUYANG

SEED_000 = SEEDS / "000_990f776b87745625.txt"
SEED_004 = SEEDS / "004_a8ef66291314f876.txt"


def build_folder(root: Path) -> Path:
    raw = root / "raw"
    (raw / "bad").mkdir(parents=True)
    for source in (SEED_000, SEED_004, SHUYANG, CORPUS / "2014_city_pingtan-zone_letter-not-annual-report.txt"):
        shutil.copy(source, raw / source.name)
    shutil.copy(SEED_000, raw / "copy_of_000.txt")
    (raw / "bad" / "empty.html").write_bytes(b"")
    (raw / "bad" / "random.pdf").write_bytes(bytes(range(256)) * 50)
    seed_004 = SEED_004.read_text(encoding="utf-8")
    (raw / "bad" / "completed_gt_received.txt").write_text(seed_004.replace("办结2670件", "办结2690件"), encoding="utf-8")
    (raw / "bad" / "year_2099.txt").write_text(
        SEED_000.read_text(encoding="utf-8").replace("凉州区2016年政府信息公开工作年度报告", "凉州区2099年政府信息公开工作年度报告"),
        encoding="utf-8")
    page = SHUYANG.read_text(encoding="utf-8")
    row = page.index("上年结转政府信息公开申请数量")
    cell = page.index(">0</span>", row)
    (raw / "bad" / "negative_cell.html").write_text(page[:cell] + ">-3</span>" + page[cell + 9:], encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    import os

    root = tmp_path_factory.mktemp("pipeline")
    raw = build_folder(root)
    db = root / "warehouse.duckdb"
    previous = os.environ.get(DUCKDB_PATH_ENV)
    defs = build_definitions(Settings(raw_dir=raw, duckdb_path=db))
    job = defs.resolve_job_def("all_assets_job")
    first = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    yield defs, raw, db, first
    if previous is None:
        os.environ.pop(DUCKDB_PATH_ENV, None)
    else:
        os.environ[DUCKDB_PATH_ENV] = previous


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_run_succeeds_and_checks_pass(warehouse) -> None:
    _, _, _, result = warehouse
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert {"count_non_negative", "completed_le_received", "year_plausible", "gx_reports_gate",
            "no_html_residue", "every_report_has_sections", "every_fact_has_evidence", "warning_share"} <= checks.keys()
    assert all(e.passed for e in checks.values())
    gx = checks["gx_reports_gate"].metadata
    assert gx["expectations"].value == 7 and gx["failed_expectations"].value == 0
    assert {r["expectation"] for r in gx["validation_result"].value} >= {
        "expect_column_values_to_be_in_set", "expect_column_pair_values_a_to_be_greater_than_b"}


def test_every_file_has_exactly_one_report_row_with_a_status(warehouse) -> None:
    _, raw, db, _ = warehouse
    files = sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file())
    rows = dict(query(db, "select source_path, status from reports"))
    assert sorted(rows) == files
    assert rows["000_990f776b87745625.txt"] == "scored"
    assert rows["004_a8ef66291314f876.txt"] == "scored"
    assert rows["copy_of_000.txt"] == "duplicate"
    assert rows["2014_city_pingtan-zone_letter-not-annual-report.txt"] == "not_a_report"
    assert rows["bad/empty.html"] == "unreadable" and rows["bad/random.pdf"] == "unreadable"
    reasons = dict(query(db, "select source_path, status_reason from reports"))
    assert reasons["copy_of_000.txt"] == "same bytes as 000_990f776b87745625.txt"
    assert reasons["bad/empty.html"] == "empty file"


def test_blocking_rules_quarantine_with_the_right_rule_ids(warehouse) -> None:
    _, _, db, _ = warehouse
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


def test_scores_exist_for_scored_reports_only(warehouse) -> None:
    _, _, db, _ = warehouse
    scored = {r[0] for r in query(db, "select doc_id from reports where status = 'scored'")}
    scores = query(db, "select doc_id, score, coverage from compliance_scores")
    assert {r[0] for r in scores} == scored
    assert all(0 <= r[1] <= 100 and r[2] is not None for r in scores)
    warned = query(db, "select r.source_path, r.status from dq_violations join reports r using (doc_id) "
                       "where rule_id = 'refusal_reasons_sum' order by 1")
    assert warned == [("004_a8ef66291314f876.txt", "scored"), ("bad/completed_gt_received.txt", "quarantined")]


def test_rerun_is_idempotent(warehouse) -> None:
    defs, _, db, _ = warehouse
    tables = ("raw_documents", "cleaned_documents", "report_sections", "report_tables", "report_facts",
              "dq_violations", "reports", "compliance_scores")
    before = {t: query(db, f"select count(*) from {t}")[0][0] for t in tables}
    again = defs.resolve_job_def("all_assets_job").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert again.success
    assert {t: query(db, f"select count(*) from {t}")[0][0] for t in tables} == before


def test_blocking_check_stops_scoring_when_a_violating_row_reaches_the_scored_set(warehouse) -> None:
    defs, _, db, _ = warehouse
    with duckdb.connect(str(db)) as conn:
        doc_id = conn.execute("select doc_id from reports where source_path = '000_990f776b87745625.txt'").fetchone()[0]
        conn.execute("insert into report_facts values (?, 'review_total', -4, 'cases', 'review_litigation', "
                     "'forced for the test', 'prose', false)", [doc_id])
        conn.execute("drop table compliance_scores")
    job = dg.define_asset_job(
        "gate_then_score",
        selection=dg.AssetSelection.checks_for_assets("reports") | dg.AssetSelection.groups("default"),
    )
    result = dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def("gate_then_score") \
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success
    failed = {e.check_name: e for e in result.get_asset_check_evaluations() if not e.passed}
    assert set(failed) == {"count_non_negative", "gx_reports_gate"}
    gx = failed["gx_reports_gate"].metadata["validation_result"].value
    assert [r["column"] for r in gx if not r["success"]] == ["min_count"]
    assert not query(db, "select * from information_schema.tables where table_name = 'compliance_scores'")
    with duckdb.connect(str(db)) as conn:
        conn.execute("delete from report_facts where evidence = 'forced for the test'")
