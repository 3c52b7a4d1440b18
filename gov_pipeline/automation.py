"""When the pipeline runs by itself: a sensor on the raw folder and the annual-season schedules.

Both start STOPPED: they write the warehouse on their own, and DuckDB allows one writer, so a
deployment turns them on (Dagster UI -> Automation) once nothing else writes the same file. Runs
launched by them queue behind each other (dagster_home/dagster.yaml allows one run at a time)."""

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg

from gov_pipeline.ingest.inventory import discover
from gov_pipeline.pipeline import catalog_row
from gov_pipeline.warehouse.resources import RawFolder

FileState = dict[str, list]  # relative path -> [size, mtime_ns, partition key]
# a schedule also refreshes the years of files added or changed this long before its tick: longer than the
# longest gap between two ticks of the two schedules (1 January -> the first Monday of February)
LATE_WINDOW = timedelta(days=40)


def changed_since(root: Path, since: datetime) -> set[str]:
    """Partitions of the files added or changed since `since` (late filings, corrections of old years)."""
    return {catalog_row(entry, root)["partition_key"] for entry in discover(root)
            if os.lstat(entry.path).st_mtime >= since.timestamp()}


def scan_folder(root: Path, previous: FileState) -> FileState:
    """The folder's files with their partition; only new or changed files are read."""
    state: FileState = {}
    for entry in discover(root):
        stat = os.lstat(entry.path)
        relative = entry.source_path
        known = previous.get(relative)
        if known and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            state[relative] = known
            continue
        state[relative] = [stat.st_size, stat.st_mtime_ns, catalog_row(entry, root)["partition_key"]]
    return state


def changed_partitions(previous: FileState, current: FileState) -> set[str]:
    """Partitions with a new, changed or removed file."""
    changed = {entry[2] for path, entry in current.items() if previous.get(path) != entry}
    return changed | {entry[2] for path, entry in previous.items() if path not in current}


def runs_for_changes(previous: FileState, current: FileState, job_name: str) -> Iterator[dg.RunRequest]:
    digest = hashlib.sha1(json.dumps(current, sort_keys=True).encode()).hexdigest()[:12]
    for key in sorted(changed_partitions(previous, current)):
        yield dg.RunRequest(job_name=job_name, partition_key=key, run_key=f"{key}:{digest}",
                            tags={"gov_pipeline/trigger": "raw_folder_sensor"})


def build_automation(job_name: str) -> tuple[list[dg.SensorDefinition], list[dg.ScheduleDefinition]]:
    @dg.sensor(job_name=job_name, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
               description="Runs the affected report years when files appear, change or disappear in the raw folder.")
    def raw_folder_sensor(context: dg.SensorEvaluationContext, raw_folder: RawFolder) -> dg.SensorResult:
        previous: FileState = json.loads(context.cursor) if context.cursor else {}
        current = scan_folder(raw_folder.root, previous)
        return dg.SensorResult(run_requests=list(runs_for_changes(previous, current, job_name)),
                               cursor=json.dumps(current, sort_keys=True))

    def refresh(context: dg.ScheduleEvaluationContext, raw_folder: RawFolder) -> list[dg.RunRequest]:
        """Reports for year N are due by 31 January / 31 March of N+1: refresh year N, and every year
        whose files appeared or changed within LATE_WINDOW (a late filing, a corrected old report)."""
        when: datetime = context.scheduled_execution_time
        late = changed_since(raw_folder.root, when - LATE_WINDOW) if raw_folder.root.exists() else set()
        return [dg.RunRequest(partition_key=key, run_key=f"{key}:{when.isoformat()}",
                              tags={"gov_pipeline/trigger": "schedule"})
                for key in sorted({str(when.year - 1)} | late)]

    season = dg.schedule(
        name="report_season_weekly", job_name=job_name, cron_schedule="0 6 * 2-4 1", execution_timezone="Asia/Shanghai",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Mondays 06:00 in February-April, while last year's reports come out (and any year whose "
                    "files changed late).")(refresh)
    off_season = dg.schedule(
        name="off_season_monthly", job_name=job_name, cron_schedule="0 6 1 1,5-12 *",
        execution_timezone="Asia/Shanghai",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="The 1st of every other month, for late publications and corrections (last year, and any "
                    "year whose files changed late).")(refresh)
    return [raw_folder_sensor], [season, off_season]
