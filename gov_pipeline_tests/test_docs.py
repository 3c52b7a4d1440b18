"""The docs in the repository: the data dictionary and dbt's source docs are generated from the code's
declarations and current; they cover every fact key the sample warehouse holds; nothing points outside
the repository; the README's query command works as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from gov_pipeline import data_dictionary
from gov_pipeline.config import DBT_PROJECT_DIR, PROJECT_ROOT
from gov_pipeline.domain.template import APPLICANT_SUFFIX, CUMULATIVE_SUFFIX
from gov_pipeline.warehouse.store import TABLES
from gov_pipeline_tests.conftest import query

GOV_PIPELINE = str(Path(sys.executable).parent / "gov-pipeline")


def test_the_generated_docs_are_current() -> None:
    assert data_dictionary.stale() == [], "run `.venv/bin/gov-pipeline docs` and commit the result"


def test_the_dictionary_names_every_table_and_column() -> None:
    text = data_dictionary.DICTIONARY.read_text(encoding="utf-8")
    for spec in TABLES.values():
        assert f"### `{spec.name}`" in text
        assert all(f"| `{column.name}` |" in text for column in spec.columns)
    for model in ("compliance_scores", "agency_year_summary", "publication_coverage", "agency_rankings"):
        assert f"### `{model}` (model" in text


def test_every_fact_key_of_the_sample_warehouse_is_in_the_dictionary(sample_warehouse) -> None:
    documented = data_dictionary.fact_keys()
    suffixes = [s for s in (*APPLICANT_SUFFIX.values(), CUMULATIVE_SUFFIX) if s]
    for (key,) in query(sample_warehouse.db, "select distinct fact_key from report_facts"):
        base = next((key.removesuffix(s) for s in suffixes if key.endswith(s)), key)
        assert base in documented, key


def test_nothing_points_outside_the_repository() -> None:
    files = [PROJECT_ROOT / "README.md", *DBT_PROJECT_DIR.glob("*.yml"), *(DBT_PROJECT_DIR / "models").rglob("*.yml"),
             *(DBT_PROJECT_DIR / "seeds").rglob("*.yml"), *(PROJECT_ROOT / "gov_pipeline").glob("*.py")]
    for path in files:
        assert "../shared" not in path.read_text(encoding="utf-8"), path
    for cited in re.findall(r"`(docs/[\w.]+)`", (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")):
        assert (PROJECT_ROOT / cited).exists(), cited


def test_the_readme_sql_command_prints_a_result(sample_warehouse) -> None:
    out = subprocess.run([GOV_PIPELINE, "sql", "select status, count(*) as n from reports group by 1 order by 1",
                          "--db", str(sample_warehouse.db)], capture_output=True, text=True, check=True).stdout
    assert "scored" in out and "quarantined" in out
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert 'gov-pipeline sql "select' in readme
    piped = subprocess.run([GOV_PIPELINE, "sql", "--db", str(sample_warehouse.db)], input="select 42 as answer",
                           capture_output=True, text=True, check=True).stdout
    assert "42" in piped
