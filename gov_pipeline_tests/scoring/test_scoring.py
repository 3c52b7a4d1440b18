"""The dbt scoring layer on the sample warehouse: scores, marts, tests, docs and the README's queries."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from dagster_duckdb import DuckDBResource

from gov_pipeline.config import DBT_PROJECT_DIR, DUCKDB_PATH_ENV, PROJECT_ROOT
from gov_pipeline_tests.conftest import query

DBT = str(Path(sys.executable).parent / "dbt")


def score_of(db: Path, seed: str) -> dict:
    with DuckDBResource(database=str(db)).get_connection() as conn:
        cursor = conn.execute("select * from compliance_scores where source_path = ?", [f"seeds/{seed}"])
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_late_incomplete_report_scores_below_a_complete_timely_one(sample_warehouse) -> None:
    late = score_of(sample_warehouse.db, "003_c2cef3dbede2db47.txt")
    good = score_of(sample_warehouse.db, "004_a8ef66291314f876.txt")
    assert late["score"] < good["score"]
    assert late["timeliness_result"] == "fail" and good["timeliness_result"] == "pass"
    assert late["art32_contents_result"] == "partial" and good["art32_contents_result"] == "pass"
    assert "52 days after the deadline 2017-03-31" in late["lost_points_because"]
    assert "missing: fees, review_litigation" in late["lost_points_because"]


def test_timely_seed_002_passes_timeliness(sample_warehouse) -> None:
    assert score_of(sample_warehouse.db, "002_f94757b5ee07a06a.txt")["timeliness_result"] == "pass"


def test_every_scored_report_has_a_score_and_a_coverage(sample_warehouse) -> None:
    db = sample_warehouse.db
    scored = query(db, "select count(*) from reports where status = 'scored'")[0][0]
    checked = query(db, "select count(*), min(score), max(score), count(coverage) from compliance_scores")[0]
    assert checked[0] == scored and 0 <= checked[1] <= checked[2] <= 100 and checked[3] == scored
    assert query(db, "select count(*) from compliance_scores s join reports r using (doc_id, source_path) "
                    "where r.status <> 'scored'")[0][0] == 0


def test_template_reports_are_scored_on_the_template_rubric(sample_warehouse) -> None:
    shuyang = query(sample_warehouse.db, """
        select rubric, tables_result, table3_balance_result, template_version_result, art32_contents_result
        from compliance_scores where source_path like '%shuyang%'""")[0]
    assert shuyang == ("template", "pass", "pass", "pass", None)


def test_originality_catches_a_report_copied_from_the_year_before(sample_warehouse) -> None:
    result, evidence = query(sample_warehouse.db, """
        select originality_result, lost_points_because from compliance_scores
        where source_path = 'corpus/html/2012_county_pingtan-county_report.html'""")[0]
    assert result == "fail" and re.search(r"\d+% of the text repeats", evidence)


def test_marts(sample_warehouse) -> None:
    db = sample_warehouse.db
    assert query(db, "select count(*) from (select agency_key, report_year from agency_year_summary "
                    "group by all having count(*) > 1)")[0][0] == 0
    pingtan = dict(query(db, "select report_year, publication_status from publication_coverage "
                            "where agency_key = '350128:平潭综合实验区'"))
    assert pingtan[2012] == "no report in the corpus" and pingtan[2011] == "late" and pingtan[2019] == "on time"
    assert query(db, "select min(rank_in_level_year) from agency_rankings")[0][0] == 1


def test_dbt_build_passes_from_the_command_line_on_the_same_warehouse(sample_warehouse) -> None:
    env = os.environ | {DUCKDB_PATH_ENV: str(sample_warehouse.db)}
    build = subprocess.run([DBT, "build", "--project-dir", ".", "--profiles-dir", "."], cwd=DBT_PROJECT_DIR,
                           env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-2000:]
    assert "ERROR=0" in build.stdout
    docs = subprocess.run([DBT, "docs", "generate", "--project-dir", ".", "--profiles-dir", "."],
                          cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    assert docs.returncode == 0 and (DBT_PROJECT_DIR / "target" / "catalog.json").exists()


def test_the_readme_queries_run_on_the_sample_warehouse(sample_warehouse) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", readme, re.S)
    assert len(queries) == 5
    for sql in queries:
        assert query(sample_warehouse.db, sql), sql.splitlines()[0]
