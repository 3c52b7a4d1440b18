"""Dagster wiring of collection: the `fetched_pages` asset (upstream of raw_documents) crawls the
registered columns into the raw folder's store, a job runs it alone, and a schedule re-crawls in
report season. Backfill by site: launch `collect_job` with `sites` and `max_pages: 0` in its config
(or `gov-pipeline fetch --site NAME`). Without `sites` or `all_sites` the asset crawls nothing."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from gov_pipeline.collect.client import Politeness
from gov_pipeline.collect.crawl import STORE_FOLDER, crawl
from gov_pipeline.collect.registry import (
    COLUMN_REGISTRY,
    column_targets,
    registered_columns,
)
from gov_pipeline.warehouse.resources import RawFolder

SEASON_PAGES = 2  # a weekly re-crawl reads the newest column pages; new reports appear at the top


class Collection(dg.ConfigurableResource):
    """Where the registered columns are listed, and how politely to crawl them."""

    registry: str = str(COLUMN_REGISTRY)
    min_interval: float = Politeness.min_interval
    per_host: int = Politeness.per_host
    timeout: float = Politeness.timeout
    attempts: int = Politeness.attempts
    backoff: float = Politeness.backoff

    def politeness(self) -> Politeness:
        return Politeness(min_interval=self.min_interval, per_host=self.per_host, timeout=self.timeout,
                          attempts=self.attempts, backoff=self.backoff)


class CrawlConfig(dg.Config):
    """What to crawl. Nothing by default: a launch from the UI's "Materialize all" stays off the
    network unless it names sites or all_sites (the schedule sets all_sites)."""

    sites: list[str] = Field(default_factory=list, description="registry sites to crawl")
    all_sites: bool = Field(default=False, description="every column of the registry")
    max_pages: int = Field(default=SEASON_PAGES, description="column pages per column; 0 = every page (a backfill)")


@dg.asset(group_name="ingest", kinds={"duckdb"})
def fetched_pages(config: CrawlConfig, duckdb: DuckDBResource, raw_folder: RawFolder,
                  collection: Collection) -> dg.MaterializeResult:
    """Reports fetched from the registered annual-report columns into the raw folder's store
    (fetched/), one fetch_log row per URL attempt."""
    targets = []
    if config.all_sites or config.sites:
        columns = registered_columns(Path(collection.registry))
        targets = column_targets(columns, None if config.all_sites else config.sites)
    with duckdb.get_connection() as conn:
        summary = crawl(conn, raw_folder.root, targets, collection.politeness(), config.max_pages or None)
        rows = conn.execute("select count(*) from fetch_log").fetchone()[0]
    return dg.MaterializeResult(metadata={
        "crawl_id": summary.crawl_id, "store": str(raw_folder.root / STORE_FOLDER), "dagster/row_count": rows,
        "bytes_downloaded": summary.wire_bytes, "new_files": summary.stored_new,
        **{f"count/{outcome}": count for outcome, count in sorted(summary.outcomes.items())}})


collect_job = dg.define_asset_job("collect_job", selection=[fetched_pages],
                                  description="Crawl the registered columns into the raw folder.")
collect_season_weekly = dg.ScheduleDefinition(
    name="collect_season_weekly", job=collect_job, cron_schedule="0 5 * 2-4 1", execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    run_config={"ops": {"fetched_pages": {"config": {"all_sites": True, "max_pages": SEASON_PAGES}}}},
    description="Mondays 05:00 in February-April: re-crawl the registered columns' newest pages, an hour before "
                "report_season_weekly refreshes last year's reports.")
