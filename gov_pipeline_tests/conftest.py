"""Shared fixtures: the bundled sample documents, the seed gold file, cleaned-document helpers, and a
dbt manifest (the Dagster code location cannot load without it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import NamedTuple

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from gov_pipeline.cleaning.clean import CleaningResult, clean_document
from gov_pipeline.config import DBT_PROJECT_DIR, PROJECT_ROOT, Settings
from gov_pipeline.domain.records import Violation
from gov_pipeline.ingest.inventory import read_raw
from gov_pipeline.partitions import range_tags
from gov_pipeline.quality.rules import evaluate_report, violations

RAW = PROJECT_ROOT / "data" / "raw"
SEEDS = RAW / "seeds"
CORPUS = RAW / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
SHUYANG = CORPUS / "html" / "2023_department_shuyang-county-development-reform-bureau_report.html"


def _ensure_dbt_manifest() -> None:
    """`make setup` keeps the manifest current; pytest run directly rebuilds it when a dbt file changed."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    sources = [p for folder in ("models", "macros", "tests", "seeds") for p in (DBT_PROJECT_DIR / folder).rglob("*")]
    sources.append(DBT_PROJECT_DIR / "dbt_project.yml")
    if not manifest.exists() or max(p.stat().st_mtime for p in sources) > manifest.stat().st_mtime:
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run([str(dbt), "parse", "--project-dir", ".", "--profiles-dir", ".", "--quiet"],
                       cwd=DBT_PROJECT_DIR, check=True)


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """The dbt manifest the Dagster code location loads, current before the first test (never at import)."""
    _ensure_dbt_manifest()
    return DBT_PROJECT_DIR / "target" / "manifest.json"


@pytest.fixture(scope="session")
def defs(dbt_manifest: Path) -> dg.Definitions:
    """The project's code location (gov_pipeline.definitions), loaded once the manifest is there."""
    from gov_pipeline.definitions import defs

    return defs


@cache
def clean_file(path: Path) -> CleaningResult:
    data = path.read_bytes()
    return clean_document(read_raw(path, path.parent, data), data)


def cleaned_text(path: Path) -> str:
    document = clean_file(path).document
    assert document is not None, clean_file(path).failure
    return document.text


@pytest.fixture(scope="session")
def gold() -> dict[str, dict]:
    data = json.loads((FIXTURES / "seed_gold.json").read_text(encoding="utf-8"))
    return {name: entry for name, entry in data.items() if not name.startswith("_")}


def report_violations(*args, **kwargs) -> list[Violation]:
    """The failed checks of evaluate_report, as violations."""
    return violations(evaluate_report(*args, **kwargs))


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one query on a warehouse file, through the resource the runs use (DuckDB refuses a second
    configuration for a database it still caches)."""
    with DuckDBResource(database=str(db)).get_connection() as conn:
        return conn.execute(sql, params or []).fetchall()


@contextmanager
def definitions_on(raw: Path, db: Path) -> Iterator[dg.Definitions]:
    """The code location over `raw`, writing `db` (dbt is pointed at `db` by its resource, not the environment)."""
    from gov_pipeline.definitions import build_definitions  # needs the dbt manifest (session fixture)

    yield build_definitions(Settings(raw_dir=raw, duckdb_path=db))


class Warehouse(NamedTuple):
    defs: dg.Definitions
    raw: Path
    db: Path
    result: dg.ExecuteInProcessResult


def build_sample_folder(root: Path) -> Path:
    """The bundled sample documents, a byte-identical copy of a seed, unreadable files, and three
    documents built from real ones that break one blocking rule each."""
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    bad = raw / "bad"
    bad.mkdir()
    seed_000, seed_004 = SEEDS / "000_990f776b87745625.txt", SEEDS / "004_a8ef66291314f876.txt"
    (raw / "seeds_copy").mkdir()
    shutil.copy(seed_000, raw / "seeds_copy" / "000_again.txt")
    (bad / "empty.html").write_bytes(b"")
    (bad / "random.pdf").write_bytes(bytes(range(256)) * 50)
    text_004 = seed_004.read_text(encoding="utf-8")
    (bad / "completed_gt_received.txt").write_text(text_004.replace("办结2670件", "办结2690件"), encoding="utf-8")
    (bad / "year_2099.txt").write_text(seed_000.read_text(encoding="utf-8").replace(
        "凉州区2016年政府信息公开工作年度报告", "凉州区2099年政府信息公开工作年度报告"), encoding="utf-8")
    page = SHUYANG.read_text(encoding="utf-8")
    cell = page.index(">0</span>", page.index("上年结转政府信息公开申请数量"))
    (bad / "negative_cell.html").write_text(page[:cell] + ">-3</span>" + page[cell + 9:], encoding="utf-8")
    return raw


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """One full Dagster run (all assets, checks and dbt models) shared by the tests that read its output."""
    root = tmp_path_factory.mktemp("sample")
    raw = build_sample_folder(root)
    db = root / "warehouse.duckdb"
    with definitions_on(raw, db) as defs:
        result = defs.resolve_job_def("all_assets_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, tags=range_tags())
        yield Warehouse(defs, raw, db, result)


class CliRun(NamedTuple):
    raw: Path
    db: Path
    home: Path  # the DAGSTER_HOME the run was recorded in
    output: str  # what `gov-pipeline run` printed (stdout and stderr)
    returncode: int


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """`gov-pipeline run` on the bundled sample data, as `make run` does, recorded in its own Dagster
    instance (a copy of dagster_home/dagster.yaml), for the tests of what the CLI prints and of what the
    UI shows afterwards."""
    root = tmp_path_factory.mktemp("cli")
    raw, home, db = root / "raw", root / "dagster_home", root / "warehouse.duckdb"
    shutil.copytree(RAW, raw)
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home)
    gov_pipeline = Path(sys.executable).parent / "gov-pipeline"
    done = subprocess.run([str(gov_pipeline), "run", "--raw-dir", str(raw), "--db", str(db)],
                          env=os.environ | {"DAGSTER_HOME": str(home)}, capture_output=True, text=True, check=False)
    return CliRun(raw, db, home, done.stdout + done.stderr, done.returncode)
