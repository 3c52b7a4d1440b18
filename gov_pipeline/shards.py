"""Shard-then-load: the per-document stages run in separate worker processes (or machines), each over
one report-year x shard partition of the catalog, each writing Parquet; one loader writes the shards
into the DuckDB warehouse and runs the all-years stage there. DuckDB's single-writer rule holds: a
worker writes only its own scratch database (in memory) and its Parquet files, never the warehouse.

The stage code is the one `gov-pipeline run` uses (pipeline.build_* and the warehouse's `replacing`);
this module only decides which documents a worker sees and moves the tables between processes.

    catalog (loader)  -> catalog.parquet
    worker(year, shard) -> shards/<table>/<year>-<shard>.parquet   (cleaning .. dq_checks)
    load (loader)     -> warehouse tables, then reports / dq_violations / near_duplicates"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from gov_pipeline import pipeline, workers
from gov_pipeline.scoring.rescoring import mark_for_rescoring
from gov_pipeline.stage_runner import StageStats
from gov_pipeline.warehouse.store import ensure_tables, replacing_in_batches

# the tables the per-document stages write, in the order the loader loads them
SHARD_TABLES = pipeline.DOCUMENT_TABLES


@dataclass(frozen=True)
class Shard:
    """One partition of the work: the catalog's documents of one report year whose doc_id hashes to
    `index` among `count` shards."""

    partition_key: str
    index: int
    count: int

    @property
    def name(self) -> str:
        return f"{self.partition_key}-{self.index:04d}"


def write_catalog(conn: duckdb.DuckDBPyConnection, raw_dir: Path, shard_dir: Path) -> Path:
    """The catalog stage on the warehouse (the loader's), exported for the workers."""
    pipeline.build_raw_documents(conn, raw_dir)
    shard_dir.mkdir(parents=True, exist_ok=True)
    path = shard_dir / "catalog.parquet"
    conn.execute(f"copy raw_documents to '{path}' (format parquet)")
    return path


def plan(catalog: Path, shards_per_year: int) -> list[Shard]:
    """Every year of the catalog x `shards_per_year` shards (a year with no documents gets none)."""
    with duckdb.connect() as conn:
        years = conn.execute(f"select distinct partition_key from read_parquet('{catalog}') order by 1").fetchall()
    return [Shard(year, index, shards_per_year) for (year,) in years for index in range(shards_per_year)]


def run_shard(shard: Shard, catalog: Path, raw_dir: Path, shard_dir: Path) -> str:
    """A worker: the per-document pass over the shard's documents in a scratch database, each output
    table written to shard_dir/<table>/<shard>.parquet."""
    with workers.inline():  # the shard worker is the unit of parallelism
        _run_stages(shard, catalog, raw_dir, shard_dir)
    return shard.name


def _run_stages(shard: Shard, catalog: Path, raw_dir: Path, shard_dir: Path) -> None:
    conn = duckdb.connect(":memory:")
    ensure_tables(conn, ["raw_documents"])
    conn.execute(f"insert into raw_documents by name select * from read_parquet('{catalog}') "
                 "where partition_key = ? and hash(doc_id) % ? = ?", [shard.partition_key, shard.count, shard.index])
    pipeline.build_documents(conn, raw_dir)
    ensure_tables(conn, list(SHARD_TABLES))
    for table in SHARD_TABLES:
        (shard_dir / table).mkdir(parents=True, exist_ok=True)
        conn.execute(f"copy \"{table}\" to '{shard_dir / table / shard.name}.parquet' (format parquet)")
    conn.close()


def run_workers(shards: Sequence[Shard], catalog: Path, raw_dir: Path, shard_dir: Path, processes: int) -> list[str]:
    """The shards over a pool of worker processes (spawned, as pipeline.parallel_map does)."""
    with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(run_shard, shard, catalog, raw_dir, shard_dir) for shard in shards]
        return [future.result() for future in futures]


def load(conn: duckdb.DuckDBPyConnection, shard_dir: Path) -> StageStats:
    """The loader: every shard's tables into the warehouse (staged, replacing in one transaction), then the
    all-years stage."""
    with replacing_in_batches(conn, dict.fromkeys(SHARD_TABLES, "true")) as write:
        for table in SHARD_TABLES:
            for path in sorted((shard_dir / table).glob("*.parquet")):
                write(table, pl.read_parquet(path))
    mark_for_rescoring(conn, None)
    return pipeline.build_reports(conn)


def shard_then_load(conn: duckdb.DuckDBPyConnection, raw_dir: Path, shard_dir: Path, processes: int = 2,
                    shards_per_year: int = 2) -> StageStats:
    """The whole path on one machine: catalog, workers over year x shard, load."""
    catalog = write_catalog(conn, raw_dir, shard_dir)
    run_workers(plan(catalog, shards_per_year), catalog, raw_dir, shard_dir, processes)
    return load(conn, shard_dir)
