"""The audit site as a person uses it, in Debian's Chromium through Playwright, opened from plain
files: filter the index, click a finding and see the cells and sentence it names highlighted, click a
number to read its fact, and a page built from a hostile document runs no script. Screenshots go to
artifacts/."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from gov_pipeline import pipeline
from gov_pipeline.audit.findings import read_findings
from gov_pipeline.audit.site import build_site, page_name
from gov_pipeline_tests.conftest import SHUYANG, Warehouse, query
from gov_pipeline_tests.test_browser import ARTIFACTS, CHROMIUM, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def sample_site(sample_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audit_site")
    with DuckDBResource(database=str(sample_warehouse.db)).get_connection() as conn:
        build_site(conn, out, {})
    ARTIFACTS.mkdir(exist_ok=True)
    return out


def _page(browser, url: str):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


def test_index_lists_every_file_and_filters_by_status(browser, sample_warehouse: Warehouse,  # noqa: F811
                                                      sample_site: Path) -> None:
    page, errors = _page(browser, (sample_site / "index.html").as_uri())
    total = query(sample_warehouse.db, "select count(*) from reports")[0][0]
    assert page.locator("#files tbody tr").count() == total
    page.screenshot(path=str(ARTIFACTS / "audit_index.png"), full_page=False)
    not_reports = query(sample_warehouse.db, "select count(*) from reports where status = 'not_a_report'")[0][0]
    page.select_option("select[data-filter=status]", "not_a_report")
    assert page.locator("#shown").inner_text() == str(not_reports)
    assert page.locator("#files tbody tr:visible").count() == not_reports
    page.select_option("select[data-filter=status]", "")
    page.fill("input[data-filter=agency]", "平潭")
    shown = int(page.locator("#shown").inner_text())
    assert 0 < shown < total
    page.locator("#files tbody tr:visible a").first.click()
    page.wait_for_load_state()
    assert "/reports/" in page.url and "平潭" in page.locator("h1").inner_text()
    assert errors == []
    page.close()


def test_a_finding_highlights_the_cell_and_sentence_it_names(browser, sample_warehouse: Warehouse,  # noqa: F811
                                                             sample_site: Path) -> None:
    with DuckDBResource(database=str(sample_warehouse.db)).get_connection() as conn:
        findings = read_findings(conn)
    mismatch = next(f for f in findings if f.rule_id == "prose_table_mismatch" and "prose says 75" in f.detail)
    page, errors = _page(browser, (sample_site / "reports" / page_name(mismatch.doc_id)).as_uri())
    page.click(f"#f-{mismatch.fingerprint} a.show")
    cell = page.locator("td.hl")
    assert cell.count() == 1 and cell.inner_text() == "74"
    assert "requests_received" in cell.get_attribute("title")
    sentence = page.locator("#text .hl")
    assert "75件" in "".join(sentence.all_inner_texts())
    page.locator("#text .hl").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "audit_finding_sentence.png"))
    cell.scroll_into_view_if_needed()
    assert cell.is_visible()
    page.screenshot(path=str(ARTIFACTS / "audit_finding_cell.png"))
    # a number in the text names its fact key, value and method when clicked
    page.locator("mark.n").first.click()
    info = page.locator("#info")
    assert info.is_visible() and "method prose" in info.inner_text()
    page.close()
    # table 4: the review block's cells, all of them
    review = next(f for f in findings if f.rule_id == "review_sum")
    page, more_errors = _page(browser, (sample_site / "reports" / page_name(review.doc_id)).as_uri())
    page.click(f"#f-{review.fingerprint} a.show")
    highlighted = page.locator("td.hl")
    assert highlighted.count() == 5
    assert all(title.startswith("review_") for title in
               (highlighted.nth(i).get_attribute("title") for i in range(5)))
    page.screenshot(path=str(ARTIFACTS / "audit_finding_table4.png"))
    assert errors == more_errors == []
    page.close()


def test_a_page_built_from_a_hostile_document_runs_no_script(browser, tmp_path: Path) -> None:  # noqa: F811
    """The Shuyang report with a script and an onerror image in its title and its first paragraph
    (as HTML entities, so the text the pipeline reads holds the markup literally)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    payload = '&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror="window.__pwned=2"&gt;'
    title = "沭阳县发展和改革局2023年政府信息公开年度报告"
    page_html = SHUYANG.read_text(encoding="utf-8").replace(title, payload + title).replace(
        "现向社会公布", payload + "现向社会公布", 1)
    (raw / "hostile.html").write_text(page_html, encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as conn:  # the stage functions alone: no scores needed for the page
        pipeline.build_raw_documents(conn, raw)
        pipeline.build_documents(conn, raw)
        pipeline.build_reports(conn)
        stored_title = conn.execute("select title from cleaned_documents").fetchone()[0]
        assert "<script>" in stored_title
        build_site(conn, tmp_path / "audit", {})
        doc_id = conn.execute("select doc_id from cleaned_documents").fetchone()[0]
    for path in (tmp_path / "audit" / "reports" / page_name(doc_id), tmp_path / "audit" / "index.html"):
        page, errors = _page(browser, path.as_uri())
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("document.scripts.length") == 1  # ours
        assert page.locator("img").count() == 0
        if path.name != "index.html":
            assert page.locator("h1").inner_text() == stored_title
            # the cleaning drops the markup from the body; what it kept is shown as text
            assert "window.__pwned=1现向社会公布" in page.locator("#text").inner_text()
            page.screenshot(path=str(ARTIFACTS / "audit_hostile_title.png"))
        assert errors == []
        page.close()
