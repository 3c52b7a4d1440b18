"""The warehouse's SQL, kept as .sql files beside this module (warehouse/sql/): read once, constants
bound as named parameters ($name), never spliced into the text."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def query(name: str) -> str:
    """The text of warehouse/sql/<name>.sql."""
    return files("gov_pipeline.warehouse").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")
