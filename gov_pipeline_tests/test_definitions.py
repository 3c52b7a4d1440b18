"""The code location loads and holds what the data contract promises."""

from __future__ import annotations

import dagster as dg

from gov_pipeline.definitions import defs
from gov_pipeline.quality.rules import BLOCKING_RULES, WARNING_RULES


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)


def test_assets_are_named_after_the_contract_tables() -> None:
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_documents", "cleaned_documents", "report_sections", "report_tables", "report_facts", "reports",
            "dq_violations", "compliance_scores"} <= keys


def test_scoring_sits_behind_blocking_checks_on_reports() -> None:
    graph = defs.resolve_asset_graph()
    for name in ("count_non_negative", "completed_le_received", "year_plausible"):
        assert graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey("reports"), name)).blocking
    upstream = graph.get(dg.AssetKey("compliance_scores")).parent_keys
    assert any(key == dg.AssetKey("stg_reports") for key in upstream)
    assert dg.AssetKey("reports") in graph.get(dg.AssetKey("stg_reports")).parent_keys


def test_dbt_tests_become_asset_checks() -> None:
    names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "unique_compliance_scores_doc_id" in names


def test_one_writer() -> None:
    assert defs.executor is dg.in_process_executor


def test_every_data_quality_rule_has_its_own_check_listing_the_failures() -> None:
    graph = defs.resolve_asset_graph()
    on_violations = {key.name for key in graph.asset_check_keys if key.asset_key == dg.AssetKey("dq_violations")}
    assert {*BLOCKING_RULES, *WARNING_RULES} <= on_violations


def test_dbt_models_sit_in_the_scoring_group_described_by_their_docs() -> None:
    graph = defs.resolve_asset_graph()
    for name in ("compliance_scores", "agency_rankings", "stg_reports", "rubric_weights"):
        node = graph.get(dg.AssetKey(name))
        assert node.group_name == "scoring" and node.owners
        assert node.description and "select" not in node.description.lower(), node.description


def test_singular_dbt_tests_are_checks_of_the_model_they_guard() -> None:
    names = {key.name: key.asset_key for key in defs.resolve_asset_graph().asset_check_keys}
    for test in ("assert_no_quarantined_report_is_scored", "assert_every_scored_report_has_a_score"):
        assert names[test] == dg.AssetKey("compliance_scores")
