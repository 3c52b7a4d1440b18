"""Operations: year partitions, the sensor, the schedules, backfills, atomic writes, the CLI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from gov_pipeline import pipeline
from gov_pipeline.audit.findings import Decision, append_decision, decisions_path
from gov_pipeline.automation import changed_partitions, scan_folder
from gov_pipeline.config import DOCUMENT_SECONDS_ENV
from gov_pipeline.document import STAGE_LABELS, process_document
from gov_pipeline.ingest.inventory import read_raw
from gov_pipeline.partitions import UNKNOWN, range_tags, year_keys
from gov_pipeline.warehouse.resources import RawFolder
from gov_pipeline.warehouse.store import frame, replace_rows
from gov_pipeline.warehouse.writer_lock import lock_path
from gov_pipeline_tests.conftest import CORPUS, SEEDS, definitions_on, query

BIN = Path(sys.executable).parent
PER_YEAR_TABLES = ("cleaned_documents", "report_sections", "report_tables", "report_facts", "dq_checks")


def run_partition(raw: Path, db: Path, key: str) -> dg.ExecuteInProcessResult:
    with definitions_on(raw, db) as definitions:
        return definitions.resolve_job_def("all_assets_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), partition_key=key)


def test_definitions_expose_partitions_sensor_schedules_and_jobs(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("all_assets_job")
    assert job.partitions_def.get_partition_keys() == year_keys()
    assert year_keys()[0] == "2008" and year_keys()[-1] == UNKNOWN
    graph = defs.resolve_asset_graph()
    partitioned = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def}
    assert partitioned == {"cleaned_documents", "report_sections", "report_tables", "report_facts", "dq_checks"}
    assert {s.name for s in defs.schedules} == {"report_season_weekly", "off_season_monthly", "collect_season_weekly"}
    assert [s.name for s in defs.sensors] == ["raw_folder_sensor"]
    assert all(s.default_status == dg.DefaultScheduleStatus.STOPPED for s in defs.schedules)
    assert defs.sensors[0].default_status == dg.DefaultSensorStatus.STOPPED


def test_dagster_definitions_validate() -> None:
    result = subprocess.run([str(BIN / "dagster"), "definitions", "validate", "-m", "gov_pipeline.definitions"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_schedules_refresh_last_years_partition(tmp_path: Path, defs: dg.Definitions) -> None:
    ticks = (("report_season_weekly", datetime(2026, 2, 2, 6)), ("off_season_monthly", datetime(2026, 5, 1, 6)))
    for name, moment in ticks:
        schedule = defs.resolve_schedule_def(name)
        context = dg.build_schedule_context(scheduled_execution_time=moment, repository_def=defs.get_repository_def(),
                                            resources={"raw_folder": RawFolder(path=str(tmp_path))})
        [request] = schedule.evaluate_tick(context).run_requests
        assert request.partition_key == "2025"
    assert defs.resolve_schedule_def("report_season_weekly").cron_schedule == "0 6 * 2-4 1"


def test_schedules_also_refresh_the_years_whose_files_changed_late(tmp_path: Path, defs: dg.Definitions) -> None:
    """A 2017 report filed (or corrected) in the last weeks is re-run with last year's partition."""
    shutil.copy(SEEDS / "004_a8ef66291314f876.txt", tmp_path)  # 杭州市西湖区2017年… (just written: changed now)
    old = tmp_path / "000.txt"
    shutil.copy(SEEDS / "000_990f776b87745625.txt", old)  # 2016, unchanged for a year
    a_year_ago = datetime.now().timestamp() - 365 * 86400
    os.utime(old, (a_year_ago, a_year_ago))
    schedule = defs.resolve_schedule_def("off_season_monthly")
    context = dg.build_schedule_context(scheduled_execution_time=datetime.now(),
                                        repository_def=defs.get_repository_def(),
                                        resources={"raw_folder": RawFolder(path=str(tmp_path))})
    keys = [request.partition_key for request in schedule.evaluate_tick(context).run_requests]
    assert keys == ["2017", str(datetime.now().year - 1)]


