"""Rubric v2 cases the sample corpus does not hold, built from its real reports in a copy of the sample
warehouse and scored by a real dbt build: one report republished under another body's name (the 0-weight
flag copied_from_other_body), a page date far past the deadline with no signature date (T1 unknown,
needs_confirmation) and a body whose type is unknown (T1 unknown, never a defaulted deadline)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gov_pipeline.config import DBT_PROJECT_DIR, DUCKDB_PATH_ENV
from gov_pipeline_tests.conftest import query

DBT = str(Path(sys.executable).parent / "dbt")
HUAIAN = "corpus/pdf/2024_city_huaian-city_report.pdf"
SEED_003 = "seeds/003_c2cef3dbede2db47.txt"
SHUYANG = "corpus/html/2023_department_shuyang-county-development-reform-bureau_report.html"


def test_copies_across_bodies_reposted_pages_and_unknown_body_types(sample_warehouse, tmp_path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.db, db)
    query(db, f"""
        create temp table copied as select * replace ('copy-of-huaian' as doc_id, 'copies/huaian.pdf' as source_path,
            '320899:另一机关' as agency_key, '另一机关' as agency_name) from reports where source_path = '{HUAIAN}';
        insert into reports select * from copied;
        insert into report_sections select * replace ('copy-of-huaian' as doc_id) from report_sections
            where doc_id = (select doc_id from reports where source_path = '{HUAIAN}');
        update reports set publish_date = date '2018-06-01', written_date = null where source_path = '{SEED_003}';
        update reports set admin_level = null where source_path = '{SHUYANG}';
        select 1""")
    build = subprocess.run([DBT, "build", "--project-dir", ".", "--profiles-dir", "."], cwd=DBT_PROJECT_DIR,
                           env=os.environ | {DUCKDB_PATH_ENV: str(db)}, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-2000:]
    flagged = {path for (path,) in query(db, "select source_path from compliance_scores where copied_from_other_body")}
    # the copy and its original; and, already in the sample, the 2011 reports of 平潭县 and of the zone that
    # took it over: one text (全县 / 全区 aside) published by two bodies
    assert flagged == {HUAIAN, "copies/huaian.pdf", "corpus/2011_city_pingtan-zone_report.txt",
                       "corpus/html/2011_county_pingtan-county_report.html"}
    result, confirm, why = query(db, "select timeliness_result, needs_confirmation, lost_points_because "
                                     "from compliance_scores where source_path = ?", [SEED_003])[0]
    assert (result, confirm) == ("unknown", True) and "no signature date confirms it" in why
    result, why = query(db, "select timeliness_result, lost_points_because from compliance_scores "
                            "where source_path = ?", [SHUYANG])[0]
    assert result == "unknown" and "body type unknown" in why
    assert query(db, "select count(*) from agency_rankings where doc_id in (select doc_id from compliance_scores "
                     "where not timeliness_known)")[0][0] == 0
