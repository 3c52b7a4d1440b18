"""Inputs of a crawl: a URL list (CSV: url, and optionally agency, level, year) and the registered
annual-report columns (data/collect_columns.csv: site, column_url, agency, level, note)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from gov_pipeline.collect.crawl import Target
from gov_pipeline.config import PROJECT_ROOT

COLUMN_REGISTRY = PROJECT_ROOT / "data" / "collect_columns.csv"


@dataclass(frozen=True)
class RegisteredColumn:
    site: str
    column_url: str
    agency: str | None
    level: str | None


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]


def url_list_targets(path: Path) -> list[Target]:
    """One target per row with a url; the hints travel into fetch_log."""
    targets = []
    for row in _rows(path):
        if not row.get("url"):
            continue
        year = row.get("year", "")
        targets.append(Target(row["url"], "url", agency_hint=row.get("agency") or None,
                              level_hint=row.get("level") or None, year_hint=int(year) if year.isdigit() else None))
    return targets


def registered_columns(path: Path = COLUMN_REGISTRY) -> list[RegisteredColumn]:
    return [RegisteredColumn(row["site"], row["column_url"], row.get("agency") or None, row.get("level") or None)
            for row in _rows(path) if row.get("site") and row.get("column_url")]


def column_targets(columns: list[RegisteredColumn], sites: list[str] | None = None) -> list[Target]:
    """The columns of the named sites (all when none are named), as crawl starting points."""
    unknown = set(sites or []) - {column.site for column in columns}
    if unknown:
        raise ValueError(f"sites not in the column registry: {', '.join(sorted(unknown))}")
    return [Target(column.column_url, "column", agency_hint=column.agency, level_hint=column.level)
            for column in columns if not sites or column.site in sites]
