"""`gov-pipeline run` materialises every asset through Dagster over a folder of raw reports;
`gov-pipeline backfill --from Y1 --to Y2` re-runs a range of report years; `gov-pipeline extract FILE`
runs one document through the stage functions and prints JSON; `gov-pipeline fetch` collects reports
from government sites into the raw folder's store (gov_pipeline/collect); `gov-pipeline audit` writes the
audit site and `gov-pipeline review FINGERPRINT --dismiss|--confirm --note …` records a decision on a finding;
`gov-pipeline sql "select …"` queries the warehouse; `gov-pipeline docs` regenerates the data dictionary."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gov_pipeline.collect.client import Politeness
from gov_pipeline.collect.registry import COLUMN_REGISTRY
from gov_pipeline.config import DAGSTER_HOME, PROJECT_ROOT, settings
from gov_pipeline.warehouse.writer_lock import WarehouseBusy, writer_lock

BUSY_EXIT = 3  # another run holds the warehouse's writer lock

if TYPE_CHECKING:
    import duckdb

    from gov_pipeline.run_progress import RunProgress

UI_URL = "http://127.0.0.1:3000"  # where `make dev` serves the Dagster UI


def instance_home(home: Path) -> Path:
    """The Dagster home runs are recorded in; one named (DAGSTER_HOME) but not there yet is made with the
    project's instance settings (dagster_home/dagster.yaml: one run at a time, no telemetry)."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(DAGSTER_HOME / "dagster.yaml", home / "dagster.yaml")
    return home


def _materialise(args: argparse.Namespace, first: str | None = None, last: str | None = None) -> int:
    """One in-process Dagster run of every asset over the report years first..last (all by default), on
    the project's Dagster instance (dagster_home/, unless DAGSTER_HOME says otherwise), so `make dev`
    shows the run, its materialisations and its checks. Quiet unless --verbose: a progress display,
    one line per stage, and a summary of what needs a look."""
    config = replace(settings(), raw_dir=Path(args.raw_dir).resolve(), duckdb_path=Path(args.db).resolve())
    config.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef
    from dagster_duckdb import DuckDBResource
    from rich.console import Console

    from gov_pipeline.definitions import all_assets_job, build_definitions
    from gov_pipeline.partitions import range_tags, year_keys
    from gov_pipeline.run_progress import FoldedStdout, RunProgress, progress_logger

    keys = year_keys()
    first, last = first or keys[0], last or keys[-1]
    if first not in keys or last not in keys or keys.index(first) > keys.index(last):
        print(f"years must run from {keys[0]} to {keys[-2]} or '{keys[-1]}', first <= last", file=sys.stderr)
        return 2
    try:  # one writer per warehouse: taken before anything runs (the run's resource re-enters it)
        with writer_lock(config.duckdb_path, args.wait, lambda message: print(message, file=sys.stderr)):
            job = build_definitions(config).resolve_job_def(all_assets_job.name)
            console = Console(file=sys.stdout, highlight=False)
            progress = RunProgress(console, steps_total=len(job.graph.nodes), verbose=args.verbose)
            job = job.with_logger_defs({**job.loggers, "progress": progress_logger(progress)})
            log_level = "INFO" if args.verbose else args.log_level
            started = time.monotonic()
            home = instance_home(config.dagster_home)
            with (progress,
                  contextlib.redirect_stdout(sys.stdout if args.verbose else FoldedStdout(progress, sys.stdout)),
                  dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance):
                result = job.execute_in_process(
                    instance=instance, raise_on_error=False, tags=range_tags(first, last),
                    run_config={"loggers": {"console": {"config": {"log_level": log_level}}, "progress": {}}})
    except WarehouseBusy as busy:
        print(f"gov-pipeline: {busy}", file=sys.stderr)
        return BUSY_EXIT
    # through the run's resource: DuckDB refuses a second configuration for a database it still caches
    with DuckDBResource(database=str(config.duckdb_path)).get_connection() as conn:
        print(summary(conn, config.duckdb_path, progress, time.monotonic() - started, result.run_id))
    if not result.success:
        print("run FAILED: see the failed step above (--verbose shows the whole Dagster log)", file=sys.stderr)
    return 0 if result.success else 1


