"""The Dagster UI as a person uses it: `dagster dev` on 127.0.0.1, Debian's Chromium driven by
Playwright. After `gov-pipeline run` (as `make run` does), the UI shows that run's materialisations,
each failing data-quality rule with its reports, and the dbt models with row counts. Then, on a fresh
instance, materialise one report-year partition from the asset graph, watch the run succeed, read the
asset checks; two runs launched together both finish, one after the other (one writer). Screenshots
go to artifacts/."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster_duckdb import DuckDBResource

from gov_pipeline.config import DUCKDB_PATH_ENV, PROJECT_ROOT, RAW_DIR_ENV
from gov_pipeline_tests.conftest import CORPUS, SEEDS, CliRun

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "artifacts"
# as the machine notes advise: no background networking on a closed network, a fresh profile
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
STARTUP_SECONDS = 180
RUN_SECONDS = 240

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed and could not be (make test installs it with apt-get)")


class DagsterUI:
    def __init__(self, url: str, db: Path) -> None:
        self.url, self.db = url, db

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(f"{self.url}/graphql", method="POST",
                                         data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["data"]

    def runs(self) -> list[dict]:
        data = self.graphql("{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }")
        return data["runsOrError"]["results"]

    def wait_for_runs(self, count: int) -> list[dict]:
        """Wait until `count` runs have finished; returns them and asserts no two ever ran at once."""
        deadline = time.monotonic() + RUN_SECONDS * count
        most_at_once = 0
        while time.monotonic() < deadline:
            runs = self.runs()
            most_at_once = max(most_at_once, sum(r["status"] in ("STARTING", "STARTED") for r in runs))
            finished = [r for r in runs if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
            if len(finished) >= count:
                assert most_at_once <= 1, "two runs wrote the warehouse at the same time"
                return finished
            time.sleep(2)
        raise TimeoutError(f"runs did not finish: {self.runs()}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def dagster_dev(root: Path, raw: Path, db: Path, home: Path) -> Iterator[DagsterUI]:
    """`dagster dev` over `raw` and `db` on the instance in `home`, until the asset graph loads."""
    port = _free_port()
    env = os.environ | {RAW_DIR_ENV: str(raw), DUCKDB_PATH_ENV: str(db), "DAGSTER_HOME": str(home),
                        "GOV_PIPELINE_WORKERS": "1"}
    dagster = str(Path(sys.executable).parent / "dagster")
    log_path = root / "dagster_dev.log"
    log = log_path.open("w")
    # a new session, SIGINT restored: `dagster dev` then stops cleanly on SIGTERM (stack notes, P9)
    process = subprocess.Popen(
        [sys.executable, "-c", "import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                               "os.execvp(sys.argv[1], sys.argv[1:])",
         dagster, "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ui = DagsterUI(f"http://127.0.0.1:{port}", db)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if ui.graphql("{ assetNodes { id } }")["assetNodes"]:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("dagster dev did not come up: " + log_path.read_text()[-3000:])
            time.sleep(2)
        yield ui
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterUI]:
    root = tmp_path_factory.mktemp("ui")
    raw, home = root / "raw", root / "dagster_home"
    raw.mkdir()
    home.mkdir()
    for source in (CORPUS / "2019_city_pingtan-zone_report.txt", CORPUS / "2021_city_pingtan-zone_report.txt",
                   SEEDS / "004_a8ef66291314f876.txt"):
        shutil.copy(source, raw)
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)  # the one-run-at-a-time queue
    with dagster_dev(root, raw, root / "warehouse.duckdb", home) as ui:
        yield ui


@pytest.fixture()
def ui_after_cli_run(cli_run: CliRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterUI]:
    """The UI on the instance and warehouse `gov-pipeline run` wrote (no run launched from the UI)."""
    assert cli_run.returncode == 0, cli_run.output[-3000:]
    with dagster_dev(tmp_path_factory.mktemp("ui_cli"), cli_run.raw, cli_run.db, cli_run.home) as ui:
        yield ui


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _dismiss_welcome(page) -> None:
    """A fresh DAGSTER_HOME greets the first visit with a community dialog; later visits do not."""
    from playwright.sync_api import TimeoutError as NotShown

    with contextlib.suppress(NotShown):
        page.get_by_role("button", name="Skip").click(timeout=3000)


def test_the_ui_shows_what_the_cli_run_did(ui_after_cli_run: DagsterUI, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    [run] = ui_after_cli_run.runs()  # the CLI's run, and no other
    assert run["status"] == "SUCCESS"
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{ui_after_cli_run.url}/assets/reports", wait_until="networkidle")
    page.get_by_text("Latest materialization").first.wait_for(timeout=60_000)
    _dismiss_welcome(page)  # a fresh instance greets the first visit with a dialog, once the page has loaded
    assert page.get_by_text("Never materialized").count() == 0
    page.get_by_text("Row count").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "ui_cli_run_reports.png"), full_page=True)

    page.goto(f"{ui_after_cli_run.url}/assets/dq_violations?view=checks", wait_until="networkidle")
    _dismiss_welcome(page)
    page.get_by_text("cumulative_chain", exact=True).first.click(timeout=60_000)
    page.get_by_text("Data-quality rule cumulative_chain").wait_for(timeout=30_000)
    # the failing reports, by file and agency, with the values
    page.get_by_text("corpus/2016_city_pingtan-zone_report.txt").first.wait_for(timeout=30_000)
    assert page.get_by_text("平潭综合实验区").count() > 0 and page.get_by_text("Failed").count() >= 5
    page.screenshot(path=str(ARTIFACTS / "ui_cli_run_failing_rule.png"), full_page=True)

    page.goto(f"{ui_after_cli_run.url}/assets/compliance_scores", wait_until="networkidle")
    _dismiss_welcome(page)
    page.get_by_text("Row count").first.wait_for(timeout=60_000)
    scored = _count(ui_after_cli_run.db, "select count(*) from compliance_scores")
    assert page.get_by_text(str(scored), exact=True).count() > 0
    assert page.get_by_text("One row per scored report").count() > 0  # the model's docs, not its SQL
    page.screenshot(path=str(ARTIFACTS / "ui_cli_run_dbt_row_count.png"), full_page=True)

    page.goto(f"{ui_after_cli_run.url}/asset-groups", wait_until="networkidle")
    _dismiss_welcome(page)
    page.get_by_text("scoring", exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "ui_cli_run_asset_graph.png"))
    page.close()


def _count(db: Path, sql: str) -> int:
    with DuckDBResource(database=str(db)).get_connection() as conn:
        return conn.execute(sql).fetchone()[0]


def test_materialise_a_year_from_the_asset_graph(dagster_ui: DagsterUI, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{dagster_ui.url}/asset-groups", wait_until="networkidle")
    _dismiss_welcome(page)
    for group in ("ingest", "cleaning", "structure", "facts", "quality", "scoring"):
        page.get_by_text(group, exact=True).first.wait_for(timeout=60_000)  # a larger graph renders later
    page.screenshot(path=str(ARTIFACTS / "ui_asset_graph.png"))

    page.get_by_role("button", name="Materialize all…").click()
    page.get_by_text("Select a partition or create one").click()
    page.keyboard.type("2019")
    page.get_by_text("Select all (1)").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Launch 1 run").click()
    page.get_by_text("Launched run").wait_for(timeout=30_000)

    [run] = dagster_ui.wait_for_runs(1)
    assert run["status"] == "SUCCESS"
    assert {"key": "dagster/partition", "value": "2019"} in run["tags"]
    page.goto(f"{dagster_ui.url}/runs", wait_until="networkidle")
    page.get_by_text("Success").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "ui_run_success.png"))

    page.goto(f"{dagster_ui.url}/assets/reports?view=checks", wait_until="networkidle")
    for check in ("count_non_negative", "completed_le_received", "year_plausible", "gx_reports_gate"):
        page.get_by_text(check, exact=True).first.wait_for(timeout=60_000)
    assert page.get_by_text("Succeeded").count() >= 4
    assert page.get_by_text("This is a blocking asset check.").is_visible()
    page.screenshot(path=str(ARTIFACTS / "ui_asset_checks.png"))
    page.close()


LAUNCH = """
mutation Launch($partition: String!) {
  launchRun(executionParams: {
    selector: {repositoryLocationName: "gov_pipeline.definitions", repositoryName: "__repository__",
               jobName: "all_assets_job"},
    executionMetadata: {tags: [{key: "dagster/partition", value: $partition}]}
  }) { __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } }
}
"""


def test_two_runs_launched_together_both_finish_one_after_the_other(dagster_ui: DagsterUI) -> None:
    before = len(dagster_ui.runs())
    for partition in ("2017", "2021"):
        launched = dagster_ui.graphql(LAUNCH, {"partition": partition})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
    finished = dagster_ui.wait_for_runs(before + 2)
    assert [r["status"] for r in finished] == ["SUCCESS"] * len(finished)
    with DuckDBResource(database=str(dagster_ui.db)).get_connection() as conn:
        statuses = dict(conn.execute("select source_path, status from reports").fetchall())
        per_year = dict(conn.execute("select partition_key, count(*) from report_facts group by 1").fetchall())
        scores = conn.execute("select count(*) from compliance_scores").fetchone()[0]
    assert statuses == {"004_a8ef66291314f876.txt": "scored", "2019_city_pingtan-zone_report.txt": "scored",
                        "2021_city_pingtan-zone_report.txt": "scored"}
    assert set(per_year) == {"2017", "2019", "2021"} and scores == 3
