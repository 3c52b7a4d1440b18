"""Shard-then-load (gov_pipeline/shards.py): two worker processes over year x shard partitions and one
loader give the same warehouse tables as the stages run in one process, on a slice of data/raw."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from gov_pipeline import pipeline
from gov_pipeline.shards import SHARD_TABLES, shard_then_load
from gov_pipeline_tests.conftest import CORPUS, SEEDS

# several years, text / HTML / markdown / PDF, the same report as text and as HTML (a near-duplicate)
SLICE = [*sorted(SEEDS.glob("*.txt")), CORPUS / "2011_city_pingtan-zone_report.txt",
         CORPUS / "html" / "2011_city_pingtan-zone_report.html", CORPUS / "2021_city_pingtan-zone_report.txt",
         CORPUS / "2024_department_shanghai-stcsm_report.md", CORPUS / "pdf" / "2024_city_huaian-city_report.pdf",
         CORPUS / "2014_city_pingtan-zone_letter-not-annual-report.txt"]
COMPARED = ("raw_documents", *SHARD_TABLES, "dq_cross_year_checks", "dq_violations", "near_duplicates", "reports")
RUN_TIME_COLUMNS = {"ingested_at"}  # when the catalog was made: differs between any two runs


def _rows(db: Path, table: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as conn:
        df = conn.sql(f'select * from "{table}"').pl()
    return sorted(map(repr, df.drop([c for c in df.columns if c in RUN_TIME_COLUMNS]).rows()))


def test_two_workers_and_a_loader_build_the_same_warehouse_as_one_process(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GOV_PIPELINE_WORKERS", "1")
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in SLICE:
        shutil.copy(path, raw / path.name)
    single, sharded = tmp_path / "single.duckdb", tmp_path / "sharded.duckdb"
    with duckdb.connect(str(single)) as conn:
        pipeline.build_raw_documents(conn, raw)
        pipeline.build_documents(conn, raw)
        pipeline.build_reports(conn)
    with duckdb.connect(str(sharded)) as conn:
        shard_then_load(conn, raw, tmp_path / "shards", processes=2, shards_per_year=2)
    assert len(list((tmp_path / "shards" / "report_facts").glob("*.parquet"))) >= 4  # years x 2 shards
    for table in COMPARED:
        assert _rows(sharded, table) == _rows(single, table), table
    assert _rows(single, "report_facts") and _rows(single, "near_duplicates")
