"""compliance_scores against the hand-scored rubric v2 gold (rubric_v2_hand_gold.json), indicator by
indicator, on the sample warehouse: every expected result must be the model's, except the disagreements the
gold keeps on purpose (the model says 'unknown' where the extractor does not read what the rubric needs)."""

from __future__ import annotations

import json
from pathlib import Path

from dagster_duckdb import DuckDBResource

from gov_pipeline_tests.conftest import query

GOLD = json.loads((Path(__file__).parent / "rubric_v2_hand_gold.json").read_text(encoding="utf-8"))["reports"]


def model_results(db: Path) -> dict[str, dict[str, str]]:
    """source_path -> indicator id -> result, read from compliance_scores (column <indicator>_result)."""
    weights = query(db, "select rubric, indicator_id, indicator from rubric_weights")
    names = {(rubric, i): name for rubric, i, name in weights}
    with DuckDBResource(database=str(db)).get_connection() as conn:
        cursor = conn.execute("select * from compliance_scores")
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return {row["source_path"]: {i: row[f"{name}_result"] for (rubric, i), name in names.items()
                                 if rubric == row["rubric"]} for row in rows}


def test_compliance_scores_match_the_hand_gold_indicator_by_indicator(sample_warehouse) -> None:
    db = sample_warehouse.db
    model = model_results(db)
    statuses = dict(query(db, "select source_path, status from reports"))
    mismatches, kept = [], []
    for path, entry in GOLD.items():
        assert statuses.get(path) == entry["status"], (path, statuses.get(path))
        for indicator_id, (expected, reason, *disagreement) in entry["indicators"].items():
            got = model.get(path, {}).get(indicator_id)
            allowed = {expected} | {d["pipeline"] for d in disagreement}
            if got not in allowed:
                mismatches.append(f"{path} {indicator_id}: gold {expected} ({reason}), model {got}")
            elif got != expected:
                kept.append((path, indicator_id))
    assert mismatches == []
    assert all(d for path, i in kept for d in GOLD[path]["indicators"][i][2:])


def test_the_flags_the_gold_names(sample_warehouse) -> None:
    flags = {path: (lossy, primary) for path, lossy, primary in query(
        sample_warehouse.db, "select source_path, lossy_source, is_primary from compliance_scores")}
    for path, entry in GOLD.items():
        if entry["status"] == "scored":
            assert flags[path][1], path  # one primary per agency and year, and every gold report is one
        for flag, expected in entry.get("flags", {}).items():
            assert flag == "lossy_source" and flags[path][0] == expected, (path, flag)


def test_the_two_copies_of_one_report_are_one_score_and_one_duplicate(sample_warehouse) -> None:
    db = sample_warehouse.db
    for path, entry in GOLD.items():
        if entry["status"] != "duplicate":
            continue
        [(primary,)] = query(db, "select primary_path from near_duplicates where source_path = ?", [path])
        assert primary == entry["primary"]
        assert query(db, "select count(*) from compliance_scores where source_path = ?", [path])[0][0] == 0
        assert query(db, "select count(*) from agency_rankings a join compliance_scores s using (doc_id) "
                         "where s.source_path = ?", [path])[0][0] == 0
