"""The code location loads and holds what the data contract promises."""

from __future__ import annotations

import dagster as dg

from gov_pipeline.definitions import defs


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)


def test_assets_are_named_after_the_contract_tables() -> None:
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_documents", "cleaned_documents", "report_sections", "report_tables", "report_facts", "reports",
            "dq_violations", "compliance_scores"} <= keys


def test_scoring_sits_behind_blocking_checks_on_reports() -> None:
    graph = defs.resolve_asset_graph()
    checks = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys}
    for name in ("count_non_negative", "completed_le_received", "year_plausible"):
        assert checks[name].asset_key == dg.AssetKey("reports") and checks[name].blocking
    upstream = graph.get(dg.AssetKey("compliance_scores")).parent_keys
    assert any(key == dg.AssetKey("stg_reports") for key in upstream)
    assert dg.AssetKey("reports") in graph.get(dg.AssetKey("stg_reports")).parent_keys


def test_dbt_tests_become_asset_checks() -> None:
    names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "unique_compliance_scores_doc_id" in names


def test_one_writer() -> None:
    assert defs.executor is dg.in_process_executor
