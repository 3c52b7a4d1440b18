"""The fact-key registry is the one declaration: every key the pipeline stores on the real documents is
in it, and the scoring's key-fact list (dbt int_indicator_key_facts.sql) is its list of key facts."""

from __future__ import annotations

import re

from gov_pipeline.config import DBT_PROJECT_DIR
from gov_pipeline.domain.fact_keys import FACT_KEYS, KEY_FACTS, PROSE_KEYS, describe
from gov_pipeline_tests.conftest import CORPUS, SEEDS
from gov_pipeline_tests.facts.test_facts import facts_of


def test_every_stored_fact_key_is_in_the_registry() -> None:
    stored = {key for folder in (SEEDS, CORPUS) for path in folder.rglob("*")
              if path.is_file() and path.suffix in (".txt", ".md", ".html", ".pdf") for key in facts_of(path)}
    unknown = sorted(key for key in stored if describe(key) is None)
    assert stored and not unknown, unknown
    assert describe("outcome_granted__natural_person").unit == "requests"  # type: ignore[union-attr]


def test_the_scorings_key_facts_are_the_registrys() -> None:
    sql = (DBT_PROJECT_DIR / "models" / "intermediate" / "int_indicator_key_facts.sql").read_text(encoding="utf-8")
    listed = re.findall(r"f\.(\w+)", sql)
    names = re.findall(r"'([a-z ]+)'", sql.split("as stated", 1)[1].split("as names", 1)[0])
    assert listed == [fact.key for fact in KEY_FACTS]
    assert names == [fact.key_fact for fact in KEY_FACTS]


def test_each_prose_key_has_a_unit_a_home_section_and_phrasings() -> None:
    for fact in PROSE_KEYS:
        assert fact.unit and fact.sections and fact.description and fact.phrasings and fact.words, fact.key
        assert FACT_KEYS[fact.key] is fact
