"""Report-year partitions. A document's year is only known once it is read, so the unpartitioned
raw_documents catalog reads just the head of each file (title, page meta, crawler header) and files
each document under the year it names, or under 'unknown' when the head names none (or an
implausible one). Everything downstream of the catalog is partitioned by that key; the rollups
(reports, dq_violations, the dbt marts) are not, and rebuild from all years."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from gov_pipeline.quality.registry import FIRST_REPORT_YEAR

UNKNOWN = "unknown"


def year_keys(today: date | None = None) -> list[str]:
    """Every partition key: one per report year up to this year, then 'unknown'."""
    return [str(year) for year in range(FIRST_REPORT_YEAR, (today or date.today()).year + 1)] + [UNKNOWN]


def partition_key(year_hint: int | None, today: date | None = None) -> str:
    if year_hint is None or not FIRST_REPORT_YEAR <= year_hint <= (today or date.today()).year:
        return UNKNOWN
    return str(year_hint)


def scope(partitions: Sequence[str] | None) -> tuple[str, list[object]]:
    """SQL condition (and parameters) selecting rows of the given partitions; all rows for None."""
    if partitions is None:
        return "true", []
    return "partition_key in (select unnest(?))", [list(partitions)]


def rewritten(partitions: Sequence[str] | None) -> tuple[str, list[object]]:
    """SQL condition (and parameters) selecting the rows a run over the partitions replaces: rows filed
    under them, rows of documents the catalog now files under them (a document whose year reading
    changed moves instead of standing in two years), and rows an older version wrote before
    partitions existed (NULL key). All rows for None."""
    if partitions is None:
        return "true", []
    keys = list(partitions)
    return ("(partition_key in (select unnest(?)) or partition_key is null or doc_id in "
            "(select doc_id from raw_documents where partition_key in (select unnest(?))))", [keys, keys])


def range_tags(first: str | None = None, last: str | None = None) -> dict[str, str]:
    """Run tags for one Dagster run over the partitions first..last (every partition by default)."""
    keys = year_keys()
    return {"dagster/asset_partition_range_start": first or keys[0],
            "dagster/asset_partition_range_end": last or keys[-1]}