def test_sensor_requests_runs_for_the_years_that_changed(tmp_path: Path, defs: dg.Definitions) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(CORPUS / "2019_city_pingtan-zone_report.txt", raw)
    shutil.copy(SEEDS / "004_a8ef66291314f876.txt", raw)
    shutil.copy(CORPUS / "2014_city_pingtan-zone_letter-not-annual-report.txt", raw)
    (raw / "notes.md").write_text("# notes\nno report year here", encoding="utf-8")
    sensor = defs.sensors[0]
    resources = {"raw_folder": RawFolder(path=str(raw))}

    def tick(cursor: str | None) -> dg.SensorResult:
        with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
            return sensor(context)

    first = tick(None)
    assert sorted(r.partition_key for r in first.run_requests) == ["2014", "2017", "2019", UNKNOWN]
    assert tick(first.cursor).run_requests == []
    (raw / "004_a8ef66291314f876.txt").write_text(
        (SEEDS / "004_a8ef66291314f876.txt").read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")
    changed = tick(first.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["2017"]
    (raw / "2019_city_pingtan-zone_report.txt").unlink()
    assert [r.partition_key for r in tick(changed.cursor).run_requests] == ["2019"]


def test_scan_reads_only_new_or_changed_files(tmp_path: Path) -> None:
    shutil.copy(SEEDS / "001_d2b3fed2330643c7.txt", tmp_path)
    state = scan_folder(tmp_path, {})
    assert next(iter(state.values()))[2] == "2016"
    fake = {path: [entry[0], entry[1], "2099"] for path, entry in state.items()}
    assert scan_folder(tmp_path, fake) == fake  # unchanged size and mtime: the file is not read again
    assert changed_partitions(state, {}) == {"2016"}


def test_a_failed_write_leaves_the_year_as_it_was(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        rows = [{"doc_id": "a", "partition_key": "2019", "rule_id": "r", "severity": "warning", "subject": "s",
                 "passed": True, "detail": "d"}]
        replace_rows(conn, "dq_checks", frame("dq_checks", rows))
        broken = frame("dq_checks", rows).with_columns(pl.lit(None, dtype=pl.String).alias("doc_id"))
        conn.execute("alter table dq_checks alter column doc_id set not null")
        with pytest.raises(duckdb.ConstraintException):
            replace_rows(conn, "dq_checks", broken, where="partition_key = ?", params=["2019"])
        assert conn.execute("select doc_id from dq_checks").fetchall() == [("a",)]


def test_one_year_run_rewrites_only_that_year(sample_warehouse, tmp_path: Path) -> None:
    db = tmp_path / "years.duckdb"
    shutil.copy(sample_warehouse.db, db)
    counts = "select partition_key, count(*) from {} group by 1 order by 1"
    before = {t: query(db, counts.format(t)) for t in PER_YEAR_TABLES}
    with duckdb.connect(str(db)) as conn:  # damage two years
        conn.execute("delete from report_facts where partition_key in ('2019', '2021')")
    assert run_partition(sample_warehouse.raw, db, "2019").success
    after = {t: query(db, counts.format(t)) for t in PER_YEAR_TABLES}
    facts_before, facts_after = dict(before["report_facts"]), dict(after["report_facts"])
    assert facts_after["2019"] == facts_before["2019"]  # rewritten, once
    assert "2021" not in facts_after  # another year: left alone, damage and all
    assert {k: v for k, v in facts_after.items() if k != "2019"} == {
        k: v for k, v in facts_before.items() if k not in ("2019", "2021")}
    assert after["cleaned_documents"] == before["cleaned_documents"]


def test_a_one_year_run_rescores_that_year_and_the_next_and_no_other(sample_warehouse, tmp_path: Path) -> None:
    """dbt rescores the report years a run's partitions hold and the year after each (previous-year
    comparisons); other years' scores stay as they were. Every row marked (lost_points_because) to see
    who was recomputed: a one-year run restores 2019 and 2020 and leaves the other years; a change to
    what scores are computed with (a reviewer decision) rescores every report."""
    db = tmp_path / "rescored.duckdb"
    shutil.copy(sample_warehouse.db, db)
    scores = "select doc_id, report_year, score, lost_points_because from compliance_scores order by doc_id"
    full = query(db, scores)
    assert query(db, "select distinct report_year from reports where partition_key = '2019'") == [(2019,)]
    with duckdb.connect(str(db)) as conn:
        conn.execute("update compliance_scores set lost_points_because = 'marked'")
    assert run_partition(sample_warehouse.raw, db, "2019").success
    assert query(db, "select rescored_years from scoring_state") == [("[2019, 2020]",)]
    after = query(db, scores)
    rescored = {row for row in after if row[1] in (2019, 2020)}
    assert rescored == {row for row in full if row[1] in (2019, 2020)} and rescored
    assert {row[3] for row in after if row[1] not in (2019, 2020)} == {"marked"}
    assert query(db, "select count(*) from scoring_backlog") == [(0,)]

    # a reviewer decision: what every score is computed with changed
    append_decision(decisions_path(db), Decision("f" * 16, "confirmed", "tester", "2026-01-02", "an old finding"))
    assert run_partition(sample_warehouse.raw, db, "2019").success
    assert query(db, "select rescored_years from scoring_state") == [(None,)]
    assert query(db, scores) == full


def test_a_run_replaces_rows_filed_elsewhere_or_before_partitions_existed(sample_warehouse, tmp_path: Path) -> None:
    """A warehouse an older version wrote has no partition keys (NULL), and a document whose year
    reading changed was filed under another year: a one-year run must leave one copy of each row."""
    db = tmp_path / "migrated.duckdb"
    shutil.copy(sample_warehouse.db, db)
    doc_2019 = "select doc_id from raw_documents where partition_key = '2019'"
    before = {t: query(db, f"select count(*) from {t}")[0][0] for t in PER_YEAR_TABLES}
    with duckdb.connect(str(db)) as conn:
        for table in PER_YEAR_TABLES:
            conn.execute(f"update {table} set partition_key = null where partition_key <> '2019'")
            conn.execute(f"update {table} set partition_key = '2011' where doc_id in ({doc_2019})")
    assert run_partition(sample_warehouse.raw, db, "2019").success
    for table in PER_YEAR_TABLES:  # the 2019 documents once, under 2019; the pre-partition rows gone
        assert query(db, f"select distinct partition_key from {table}") == [("2019",)], table
    assert query(db, "select count(*) from reports")[0][0] == query(db, "select count(*) from raw_documents")[0][0]
    pending = query(db, "select count(*) from reports where status = 'pending'")[0][0]
    assert pending == query(db, "select count(*) from raw_documents where partition_key <> '2019' and duplicate_of "
                                "is null and doc_id not in (select doc_id from document_failures)")[0][0]
    assert before["report_facts"] > query(db, "select count(*) from report_facts")[0][0] > 0


def test_backfilling_two_years_gives_the_same_warehouse_as_a_full_run(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("2021_city_pingtan-zone_report.txt", "2022_city_pingtan-zone_report.txt"):
        shutil.copy(CORPUS / name, raw)
    cli = str(BIN / "gov-pipeline")
    full, backfilled = tmp_path / "full.duckdb", tmp_path / "backfill.duckdb"
    env = os.environ | {"GOV_PIPELINE_WORKERS": "1"}
    subprocess.run([cli, "run", "--raw-dir", str(raw), "--db", str(full), "--log-level", "WARNING"],
                   check=True, env=env, capture_output=True)
    subprocess.run([cli, "backfill", "--from", "2021", "--to", "2022", "--raw-dir", str(raw), "--db", str(backfilled),
                    "--log-level", "WARNING"], check=True, env=env, capture_output=True)
    for table in (*PER_YEAR_TABLES, "reports", "dq_violations", "compliance_scores", "agency_year_summary"):
        columns = [c for (c,) in query(full, "select column_name from information_schema.columns "
                                              "where table_name = ? and column_name <> 'ingested_at'", [table])]
        select = f"select {', '.join(columns)} from {table} order by all"
        assert query(full, select) == query(backfilled, select), table
    assert query(full, "select count(*) from compliance_scores")[0][0] == 2


def test_cli_refuses_an_unknown_year_range(tmp_path: Path) -> None:
    result = subprocess.run([str(BIN / "gov-pipeline"), "backfill", "--from", "2030", "--to", "2019",
                             "--raw-dir", str(tmp_path), "--db", str(tmp_path / "x.duckdb")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "years must run" in result.stderr


def test_range_tags() -> None:
    assert range_tags("2019", "2021") == {"dagster/asset_partition_range_start": "2019",
                                          "dagster/asset_partition_range_end": "2021"}


def _distinct_copies(raw: Path, count: int) -> None:
    """`count` real reports with distinct bytes (seed texts, each with its own closing line)."""
    raw.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(count):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (raw / f"copy_{i:02d}.txt").write_text(f"{text}\n附注第{i}号。", encoding="utf-8")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_past_its_time_budget_is_stopped_and_the_run_goes_on(tmp_path: Path, monkeypatch, workers) -> None:
    """With a budget no real document meets, every document is stopped in its own worker (or inline)
    and recorded; the pool survives to hand back every chunk."""
    raw = tmp_path / "raw"
    _distinct_copies(raw, pipeline.PARALLEL_THRESHOLD + 2)
    monkeypatch.setenv("GOV_PIPELINE_WORKERS", workers)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        pipeline.build_raw_documents(conn, raw)
        monkeypatch.setenv(DOCUMENT_SECONDS_ENV, "0.001")
        stats = pipeline.build_documents(conn, raw)
        reasons = conn.execute("select stage, status, reason, count(*) from document_failures group by all").fetchall()
    assert stats.counts["unreadable"] == pipeline.PARALLEL_THRESHOLD + 2
    budget = "processing exceeded 0.001 s (cleaning)"
    assert reasons == [("cleaning", "unreadable", budget, pipeline.PARALLEL_THRESHOLD + 2)]


def test_a_document_stopped_in_one_stage_keeps_the_stages_before_it_and_goes_no_further() -> None:
    """The budget bounds a document's whole chain: a document stopped in one stage keeps the rows of
    the stages before it, none of the stages after, and the failure names the stage it ran out in."""
    seed = max(SEEDS.glob("*.txt"), key=lambda path: path.stat().st_size)
    data = seed.read_bytes()
    raw = read_raw(seed, SEEDS, data)
    process_document(raw, data)  # warm the caches, so the timed run below is the steady cost
    started = time.perf_counter()
    whole = process_document(raw, data)
    elapsed = time.perf_counter() - started
    rows_by_stage = {"cleaning": ["cleaned_documents"], "structure": ["report_sections", "report_tables"],
                     "facts": ["report_facts", "fact_checks"], "dq_checks": ["dq_checks"]}
    stopped_in = set()
    for step in range(1, 121):  # budgets from 1 % to 120 % of the whole chain: from no stage done to every stage
        seconds = elapsed * step / 100
        result = process_document(raw, data, seconds=seconds)
        if result.failure is None:
            assert result.rows() == whole.rows()
            continue
        stage = result.failure.stage
        stopped_in.add(stage)
        assert result.failure.reason == f"processing exceeded {seconds:g} s ({STAGE_LABELS[stage]})"
        order = list(STAGE_LABELS)
        for earlier in order[:order.index(stage)]:
            assert all(result.rows()[table] == whole.rows()[table] for table in rows_by_stage[earlier]), earlier
        for later in order[order.index(stage) + 1:]:
            assert all(result.rows()[table] == [] for table in rows_by_stage[later]), later
    assert "cleaning" in stopped_in and len(stopped_in) >= 2, stopped_in


def _cli(*args: str, db: Path, raw: Path) -> list[str]:
    return [str(BIN / "gov-pipeline"), *args, "--raw-dir", str(raw), "--db", str(db), "--log-level", "WARNING"]


def _wait_for_lock(db: Path, writer: subprocess.Popen, seconds: float = 300) -> None:
    lock = lock_path(db)
    deadline = time.monotonic() + seconds
    while not (lock.exists() and lock.read_text().startswith("run by pid")):
        assert writer.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
        time.sleep(0.2)


def test_two_writers_the_second_refuses_at_once_or_waits(tmp_path: Path) -> None:
    raw, db = tmp_path / "raw", tmp_path / "w.duckdb"
    shutil.copytree(SEEDS, raw)
    env = os.environ | {"GOV_PIPELINE_WORKERS": "1"}
    first = subprocess.Popen(_cli("run", db=db, raw=raw), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
    _wait_for_lock(db, first)
    refused = subprocess.run(_cli("run", db=db, raw=raw), env=env, capture_output=True, text=True, check=False,
                             timeout=300)
    with definitions_on(raw, db) as location:  # a run launched the Dagster way (the UI) meets the same lock
        ui_run = location.resolve_job_def("all_assets_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, tags=range_tags())
    queued = subprocess.Popen(_cli("run", "--wait", "900", db=db, raw=raw), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    first_err = first.communicate(timeout=900)[1]
    queued_err = queued.communicate(timeout=900)[1]
    assert first.returncode == 0, first_err[-2000:]
    assert refused.returncode == 3
    assert "another run is writing" in refused.stderr and "nothing was run" in refused.stderr
    assert "warehouse:" not in refused.stdout  # it stopped before any stage: no summary to print
    assert not ui_run.success and not ui_run.get_step_success_events()
    assert "another run is writing" in str(ui_run.get_run_failure_event() or ui_run.all_events)
    assert queued.returncode == 0, queued_err[-2000:]
    assert "waiting up to 900 s for the writer lock" in queued_err
    files = len([p for p in raw.rglob("*") if not p.is_dir()])
    assert query(db, "select count(*) from reports")[0][0] == files


def test_a_run_killed_mid_stage_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    for name in ("2021_city_pingtan-zone_report.txt", "2022_city_pingtan-zone_report.txt"):
        shutil.copy(CORPUS / name, raw)
    clean, killed = tmp_path / "clean.duckdb", tmp_path / "killed.duckdb"
    env = os.environ | {"GOV_PIPELINE_WORKERS": "1"}
    subprocess.run(_cli("run", db=clean, raw=raw), env=env, check=True, capture_output=True, timeout=900)
    command = _cli("run", db=killed, raw=raw)
    command[command.index("WARNING")] = "DEBUG"
    victim = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    for line in victim.stderr:  # type: ignore[union-attr]
        if 'Started execution of step "report_documents"' in line:
            break
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    assert "compliance_scores" not in {t for (t,) in query(killed, "select table_name from information_schema.tables")}
    subprocess.run(_cli("run", db=killed, raw=raw), env=env, check=True, capture_output=True, timeout=900)
    for table in (*PER_YEAR_TABLES, "raw_documents", "document_failures", "reports", "dq_violations",
                  "compliance_scores"):
        columns = [c for (c,) in query(clean, "select column_name from information_schema.columns "
                                              "where table_name = ? and column_name <> 'ingested_at'", [table])]
        select = f"select {', '.join(columns)} from {table} order by all"
        assert query(clean, select) == query(killed, select), table
