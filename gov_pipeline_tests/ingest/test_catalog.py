"""The catalog on a real folder: a second catalog reads only what changed since the first."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from gov_pipeline import pipeline
from gov_pipeline_tests.conftest import SEEDS

ROWS = "select * exclude (ingested_at) from raw_documents order by source_path"


def test_a_second_catalog_reads_only_the_files_that_changed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    seeds = sorted(path for path in raw.iterdir() if path.is_file())
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        first = pipeline.build_raw_documents(conn, raw).counts
        assert first["files_read"] == len(seeds) and first.get("files_unchanged", 0) == 0
        before = conn.execute(ROWS).fetchall()

        again = pipeline.build_raw_documents(conn, raw).counts
        assert again.get("files_read", 0) == 0 and again["files_unchanged"] == len(seeds)
        assert conn.execute(ROWS).fetchall() == before  # the kept rows are the rows read

        changed, copied = seeds[0], raw / ("copy_of_" + seeds[1].name)
        changed.write_bytes(changed.read_bytes() + b"\n")  # new bytes: a new fingerprint
        shutil.copy(seeds[1], copied)  # a new file: the duplicate of a kept one
        os.utime(seeds[2], ns=(0, 0))  # the same bytes, touched: read again, the same row
        third = pipeline.build_raw_documents(conn, raw).counts
        assert third["files_read"] == 3 and third["files_unchanged"] == len(seeds) - 2
        rows = {row[1]: row for row in conn.execute(ROWS).fetchall()}  # by source_path
        assert rows[changed.name][0] != {row[1]: row for row in before}[changed.name][0]
        assert rows[copied.name][0] == rows[seeds[1].name][0]
        duplicate_of = conn.execute("select duplicate_of from raw_documents where source_path = ?",
                                    [copied.name]).fetchone()
        assert duplicate_of == (seeds[1].name,)
