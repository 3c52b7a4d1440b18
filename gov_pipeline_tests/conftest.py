"""Shared fixtures: the bundled sample documents, the seed gold file, cleaned-document helpers, and a
dbt manifest (the Dagster code location cannot load without it)."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from gov_pipeline.cleaning import CleaningResult, clean_document
from gov_pipeline.config import DBT_PROJECT_DIR, PROJECT_ROOT
from gov_pipeline.ingest import read_raw
from gov_pipeline.quality import evaluate_report, violations
from gov_pipeline.records import Violation

RAW = PROJECT_ROOT / "data" / "raw"
SEEDS = RAW / "seeds"
CORPUS = RAW / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
SHUYANG = CORPUS / "html" / "2023_department_shuyang-county-development-reform-bureau_report.html"


def _ensure_dbt_manifest() -> None:
    if not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run([str(dbt), "parse", "--project-dir", ".", "--profiles-dir", ".", "--quiet"],
                       cwd=DBT_PROJECT_DIR, check=True)


_ensure_dbt_manifest()


@lru_cache(maxsize=None)
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
