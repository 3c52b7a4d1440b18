"""Findings and reviewer decisions. A finding is a failed check (dq_checks, which include the
prose/table comparisons of fact_checks, and dq_cross_year_checks); its fingerprint is derived from the
warehouse row alone, so it is the same on every re-run of the same input. Decisions live in a CSV next
to the warehouse that no stage writes: the review_decisions table resolves them against the findings
of the current run, for the consistency indicator (dbt) and the audit pages."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from gov_pipeline.warehouse.store import frame, replace_rows

DECISIONS_FILE = "decisions.csv"
DECISION_COLUMNS = ("fingerprint", "decision", "reviewer", "date", "note")
DECISIONS = ("confirmed", "dismissed")
FINGERPRINT_CHARS = 16

CHECK_TABLES = ("dq_checks", "dq_cross_year_checks")


@dataclass(frozen=True)
class Finding:
    fingerprint: str
    doc_id: str
    rule_id: str
    severity: str
    subject: str
    detail: str


@dataclass(frozen=True)
class Decision:
    fingerprint: str
    decision: str  # confirmed | dismissed
    reviewer: str
    date: str  # ISO date
    note: str


def fingerprint(rule_id: str, doc_id: str, subject: str) -> str:
    """The stable identity of a finding: rule, report and subject."""
    digest = hashlib.sha256(f"{rule_id}\x1f{doc_id}\x1f{subject}".encode()).hexdigest()
    return digest[:FINGERPRINT_CHARS]


def findings_of(rows: Iterable[tuple[str, str, str, str, str]]) -> list[Finding]:
    """Failed-check rows (doc_id, rule_id, severity, subject, detail) as findings. Where one report
    fails a rule several times on the same subject (the prose/table comparison's subject is always
    'prose vs table'), the detail joins the subject, so each finding keeps its own fingerprint."""
    rows = list(rows)
    repeats = Counter((doc_id, rule_id, subject) for doc_id, rule_id, _, subject, _ in rows)
    return [Finding(fingerprint(rule_id, doc_id, subject if repeats[doc_id, rule_id, subject] == 1
                                else f"{subject}\x1f{detail}"), doc_id, rule_id, severity, subject, detail)
            for doc_id, rule_id, severity, subject, detail in rows]


def read_findings(conn: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Every finding the warehouse holds now (none from a check table not built yet)."""
    present = {row[0] for row in conn.execute("select table_name from information_schema.tables").fetchall()}
    selects = [f"select doc_id, rule_id, severity, subject, detail from {table} where not passed"
               for table in CHECK_TABLES if table in present]
    if not selects:
        return []
    return findings_of(conn.execute(" union all ".join(selects) + " order by all").fetchall())


def decisions_path(db_path: Path) -> Path:
    """The decisions file sits next to the warehouse (data/decisions.csv by default)."""
    return db_path.parent / DECISIONS_FILE


def read_decisions(path: Path) -> dict[str, Decision]:
    """The effective decision per fingerprint: the file is append-only, the last line wins."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [Decision(**{k: (row.get(k) or "").strip() for k in DECISION_COLUMNS}) for row in csv.DictReader(handle)]
    return {d.fingerprint: d for d in rows if d.fingerprint and d.decision in DECISIONS}


def append_decision(path: Path, decision: Decision) -> None:
    """One more line in the decisions file (created with its header when absent)."""
    if decision.decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision.decision!r}")
    new = not path.exists() or path.stat().st_size == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(DECISION_COLUMNS)
        writer.writerow([getattr(decision, k) for k in DECISION_COLUMNS])


def resolved_decisions(decisions: dict[str, Decision], findings: Sequence[Finding]) -> list[dict[str, object]]:
    """review_decisions rows: each decision with the finding it names, or fires = false when that
    finding no longer fires."""
    by_fingerprint = {f.fingerprint: f for f in findings}
    rows: list[dict[str, object]] = []
    for d in sorted(decisions.values(), key=lambda d: d.fingerprint):
        found = by_fingerprint.get(d.fingerprint)
        rows.append({"fingerprint": d.fingerprint, "decision": d.decision, "reviewer": d.reviewer,
                     "decided_on": _date(d.date), "note": d.note, "fires": found is not None,
                     "doc_id": found and found.doc_id, "rule_id": found and found.rule_id,
                     "subject": found and found.subject, "detail": found and found.detail})
    return rows


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def build_review_decisions(conn: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Rewrite review_decisions from the decisions file and the current findings; returns the rows."""
    rows = resolved_decisions(read_decisions(path), read_findings(conn))
    return replace_rows(conn, "review_decisions", frame("review_decisions", rows))
