"""The audit on the sample warehouse: findings with stable fingerprints, pages that place every
number and point every finding at its cells or sentences, and a reviewer's dismissal that raises the
consistency indicator and survives a re-run of the whole pipeline."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from gov_pipeline.audit.findings import (
    DECISION_COLUMNS,
    Decision,
    append_decision,
    decisions_path,
    findings_of,
    read_decisions,
    read_findings,
)
from gov_pipeline.audit.site import build_site, page_name
from gov_pipeline.cli import main
from gov_pipeline.partitions import range_tags
from gov_pipeline_tests.conftest import Warehouse, definitions_on, query


@pytest.fixture(scope="module")
def sample_site(sample_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audit")
    with DuckDBResource(database=str(sample_warehouse.db)).get_connection() as conn:
        build_site(conn, out, {})
    return out


def test_every_finding_has_one_stable_fingerprint(sample_warehouse: Warehouse) -> None:
    with DuckDBResource(database=str(sample_warehouse.db)).get_connection() as conn:
        findings = read_findings(conn)
        again = read_findings(conn)
    failed = query(sample_warehouse.db, "select (select count(*) from dq_checks where not passed) + "
                                        "(select count(*) from dq_cross_year_checks where not passed)")[0][0]
    assert len(findings) == failed > 0
    assert len({f.fingerprint for f in findings}) == len(findings)
    assert [f.fingerprint for f in findings] == [f.fingerprint for f in again]
    # the prose/table comparison names every mismatch 'prose vs table': two in one report stay distinct
    row = ("doc", "prose_table_mismatch", "warning", "prose vs table")
    twins = findings_of([(*row, "requests_received: prose says 75"), (*row, "fees_collected_yuan: prose says 0")])
    assert twins[0].fingerprint != twins[1].fingerprint


def test_report_pages_place_numbers_and_point_findings_at_what_they_name(sample_warehouse: Warehouse,
                                                                         sample_site: Path) -> None:
    reports = query(sample_warehouse.db, "select count(*) from cleaned_documents")[0][0]
    assert len(list((sample_site / "reports").glob("*.html"))) == reports
    index = (sample_site / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr data-status=") == query(sample_warehouse.db, "select count(*) from reports")[0][0]
    assert index.count("<svg") == 3
    with DuckDBResource(database=str(sample_warehouse.db)).get_connection() as conn:
        findings = read_findings(conn)
    for finding in findings:
        page = (sample_site / "reports" / page_name(finding.doc_id)).read_text(encoding="utf-8")
        block = page[page.index(f'id="f-{finding.fingerprint}"'):]
        targets = re.search(r'data-targets="([^"]*)"', block)[1].split()
        assert targets, f"{finding.rule_id} {finding.subject} names nothing on its page"
        for target in targets:
            assert f'id="{target}"' in page or f"t-{target}" in page
    # the mismatch of the 2022 district report: the table cell '74' and the prose sentence '75件'
    mismatch = next(f for f in findings if f.rule_id == "prose_table_mismatch" and "prose says 75" in f.detail)
    page = (sample_site / "reports" / page_name(mismatch.doc_id)).read_text(encoding="utf-8")
    targets = re.search(r'data-targets="([^"]*)"', page[page.index(f'id="f-{mismatch.fingerprint}"'):])[1].split()
    cells = [t for t in targets if t.startswith("c")]
    assert any(re.search(rf'<td id="{c}" class="fact[^"]*" title="[^"]*requests_received[^"]*">74</td>', page)
               for c in cells)
    assert any(re.search(rf'<span class="[^"]*t-{s}[^"]*">[^<]*75', page) for s in targets if s.startswith("s"))
    # every prose fact is marked where the text states it (its numeral, or the clause of a '未收到'),
    # with its fact key, value and method
    prose = query(sample_warehouse.db, "select doc_id, fact_key, value from report_facts where method = 'prose'")
    assert len(prose) > 50
    for doc_id, fact_key, value in prose:
        page = (sample_site / "reports" / page_name(doc_id)).read_text(encoding="utf-8")
        assert re.search(rf'<mark class="n" title="[^"]*{fact_key} = {value:g}[^"]*method prose', page), fact_key
    # a report with facts of both methods shows both (not whichever page the last row happened to name)
    [(both,)] = query(sample_warehouse.db, "select doc_id from report_facts group by doc_id "
                                           "having count(distinct method) = 2 order by doc_id limit 1")
    page = (sample_site / "reports" / page_name(both)).read_text(encoding="utf-8")
    assert "method prose" in page and "method table" in page


def test_dismissing_a_real_finding_raises_the_score_and_survives_a_rerun(sample_warehouse: Warehouse,
                                                                          tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.db, db)
    with DuckDBResource(database=str(db)).get_connection() as conn:
        # a finding that costs a scored report consistency points: the indicator's evidence lists it
        finding = next(f for f in read_findings(conn) if conn.execute(
            "select count(*) from int_indicator_consistency where doc_id = ? and strpos(evidence, ?) > 0",
            [f.doc_id, f.detail[:80]]).fetchone()[0])
    before = query(db, "select score from compliance_scores where doc_id = ?", [finding.doc_id])[0][0]
    assert main(["review", finding.fingerprint, "--dismiss", "--note", "the table counts another office",
                 "--reviewer", "tester", "--db", str(db)]) == 0
    assert main(["review", "0" * 16, "--confirm", "--note", "typo", "--db", str(db)]) == 2  # no such finding
    # a decision whose finding no longer fires (written by hand into the file)
    append_decision(decisions_path(db), Decision("f" * 16, "confirmed", "tester", "2026-01-02", "an old finding"))
    decisions_before = decisions_path(db).read_text(encoding="utf-8")

    with definitions_on(sample_warehouse.raw, db) as defs:
        run = defs.resolve_job_def("all_assets_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, tags=range_tags())
        assert run.success
        site = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), asset_selection=[dg.AssetKey("audit_site")])
        assert site.success

    assert decisions_path(db).read_text(encoding="utf-8") == decisions_before  # the run never writes it
    with decisions_path(db).open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == DECISION_COLUMNS
    assert set(read_decisions(decisions_path(db))) == {finding.fingerprint, "f" * 16}
    resolved = dict(query(db, "select fingerprint, fires from review_decisions"))
    assert resolved == {finding.fingerprint: True, "f" * 16: False}
    after = query(db, "select score from compliance_scores where doc_id = ?", [finding.doc_id])[0][0]
    assert after > before
    evidence = query(db, "select string_agg(evidence, ' ') from int_indicator_consistency where doc_id = ?",
                     [finding.doc_id])[0][0]
    assert finding.detail not in evidence
    page = (tmp_path / "audit" / "reports" / page_name(finding.doc_id)).read_text(encoding="utf-8")
    block = page[page.index(f'id="f-{finding.fingerprint}"'):][:4000]
    assert "<b>dismissed</b> by tester" in block
    assert "the table counts another office" in block
    index = (tmp_path / "audit" / "index.html").read_text(encoding="utf-8")
    assert "f" * 16 in index[index.index("no longer fires"):]


def test_audit_and_review_refuse_a_missing_warehouse(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    assert main(["audit", "--db", str(missing)]) == 2
    assert main(["review", "0" * 16, "--dismiss", "--note", "x", "--db", str(missing)]) == 2
    assert not missing.exists() and not decisions_path(missing).exists()
