"""The command line: `gov-pipeline extract FILE` on real documents; `gov-pipeline run` quiet, with a summary
that names what needs a look, recorded in the shared Dagster instance."""

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


def test_run_is_quiet_and_names_what_needs_a_look(cli_run) -> None:
    assert cli_run.returncode == 0, cli_run.output[-3000:]
    lines = cli_run.output.splitlines()
    assert len(lines) < 40, cli_run.output
    assert not any("BetaWarning" in line or " START " in line or "AssetObservation" in line for line in lines)
    assert any(line.startswith("✓ report_documents") and "s " in line for line in lines)  # one line per step, timed
    text = cli_run.output
    assert "not_a_report: README.md" in text and "letter-not-annual-report" in text
    assert "duplicate: " in text and "the same report as" in text
    assert "most warnings: corpus/2016_city_pingtan-zone_report.txt (cumulative_chain)" in text
    assert "http://127.0.0.1:3000/assets/dq_violations?view=checks" in text and 'gov-pipeline sql "' in text


def test_the_cli_run_is_recorded_in_the_shared_dagster_instance(cli_run) -> None:
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(cli_run.home))) as instance:
        [run] = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        reports = instance.get_latest_materialization_event(dg.AssetKey("reports"))
        assert reports is not None and reports.run_id == run.run_id
        assert "preview" in reports.asset_materialization.metadata
        scores = instance.get_latest_materialization_event(dg.AssetKey("compliance_scores"))
        assert scores.asset_materialization.metadata["dagster/row_count"].value > 0
