"""Every input file's one status in the reports table, and its reason in words: derived here, once,
for the warehouse (pipeline.build_reports) and for one document in memory (`gov-pipeline extract`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

STATUSES = ("scored", "quarantined", "needs_review", "not_a_report", "unreadable", "duplicate", "pending")


@dataclass(frozen=True)
class Status:
    status: str  # one of STATUSES
    reason: str | None  # None only for a non-report the cleaner gave no reason for


@dataclass(frozen=True)
class NearCopy:
    """The report a document copies (quality.near_duplicates), with how much of it it shares."""

    primary_path: str
    sentence_containment: float
    number_similarity: float


def _percent(share: float) -> int:
    return math.floor(100 * share + 0.5)


def report_status(*, duplicate_of: str | None = None, failure: tuple[str, str] | None = None,
                  processed: bool = True, partition_key: str | None = None, is_annual_report: bool | None = None,
                  not_report_reason: str | None = None, blocking_reasons: Sequence[str] = (),
                  near_copy: NearCopy | None = None) -> Status:
    """The first that holds: a byte-identical copy, a stage that gave up on it (`failure`: the earliest
    stage's status and reason), not processed yet, not an annual report, a blocking rule broken, a near
    copy of another report, else scored. `blocking_reasons` are 'rule_id: detail', in rule order."""
    if duplicate_of is not None:
        return Status("duplicate", f"same bytes as {duplicate_of}")
    if failure is not None:
        return Status(*failure)
    if not processed:
        return Status("pending", f"not processed yet: partition {partition_key} has not been materialised")
    if not is_annual_report:
        return Status("not_a_report", not_report_reason)
    if blocking_reasons:
        return Status("quarantined", "blocking data-quality rule failed: " + "; ".join(blocking_reasons))
    if near_copy is not None:
        return Status("duplicate", f"the same report as {near_copy.primary_path} "
                                   f"({_percent(near_copy.sentence_containment)}% of sentences and "
                                   f"{_percent(near_copy.number_similarity)}% of number sequences shared): "
                                   "only that one is scored")
    return Status("scored", "passed the blocking data-quality rules")
