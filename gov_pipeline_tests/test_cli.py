"""The command line: `gov-pipeline extract FILE` on real documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gov_pipeline.cli import extract
from gov_pipeline_tests.conftest import CORPUS, SEEDS


def test_extract_cli_prints_the_whole_document_as_json() -> None:
    gov_pipeline = Path(sys.executable).parent / "gov-pipeline"
    out = subprocess.run([str(gov_pipeline), "extract", str(SEEDS / "004_a8ef66291314f876.txt")],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    assert result["status"] == "scored"
    assert result["metadata"]["report_year"] == 2017 and result["metadata"]["template"] == "legacy"
    assert {"overview", "proactive", "requests", "fees", "review_litigation", "problems"} <= {
        s["section_key"] for s in result["sections"]}
    received = next(f for f in result["facts"] if f["fact_key"] == "requests_received")
    assert received["value"] == 2681 and "2681件" in received["evidence"] and received["method"] == "prose"
    assert [v["rule_id"] for v in result["dq_violations"]] == ["refusal_reasons_sum"]


def test_extract_reports_unreadable_and_non_reports(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert extract(empty)["status"] == "unreadable"
    letter = extract(CORPUS / "2014_city_pingtan-zone_letter-not-annual-report.txt")
    assert letter["status"] == "not_a_report" and "函" in letter["status_reason"]
