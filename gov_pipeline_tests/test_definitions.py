"""The code location loads and holds what the data contract promises."""

from __future__ import annotations

import dagster as dg

from gov_pipeline.quality.registry import BLOCKING_RULES, RULES


def test_definitions_load(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)


def test_assets_are_named_after_the_contract_tables(defs: dg.Definitions) -> None:
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_documents", "cleaned_documents", "report_sections", "report_tables", "report_facts", "reports",
            "dq_violations", "compliance_scores"} <= keys


def test_scoring_sits_behind_blocking_checks_on_reports(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for rule in BLOCKING_RULES:
        assert graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey("reports"), rule.id)).blocking
    upstream = graph.get(dg.AssetKey("compliance_scores")).parent_keys
    assert any(key == dg.AssetKey("stg_reports") for key in upstream)
    assert dg.AssetKey("reports") in graph.get(dg.AssetKey("stg_reports")).parent_keys


def test_dbt_tests_become_asset_checks(defs: dg.Definitions) -> None:
    names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "unique_compliance_scores_doc_id" in names


def test_one_writer(defs: dg.Definitions) -> None:
    assert defs.executor is dg.in_process_executor


def test_every_data_quality_rule_has_its_own_check_listing_the_failures(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    on_violations = {key.name for key in graph.asset_check_keys if key.asset_key == dg.AssetKey("dq_violations")}
    assert set(RULES) <= on_violations


def test_every_rule_a_table_identity_reports_is_declared_once() -> None:
    from gov_pipeline.domain.identities import IDENTITIES

    assert {identity.rule_id for identity in IDENTITIES} <= set(RULES)
    assert all(rule.gate for rule in BLOCKING_RULES) and not any(r.gate for r in RULES.values() if not r.blocking)


def test_dbt_models_sit_in_the_scoring_group_described_by_their_docs(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for name in ("compliance_scores", "agency_rankings", "stg_reports", "rubric_weights"):
        node = graph.get(dg.AssetKey(name))
        assert node.group_name == "scoring" and node.owners
        assert node.description and "select" not in node.description.lower(), node.description


def test_singular_dbt_tests_are_checks_of_the_model_they_guard(defs: dg.Definitions) -> None:
    names = {key.name: key.asset_key for key in defs.resolve_asset_graph().asset_check_keys}
    for test in ("assert_no_quarantined_report_is_scored", "assert_every_scored_report_has_a_score"):
        assert names[test] == dg.AssetKey("compliance_scores")


def test_every_record_is_its_tables_columns_by_name() -> None:
    """Rows travel by field name (stage_runner.Rows, warehouse.frame): each record's fields are columns of
    its table, and the table's other columns are the ones the pipeline adds (partition, catalog, agency)."""
    from dataclasses import fields

    from gov_pipeline.domain.records import (
        CleanedDocument,
        DocumentFailure,
        Fact,
        RawDocument,
        Section,
        TableCell,
        Violation,
    )
    from gov_pipeline.quality.rules import Check
    from gov_pipeline.warehouse.store import TABLES

    added = {"raw_documents": {"display_path", "duplicate_of", "report_year_hint", "partition_key", "ingested_at",
                               "file_mtime_ns", "catalog_version"},
             "cleaned_documents": {"partition_key", "converted_traditional_chars", "agency_key", "division_code",
                                   "body_kind", "body_type", "division_reason", "division_candidates", "template"},
             "dq_cross_year_checks": set(), "dq_violations": set()}
    for table, record in (("raw_documents", RawDocument), ("cleaned_documents", CleanedDocument),
                          ("report_sections", Section), ("report_tables", TableCell), ("report_facts", Fact),
                          ("document_failures", DocumentFailure), ("fact_checks", Check), ("dq_checks", Check),
                          ("dq_cross_year_checks", Check), ("dq_violations", Violation)):
        names = {f.name for f in fields(record)}
        assert set(TABLES[table].column_names) - names == added.get(table, {"partition_key"}), table
        assert names <= set(TABLES[table].column_names), table
