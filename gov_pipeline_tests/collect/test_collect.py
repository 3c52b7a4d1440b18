"""Collection against a fake government site on 127.0.0.1 built from the real documents in data/raw
(gov_pipeline_tests/fake_site.py): outcomes per URL, byte-exact storage, politeness, conditional
re-crawls, a crawl killed with SIGKILL and resumed, the Dagster asset, and the pipeline run after."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from gov_pipeline.collect.asset import Collection, collect_season_weekly, fetched_pages
from gov_pipeline.collect.crawl import STORE_FOLDER
from gov_pipeline.collect.registry import column_targets, registered_columns
from gov_pipeline.collect.store import PARTIAL
from gov_pipeline.partitions import range_tags
from gov_pipeline.warehouse.resources import RawFolder
from gov_pipeline_tests.conftest import definitions_on, query
from gov_pipeline_tests.fake_site import COLUMN, PAGE_2, RETRY_AFTER, FakeSite, Request

BIN = Path(sys.executable).parent
MIN_INTERVAL = 0.1
# the server notes a request when its handler thread starts, so single arrivals jitter by thread
# scheduling on a loaded machine: no two requests closer than half the interval, and every run of
# WINDOW requests spread over at least 90 % of what the interval allows
JITTER_SHARE, WINDOW = 0.5, 5
PER_HOST = 2
POLITE = ["--min-interval", str(MIN_INTERVAL), "--per-host", str(PER_HOST), "--timeout", "0.5", "--attempts", "3",
          "--backoff", "0.05"]
# every URL the first crawl meets, by path, and the outcome it must log
EXPECTED = {
    "/robots.txt": "robots",
    COLUMN: "listing",
    PAGE_2: "listing",
    "/zwgk/nb/": "skipped",  # the column's own navigation link: not a report title
    "/zwgk/nb/201801/t2018_pingtan.html": "stored",  # gzip-encoded
    "/zwgk/nb/201401/t2013_tax.html": "stored",  # GBK, no charset in the header or the page
    "/zwgk/nb/202401/t2023_shuyang.shtml": "stored",
    "/zwgk/nb/202501/t2024_hongze.html": "attachment_page",
    "/files/hongze_2024.pdf": "stored",
    "/zwgk/nb/202301/t2022_spa.html": "shell",
    "/zwgk/nb/202201/t2021_ewb.html": "shell",
    "/zwgk/nb/201412/t2014_letter.html": "skipped",  # a notice filed in the column: not followed
    "/private/t2019_draft.html": "disallowed",
    "/zwgk/nb/201204/t2011_pingtan.html": "stored",
    "/zwgk/nb/201301/t2012_county.html": "stored",  # after a 429 with Retry-After
    "/zwgk/nb/201204/t2011_county.html": "stored",  # after a 500
    "/zwgk/nb/202101/t2020_slow.html": "failed",
    "/zwgk/nb/202001/t2019_loop.html": "failed",
    "/zwgk/nb/201801/t2017_big.html": "too_large",
    "/zwgk/nb/201701/t2016_guarded.html": "blocked",
}
PIPELINE_TO_REPORTS = ("raw_documents", "cleaned_documents", "report_sections", "report_tables", "report_facts",
                       "dq_checks", "dq_cross_year_checks", "dq_violations", "near_duplicates", "reports")
STORED = sorted(path for path, outcome in EXPECTED.items() if outcome == "stored")


class Crawled(NamedTuple):
    site: FakeSite
    raw: Path
    db: Path
    requests: list[Request]  # what the server saw during the first crawl


def fetch(site: FakeSite, raw: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "gov-pipeline"), "fetch", "--column", site.base + COLUMN, "--raw-dir", str(raw),
                           "--db", str(db), *POLITE], capture_output=True, text=True, timeout=120, check=True)


def log_rows(db: Path, crawl: int | None = None) -> list[dict]:
    """fetch_log rows as dicts (of the crawl-th crawl, counting from 1, when given), paths relative."""
    rows = query(db, "select *, dense_rank() over (order by crawl_start) as crawl_no from "
                     "(select *, min(fetched_at) over (partition by crawl_id) as crawl_start from fetch_log) "
                     "order by fetched_at")
    columns = [r[0] for r in query(db, "describe fetch_log")] + ["crawl_start", "crawl_no"]
    found = [dict(zip(columns, row, strict=False)) for row in rows]
    return [row | {"path": "/" + row["url"].split("/", 3)[3]} for row in found if crawl in (None, row["crawl_no"])]


def store_files(raw: Path) -> list[Path]:
    return sorted(p for p in (raw / STORE_FOLDER).rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    root = tmp_path_factory.mktemp("collect")
    site = FakeSite().serve()
    try:
        fetch(site, root / "raw", root / "warehouse.duckdb")
        yield Crawled(site, root / "raw", root / "warehouse.duckdb", list(site.requests))
    finally:
        site.close()


def test_every_url_has_a_fetch_log_row_with_its_outcome(crawled: Crawled) -> None:
    rows = log_rows(crawled.db, 1)
    assert {row["path"]: row["outcome"] for row in rows} == EXPECTED
    assert len(rows) == len(EXPECTED)  # one row per URL attempt
    reason = {row["path"]: row["reason"] for row in rows}
    assert "SPA shell" in reason["/zwgk/nb/202301/t2022_spa.html"]
    assert "WebBuilder" in reason["/zwgk/nb/202201/t2021_ewb.html"]
    assert "infoid=8f1c2b7e-53aa-4d0b-9a7e-1e6f0c2d9b41" in reason["/zwgk/nb/202201/t2021_ewb.html"]
    assert "attachment" in reason["/zwgk/nb/202501/t2024_hongze.html"]
    assert "robots.txt disallows" in reason["/private/t2019_draft.html"]
    assert "Timeout after 3 attempts" in reason["/zwgk/nb/202101/t2020_slow.html"]
    assert "redirect" in reason["/zwgk/nb/202001/t2019_loop.html"]
    assert "byte cap" in reason["/zwgk/nb/201801/t2017_big.html"]
    assert "HTTP 412" in reason["/zwgk/nb/201701/t2016_guarded.html"]
    by_path = {row["path"]: row for row in rows}
    assert by_path["/files/hongze_2024.pdf"]["found_on"] == crawled.site.base + "/zwgk/nb/202501/t2024_hongze.html"
    assert by_path["/zwgk/nb/201401/t2013_tax.html"]["year_hint"] == 2013
    assert by_path["/zwgk/nb/201301/t2012_county.html"]["attempts"] == 2
    assert by_path["/zwgk/nb/201204/t2011_county.html"]["attempts"] == 2


def test_reports_arrive_in_the_store_byte_exact(crawled: Crawled) -> None:
    stored = {row["path"]: row for row in log_rows(crawled.db, 1) if row["outcome"] == "stored"}
    assert sorted(stored) == STORED
    for path, row in stored.items():
        data = (crawled.raw / row["stored_path"]).read_bytes()
        assert data == crawled.site.documents[path], path
        assert row["sha256"] == hashlib.sha256(data).hexdigest() and row["bytes"] == len(data)
    gzipped = stored["/zwgk/nb/201801/t2018_pingtan.html"]
    assert gzipped["wire_bytes"] < gzipped["bytes"]  # it travelled compressed; the store holds the page itself
    assert gzip.decompress(gzip.compress(crawled.site.documents["/zwgk/nb/201801/t2018_pingtan.html"]))
    gbk = (crawled.raw / stored["/zwgk/nb/201401/t2013_tax.html"]["stored_path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")  # kept as GBK: decoding is the cleaning stage's job
    assert [p.name for p in store_files(crawled.raw)] == sorted(
        Path(row["stored_path"]).name for row in stored.values())


def test_politeness_robots_spacing_concurrency_retries(crawled: Crawled) -> None:
    requests = crawled.requests
    assert requests[0].path == "/robots.txt"
    assert not [r for r in requests if r.path.startswith("/private/")]
    assert all("gov_pipeline-collector" in r.headers["User-Agent"] for r in requests)
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    assert min(gaps) >= MIN_INTERVAL * JITTER_SHARE, sorted(gaps)[:3]
    spans = [requests[i + WINDOW - 1].at - requests[i].at for i in range(len(requests) - WINDOW + 1)]
    assert min(spans) >= (WINDOW - 1) * MIN_INTERVAL * 0.9, sorted(spans)[:3]
    assert crawled.site.max_active <= PER_HOST
    times = {path: [r.at for r in requests if r.path == path] for path in EXPECTED}
    throttled = times["/zwgk/nb/201301/t2012_county.html"]
    assert len(throttled) == 2 and throttled[1] - throttled[0] >= RETRY_AFTER
    assert len(times["/zwgk/nb/201204/t2011_county.html"]) == 2
    assert len(times["/zwgk/nb/202101/t2020_slow.html"]) == 3
    print(f"\nrequest spacing: {len(requests)} requests, min gap {min(gaps):.3f}s, median "
          f"{sorted(gaps)[len(gaps) // 2]:.3f}s, min span of {WINDOW} {min(spans):.3f}s (limit {MIN_INTERVAL}s), "
          f"max concurrent {crawled.site.max_active}")


@pytest.fixture(scope="module")
def recrawled(crawled: Crawled) -> Crawled:
    before = len(crawled.site.requests)
    fetch(crawled.site, crawled.raw, crawled.db)
    return crawled._replace(requests=crawled.site.requests[before:])


def test_second_crawl_downloads_nothing_that_did_not_change(recrawled: Crawled) -> None:
    first = {row["path"]: row for row in log_rows(recrawled.db, 1)}
    second = {row["path"]: row for row in log_rows(recrawled.db, 2)}
    answered = [path for path, row in first.items() if row["http_status"] == 200 and row["etag"] and
                path != "/robots.txt"]
    assert set(answered) == {path for path, outcome in EXPECTED.items()
                             if outcome in ("stored", "listing", "shell", "attachment_page")}
    for path in answered:
        assert second[path]["outcome"] == "not_modified" and second[path]["http_status"] == 304, path
        assert second[path]["wire_bytes"] == 0
        assert second[path]["sha256"] == first[path]["sha256"]
    sent = {r.path: r.headers.get("If-None-Match") for r in recrawled.requests}
    assert all(sent[path] == first[path]["etag"] for path in answered)
    # only robots.txt (re-read every crawl) and the 412 challenge (no validators) cost bytes again
    paid = {path: row["wire_bytes"] for path, row in second.items() if row["wire_bytes"]}
    assert set(paid) == {"/robots.txt", "/zwgk/nb/201701/t2016_guarded.html"}
    assert len(store_files(recrawled.raw)) == len(STORED)
    print(f"\nsecond crawl: {sum(paid.values())} bytes downloaded (first: "
          f"{sum(row['wire_bytes'] for row in first.values())})")


def test_fetched_reports_flow_through_the_pipeline_with_source_url(recrawled: Crawled) -> None:
    """The raw folder with its store through the stages up to `reports` (the dbt scoring after them is
    the README walk-through's last step: a full run costs minutes on a shared machine)."""
    with definitions_on(recrawled.raw, recrawled.db) as defs:
        result = defs.resolve_job_def("all_assets_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), tags=range_tags(),
            asset_selection=[dg.AssetKey(key) for key in PIPELINE_TO_REPORTS])
    assert result.success
    reports = query(recrawled.db, "select r.source_url, r.status, r.report_year, r.title, f.fetched_at "
                                  "from reports r join fetch_log f on f.sha256 = r.doc_id and f.outcome = 'stored' "
                                  "order by r.source_url")
    base = recrawled.site.base
    assert [row[0] for row in reports] == sorted(base + path for path in STORED)
    assert all(row[1] in ("scored", "quarantined") and row[4] is not None for row in reports), reports
    years = {row[0].removeprefix(base): row[2] for row in reports}
    assert years["/zwgk/nb/201401/t2013_tax.html"] == 2013 and years["/files/hongze_2024.pdf"] == 2024
    assert years["/zwgk/nb/202401/t2023_shuyang.shtml"] == 2023
    tax_title = next(row[3] for row in reports if row[0].endswith("t2013_tax.html"))
    assert "地方税务局" in tax_title  # the GBK bytes were read right by the cleaning stage
    assert query(recrawled.db, "select count(*) from reports")[0][0] == len(STORED)  # each file once


def test_a_killed_crawl_resumes_without_duplicates(tmp_path: Path) -> None:
    site = FakeSite()
    site.hold_path = PAGE_2  # the crawl is killed while it waits for the column's second page
    site.serve()
    raw, db = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    try:
        process = subprocess.Popen([str(BIN / "gov-pipeline"), "fetch", "--column", site.base + COLUMN,
                                    "--raw-dir", str(raw), "--db", str(db), *POLITE],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert site.held.wait(60), "the crawl never reached the second page"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        site.release.set()
        before = log_rows(db)
        assert {row["path"] for row in before if row["outcome"] == "stored"} and PAGE_2 not in {
            row["path"] for row in before}
        fetch(site, raw, db)
    finally:
        site.close()
    rows = log_rows(db)
    stored = [row for row in rows if row["outcome"] == "stored"]
    assert sorted(row["path"] for row in stored) == STORED  # each report stored once, over both runs
    resumed = {row["path"]: row["outcome"] for row in rows if row["crawl_no"] == 2}
    assert all(resumed[row["path"]] == "not_modified" for row in before if row["outcome"] == "stored")
    files = store_files(raw)
    assert not [p for p in files if p.name.endswith(PARTIAL)]
    assert sorted(p.name.split(".")[0] for p in files) == sorted(row["sha256"] for row in stored)


def test_url_list_with_hints(crawled: Crawled, tmp_path: Path) -> None:
    """A URL list: hints travel into fetch_log, one content under two URLs is stored once, a list page
    given as a URL is recorded (not followed), non-http(s) and missing pages are outcomes."""
    base = crawled.site.base
    urls = tmp_path / "urls.csv"
    urls.write_text("url,agency,level,year\n"
                    f"{base}/zwgk/nb/202401/t2023_shuyang.shtml,沭阳县发展和改革局,department,2023\n"
                    f"{base}/files/hongze_2024.pdf,淮安市洪泽区人民政府,county,2024\n"
                    f"{base}/files/hongze_2024.pdf?download=1,淮安市洪泽区人民政府,county,2024\n"
                    f"{base}{PAGE_2},,,\n"
                    f"{base}/zwgk/nb/gone.html,,,\n"
                    "ftp://127.0.0.1/report.pdf,,,\n", encoding="utf-8")
    raw, db = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    subprocess.run([str(BIN / "gov-pipeline"), "fetch", "--urls", str(urls), "--raw-dir", str(raw), "--db", str(db),
                    *POLITE], capture_output=True, text=True, timeout=120, check=True)
    rows = {row["url"]: row for row in log_rows(db) if row["role"] == "url"}
    assert {url.removeprefix(base): row["outcome"] for url, row in rows.items()} == {
        "/zwgk/nb/202401/t2023_shuyang.shtml": "stored", "/files/hongze_2024.pdf": "stored",
        "/files/hongze_2024.pdf?download=1": "stored", PAGE_2: "listing", "/zwgk/nb/gone.html": "failed",
        "ftp://127.0.0.1/report.pdf": "unsupported"}
    shuyang = rows[base + "/zwgk/nb/202401/t2023_shuyang.shtml"]
    assert ((shuyang["agency_hint"], shuyang["level_hint"], shuyang["year_hint"])
            == ("沭阳县发展和改革局", "department", 2023))
    assert "crawl it with --column" in rows[base + PAGE_2]["reason"]
    assert rows[base + "/zwgk/nb/gone.html"]["reason"] == "HTTP 404"
    assert len(store_files(raw)) == 2  # the PDF under two URLs is one file


def test_fetched_pages_asset_crawls_the_registered_columns(tmp_path: Path) -> None:
    site = FakeSite().serve()
    registry = tmp_path / "columns.csv"
    registry.write_text("site,column_url,agency,level,note\n"
                        f"fake.gov.cn,{site.base}{COLUMN},平潭综合实验区党工委管委会,city,the local test site\n",
                        encoding="utf-8")
    raw, db = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    resources = {"duckdb": DuckDBResource(database=str(db)), "raw_folder": RawFolder(path=str(raw)),
                 "collection": Collection(registry=str(registry), min_interval=MIN_INTERVAL, timeout=0.5, attempts=2,
                                          backoff=0.05)}
    try:
        assert dg.materialize([fetched_pages], resources=resources).success  # no sites chosen: nothing fetched
        assert not site.requests and not log_rows(db)
        result = dg.materialize(
            [fetched_pages], run_config={"ops": {"fetched_pages": {"config": {"sites": ["fake.gov.cn"],
                                                                              "max_pages": 1}}}},
            resources=resources)
    finally:
        site.close()
    assert result.success
    rows = log_rows(db)
    assert PAGE_2 not in {row["path"] for row in rows}  # max_pages=1: the newest column page only
    stored = {row["path"] for row in rows if row["outcome"] == "stored"}
    assert stored == {"/zwgk/nb/201801/t2018_pingtan.html", "/zwgk/nb/201401/t2013_tax.html",
                      "/zwgk/nb/202401/t2023_shuyang.shtml", "/files/hongze_2024.pdf"}
    assert {row["agency_hint"] for row in rows if row["outcome"] == "stored"} == {"平潭综合实验区党工委管委会"}
    metadata = result.asset_materializations_for_node("fetched_pages")[0].metadata
    assert metadata["count/stored"].value == 4


def test_registry_and_season_schedule() -> None:
    columns = registered_columns()
    assert columns and all(c.column_url.startswith(("http://", "https://")) for c in columns)
    assert [t.role for t in column_targets(columns, [columns[0].site])] == ["column"]
    with pytest.raises(ValueError, match="not in the column registry"):
        column_targets(columns, ["no-such-site"])
    assert collect_season_weekly.cron_schedule == "0 5 * 2-4 1"
    assert collect_season_weekly.execution_timezone == "Asia/Shanghai"
    assert collect_season_weekly.default_status == dg.DefaultScheduleStatus.STOPPED
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2027, 2, 1, 5))
    [request] = collect_season_weekly.evaluate_tick(context).run_requests
    assert request.run_config["ops"]["fetched_pages"]["config"]["all_sites"] is True