def _fetch(args: argparse.Namespace) -> int:
    """Crawl URL lists, columns or registered sites into <raw-dir>/fetched, logging to the warehouse."""
    import duckdb

    from gov_pipeline.collect.crawl import Target, crawl
    from gov_pipeline.collect.registry import column_targets, registered_columns, url_list_targets

    targets = [target for path in args.urls for target in url_list_targets(path)]
    targets += [Target(url, "column") for url in args.column]
    if args.site or args.all_sites:
        targets += column_targets(registered_columns(args.registry), args.site or None)
    if not targets:
        print("nothing to fetch: give --urls FILE, --column URL, --site NAME or --all-sites", file=sys.stderr)
        return 2
    politeness = Politeness(min_interval=args.min_interval, per_host=args.per_host, timeout=args.timeout,
                            attempts=args.attempts, backoff=args.backoff)
    raw_dir, db = Path(args.raw_dir).resolve(), Path(args.db).resolve()
    raw_dir.mkdir(parents=True, exist_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db)) as conn:  # not through Dagster: a crawl needs none of it
        print(crawl(conn, raw_dir, targets, politeness, args.max_pages or None))
    return 0


SHOWN = 5  # files named per kind of problem in the summary


def _named(rows: list[tuple], total: int) -> str:
    more = f"; +{total - len(rows)} more" if total > len(rows) else ""
    return "; ".join(" ".join(str(v) for v in row if v is not None) for row in rows) + more


