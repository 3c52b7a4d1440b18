"""Incremental scoring by report year: which report years a dbt build rescores.

The pass (and the shard loader) marks the partitions it rewrote in `scoring_backlog`. The next dbt
build rescores, in the incremental models (dbt_models/macros/rescoring.sql), the scored reports of
the report years those partitions' documents name, of the year after each (originality and
carry-over compare a report with the year before), and of every year where a report started or
stopped being scored (near-duplicates and statuses are decided over all years); the other models are
rebuilt whole. A build whose models, macros, seeds, vars or reviewer decisions differ from the last
successful one's (its fingerprint in `scoring_state`), or that finds no scores yet, rebuilds
everything. A failed build leaves the backlog for the next one."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from gov_pipeline.warehouse.store import ensure_tables, frame, replace_rows, replacing

BACKLOG, STATE = "scoring_backlog", "scoring_state"
SCORES = "compliance_scores"  # one row per scored report: who was scored at the last build
PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds")  # what the scores are computed with

CHANGED_YEARS = f"""
with changed as (
    select report_year from reports where partition_key in (select partition_key from {BACKLOG})
    union all  -- reports that started or stopped being scored since the last build
    select report_year from reports
    where (status = 'scored') <> (doc_id in (select doc_id from {SCORES}))
    union all
    select report_year from {SCORES} where doc_id not in (select doc_id from reports where status = 'scored')
)
select distinct report_year from changed where report_year is not null order by 1
"""


@dataclass(frozen=True)
class Plan:
    """What one dbt build rescores: `years` (None: every report, with dbt's --full-refresh), under the
    project's `fingerprint`, consuming the backlog marked up to `planned_at`."""

    fingerprint: str
    years: list[int] | None
    planned_at: datetime

    def dbt_args(self) -> list[str]:
        return ["build", "--full-refresh"] if self.years is None else ["build"]

    def dbt_vars(self) -> dict[str, list[int]]:
        return {} if self.years is None else {"rescore_years": self.years}


def mark_for_rescoring(conn: duckdb.DuckDBPyConnection, partitions: Sequence[str] | None) -> None:
    """Record that the partitions' documents were rewritten (every cataloged partition for None): one
    row per partition, the latest time."""
    if partitions is None:
        partitions = [key for (key,) in conn.execute("select distinct partition_key from raw_documents").fetchall()]
    now = datetime.now()
    with replacing(conn, {BACKLOG: "partition_key in (select unnest(?))"}, [list(partitions)]) as write:
        write(BACKLOG, frame(BACKLOG, [{"partition_key": key, "marked_at": now} for key in partitions]))


def fingerprint(conn: duckdb.DuckDBPyConnection, project_dir: Path) -> str:
    """sha256 over the dbt project's files (path and bytes) and the reviewer decisions in force."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = project_dir / part
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    ensure_tables(conn, ["review_decisions"])
    for row in conn.execute("select * from review_decisions order by all").fetchall():
        digest.update(repr(row).encode())
    return digest.hexdigest()


def plan(conn: duckdb.DuckDBPyConnection, project_dir: Path) -> Plan:
    """The next build's plan: the changed report years and the year after each, or everything."""
    ensure_tables(conn, [BACKLOG, STATE, "reports"])
    current, now = fingerprint(conn, project_dir), datetime.now()
    last = conn.execute(f"select fingerprint from {STATE}").fetchall()
    scored = conn.execute("select count(*) from information_schema.tables where table_schema = 'main' "
                          "and table_name = ?", [SCORES]).fetchone()
    if not scored or not scored[0] or last != [(current,)]:
        return Plan(current, None, now)
    changed = {year for (year,) in conn.execute(CHANGED_YEARS).fetchall()}
    return Plan(current, sorted(changed | {year + 1 for year in changed}), now)


def record_build(conn: duckdb.DuckDBPyConnection, done: Plan) -> None:
    """After a successful build: its backlog consumed, its fingerprint the one the next build compares."""
    conn.execute(f"delete from {BACKLOG} where marked_at <= ?", [done.planned_at])
    replace_rows(conn, STATE, frame(STATE, [{"fingerprint": done.fingerprint, "built_at": datetime.now(),
                                             "rescored_years": done.years}]))
