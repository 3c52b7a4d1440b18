"""The analyst tables cannot mislead (issue 15), on the sample warehouse: one report in two formats is
counted once, percentiles read 1.0 = best, a year missing from the corpus is not called unpublished,
refusal rates never mix templates, and checks that held read as passes."""

from __future__ import annotations

from gov_pipeline_tests.conftest import query

# the sample's reports saved both as an HTML page and as a text copy
TWO_FORMATS = ("2011_county_pingtan-county_report", "2012_county_pingtan-county_report",
               "2011_city_pingtan-zone_report", "2013_city_pingtan-zone_report", "2018_city_pingtan-zone_report",
               "2013_department_pingtan-local-tax-bureau_report")


def test_a_report_in_two_formats_is_scored_once_and_its_copy_names_the_primary(sample_warehouse) -> None:
    db = sample_warehouse.db
    for stem in TWO_FORMATS:
        rows = dict(query(db, "select source_path, status from reports where source_path in (?, ?)",
                          [f"corpus/{stem}.txt", f"corpus/html/{stem}.html"]))
        assert sorted(rows.values()) == ["duplicate", "scored"], (stem, rows)
        [(_, reason)] = query(db, "select source_path, status_reason from reports where source_path in (?, ?) "
                                     "and status = 'duplicate'", [f"corpus/{stem}.txt", f"corpus/html/{stem}.html"])
        primary = next(path for path, status in rows.items() if status == "scored")
        assert f"the same report as {primary}" in reason
    assert query(db, "select count(*) from (select agency_key, report_year from compliance_scores "
                     "group by all having count(*) > 1)")[0][0] == 0
    assert query(db, "select count(*) from agency_rankings "
                     "where doc_id in (select doc_id from near_duplicates)")[0][0] == 0


def test_different_agencies_and_years_are_never_merged(sample_warehouse) -> None:
    copies = query(sample_warehouse.db, """
        select n.source_path, n.primary_path from near_duplicates n
        join cleaned_documents c on c.doc_id = n.doc_id join cleaned_documents p on p.doc_id = n.primary_doc_id
        where c.agency_key is distinct from p.agency_key or c.report_year is distinct from p.report_year""")
    assert copies == []
    # a copy that breaks a blocking rule (the sample's edited reports) stays quarantined: that is its news
    statuses = query(sample_warehouse.db, "select r.status, count(*) from near_duplicates n join reports r "
                                          "using (doc_id, source_path) group by 1 order by 1")
    assert statuses == [("duplicate", len(TWO_FORMATS)), ("quarantined", 2)]


def test_percentile_one_is_best_and_ties_share_a_rank(sample_warehouse) -> None:
    db = sample_warehouse.db
    groups = query(db, """
        select admin_level, report_year, count(*), max(percentile), min(rank_in_level_year),
               max(percentile) filter (where rank_in_level_year = 1)
        from agency_rankings group by all""")
    assert groups
    for level, year, count, best, top_rank, top_percentile in groups:
        assert best == 1.0 and top_rank == 1 and top_percentile == 1.0, (level, year, count)
    assert query(db, "select count(*) from agency_rankings a join agency_rankings b "
                     "on a.admin_level = b.admin_level and a.report_year = b.report_year and a.score = b.score "
                     "and (a.percentile <> b.percentile or a.rank_in_level_year <> b.rank_in_level_year)")[0][0] == 0


def test_a_year_missing_from_the_corpus_is_a_gap_not_a_finding(sample_warehouse) -> None:
    rows = dict(query(sample_warehouse.db, "select report_year, (in_corpus, publication_status) "
                                           "from publication_coverage where agency_key = '350128:平潭综合实验区'"))
    assert rows[2012] == (False, "no report in the corpus")
    assert rows[2019] == (True, "on time")
    statuses = {s for (s,) in query(sample_warehouse.db,
                                    "select distinct publication_status from publication_coverage")}
    assert "not published" not in statuses


def test_every_summary_row_names_its_template_and_refusal_rates_never_mix(sample_warehouse) -> None:
    rows = query(sample_warehouse.db, "select template, refusal_rate_legacy, refusal_rate_template "
                                      "from agency_year_summary")
    assert rows and all(template in ("legacy", "2019", "2021") for template, _, _ in rows)
    assert all(template_rate is None for template, _, template_rate in rows if template == "legacy")
    assert all(legacy_rate is None for template, legacy_rate, _ in rows if template != "legacy")
    assert any(rate is not None for _, rate, _ in rows) and any(rate is not None for _, _, rate in rows)


def test_checks_that_held_read_as_passes(sample_warehouse) -> None:
    passed = query(sample_warehouse.db, """
        select rule_id, detail from dq_checks where passed and severity = 'warning'
        union all select rule_id, detail from dq_cross_year_checks where passed""")
    assert any(rule == "carryover_continuity" for rule, _ in passed)
    for rule, detail in passed:
        assert " but " not in detail and "!=" not in detail and "exceeds" not in detail, (rule, detail)
    failed = query(sample_warehouse.db, "select detail from dq_cross_year_checks where not passed")
    assert all(" but " in detail for (detail,) in failed)