def _one(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The one row an aggregate query returns."""
    row = conn.execute(sql, params or []).fetchone()
    assert row is not None, sql
    return row


def summary(conn: duckdb.DuckDBPyConnection, db_path: Path, progress: RunProgress | None = None,
            seconds: float | None = None, run_id: str | None = None) -> str:
    """What the warehouse now holds (as far as the run got), the files that need a look, and where to
    look next."""
    tables = {row[0] for row in conn.execute("select table_name from information_schema.tables").fetchall()}
    lines = [f"warehouse: {db_path}" + (f" (run {run_id[:8]}, {seconds:.0f}s)" if run_id and seconds else "")]
    if progress is not None:
        checks = progress.checks
        lines.append(f"checks: {checks['passed']} passed, {checks['warn']} warn, {checks['error']} error"
                     + (f"; dbt {progress.dbt_done}" if progress.dbt_done else ""))
        lines += [f"  dbt {problem}" for problem in progress.dbt_problems[:SHOWN]]
    if "reports" in tables:
        statuses = conn.execute("select status, count(*) from reports group by 1 order by 2 desc").fetchall()
        lines.append("documents by status: " + ", ".join(f"{s} {n}" for s, n in statuses))
        for status in ("unreadable", "not_a_report", "quarantined", "duplicate", "pending"):
            total = _one(conn, "select count(*) from reports where status = ?", [status])[0]
            if total:
                rows = conn.execute("select source_path, '(' || left(status_reason, 60) || ')' from reports "
                                    "where status = ? order by source_path limit ?", [status, SHOWN]).fetchall()
                lines.append(f"  {status}: {_named(rows, total)}")
    if "report_facts" in tables:
        facts = _one(conn, "select count(*), count(distinct doc_id) from report_facts")
        lines.append(f"facts: {facts[0]} from {facts[1]} reports")
    if "dq_violations" in tables:
        rules = conn.execute("select severity, rule_id, count(*) from dq_violations group by 1, 2 "
                             "order by 1, 3 desc, 2").fetchall()
        lines.append("dq violations: " + (", ".join(f"{rule} ({sev}) {n}" for sev, rule, n in rules) or "none"))
        warned = _one(conn, "select count(*) from reports where warning_count > 0")[0]
        rows = conn.execute("""
            select r.source_path, '(' || string_agg(distinct v.rule_id, ', ') || ')'
            from reports r join dq_violations v using (doc_id)
            where r.warning_count > 0 and v.severity = 'warning'
            group by r.source_path, r.warning_count order by r.warning_count desc, r.source_path limit ?""",
                            [SHOWN]).fetchall()
        if rows:
            lines.append(f"  most warnings: {_named(rows, warned)}")
    if "compliance_scores" in tables:
        scores = _one(conn, "select count(*), round(avg(score), 1), min(score), max(score) from compliance_scores")
        lines.append(f"compliance scores: {scores[0]} reports, mean {scores[1]}, min {scores[2]}, max {scores[3]}")
    else:
        lines.append("compliance scores: not built (the run stopped before scoring)")
    lines.append(f"next: `make dev`, then {UI_URL}/assets/dq_violations?view=checks (each rule's failing reports); "
                 "`gov-pipeline sql \"select rule_id, detail from dq_violations\"`")
    return "\n".join(lines)


def extract(path: Path, today: date | None = None) -> dict[str, Any]:
    """One document through every stage, in memory (document.process_document, as the pipeline does it)."""
    from gov_pipeline.document import process_document
    from gov_pipeline.ingest.inventory import Entry, NotReadable, escape_name, read_entry, read_raw, readable_name
    from gov_pipeline.quality.rules import violations

    name = os.fsencode(path.name)
    entry = Entry(os.fsencode(path.absolute()), escape_name(name), readable_name(name))
    try:  # the file's folder is its input folder: the same limits and symlink rule as the catalog
        data = read_entry(entry, path.absolute().parent)
    except NotReadable as exc:
        return {"file": entry.display_path, "status": "unreadable", "status_reason": str(exc)}
    raw = read_raw(path, path.parent, data, entry.source_path)
    result = process_document(raw, data, today)
    out: dict[str, Any] = {"file": entry.display_path, "raw": asdict(raw)}
    if result.cleaned is not None:
        out["metadata"] = {k: v for k, v in result.cleaned.row().items() if k != "text"}
    if result.cleaned is not None and result.cleaned.document.is_annual_report:
        out["sections"] = [{"ordinal": s.ordinal, "level": s.level, "heading": s.heading,
                            "section_key": s.section_key, "chars": len(s.text)} for s in result.sections]
        out["tables"] = sorted({c.table_key for c in result.cells})
        out["facts"] = [{"fact_key": f.fact_key, "value": f.value, "unit": f.unit, "section_key": f.section_key,
                         "method": f.method, "approx": f.approx, "evidence": f.evidence} for f in result.facts]
        out["dq_violations"] = [asdict(v) for v in violations(result.checks)]
    status = result.status
    out["status"], out["status_reason"] = status.status, status.reason
    return out


def audit(db: Path, out: Path | None = None) -> int:
    """Write the audit site for the warehouse `db` (next to it by default)."""
    from dagster_duckdb import DuckDBResource

    from gov_pipeline.audit.findings import decisions_path, read_decisions
    from gov_pipeline.audit.site import AUDIT_DIR, build_site

    out = out or db.parent / AUDIT_DIR
    with DuckDBResource(database=str(db)).get_connection() as conn:
        stats = build_site(conn, out, read_decisions(decisions_path(db)))
    print(f"audit: {stats.pages} report pages, {stats.findings} findings ({stats.dismissed} dismissed): "
          f"{out / 'index.html'}")
    for decision in stats.stale_decisions:
        print(f"decision on {decision.fingerprint} ({decision.decision} by {decision.reviewer} on {decision.date}) "
              "names a finding that no longer fires")
    return 0


def review(db: Path, fingerprint: str, decision: str, note: str, reviewer: str) -> int:
    """Append a reviewer's decision on one finding of the warehouse `db` to the decisions file."""
    from dagster_duckdb import DuckDBResource

    from gov_pipeline.audit.findings import (
        Decision,
        append_decision,
        decisions_path,
        read_findings,
    )

    with DuckDBResource(database=str(db)).get_connection() as conn:
        finding = next((f for f in read_findings(conn) if f.fingerprint == fingerprint), None)
    if finding is None:
        print(f"no finding {fingerprint} in {db}: the audit pages show each finding's fingerprint", file=sys.stderr)
        return 2
    path = decisions_path(db)
    append_decision(path, Decision(fingerprint, decision, reviewer, date.today().isoformat(), note))
    print(f"{decision} {finding.rule_id} on {finding.subject} ({finding.doc_id[:12]}) in {path}; the scores "
          "count it from the next run")
    return 0


def sql(query: str, db: Path) -> int:
    """Run SQL on the warehouse, read-only, and print each result as a table."""
    import duckdb

    if not db.exists():
        print(f"no warehouse at {db}: run `make run` (or gov-pipeline run) first", file=sys.stderr)
        return 2
    with duckdb.connect(str(db), read_only=True) as conn:
        try:
            relation = conn.sql(query)
        except duckdb.Error as error:
            print(f"SQL error: {error}", file=sys.stderr)
            return 1
        if relation is not None:
            relation.show(max_width=200, max_rows=SQL_ROWS)
    return 0


SQL_ROWS = 100  # rows a result shows (add a limit, or use Python, for more)


def docs(check: bool) -> int:
    """Regenerate docs/data_dictionary.md and dbt's _sources.yml, or (--check) list the stale ones."""
    from gov_pipeline import data_dictionary

    changed = data_dictionary.stale() if check else data_dictionary.write()
    for path in changed:
        print(f"{'stale' if check else 'rewrote'}: {path.relative_to(PROJECT_ROOT)}")
    return 1 if check and changed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gov-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="materialise every asset, all report years, through Dagster")
    backfill = commands.add_parser("backfill", help="re-run a range of report years (and the all-years rollups)")
    backfill.add_argument("--from", dest="first", required=True, help="first report year (or 'unknown')")
    backfill.add_argument("--to", dest="last", required=True, help="last report year (or 'unknown')")
    for command in (run, backfill):
        command.add_argument("--raw-dir", default=str(settings().raw_dir),
                             help="folder of raw reports (searched recursively)")
        command.add_argument("--db", default=str(settings().duckdb_path), help="DuckDB warehouse file to write")
        command.add_argument("--wait", type=float, default=settings().lock_wait_seconds, metavar="SECONDS",
                             help="when another run is writing the warehouse, wait this long for it "
                                  "(default: exit at once with status 3)")
        command.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                             help="Dagster console log level (INFO with --verbose)")
        command.add_argument("--verbose", action="store_true",
                             help="the whole Dagster log and dbt's own output instead of the progress display")
    one = commands.add_parser("extract", help="run one document through every stage and print JSON")
    one.add_argument("file", type=Path)
    fetch = commands.add_parser("fetch", help="collect reports from URL lists or sites' annual-report columns "
                                              "into <raw-dir>/fetched (then `gov-pipeline run`)")
    fetch.add_argument("--urls", type=Path, action="append", default=[],
                       help="CSV with a url column and optional agency, level, year hints")
    fetch.add_argument("--column", action="append", default=[], help="a site's annual-report column page URL")
    fetch.add_argument("--site", action="append", default=[], help="a site of the column registry (backfill)")
    fetch.add_argument("--all-sites", action="store_true", help="every column of the registry")
    fetch.add_argument("--registry", type=Path, default=COLUMN_REGISTRY, help="registered columns (CSV)")
    fetch.add_argument("--max-pages", type=int, default=0, help="column pages per column (0 = all)")
    fetch.add_argument("--raw-dir", default=str(settings().raw_dir), help="raw folder; the store is its fetched/")
    fetch.add_argument("--db", default=str(settings().duckdb_path), help="warehouse holding fetch_log")
    defaults = Politeness()
    fetch.add_argument("--min-interval", type=float, default=defaults.min_interval,
                       help="seconds between requests to one host")
    fetch.add_argument("--per-host", type=int, default=defaults.per_host, help="concurrent requests per host")
    fetch.add_argument("--timeout", type=float, default=defaults.timeout, help="seconds per request")
    fetch.add_argument("--attempts", type=int, default=defaults.attempts, help="tries per URL")
    fetch.add_argument("--backoff", type=float, default=defaults.backoff, help="first retry delay in seconds")
    site = commands.add_parser("audit", help="write the audit site (a page per report, an index) next to the warehouse")
    judge = commands.add_parser("review", help="record a reviewer's decision on one finding (decisions.csv)")
    judge.add_argument("fingerprint", help="the finding's fingerprint, as its audit page shows it")
    verdict = judge.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--dismiss", dest="decision", action="store_const", const="dismissed")
    verdict.add_argument("--confirm", dest="decision", action="store_const", const="confirmed")
    judge.add_argument("--note", required=True, help="why, in words")
    judge.add_argument("--reviewer", default=getpass.getuser(), help="who decides (default: the login name)")
    for command in (site, judge):
        command.add_argument("--db", type=Path, default=settings().duckdb_path, help="DuckDB warehouse file")
    site.add_argument("--out", type=Path, help="folder for the site (default: audit/ next to the warehouse)")
    query = commands.add_parser("sql", help="run SQL on the warehouse (read-only) and print the result")
    query.add_argument("query", nargs="?", help="the SQL; read from standard input when left out")
    query.add_argument("--db", default=str(settings().duckdb_path), help="DuckDB warehouse file to read")
    dictionary = commands.add_parser("docs", help="regenerate docs/data_dictionary.md and dbt's _sources.yml")
    dictionary.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        return _fetch(args)
    if args.command in ("audit", "review") and not args.db.exists():
        print(f"no warehouse at {args.db}: `gov-pipeline run` builds it", file=sys.stderr)
        return 2
    if args.command == "audit":
        return audit(args.db.resolve(), args.out)
    if args.command == "review":
        return review(args.db.resolve(), args.fingerprint, args.decision, args.note, args.reviewer)
    if args.command == "sql":
        return sql(args.query if args.query is not None else sys.stdin.read(), Path(args.db))
    if args.command == "docs":
        return docs(args.check)
    if args.command == "run":
        return _materialise(args)
    if args.command == "backfill":
        return _materialise(args, args.first, args.last)
    print(json.dumps(extract(args.file), ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
