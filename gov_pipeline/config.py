"""The one place that reads the environment: where the raw documents, the warehouse and the Dagster
instance live, how many workers a stage uses and how long one document may take. Nobody writes it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_models"

RAW_DIR_ENV = "GOV_PIPELINE_RAW_DIR"
DUCKDB_PATH_ENV = "GOV_PIPELINE_DUCKDB_PATH"
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEFAULT_DUCKDB_PATH = PROJECT_ROOT / "data" / "warehouse.duckdb"
LOCK_WAIT_ENV = "GOV_PIPELINE_LOCK_WAIT_SECONDS"
DOCUMENT_SECONDS_ENV = "GOV_PIPELINE_DOCUMENT_SECONDS"
WORKERS_ENV = "GOV_PIPELINE_WORKERS"
DEFAULT_DOCUMENT_SECONDS = 60.0  # per document and stage; real reports take well under a second
# the Dagster instance the CLI and `make dev` share (runs, materialisations, checks), unless DAGSTER_HOME is set
DAGSTER_HOME = PROJECT_ROOT / "dagster_home"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    duckdb_path: Path
    lock_wait_seconds: float = 0.0  # how long a run waits for another writer of the same warehouse
    workers: int = 1  # worker processes of the per-document pass (the machine's cores by default)
    dagster_home: Path = DAGSTER_HOME  # the Dagster instance runs are recorded in


def settings() -> Settings:
    """Read the settings now (not at import), so tests and the CLI can change the environment first."""
    return Settings(
        raw_dir=Path(os.environ.get(RAW_DIR_ENV) or DEFAULT_RAW_DIR).resolve(),
        duckdb_path=Path(os.environ.get(DUCKDB_PATH_ENV) or DEFAULT_DUCKDB_PATH).resolve(),
        lock_wait_seconds=float(os.environ.get(LOCK_WAIT_ENV) or 0),
        workers=max(1, int(os.environ.get(WORKERS_ENV) or os.cpu_count() or 1)),
        dagster_home=Path(os.environ.get("DAGSTER_HOME") or DAGSTER_HOME).resolve(),
    )


def document_seconds() -> float:
    """The time budget of one document in one stage (seconds; 0 switches it off)."""
    return float(os.environ.get(DOCUMENT_SECONDS_ENV) or DEFAULT_DOCUMENT_SECONDS)
